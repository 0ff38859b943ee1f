"""`make bench`: what the platform's machinery costs, as ratios to a raw baseline measured
in the same run on the same machine.

- events: publish + consume through the outbox, relay and idempotent inbox, against raw
  kombu publish + consume of the same bodies (memory://, and RabbitMQ when reachable);
- http: a catalog read through the gateway, app, schema and SQLite, against a bare Flask
  view returning the same JSON;
- stock: a multi-item all-or-nothing reservation against one raw conditional UPDATE;
- memory: the resident size of the whole embedded platform.

Timing is wall clock, best of 3 rounds. Results print as a Markdown table, which the README's
benchmark section reproduces. Nothing here asserts a speed: tests never time anything.
"""
from __future__ import annotations

import json
import os
import resource
import socket
import sys
import tempfile
import time
import uuid
from pathlib import Path

from flask import Flask, Response
from werkzeug.test import Client

from shared.auth import Principal, issue_token
from shared.bus import Bus
from shared.events import make_event

ROUNDS = 3


def best(fn, rounds=ROUNDS) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def bench_events(url: str, n: int) -> dict:
    from tests.bus.harness import build
    tmp = Path(tempfile.mkdtemp())
    exchange = f"gwh.bench.{uuid.uuid4().hex[:6]}"
    bus = Bus(url, exchange=exchange)
    svc = build(f"sqlite:///{tmp / 'bench.db'}", bus, service="bench")
    bodies = [make_event("shop.visited", {"visit_id": uuid.uuid4().hex, "shop_id": "s", "visitor": "v"},
                         "bench").to_dict() for _ in range(n)]
    raw_queue = bus.queue_for("rawbench", ["shop.visited"])

    def raw():
        with bus.connect() as conn:
            producer = conn.Producer()
            channel = conn.channel()
            queue = raw_queue(channel)
            queue.declare()
            for body in bodies:
                producer.publish(body, exchange=bus.exchange, routing_key="shop.visited", serializer="json",
                                 delivery_mode=2, declare=[bus.exchange])
            got = 0
            while got < n:
                message = queue.get(no_ack=False, accept=["json"])
                if message is None:
                    continue
                message.ack()
                got += 1
            queue.purge()

    def platform():
        svc["emit_visits"](n)
        svc["relay"].flush()
        handled = 0
        while handled < n:
            handled += svc["consumer"].pump()

    # Drain the raw queue of the platform's events (it is bound to the same type).
    raw_time = best(raw)
    with bus.connect() as conn:
        raw_queue(conn.channel()).purge()
    platform_time = best(platform)
    with bus.connect() as conn:
        channel = conn.channel()
        for queue in (raw_queue, bus.queue_for("bench", []), bus.dead_letter_queue("bench")):
            queue(channel).delete()
    bus.close()
    return {"raw": n / raw_time, "platform": n / platform_time}


def bench_http(n: int) -> dict:
    from runtime.embedded import Platform
    from tests.conftest import make_config
    tmp = Path(tempfile.mkdtemp())
    platform = Platform(make_config(tmp), services=("catalog",))
    client = Client(platform.gateway, Response)
    admin = {"Authorization": "Bearer " + issue_token(platform.config.jwt_secret, Principal("b", ("admin",)))}
    brand = client.post("/api/catalog/brands", json={"name": "Bench"}, headers=admin).json
    product = client.post("/api/catalog/products", headers=admin, json={
        "brand_id": brand["id"], "sku": "B-1", "name": "Bench tea", "category": "tea", "list_price_cents": 1000,
        "exclusive_price_cents": 900, "commission_rate_bp": 100, "stock": 10}).json
    path = f"/api/catalog/products/{product['id']}"
    body = json.dumps(client.get(path).json)
    bare = Flask("bare")
    bare.add_url_rule(path, "p", lambda: Response(body, mimetype="application/json"))
    bare_client = Client(bare, Response)

    def raw():
        for _ in range(n):
            assert bare_client.get(path).status_code == 200

    def through():
        for _ in range(n):
            assert client.get(path).status_code == 200

    result = {"raw": n / best(raw), "platform": n / best(through)}
    platform.stop(drain=False)
    return result


def bench_stock(n: int) -> dict:
    from sqlalchemy import update
    from services.catalog import store
    from shared.db import Database
    from shared.clock import utcnow
    tmp = Path(tempfile.mkdtemp())
    db = Database(f"sqlite:///{tmp / 'stock.db'}", store.metadata, producer="bench")
    db.create_all()
    with db.unit_of_work() as uow:
        brand = store.insert_brand(uow.conn, {"name": "B", "created_at": utcnow()})
        ids = [store.insert_product(uow.conn, {"brand_id": brand["id"], "sku": f"S{i}", "name": "p", "category": "c",
                                               "list_price_cents": 100, "exclusive_price_cents": 90,
                                               "commission_rate_bp": 0, "stock": 10 ** 9}, utcnow())["id"]
               for i in range(3)]
    wanted = {pid: 1 for pid in ids}

    def raw():
        for _ in range(n):
            with db.engine.begin() as conn:
                for pid in ids:
                    conn.execute(update(store.products).where(store.products.c.id == pid)
                                 .values(stock=store.products.c.stock - 1))

    def guarded():
        for _ in range(n):
            with db.unit_of_work() as uow:
                assert store.take_stock(uow.conn, wanted)

    return {"raw": n / best(raw), "platform": n / best(guarded)}


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    rows = []
    n = int(os.environ.get("GWH_BENCH_N", "2000"))
    r = bench_events("memory://", n)
    rows.append(("events, memory:// (events/s)", r["raw"], r["platform"]))
    if reachable("127.0.0.1", 5672):
        r = bench_events(os.environ.get("GWH_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//"), n // 4)
        rows.append(("events, RabbitMQ with confirms (events/s)", r["raw"], r["platform"]))
    r = bench_http(n)
    rows.append(("GET a product through the gateway (req/s)", r["raw"], r["platform"]))
    r = bench_stock(n)
    rows.append(("reserve 3 items, all or nothing, SQLite (orders/s)", r["raw"], r["platform"]))
    print(f"Benchmarks, best of {ROUNDS}, n={n}, Python {sys.version.split()[0]}, {os.cpu_count()} cores\n")
    print("| what | raw baseline | Gouwuhao | ratio |")
    print("| --- | ---: | ---: | ---: |")
    for label, raw, platform in rows:
        print(f"| {label} | {raw:,.0f} | {platform:,.0f} | {platform / raw:.2f}x |")
    from runtime.embedded import Platform
    from tests.conftest import make_config
    before = rss_mb()
    platform = Platform(make_config(Path(tempfile.mkdtemp()))).start()
    time.sleep(1)
    after = rss_mb()
    platform.stop(drain=False)
    print(f"\nPeak resident memory: {before:.0f} MB before the embedded platform started, "
          f"{after:.0f} MB with all four services, their threads and the embedded Redis running.")


if __name__ == "__main__":
    main()
