"""The ranking store watched: noticing that Redis lost its data, and rebuilding on its own.

Redis is a cache of the truth (the shop's and the order's event history), so losing it
loses nothing for good, but until it is rebuilt the board is empty and sales are short.
Three keys, beside the ranking's own (`rk-meta:`, so a reset of `rk:*` leaves them):

    rk-meta:{meta}:epoch       written when a full rebuild completes; missing = the data is
                               lost (a FLUSHDB, a Redis that restarted empty, a failover to
                               a replica that had nothing) or was never built
    rk-meta:{meta}:checkpoint  hash: producer -> the last history seq replayed into Redis
    rk-meta:{meta}:lock        who is rebuilding (a redis-py Lock with a TTL)

A worker's watch job looks at the epoch every few seconds. Missing: it takes the lock (one
worker rebuilds, the others see the lock and go on consuming), wipes `rk:*`, replays the
history from sequence 0 (applying the facts only: no standing is settled per event), then
settles, places and announces every member's final standing once, and writes the epoch. Present: every few minutes it *catches up* from the checkpoint: it replays only the
events after it, which the live consumers normally applied already (every apply is
idempotent by event id, so those change nothing), and moves the checkpoint on. Redis
restored from an older snapshot therefore comes back with an older checkpoint and replays
just the events since; an event lost on the way is applied late rather than never.

Writes of the checkpoint and the epoch go through a script that checks the lock is still
ours: if Redis is flushed in the middle of a rebuild, the lock vanishes with it, the
rebuild stops, and no epoch claims a store that is half empty; the next look starts over.

The ranking answers meanwhile: the store's state is an advisory check of its readiness, so
/health says "degraded" with the reason while the data is missing or being rebuilt, and the
API stays in service (an incomplete board for a minute beats no board at all, and every API
replica shares the one Redis, so making them unready would take the whole ranking down).
"""
from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Iterator

import redis

from shared.events import parse_event

from services.ranking.handlers import dispatcher
from services.ranking.rebuild import PAGE, Fetch, consumed_types_by_producer
from services.ranking.usecases import Scorer

log = logging.getLogger("gwh.ranking.watch")

META = "rk-meta:{meta}"
EPOCH = f"{META}:epoch"
CHECKPOINT = f"{META}:checkpoint"
LOCK = f"{META}:lock"
# A rebuild holds the lock this long and renews it after every page; a worker that dies
# mid-rebuild frees it by expiry, and the next look starts the rebuild over.
LOCK_SECONDS = 60
WATCH_INTERVAL = 5.0
CATCH_UP_INTERVAL = 300.0

# KEYS: lock, target; ARGV: token, field ("" for a plain SET), value.
_WRITE_IF_OWNER = """
if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('set', KEYS[2], ARGV[3]) else redis.call('hset', KEYS[2], ARGV[2], ARGV[3]) end
return 1
"""


class LostLock(RuntimeError):
    """The lock vanished mid-rebuild (the store was flushed again, or the lock expired)."""


@dataclass(frozen=True)
class Recovery:
    kind: str            # "full" or "catch-up"
    replayed: int
    seconds: float
    checkpoint: dict[str, int]

    @property
    def events_per_second(self) -> float:
        return self.replayed / self.seconds if self.seconds > 0 else float("inf")


