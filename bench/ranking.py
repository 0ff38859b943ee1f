"""The ranking on a real Redis: applying events, and reading the TOP 300.

Applying: the same `order.paid` and `shop.visited` envelopes, half and half over SHOPS
shops, go through the ranking consumer's own path (envelope validation, the handler, the
APPLY script with its idempotency set and window totals, the standing, the board placing
and the announcement), against what a naive implementation would send for each event:
one pipelined HINCRBY (sales) or PFADD (visitor) plus a ZINCRBY on a board, with no
idempotency, no window and no announcement. Every round starts from an empty ranking.

Memory: what one shop's unique visitors cost per 1,000 visitors, exactly (the ranking's
visitor -> last day sorted set) against approximately (a HyperLogLog).

Reading: GET /api/ranking/influence?limit=300 through the gateway (the board slice, the
standings of the 300 members in one pipeline, the privacy rules, the schema) against one
ZREVRANGE ... WITHSCORES of the naive board.

Everything lives in one Redis database index of its own, flushed before and after.
"""
from __future__ import annotations

import random
import time
import uuid

import redis
from flask import Response
from werkzeug.test import Client

from shared.events import make_event, parse_event

from bench.measure import Side, compare, discard, scratch

SHOPS = 400
NAIVE = "naive:"


def envelopes(n: int, seed: int = 12) -> list[dict]:
    """n event envelopes as they come off the bus: every other one a paid order through a
    shop, the rest visits of a shop, spread over SHOPS shops."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        shop = f"shop{i % SHOPS:03d}"
        if i % 2 == 0:
            total = rng.randrange(1000, 50000)
            data = {"order_id": uuid.uuid4().hex, "buyer_id": f"buyer{rng.randrange(1000):04d}", "shop_id": shop,
                    "items": [{"product_id": "p1", "quantity": 1, "unit_price_cents": total}],
                    "total_cents": total, "commission_cents": total // 10}
            out.append(make_event("order.paid", data, "order").to_dict())
        else:
            data = {"visit_id": uuid.uuid4().hex, "shop_id": shop, "visitor": f"visitor{rng.randrange(5000):04d}"}
            out.append(make_event("shop.visited", data, "shop").to_dict())
    return out


def naive_apply(client: redis.Redis, body: dict) -> None:
    data, day = body["data"], body["occurred_at"][:10]
    shop = data["shop_id"]
    with client.pipeline(transaction=False) as pipe:
        if body["type"] == "order.paid":
            pipe.hincrby(f"{NAIVE}{shop}:sales", day, data["total_cents"])
            pipe.zincrby(f"{NAIVE}board", data["total_cents"], shop)
        else:
            pipe.pfadd(f"{NAIVE}{shop}:uv:{day}", data["visitor"])
            pipe.zincrby(f"{NAIVE}board", 1, shop)
        pipe.execute()


def delete_matching(client: redis.Redis, pattern: str) -> None:
    keys = list(client.scan_iter(match=pattern, count=1000))
    for start in range(0, len(keys), 500):
        client.delete(*keys[start:start + 500])


class RankingBench:
    """The ranking service alone, on `redis_url`, and a plain client on the same database."""

    def __init__(self, redis_url: str):
        from runtime.embedded import Platform
        from shared.config import Config
        from tests.conftest import make_config, trust_harness_tokens
        self.client = redis.Redis.from_url(redis_url)
        self.client.flushdb()
        self.data_dir = scratch("ranking")
        # The board refreshes as configured by default, not on every read as in the tests.
        config = make_config(self.data_dir, redis_url=redis_url, board_refresh=Config().board_refresh)
        # The bench's readers are no registered members: the harness vouches for them.
        self.platform = trust_harness_tokens(Platform(config, services=("ranking",)))
        parts = self.platform["ranking"]
        self.dispatch = parts.consumer.dispatch
        self.store = parts.context.store
        self.gateway = Client(self.platform.gateway, Response)

    def close(self) -> None:
        self.platform.stop(drain=False)
        self.client.flushdb()
        self.client.close()
        discard(self.data_dir)

    def events_per_second(self, n: int) -> tuple[float, float]:
        bodies = envelopes(n)

        def raw(k: int) -> None:
            for body in bodies[:k]:
                naive_apply(self.client, body)

        def platform(k: int) -> None:
            for body in bodies[:k]:
                self.dispatch(parse_event(body))

        return compare(Side(raw, lambda: delete_matching(self.client, f"{NAIVE}*")),
                       Side(platform, self.store.reset), n)

    def visitor_memory_per_1000(self, visitors: int = 1000) -> tuple[float, float]:
        """KB of Redis memory one shop's unique visitors take per 1,000 visitors: a
        HyperLogLog of them (what the ranking used to keep, approximate) against the exact
        visitor -> last day sorted set the ranking keeps now, filled through its own path.
        Member ids as the shop makes them (32 hex digits)."""
        ids = [uuid.uuid4().hex for _ in range(visitors)]
        shop = "shop-memory"
        self.client.pfadd(f"{NAIVE}{shop}:uv", *ids)
        for member_id in ids:
            body = make_event("shop.visited", {"visit_id": uuid.uuid4().hex, "shop_id": shop,
                                               "visitor": member_id}, "shop").to_dict()
            self.dispatch(parse_event(body))
        key = f"rk:{{m:{shop}}}:visitors"
        assert self.client.zcard(key) == visitors
        per_1000 = 1000 / visitors / 1024
        hll = self.client.memory_usage(f"{NAIVE}{shop}:uv", samples=0) * per_1000
        exact = self.client.memory_usage(key, samples=0) * per_1000
        self.client.delete(f"{NAIVE}{shop}:uv")
        self.store.reset()
        return hll, exact

    def board_reads_per_second(self, n: int) -> tuple[float, float, int, list[float], list[float]]:
        """Reads/s of both boards as the last round of `events_per_second` left them, how
        many lines the platform's board holds, and each side's read latencies (ms)."""
        lines = len(self.gateway.get("/api/ranking/influence?limit=300").json["items"])
        raw_ms: list[float] = []
        platform_ms: list[float] = []

        def raw(k: int) -> None:
            for _ in range(k):
                began = time.perf_counter()
                assert self.client.zrevrange(f"{NAIVE}board", 0, 299, withscores=True)
                raw_ms.append((time.perf_counter() - began) * 1000)

        def platform(k: int) -> None:
            for _ in range(k):
                began = time.perf_counter()
                assert self.gateway.get("/api/ranking/influence?limit=300").status_code == 200
                platform_ms.append((time.perf_counter() - began) * 1000)

        raw_rate, platform_rate = compare(Side(raw), Side(platform), n)
        return raw_rate, platform_rate, lines, raw_ms, platform_ms

    def community_reads_per_second(self, n: int) -> tuple[float, float]:
        """The community page of a member on the board (their friends, the first ten, their
        rank) through the gateway, against the same ZREVRANGE of the naive board."""
        from tests.conftest import bearer
        headers = bearer("shop001")

        def raw(k: int) -> None:
            for _ in range(k):
                assert self.client.zrevrange(f"{NAIVE}board", 0, 299, withscores=True)

        def platform(k: int) -> None:
            for _ in range(k):
                assert self.gateway.get("/api/ranking/community", headers=headers).status_code == 200

        return compare(Side(raw), Side(platform), n)


# --- ingestion by worker count ----------------------------------------------------------
WORKER_COUNTS = (1, 2, 4)


def _ingest(redis_url: str, bodies: list[dict], ready, go, done) -> None:
    """One ranking worker in its own process: the consumer's dispatch on its share."""
    import logging
    logging.basicConfig(level=logging.ERROR)
    from runtime.embedded import Platform
    from tests.conftest import make_config
    data_dir = scratch("ranking-worker")
    platform = Platform(make_config(data_dir, redis_url=redis_url), services=("ranking",))
    try:
        dispatch = platform["ranking"].consumer.dispatch
        events = [parse_event(body) for body in bodies]
        ready.release()
        go.wait()
        for event in events:
            dispatch(event)
        done.release()
    finally:
        platform.stop(drain=False)
        discard(data_dir)


def ingestion_by_workers(redis_url: str, n: int, counts=WORKER_COUNTS) -> dict[int, float]:
    """Events/s applied by 1, 2, 4 ranking workers (processes) competing on one Redis, each
    taking every k-th event as competing consumers of one queue would."""
    import multiprocessing
    import time
    context = multiprocessing.get_context("spawn")
    bodies = envelopes(n, seed=21)
    client = redis.Redis.from_url(redis_url)
    rates = {}
    try:
        for count in counts:
            client.flushdb()
            ready, done, go = context.Semaphore(0), context.Semaphore(0), context.Event()
            workers = [context.Process(target=_ingest, args=(redis_url, bodies[i::count], ready, go, done))
                       for i in range(count)]
            for worker in workers:
                worker.start()
            for _ in workers:
                ready.acquire(timeout=120)
            began = time.perf_counter()
            go.set()
            for _ in workers:
                done.acquire(timeout=300)
            rates[count] = n / (time.perf_counter() - began)
            for worker in workers:
                worker.join(60)
    finally:
        client.flushdb()
        client.close()
    return rates
