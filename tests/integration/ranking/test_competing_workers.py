"""Competing ranking workers on the real RabbitMQ and the real Redis of this machine.

The same month of events, shuffled differently and with duplicates, goes once through one
worker and once through four. Both runs must end in the same Redis state, key by key, and
in the breakdowns the domain's plain ledger computes; the last announcement of each member
must carry their final score.
"""
from __future__ import annotations

from collections import defaultdict

import pytest
import redis

from services.ranking.app import build
from services.ranking.domain import InfluenceWindow
from services.ranking.handlers import subscriptions
from shared.bus import Bus, Consumer, wait_for
from shared.clock import FixedClock
from tests.conftest import make_config
from tests.integration.ranking.scenario import SHOPS, deliveries, expected, market_month
from tests.unit.ranking.support import snapshot

pytestmark = pytest.mark.integration


def run(workers: int, envelopes: list[dict], tmp_path, amqp_url, redis_url, clock):
    """Deliver the envelopes to `workers` competing consumers; the Redis state and the
    announcements they published."""
    config = make_config(tmp_path / f"w{workers}", bus_url=amqp_url, redis_url=redis_url)
    bus = Bus.from_config(config)
    bus.declare({"ranking": subscriptions.event_types, "probe": ["ranking.influence.changed"]})
    heard = []
    probe = Consumer(bus, "probe", ["ranking.influence.changed"], heard.append)
    crew = [build(config, Bus.from_config(config), clock) for _ in range(workers)]
    try:
        for parts in crew:
            parts.start_background(periodic=False)
        assert wait_for(lambda: all(p.consumer.attached for p in crew), timeout=20)
        for envelope in envelopes:
            bus.publish(envelope)
        assert wait_for(lambda: sum(p.consumer.handled for p in crew) == len(envelopes), timeout=120)
        handled_by = [p.consumer.handled for p in crew]
    finally:
        for parts in crew:
            parts.close()
    probe.pump()
    _delete_queues(bus)
    client = redis.Redis.from_url(redis_url)
    state = snapshot(client)
    client.flushdb()
    return state, heard, handled_by


def _delete_queues(bus: Bus) -> None:
    with bus.connect() as conn:
        channel = conn.channel()
        for queue in (bus.queue_for("ranking", []), bus.dead_letter_queue("ranking"),
                      bus.queue_for("probe", []), bus.dead_letter_queue("probe")):
            queue(channel).delete()
    bus.close()


def test_one_worker_and_four_workers_end_in_the_same_state(tmp_path, amqp_url, redis_url):
    clock = FixedClock()
    month = market_month(clock)
    one_state, one_heard, _ = run(1, deliveries(month, seed=1), tmp_path, amqp_url, redis_url, clock)
    four_state, four_heard, handled_by = run(4, deliveries(month, seed=2), tmp_path, amqp_url, redis_url, clock)

    assert sum(1 for n in handled_by if n > 0) > 1, "the four workers did not share the queue"
    assert one_state == four_state
    assert len(one_state) > 100

    # The state says what the domain says: each shop's standing is the ledger's breakdown.
    truth = expected(month, InfluenceWindow(), clock.now())
    for shop in SHOPS:
        kind, member, _ = one_state[f"rk:{{m:{shop}}}:member"]
        got = (int(member["sales_cents"]), int(member["unique_visitors"]), int(member["distinct_buyers"]),
               int(member["active_days"]), int(member["score"]))
        want = truth[shop]
        assert got == (want.sales_cents, want.unique_visitors, want.distinct_buyers, want.active_days, want.score)

    # Whatever order they were published in, each member's latest announcement is the final one.
    for heard, state in ((one_heard, one_state), (four_heard, four_state)):
        latest = defaultdict(list)
        for event in heard:
            latest[event.data["member_id"]].append(event)
        for member_id, announced in latest.items():
            newest = max(announced, key=lambda e: e.occurred_at)
            # Two workers draining one list may both publish an announcement: then it is the
            # same event (same id), which the shop's inbox drops; never two different ones.
            assert len({e.id for e in announced if e.occurred_at == newest.occurred_at}) == 1
            assert newest.data["score"] == int(state[f"rk:{{m:{member_id}}}:member"][1]["score"])