class StoreWatch:
    def __init__(self, scorer: Scorer, fetch_factory: Callable[[], Fetch | None]):
        self.scorer = scorer
        self.redis = scorer.store.redis
        self.fetch_factory = fetch_factory
        self._write = self.redis.register_script(_WRITE_IF_OWNER)
        self.last_catch_up = time.monotonic()

    # --- what health reads -------------------------------------------------------------
    def epoch(self) -> dict | None:
        raw = self.redis.get(EPOCH)
        return json.loads(raw) if raw else None

    def checkpoint(self) -> dict[str, int]:
        return {_text(k): int(v) for k, v in self.redis.hgetall(CHECKPOINT).items()}

    def rebuilding(self) -> bool:
        return bool(self.redis.exists(LOCK))

    def check(self) -> None:
        """The advisory health check: raises while the data is lost or being rebuilt."""
        if self.epoch() is None:
            if self.rebuilding():
                raise RuntimeError("the ranking store lost its data and is being rebuilt from the event history")
            raise RuntimeError("the ranking store has lost its data (no epoch); a worker will rebuild it")

    # --- what the worker's watch job runs ----------------------------------------------
    def watch(self) -> Recovery | None:
        """One look: a full rebuild if the data is lost, a catch-up when one is due."""
        try:
            return self._look()
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            # Redis itself is down: nothing to rebuild into; the next look tries again.
            log.warning("ranking store watch: Redis is unavailable (%s: %s)", type(exc).__name__, exc)
            return None

    def _look(self) -> Recovery | None:
        lost = self.epoch() is None
        due = time.monotonic() - self.last_catch_up >= CATCH_UP_INTERVAL
        if not lost and not due:
            return None
        fetch = self.fetch_factory()
        if fetch is None:
            log.warning("the ranking store %s, but no history source is configured (GWH_SHOP_URL, "
                        "GWH_ORDER_URL or GWH_GATEWAY_URL)", "lost its data" if lost else "needs a catch-up")
            return None
        def recover(lock) -> Recovery:
            if self.epoch() is None:
                return self.full(fetch, lock)
            self.last_catch_up = time.monotonic()
            return self.catch_up(fetch, lock)
        # Another worker holding the lock is at it; this one goes on consuming.
        return self.locked(recover)

    def recover(self, kind: str, fetch: Fetch, wait: float | None = None) -> Recovery | None:
        """A "full" rebuild or a "catch-up" now, under the lock (waiting `wait` seconds for
        it, or not at all); None if another rebuild held it."""
        run = self.full if kind == "full" else self.catch_up
        return self.locked(lambda lock: run(fetch, lock), wait)

    def locked(self, run: Callable, wait: float | None = None):
        lock = self.redis.lock(LOCK, timeout=LOCK_SECONDS, blocking_timeout=wait)
        if not lock.acquire(blocking=wait is not None):
            return None
        try:
            return run(lock)
        finally:
            try:
                lock.release()
            except Exception:  # it expired or the store was flushed: nothing to release
                pass

    def full(self, fetch: Fetch, lock) -> Recovery:
        """Everything from sequence 0 into an emptied store, then the epoch."""
        started = time.monotonic()
        log.warning("the ranking store has no epoch: its data is lost or was never built; rebuilding")
        # The history must answer before anything is wiped: a store that still held data
        # (a deployment from before the epoch) is not emptied for a rebuild that cannot run.
        for producer, types in sorted(consumed_types_by_producer().items()):
            fetch(f"/internal/{producer}/events", {"after": 0, "types": ",".join(types), "limit": 1})
        self.redis.delete(EPOCH, CHECKPOINT)
        self.scorer.start_over()
        replayed, checkpoint = self._replay(fetch, lock, self.scorer.replaying(), {})
        self.scorer.announce_all()
        epoch = {"id": str(uuid.uuid4()), "rebuilt_at": datetime.now(timezone.utc).isoformat(),
                 "replayed": replayed}
        self._guarded(lock, EPOCH, "", json.dumps(epoch))
        recovery = Recovery("full", replayed, time.monotonic() - started, checkpoint)
        log.warning("ranking store rebuilt: %d events in %.1fs (%.0f events/s)", replayed, recovery.seconds,
                    recovery.events_per_second)
        return recovery

    def catch_up(self, fetch: Fetch, lock) -> Recovery:
        """The events after the checkpoint, applied as live ones are (each once)."""
        started = time.monotonic()
        replayed, checkpoint = self._replay(fetch, lock, self.scorer, self.checkpoint())
        recovery = Recovery("catch-up", replayed, time.monotonic() - started, checkpoint)
        if replayed:
            log.info("ranking caught up: %d events after the checkpoint in %.1fs", replayed, recovery.seconds)
        return recovery

    def _replay(self, fetch: Fetch, lock, scorer: Scorer, checkpoint: dict[str, int]) -> tuple[int, dict[str, int]]:
        dispatch = dispatcher(scorer)
        replayed = 0
        checkpoint = dict(checkpoint)
        for producer, types in sorted(consumed_types_by_producer().items()):
            for events, last_seq in pages(fetch, producer, types, checkpoint.get(producer, 0)):
                for envelope in events:
                    dispatch(parse_event(envelope))
                replayed += len(events)
                checkpoint[producer] = last_seq
                self._guarded(lock, CHECKPOINT, producer, str(last_seq))
                lock.reacquire()
        return replayed, checkpoint

    def _guarded(self, lock, key: str, field: str, value: str) -> None:
        token = lock.local.token
        if not self._write(keys=[LOCK, key], args=[token, field, value]):
            raise LostLock("the rebuild lock vanished (the store was flushed again?); starting over later")


def pages(fetch: Fetch, producer: str, types: list[str], after: int) -> Iterator[tuple[list[dict], int]]:
    """(events of one page, the seq of its last row), oldest first, from `after` on."""
    while True:
        page = fetch(f"/internal/{producer}/events", {"after": after, "types": ",".join(types), "limit": PAGE})
        items = page.get("items") or []
        if not items:
            return
        after = int(page["next_after"])
        yield [item["event"] for item in items], after


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
