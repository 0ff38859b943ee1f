"""Competing ranking workers on the real RabbitMQ and the real Redis of this machine.

The same month of events, shuffled differently and with duplicates, goes once through one
worker and once through four. Both runs must end in the same Redis state, key by key, and
in the breakdowns the domain's plain ledger computes; the last announcement of each member
must carry their final score.
"""
from __future__ import annotations

import pytest
import redis

from shared.clock import FixedClock
from tests.conftest import make_config
from tests.integration.ranking.scenario import (
    assert_each_member_last_heard_at_their_final_score, assert_shops_stand_where_the_ledger_says, deliveries,
    market_month, through_workers,
)
from tests.support.ranking_events import snapshot

pytestmark = pytest.mark.integration


def run(workers: int, envelopes: list[dict], tmp_path, amqp_url, redis_url, clock):
    """The Redis state `workers` competing consumers leave, the announcements they
    published, and how many events each handled."""
    config = make_config(tmp_path / f"w{workers}", bus_url=amqp_url, redis_url=redis_url)
    heard, handled_by = through_workers(workers, envelopes, config, clock)
    client = redis.Redis.from_url(redis_url)
    state = snapshot(client)
    client.flushdb()
    client.close()
    return state, heard, handled_by


def test_one_worker_and_four_workers_end_in_the_same_state(tmp_path, amqp_url, redis_url):
    clock = FixedClock()
    month = market_month(clock)
    one_state, one_heard, _ = run(1, deliveries(month, seed=1), tmp_path, amqp_url, redis_url, clock)
    four_state, four_heard, handled_by = run(4, deliveries(month, seed=2), tmp_path, amqp_url, redis_url, clock)

    assert sum(1 for n in handled_by if n > 0) > 1, "the four workers did not share the queue"
    assert one_state == four_state
    assert len(one_state) > 100

    # The state says what the domain says: each shop's standing is the ledger's breakdown.
    assert_shops_stand_where_the_ledger_says(month, one_state, clock.now())

    for heard, state in ((one_heard, one_state), (four_heard, four_state)):
        assert_each_member_last_heard_at_their_final_score(heard, state)
