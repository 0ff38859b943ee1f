"""`make bench`: what the platform's machinery costs, as ratios to a raw baseline measured
in the same run on the same machine.

- events: the outbox, relay and idempotent inbox against raw kombu (memory://, RabbitMQ);
- gateway: a product page through the gateway against a bare Flask view;
- stock: the all-or-nothing reservation against raw UPDATEs (SQLite, PostgreSQL);
- ranking: events through the ranking's Lua scripts against naive Redis commands, and the
  TOP 300 board read against one ZREVRANGE (Redis);
- orders: place, reserve and pay end to end in process against bare SQLite writes;
- memory: `python -m runtime` against a bare Flask process, after the same requests.

GWH_BENCH_N (default 2000) scales every benchmark. The servers are the ones the
integration tests use (GWH_TEST_AMQP_URL, GWH_TEST_POSTGRES_URL, GWH_TEST_REDIS_URL, by
default the local ones); a benchmark whose server does not answer is left out and named
under the table. The results go to stdout and to bench/results.md. Nothing here asserts a
speed: tests never time anything.
"""
from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench import cluster, delisting, events, gateway, memory, orders, ranking, ranking_batches, rebuild, report, stock
from bench.measure import Results, Row, reachable

RESULTS = Path(__file__).resolve().parent / "results.md"
AMQP_URL = os.environ.get("GWH_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
POSTGRES_URL = os.environ.get("GWH_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
# A database index of the bench's own, flushed before and after: nothing else lives there.
REDIS_URL = os.environ.get("GWH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0] + "/12"


def answers(url: str) -> bool:
    parts = urlsplit(url)
    return reachable(parts.hostname or "127.0.0.1", parts.port)


def where(url: str) -> str:
    """host:port of a server URL, without its credentials."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}"


def bench_events(results: Results, n: int) -> None:
    raw, platform = events.events_per_second("memory://", n)
    results.rows.append(Row("events through outbox, relay and inbox, memory:// (events/s)", raw, platform))
    if answers(AMQP_URL):
        raw, platform = events.events_per_second(AMQP_URL, n // 4)
        results.rows.append(Row("events through outbox, relay and inbox, RabbitMQ (events/s)", raw, platform))
    else:
        results.skipped.append(f"events on RabbitMQ (nothing answers at {where(AMQP_URL)})")
    results.notes.append("events: raw kombu publish + basic_get/ack of the same envelopes on the same bus "
                         "connection settings (publisher confirms on RabbitMQ), without outbox or inbox tables.")


def bench_gateway(results: Results, n: int) -> None:
    raw, platform = gateway.product_reads_per_second(n // 2)
    results.rows.append(Row("GET a product through the gateway (req/s)", raw, platform))
    results.notes.append("GET a product: a bare Flask view returning the same JSON, both called in process "
                         "through werkzeug's test client.")


def bench_stock(results: Results, n: int) -> None:
    with stock.fresh_sqlite() as url:
        raw, platform = stock.reservations_per_second(url, n)
    results.rows.append(Row("reserve 3 items, all or nothing, SQLite (orders/s)", raw, platform))
    if answers(POSTGRES_URL):
        with stock.fresh_postgres(POSTGRES_URL) as url:
            raw, platform = stock.reservations_per_second(url, n // 4)
        results.rows.append(Row("reserve 3 items, all or nothing, PostgreSQL (orders/s)", raw, platform))
    else:
        results.skipped.append(f"stock on PostgreSQL (nothing answers at {where(POSTGRES_URL)})")
    results.notes.append("reserve: the same 3 `UPDATE products SET stock = stock - 1` in one transaction per "
                         "order on the same engine, without the listed/enough-left conditions and the savepoint.")


def bench_ranking(results: Results, n: int) -> None:
    if not answers(REDIS_URL):
        results.skipped.append(f"ranking on Redis (nothing answers at {where(REDIS_URL)})")
        return
    bench = ranking.RankingBench(REDIS_URL)
    try:
        raw, platform = bench.events_per_second(n)
        results.rows.append(Row("ranking: apply order.paid / shop.visited on Redis (events/s)", raw, platform))
        raw, platform, lines = bench.board_reads_per_second(max(20, n // 20))
        results.rows.append(Row(f"ranking: read the TOP 300 board, {lines} lines (reads/s)", raw, platform))
        hll, exact = bench.visitor_memory_per_1000()
        results.rows.append(Row("ranking: memory of one shop's unique visitors, per 1,000 visitors (KB)", hll, exact,
                                unit="KB"))
    finally:
        bench.close()
    results.notes.append("ranking apply: per event one pipelined HINCRBY (sales) or PFADD (visitor) plus a "
                         "ZINCRBY of a board: no idempotency, window, standing or announcement.")
    results.notes.append("unique visitors' memory: a HyperLogLog of the same 1,000 member ids (approximate, "
                         "0.81% standard error; what the ranking kept before) against the exact visitor -> last "
                         "day sorted set the ranking keeps (Redis MEMORY USAGE, SAMPLES 0).")
    results.notes.append("TOP 300: one `ZREVRANGE board 0 299 WITHSCORES` of that board; Gouwuhao also reads "
                         "the 300 standings, applies privacy and answers JSON through the gateway.")
    raw, platform = rebuild.rebuild_events_per_second(REDIS_URL, n)
    results.rows.append(Row("ranking: full rebuild from the shop and order history (events/s)", raw, platform))
    results.notes.append("rebuild: the baseline is the live path, the ranking consumer's dispatch of the same "
                         "events one by one; the rebuild reads them from the outboxes through "
                         "/internal/<service>/events in pages of 1000, replays them quietly, announces each "
                         "final standing once and writes the epoch (services/ranking/watch.py).")


def bench_orders(results: Results, n: int) -> None:
    raw, platform, per_order = orders.orders_per_second(max(20, n // 10))
    results.rows.append(Row("order placed, reserved and paid end to end, SQLite (orders/s)", raw, platform))
    results.notes.append(
        f"orders: per order one bare sqlite3 `BEGIN IMMEDIATE` ... `COMMIT` holding as many INSERTs "
        f"({per_order.get('INSERT', 0):g}) and UPDATEs ({per_order.get('UPDATE', 0):g}) as Gouwuhao issued per "
        f"order; Gouwuhao spreads them over {per_order.get('write transaction', 0):g} write transactions in 2 "
        f"databases, with {per_order.get('read transaction', 0):g} read transactions, "
        f"{per_order.get('SELECT', 0):g} SELECTs, 3 HTTP requests and the saga's events.")


def bench_memory(results: Results, n: int) -> None:
    requests = max(40, n // 4)
    bare, platform = memory.footprints(requests)
    results.rows.append(Row(f"memory after {requests} requests, resident (MB)", bare.resident_mb,
                            platform.resident_mb, unit="MB"))
    results.rows.append(Row("memory, peak resident (MB)", bare.peak_mb, platform.peak_mb, unit="MB"))
    results.notes.append("memory: a bare Flask app on werkzeug's threaded server in its own process, sent the "
                         "same number of requests; Gouwuhao is `python -m runtime` with demo data, all four "
                         "services, plus its embedded Redis (VmRSS and VmHWM from /proc).")


BENCHMARKS = (bench_events, bench_gateway, bench_stock, bench_ranking, bench_orders, bench_memory)
BENCHMARKS += (ranking_batches.bench_ranking_batches, delisting.bench_delisting, cluster.bench_cluster)


def main() -> None:
    # The platform logs every relay and consumer start; the table is what matters here.
    logging.basicConfig(level=logging.ERROR)
    n = int(os.environ.get("GWH_BENCH_N", "2000"))
    results = Results()
    for benchmark in BENCHMARKS:
        began = time.perf_counter()
        benchmark(results, n)
        print(f"{benchmark.__name__}: {time.perf_counter() - began:.1f} s", file=sys.stderr, flush=True)
    text = report.markdown(results, n)
    print(text, end="")
    RESULTS.write_text(text)


if __name__ == "__main__":
    main()
