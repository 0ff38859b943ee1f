"""Rebuild: Redis is a cache of the truth, and this recomputes it from the truth.

The order and shop services keep every event they produced (their outboxes) and serve it
at `/internal/<service>/events`. A rebuild deletes every ranking key and replays those
events through the same handlers the workers run. Since every update is idempotent and
commutative, the replay gives the state the live events gave, in whatever order the
histories come. The replay is quiet; each member's final standing is announced once at the
end, so the shop's slot counts are right even if announcements were lost before.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from shared.events import parse_event

from services.ranking.handlers import dispatcher, subscriptions
from services.ranking.usecases import Scorer

log = logging.getLogger("gwh.ranking.rebuild")

# fetch(path, params) -> the JSON page of a history endpoint
Fetch = Callable[[str, dict], dict]
PAGE = 1000


def consumed_types_by_producer() -> dict[str, list[str]]:
    """The event types the ranking consumes, by the service that produces them."""
    by_producer: dict[str, list[str]] = defaultdict(list)
    for event_type in subscriptions.event_types:
        by_producer[event_type.split(".", 1)[0]].append(event_type)
    return dict(by_producer)


def history(fetch: Fetch, service: str, types: list[str]) -> Iterator[dict]:
    """Every event of `types` that `service` produced, oldest first, page by page."""
    after = 0
    while True:
        page = fetch(f"/internal/{service}/events", {"after": after, "types": ",".join(types), "limit": PAGE})
        items = page.get("items") or []
        if not items:
            return
        for item in items:
            yield item["event"]
        after = page["next_after"]


def histories(fetch: Fetch) -> Iterator[dict]:
    for service, types in sorted(consumed_types_by_producer().items()):
        yield from history(fetch, service, types)


@dataclass(frozen=True)
class RebuildReport:
    deleted_keys: int
    replayed: int
    announced: int


def rebuild(scorer: Scorer, envelopes: Iterable[dict]) -> RebuildReport:
    deleted = scorer.start_over()
    dispatch = dispatcher(scorer.quiet())
    replayed = 0
    for envelope in envelopes:
        dispatch(parse_event(envelope))
        replayed += 1
    announced = scorer.announce_all()
    log.info("ranking rebuilt: %d keys deleted, %d events replayed, %d standings announced",
             deleted, replayed, announced)
    return RebuildReport(deleted, replayed, announced)


def http_fetch(base_urls: dict[str, str], token: str, timeout: float = 30.0) -> Fetch:
    """Fetch history pages over HTTP from each service (or the gateway), as an admin."""
    import requests

    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"

    def fetch(path: str, params: dict) -> dict:
        service = path.split("/")[2]
        reply = session.get(base_urls[service].rstrip("/") + path, params=params, timeout=timeout)
        reply.raise_for_status()
        return reply.json()

    return fetch
