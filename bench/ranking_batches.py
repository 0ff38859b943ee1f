"""The ranking applying events in batches, by batch size, against the same naive baseline.

The ranking worker takes what the broker already sent it (up to its prefetch) and applies
it as one batch (shared/batch.py, services/ranking/handlers.batch_dispatcher): one APPLY
script per member for all of that member's events, one standing per member settled and
placed, the announcements published, all pipelined. Batch size 1 is the one-by-one path.
The envelopes and the baseline are bench/ranking.py's: per event one pipelined HINCRBY or
PFADD plus a ZINCRBY, without idempotency, window or announcement.
"""
from __future__ import annotations

import os
from urllib.parse import urlsplit

from shared.events import parse_event

from bench.measure import Side, compare, reachable
from bench.ranking import NAIVE, RankingBench, delete_matching, envelopes, naive_apply

BATCH_SIZES = (1, 16, 64, 256)
# The same server and database index as bench/__main__.py's ranking rows.
REDIS_URL = os.environ.get("GWH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0] + "/12"
REDIS = urlsplit(REDIS_URL)


def batch_rates(bench: RankingBench, n: int, sizes=BATCH_SIZES) -> list[tuple[int, float, float]]:
    """(batch size, naive events/s, Gouwuhao events/s) for each batch size, each pair
    measured in alternating rounds."""
    from services.ranking.handlers import batch_dispatcher
    bodies = envelopes(n)
    dispatch_batch = batch_dispatcher(bench.platform["ranking"].context.scorer)

    def raw(k: int) -> None:
        for body in bodies[:k]:
            naive_apply(bench.client, body)

    out = []
    for size in sizes:
        def platform(k: int, size=size) -> None:
            for start in range(0, k, size):
                dispatch_batch([parse_event(body) for body in bodies[start:min(k, start + size)]])

        raw_rate, platform_rate = compare(Side(raw, lambda: delete_matching(bench.client, f"{NAIVE}*")),
                                          Side(platform, bench.store.reset), n)
        out.append((size, raw_rate, platform_rate))
    return out


def bench_ranking_batches(results, n: int) -> None:
    """Rows of `make bench`: ranking apply by batch size (the worker's batch is 64)."""
    from bench.measure import Row
    if not reachable(REDIS.hostname or "127.0.0.1", REDIS.port or 6379):
        results.skipped.append(f"ranking batches on Redis (nothing answers at {REDIS.hostname}:{REDIS.port})")
        return
    bench = RankingBench(REDIS_URL)
    try:
        for size, raw, platform in batch_rates(bench, n):
            results.rows.append(Row(f"ranking: apply events in batches of {size}, one worker (events/s)", raw,
                                    platform))
    finally:
        bench.close()
    results.notes.append("ranking batches: the worker's batch path (services/ranking/handlers.batch_dispatcher: "
                         "parse, one APPLY script per member, one SETTLE per member and one PLACE in one round "
                         "trip, the announcements published and popped) on chunks of the same envelopes, "
                         "against the same naive pipelined baseline; batch 1 is one by one.")
