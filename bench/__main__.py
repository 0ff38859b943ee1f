"""`make bench`: what the platform's machinery costs, as ratios to a raw baseline measured
in the same run on the same machine.

- events: the outbox, relay and idempotent inbox against raw kombu (memory://, RabbitMQ);
- gateway: a product page through the gateway against a bare Flask view;
- stock: the all-or-nothing reservation against raw UPDATEs (SQLite, PostgreSQL);
- ranking: events through the ranking's Lua scripts against naive Redis commands, and the
  TOP 300 board read against one ZREVRANGE (Redis);
- orders: place, reserve and pay end to end in process against bare SQLite writes;
- memory: `python -m runtime` against a bare Flask process, after the same requests;
- relay: the outbox relay on RabbitMQ against one confirmed publish per event;
- hop: from a commit in one service to the effect in the next, RabbitMQ + PostgreSQL;
- idle: the CPU of `python -m runtime` at rest against a bare Flask process.

GWH_BENCH_N (default 2000) scales every benchmark. The servers are the ones the
integration tests use (GWH_TEST_AMQP_URL, GWH_TEST_POSTGRES_URL, GWH_TEST_REDIS_URL, by
default the local ones); a benchmark whose server does not answer is left out and named
under the table. The results go to stdout and to bench/results.md. Nothing here asserts a
speed: tests never time anything.

Every figure also goes to bench/results/<date>.json, with the latency samples and the
ranking's ingestion by worker count, and a report bench/results/<date>.md with charts
(matplotlib, the [bench] extra that `make bench` installs).
"""
from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from datetime import datetime, timezone

from bench import (cluster, delisting, events, gateway, hop, idle, memory, orders, ranking, ranking_batches, rebuild,
                   relay, report, stock)
from bench.measure import Results, Row, reachable

