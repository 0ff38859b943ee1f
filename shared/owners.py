"""Read-through to the owner of a fact (docs/owners-decide.md).

A service's projection of another service's data may lag behind its owner. Before a
projection answers "no such thing" (404, or 422 "unknown ..."), it asks the owner: the shop
asks the catalog about a product or a brand it has not heard of yet, the ranking asks the
shop about a member. The owner's answer is the truth at that moment; the projection may
keep it (the event that carries it will come too, and the revisions make the two agree).

How the owner is reached:
- in the embedded mode every service runs in this process: the owner's WSGI app is called
  in-process (the platform attaches the apps once it has built them);
- in the cluster mode the owner's own address, GWH_<SERVICE>_URL (its gunicorn, not the
  gateway), with a short timeout.

The routes asked are the owner's public reads (GET /api/catalog/products/{id}, ...): the
facts they return are public already, so the read-through needs no credentials of its own.

`get` answers the owner's JSON, None when the owner says 404 (or refuses the id itself, any
other 4xx but 408 and 429), and raises OwnerUnavailable
when the owner cannot say (unreachable, too slow, a 5xx): the caller must then not invent
an answer, it answers 503 with Retry-After (OwnerUnavailable is that problem).
"""
from __future__ import annotations

import json
import logging
from typing import Any, Callable
from urllib.parse import quote

from shared import correlation
from shared.errors import kind_of
from shared.failures import Unavailable

log = logging.getLogger("gwh.owners")

DEFAULT_TIMEOUT = 1.0


class OwnerUnavailable(Unavailable):
    """The owner of a fact did not answer: never guessed as "not found" (a 503 of its own
    problem type)."""

    def __init__(self, owner: str, why: str):
        super().__init__(f"the {owner} service, which owns this fact, did not answer: {why}", owner=owner,
                         retry_after=1)


kind_of(OwnerUnavailable, 503, "Service Unavailable", "owner-unavailable")


class Owners:
    def __init__(self, service_urls: dict[str, str] | None = None, timeout: float = DEFAULT_TIMEOUT):
        self.urls = {name: url.rstrip("/") for name, url in (service_urls or {}).items()}
        self.timeout = timeout
        self.local: dict[str, Callable] = {}

    @classmethod
    def from_config(cls, config) -> "Owners":
        return cls(getattr(config, "service_urls", {}) or {}, getattr(config, "owner_timeout", DEFAULT_TIMEOUT))

    def attach_local(self, apps: dict[str, Callable]) -> None:
        """The embedded platform's apps: asked in-process, before any URL."""
        self.local.update(apps)

    # --- the facts asked for ------------------------------------------------------------
    def product(self, product_id: str) -> dict | None:
        return self._by_id("catalog", "/api/catalog/products/", product_id)

    def brand(self, brand_id: str) -> dict | None:
        return self._by_id("catalog", "/api/catalog/brands/", brand_id)

    def shop(self, member_id: str) -> dict | None:
        return self._by_id("shop", "/api/shops/", member_id)

    def _by_id(self, owner: str, prefix: str, the_id: str) -> dict | None:
        try:
            segment = quote(the_id.encode("utf-8"), safe="")
        except UnicodeEncodeError:
            return None                  # not even text (a lone surrogate): no owner holds such an id
        return self.get(owner, prefix + segment)

    # --- the mechanism ------------------------------------------------------------------
    def get(self, owner: str, path: str) -> dict | None:
        if owner in self.local:
            status, body = self._in_process(owner, path)
        elif owner in self.urls:
            status, body = self._over_http(owner, path)
        else:
            raise OwnerUnavailable(owner, f"no GWH_{owner.upper()}_URL is set")
        if 400 <= status < 500 and status not in (408, 429):
            # 404: the owner has no such thing; another 4xx: the owner refuses the id itself
            # (a NUL, or "me" that only names the caller), so it holds nothing under it either.
            return None
        if status != 200:
            raise OwnerUnavailable(owner, f"it answered {status}")
        return body

    def _in_process(self, owner: str, path: str) -> tuple[int, Any]:
        from werkzeug.test import Client
        from werkzeug.wrappers import Response
        response = Client(self.local[owner], Response).get(path, headers=self._headers())
        return response.status_code, json.loads(response.get_data() or b"null")

    def _over_http(self, owner: str, path: str) -> tuple[int, Any]:
        import requests
        try:
            reply = requests.get(self.urls[owner] + path, timeout=self.timeout, headers=self._headers())
            return reply.status_code, reply.json() if reply.status_code == 200 else None
        except (requests.RequestException, ValueError) as exc:
            log.warning("read-through to %s%s failed: %s", owner, path, exc)
            raise OwnerUnavailable(owner, type(exc).__name__) from exc

    @staticmethod
    def _headers() -> dict[str, str]:
        # The id of the request or event being served (shared/correlation.py) goes along.
        return correlation.outgoing_headers()
