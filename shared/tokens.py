"""Which well-signed tokens are still accepted: every service's revocation list and member check.

A signature proves the shop issued a token, not that it should still be honoured. Each
service (relational ones in two small tables, the ranking in Redis) keeps

- the ids (`jti`) of revoked tokens, until the token would have expired anyway
  (`POST /api/auth/logout` revokes the token it carries), and
- per member it has met, a `not_before`: tokens issued before it are revoked (a password
  change revokes every earlier token of the member).

The shop announces each revocation as `shop.tokens.revoked`; the service that revoked
refuses the token from its own commit on, the others as soon as they consume the event
(docs/tokens.md says what "at once" means).

A token is accepted only for a member the shop knows. A service that has not met a member
yet (one who registered a moment ago) asks the owner, the shop, once
(`GET /internal/shop/members/<id>/standing`, a short timeout) and remembers the answer:
a real member is never refused for being new, a token minted for an id the shop never
issued is refused (401). If the shop cannot be asked, the answer is 503, not a guess.

Tokens the platform mints for its own jobs (the ranking rebuild, the demo seed, the member
lookups) name a service, not a member (`sub` = "service:<name>"), live at most an hour, and
carry no member to check.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Protocol

from sqlalchemy import (BigInteger, Column, DateTime, MetaData, String, Table, bindparam, delete, insert, select,
                        update)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from shared.failures import Unauthorized, Unavailable

log = logging.getLogger("gwh.tokens")

REVOKED_EVENT = "shop.tokens.revoked"
STANDING_PATH = "/internal/shop/members/{member_id}/standing"
LOOKUP_TIMEOUT = 2.0


class ServiceUnavailable(Unavailable):
    """The shop could not be asked whether a member exists: the token is neither accepted
    nor refused (a 503)."""


class OwnerUnavailable(Exception):
    """The shop could not say whether a member exists."""


def now_us() -> int:
    return time.time_ns() // 1000


@dataclass(frozen=True)
class Standing:
    """What a service knows of a member's tokens: they exist, and tokens issued before
    `not_before_us` (microseconds since the epoch) are revoked."""

    member_id: str
    not_before_us: int = 0


class TokenStore(Protocol):
    def is_revoked(self, token_id: str) -> bool: ...
    def standing(self, member_id: str) -> Standing | None: ...
    def look(self, token_id: str | None, member_id: str) -> tuple[bool, Standing | None]:
        """is_revoked and standing together, in one round trip: what every request asks."""
    def remember(self, standing: Standing) -> None: ...


Lookup = Callable[[str], "Standing | None"]


class TokenGuard:
    """Checks a verified principal against the service's revocation list and members."""

    def __init__(self, store: TokenStore, lookup: Lookup | None = None, *, remember: bool = True):
        self.store = store
        # Who to ask about a member this service has not met; None: nobody (refused).
        self.lookup = lookup
        # Keep the owner's answer (a service asking the shop); the shop reads its own.
        self.remember = remember

    def check(self, principal) -> None:
        if principal.is_service:
            return
        revoked, standing = self.store.look(principal.token_id, principal.member_id)
        if revoked:
            raise Unauthorized("the token has been revoked")
        if standing is None:
            standing = self._ask_owner(principal.member_id)
            if standing is None:
                raise Unauthorized("invalid token")
            if self.remember:
                self.store.remember(standing)
        if principal.issued_at_us < standing.not_before_us:
            raise Unauthorized("the token has been revoked")

    def _ask_owner(self, member_id: str) -> Standing | None:
        if self.lookup is None:
            return None
        try:
            return self.lookup(member_id)
        except OwnerUnavailable as exc:
            log.warning("cannot check member %s with the shop: %s", member_id, exc)
            raise ServiceUnavailable("the token cannot be checked right now; try again shortly", retry_after=2)