RESULTS = Path(__file__).resolve().parent / "results.md"
RESULTS_DIR = Path(__file__).resolve().parent / "results"
AMQP_URL = os.environ.get("GWH_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
POSTGRES_URL = os.environ.get("GWH_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
# A database index of the bench's own, flushed before and after: nothing else lives there
# (GWH_BENCH_REDIS_DB, 12 by default: two benches at once on one Redis need two).
REDIS_URL = (os.environ.get("GWH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
             + "/" + os.environ.get("GWH_BENCH_REDIS_DB", "12"))


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


def bench_relay(results: Results, n: int) -> None:
    if not answers(AMQP_URL):
        results.skipped.append(f"the relay on RabbitMQ (nothing answers at {where(AMQP_URL)})")
        return
    raw, platform = relay.relay_events_per_second(AMQP_URL, max(100, n // 2))
    results.rows.append(Row("outbox relay on RabbitMQ, batches confirmed together (events/s)", raw, platform))
    results.notes.append("relay: the naive relay, one kombu publish per event, each waiting for its publisher "
                         "confirm; Gouwuhao's relay reads a SQLite outbox, publishes batches of 200 and waits for "
                         "each batch's confirms together, then marks them sent.")


def bench_hop(results: Results, n: int) -> None:
    if not (answers(AMQP_URL) and answers(POSTGRES_URL)):
        results.skipped.append("the hop between services (needs RabbitMQ and PostgreSQL)")
        return
    raw, platform, loaded = hop.hop_latencies(AMQP_URL, POSTGRES_URL, max(50, n // 20))
    latencies = results.data.setdefault("latencies", {})
    latencies["hop, bare broker (publish+confirm to callback)"] = raw
    latencies["hop, commit in one service to the effect in the next, at rest"] = platform
    latencies["hop, commit in one service to the effect in the next, under 50 events/s"] = loaded
    raw_summary = hop.summary(raw)
    for label, samples in (("at rest", platform), ("under 50 events/s", loaded)):
        summary = hop.summary(samples)
        results.rows.append(Row(f"a hop between services, RabbitMQ + PostgreSQL, {label}, p50 (ms)",
                                raw_summary["p50"], summary["p50"], unit="ms"))
        results.rows.append(Row(f"a hop between services, RabbitMQ + PostgreSQL, {label}, p99 (ms)",
                                raw_summary["p99"], summary["p99"], unit="ms"))
    results.notes.append("hop: one event at a time, at rest and while another API commits 50 events/s; "
                         "Gouwuhao from just before the producing commit to the "
                         "end of the consumer's transaction, the API and the worker on separate Database objects "
                         "(the worker's relay is woken by LISTEN/NOTIFY); the baseline a bare kombu publish with "
                         "confirm to a consumer's callback.")


def bench_idle(results: Results, n: int) -> None:
    bare, platform = idle.idle_cpu()
    results.rows.append(Row(f"CPU at rest over {idle.IDLE_SECONDS:.0f} s, share of one core (%)", bare, platform,
                            unit="%"))
    results.notes.append("idle: `python -m runtime` with its demo data (and its embedded Redis) left alone once "
                         "it served and settled, against a bare Flask process on werkzeug's threaded server; "
                         "utime + stime from /proc over the same window.")


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
        raw, platform, lines, raw_ms, platform_ms = bench.board_reads_per_second(max(20, n // 4))
        results.rows.append(Row(f"ranking: read the TOP 300 board, {lines} lines (reads/s)", raw, platform))
        latencies = results.data.setdefault("latencies", {})
        latencies["TOP 300, ZREVRANGE 0 299 (raw)"] = raw_ms
        latencies["TOP 300 through the gateway"] = platform_ms
        results.rows.append(Row("ranking: TOP 300 board read p99 (ms)", percentile(raw_ms, 0.99),
                                percentile(platform_ms, 0.99), unit="ms"))
        raw, platform = bench.community_reads_per_second(max(20, n // 10))
        results.rows.append(Row("ranking: the community page of a member (reads/s)", raw, platform))
        hll, exact = bench.visitor_memory_per_1000()
        results.rows.append(Row("ranking: memory of one shop's unique visitors, per 1,000 visitors (KB)", hll, exact,
                                unit="KB"))
    finally:
        bench.close()
    results.data["ranking_ingestion_by_workers"] = ranking.ingestion_by_workers(REDIS_URL, max(200, n // 2))
    results.notes.append("ranking apply: per event one pipelined HINCRBY (sales) or PFADD (visitor) plus a "
                         "ZINCRBY of a board: no idempotency, window, standing or announcement.")
    results.notes.append("TOP 300: one `ZREVRANGE board 0 299 WITHSCORES` of that board; Gouwuhao answers "
                         "through the gateway from the board it built at most GWH_BOARD_REFRESH (0.25 s) ago "
                         "(the 300 standings, privacy, the JSON), rebuilt from Redis when older. The community "
                         "page adds the member's friends and rank per request.")
    results.notes.append("unique visitors' memory: a HyperLogLog of the same 1,000 member ids (approximate, "
                         "0.81% standard error; what the ranking kept before) against the exact visitor -> last "
                         "day sorted set the ranking keeps (Redis MEMORY USAGE, SAMPLES 0).")
    raw, platform = rebuild.rebuild_events_per_second(REDIS_URL, n)
    results.rows.append(Row("ranking: full rebuild from the shop and order history (events/s)", raw, platform))
    results.notes.append("rebuild: the baseline is the live path, the ranking consumer's dispatch of the same "
                         "events one by one; the rebuild reads them from the outboxes through "
                         "/internal/<service>/events in pages of 1000, replays them quietly, announces each "
                         "final standing once and writes the epoch (services/ranking/watch.py).")


def bench_orders(results: Results, n: int) -> None:
    latencies = results.data.setdefault("latencies", {}).setdefault("order placed to paid, in process, SQLite", [])
    raw, platform, per_order = orders.orders_per_second(max(20, n // 10), latencies)
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


def percentile(samples: list[float], share: float) -> float:
    return hop.percentile(samples, share)


BENCHMARKS = (bench_events, bench_relay, bench_hop, bench_gateway, bench_stock, bench_ranking, bench_orders,
              bench_memory, bench_idle)
BENCHMARKS += (ranking_batches.bench_ranking_batches, delisting.bench_delisting, cluster.bench_cluster)


def main() -> None:
    from tqdm import tqdm
    # The platform logs every relay and consumer start; the table is what matters here.
    logging.basicConfig(level=logging.ERROR)
    n = int(os.environ.get("GWH_BENCH_N", "2000"))
    results = Results()
    timings = {}
    with tqdm(BENCHMARKS, desc="make bench", unit="benchmark", file=sys.stderr) as progress:
        for benchmark in progress:
            progress.set_postfix_str(benchmark.__name__)
            began = time.perf_counter()
            benchmark(results, n)
            timings[benchmark.__name__] = round(time.perf_counter() - began, 1)
    results.data["seconds_per_benchmark"] = timings
    text = report.markdown(results, n)
    print(text, end="")
    RESULTS.write_text(text)
    write_dated(results, n)


def write_dated(results: Results, n: int) -> None:
    """bench/results/<date>.json (every figure) and <date>.md (the report, with charts)."""
    from bench import charts
    now = datetime.now(timezone.utc)
    stem = f"{now:%Y-%m-%dT%H%MZ}"
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / f"{stem}.json").write_text(json.dumps(report.as_json(results, n, now), indent=1) + "\n")
    drawn = {}
    latencies = results.data.get("latencies", {})
    board = {k: v for k, v in latencies.items() if k.startswith("TOP 300") or k.startswith("order")}
    if board:
        drawn["Chart: latency of the TOP 300 board and of orders end to end"] = charts.latency_distribution(
            board, RESULTS_DIR / f"{stem}-latency.png", "TOP 300 board reads and orders end to end").name
    hops = {k: v for k, v in latencies.items() if k.startswith("hop")}
    if hops:
        drawn["Chart: latency of a hop between services"] = charts.latency_distribution(
            hops, RESULTS_DIR / f"{stem}-hop.png", "A hop between services, RabbitMQ + PostgreSQL").name
    workers = results.data.get("ranking_ingestion_by_workers")
    if workers:
        drawn["Chart: ranking ingestion by worker count"] = charts.ingestion_by_workers(
            workers, RESULTS_DIR / f"{stem}-ingestion.png", "Ranking: events applied on Redis").name
    (RESULTS_DIR / f"{stem}.md").write_text(report.full_report(results, n, drawn))
    print(f"results: {RESULTS_DIR / stem}.json, {RESULTS_DIR / stem}.md", file=sys.stderr)


if __name__ == "__main__":
    main()
