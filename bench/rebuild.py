"""The ranking's full rebuild from the event history, on a real Redis.

The history is real: the same `order.paid` and `shop.visited` envelopes as the ranking
benchmark (bench/ranking.py) sit, as sent rows, in the order's and the shop's outbox
tables (SQLite), and the rebuild reads them page by page through each service's
`/internal/<service>/events` endpoint in process (auth, SQL, JSON), replays them quietly,
announces every final standing once and writes the epoch (services/ranking/watch.py).

The baseline is the live path on the same events: the ranking consumer's dispatch, one
event at a time, as a worker applies them off the queue. The ratio says what reading the
history and the rebuild's bookkeeping cost on top of applying.
"""
from __future__ import annotations

import json

import redis
from sqlalchemy import insert

from shared.clock import utcnow
from shared.events import parse_event

from bench.measure import Side, compare, discard, scratch
from bench.ranking import envelopes


class RebuildBench:
    def __init__(self, redis_url: str, n: int):
        from runtime.embedded import Platform
        from tests.conftest import make_config
        self.client = redis.Redis.from_url(redis_url)
        self.client.flushdb()
        self.data_dir = scratch("rebuild")
        self.platform = Platform(make_config(self.data_dir, redis_url=redis_url),
                                 services=("shop", "order", "ranking"))
        self.bodies = envelopes(n)
        now = utcnow()
        for producer in ("shop", "order"):
            rows = [{"event_id": body["id"], "type": body["type"], "envelope": json.dumps(body),
                     "created_at": now, "sent_at": now} for body in self.bodies if body["producer"] == producer]
            db = self.platform[producer].db
            with db.engine.begin() as conn:
                conn.execute(insert(db.outbox), rows)
        ranking = self.platform["ranking"]
        self.watch = ranking.context.watch
        self.store = ranking.context.store
        self.dispatch = ranking.consumer.dispatch
        self.fetch = ranking.context.history_fetch

    def close(self) -> None:
        self.platform.stop(drain=False)
        self.client.flushdb()
        self.client.close()
        discard(self.data_dir)

    def events_per_second(self) -> tuple[float, float]:
        n = len(self.bodies)

        def live(k: int) -> None:
            for body in self.bodies[:k]:
                self.dispatch(parse_event(body))

        def rebuild(k: int) -> None:
            # The whole history every time (k is the warm-up's or the round's count).
            recovery = self.watch.recover("full", self.fetch)
            assert recovery is not None and recovery.replayed == n, recovery

        def reset() -> None:
            self.store.reset()
            self.client.delete("rk-meta:{meta}:epoch", "rk-meta:{meta}:checkpoint")

        return compare(Side(live, reset), Side(rebuild, reset), n, rounds=3)


def rebuild_events_per_second(redis_url: str, n: int) -> tuple[float, float]:
    bench = RebuildBench(redis_url, n)
    try:
        return bench.events_per_second()
    finally:
        bench.close()


__all__ = ["rebuild_events_per_second"]