# --- relational services ------------------------------------------------------------------
def token_tables(metadata: MetaData) -> tuple[Table, Table]:
    """The two tables of a relational service's revocation list (added to its metadata)."""
    if "token_members" in metadata.tables:
        return metadata.tables["token_members"], metadata.tables["revoked_tokens"]
    members = Table(
        "token_members", metadata,
        Column("member_id", String(64), primary_key=True),
        Column("not_before_us", BigInteger, nullable=False),
    )
    revoked = Table(
        "revoked_tokens", metadata,
        Column("token_id", String(64), primary_key=True),
        Column("member_id", String(64), nullable=False),
        Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
    )
    return members, revoked


class SqlTokenStore:
    def __init__(self, db):
        self.db = db
        self.members, self.revoked = token_tables(db.metadata)
        # One statement in one read for every authenticated request (look): two reads, each
        # a pool checkout, a BEGIN and a query, were a sixth of the order API's CPU under load.
        revoked = select(self.revoked.c.token_id).where(self.revoked.c.token_id == bindparam("token_id")).exists()
        not_before = (select(self.members.c.not_before_us)
                      .where(self.members.c.member_id == bindparam("member_id")).scalar_subquery())
        self._look = select(revoked.label("revoked"), not_before.label("not_before_us"))

    def is_revoked(self, token_id: str) -> bool:
        with self.db.reading() as conn:
            return conn.execute(select(self.revoked.c.token_id)
                                .where(self.revoked.c.token_id == token_id)).first() is not None

    def look(self, token_id: str | None, member_id: str) -> tuple[bool, Standing | None]:
        with self.db.reading() as conn:
            revoked, not_before = conn.execute(self._look, {"token_id": token_id or "", "member_id": member_id}).one()
        return bool(revoked), None if not_before is None else Standing(member_id, not_before)

    def standing(self, member_id: str) -> Standing | None:
        with self.db.reading() as conn:
            row = conn.execute(select(self.members.c.not_before_us)
                               .where(self.members.c.member_id == member_id)).first()
        return None if row is None else Standing(member_id, row[0])

    def remember(self, standing: Standing) -> None:
        with self.db.unit_of_work() as uow:
            self.raise_not_before(uow.conn, standing.member_id, standing.not_before_us)

    def raise_not_before(self, conn: Connection, member_id: str, not_before_us: int) -> None:
        """Know the member; keep the later of two not_before (revocations may arrive out of order)."""
        row = conn.execute(select(self.members.c.not_before_us)
                           .where(self.members.c.member_id == member_id)).first()
        if row is None:
            try:
                with conn.begin_nested():
                    conn.execute(insert(self.members).values(member_id=member_id, not_before_us=not_before_us))
                return
            except IntegrityError:  # another request remembered it first
                pass
        conn.execute(update(self.members).where(self.members.c.member_id == member_id,
                                                self.members.c.not_before_us < not_before_us)
                     .values(not_before_us=not_before_us))

    def revoke(self, conn: Connection, revocation: dict) -> None:
        """Apply a `shop.tokens.revoked` in the caller's transaction (idempotent)."""
        expires_at = datetime.fromtimestamp(revocation["expires_at"], timezone.utc)
        conn.execute(delete(self.revoked).where(self.revoked.c.expires_at < datetime.now(timezone.utc)))
        if revocation.get("token_id"):
            exists = conn.execute(select(self.revoked.c.token_id)
                                  .where(self.revoked.c.token_id == revocation["token_id"])).first()
            if exists is None:
                conn.execute(insert(self.revoked).values(token_id=revocation["token_id"],
                                                         member_id=revocation["member_id"], expires_at=expires_at))
        self.raise_not_before(conn, revocation["member_id"], revocation.get("not_before_us") or 0)


def subscribe_revocations(subscriptions) -> None:
    """Every relational service's handlers.py: apply the shop's revocations to its own list."""

    @subscriptions.on(REVOKED_EVENT)
    def tokens_revoked(uow, event) -> None:
        SqlTokenStore(uow.db).revoke(uow.conn, event.data)


# --- the ranking (Redis) ------------------------------------------------------------------
_RAISE_NOT_BEFORE = """
local current = redis.call('GET', KEYS[1])
if not current or tonumber(current) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1])
end
return 1
"""


class RedisTokenStore:
    """The same list in Redis: `tokens:member:<id>` holds not_before (its existence: known),
    `tokens:revoked:<jti>` expires with the token. One key per command (Redis Cluster)."""

    def __init__(self, client):
        self.redis = client
        self._raise = client.register_script(_RAISE_NOT_BEFORE)

    @staticmethod
    def _member(member_id: str) -> str:
        return f"tokens:member:{member_id}"

    @staticmethod
    def _revoked(token_id: str) -> str:
        return f"tokens:revoked:{token_id}"

    def is_revoked(self, token_id: str) -> bool:
        return bool(self.redis.exists(self._revoked(token_id)))

    def standing(self, member_id: str) -> Standing | None:
        value = self.redis.get(self._member(member_id))
        return None if value is None else Standing(member_id, int(value))

    def look(self, token_id: str | None, member_id: str) -> tuple[bool, Standing | None]:
        if not token_id:
            return False, self.standing(member_id)
        pipe = self.redis.pipeline(transaction=False)  # two keys, maybe two slots: no MULTI
        pipe.exists(self._revoked(token_id))
        pipe.get(self._member(member_id))
        revoked, value = pipe.execute()
        return bool(revoked), None if value is None else Standing(member_id, int(value))

    def remember(self, standing: Standing) -> None:
        self._raise(keys=[self._member(standing.member_id)], args=[standing.not_before_us])

    def revoke(self, revocation: dict) -> None:
        if revocation.get("token_id"):
            self.redis.set(self._revoked(revocation["token_id"]), revocation["member_id"],
                           exat=max(int(revocation["expires_at"]), int(time.time()) + 1))
        self.remember(Standing(revocation["member_id"], revocation.get("not_before_us") or 0))


# --- asking the owner ---------------------------------------------------------------------
def _standing_of(status: int, body: dict | None, member_id: str) -> Standing | None:
    if status == 404:
        return None
    if status != 200 or not isinstance(body, dict):
        raise OwnerUnavailable(f"the shop answered {status}")
    return Standing(member_id, int(body.get("not_before_us") or 0))


def _service_headers(secret: str, name: str) -> dict[str, str]:
    from shared.auth import issue_service_token
    return {"Authorization": f"Bearer {issue_service_token(secret, name, ttl_seconds=60)}"}


def in_process_lookup(shop_app, secret: str, asker: str) -> Lookup:
    """The embedded mode: the shop's app is in this process."""
    from werkzeug.test import Client

    def lookup(member_id: str) -> Standing | None:
        from urllib.parse import quote
        response = Client(shop_app).get(STANDING_PATH.format(member_id=quote(member_id, safe="")),
                                         headers=_service_headers(secret, asker))
        return _standing_of(response.status_code, response.get_json(silent=True), member_id)

    return lookup


def http_lookup(base_url: str, secret: str, asker: str, timeout: float = LOOKUP_TIMEOUT) -> Lookup:
    """The cluster mode: the shop's API over HTTP (GWH_SHOP_URL, else the gateway)."""
    import requests

    def lookup(member_id: str) -> Standing | None:
        from urllib.parse import quote
        url = base_url.rstrip("/") + STANDING_PATH.format(member_id=quote(member_id, safe=""))
        try:
            reply = requests.get(url, headers=_service_headers(secret, asker), timeout=timeout)
            body = reply.json() if reply.content else None
        except (requests.RequestException, ValueError) as exc:
            raise OwnerUnavailable(str(exc)[:200])
        return _standing_of(reply.status_code, body, member_id)

    return lookup


def default_lookup(config, asker: str) -> Lookup:
    return http_lookup(config.service_urls.get("shop") or config.gateway_url, config.jwt_secret, asker)
