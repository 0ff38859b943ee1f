"""On this machine's RabbitMQ, PostgreSQL and Redis, with the workers as threads: FLUSHDB
of the ranking's Redis is noticed and repaired without anyone calling anything, and the
board comes back the same."""
from __future__ import annotations

import pytest

from shared.bus import wait_for
from tests.support.ranking_trades import trade

pytestmark = pytest.mark.integration


def test_a_flushed_redis_is_rebuilt_on_its_own(market):
    platform, client = market.platform, market.client
    watch = platform["ranking"].context.watch
    for job in platform["ranking"].periodic:
        if job.name == "ranking-store-watch":
            job.interval = 0.2
    seller, _, _ = trade(market)
    board = client.get("/api/ranking/influence").json
    assert board["items"][0]["member_id"] == seller
    platform.start()
    assert wait_for(lambda: watch.epoch() is not None, 15)

    watch.redis.flushdb()
    assert wait_for(lambda: client.get("/api/ranking/influence").json == board, 20)
    assert wait_for(lambda: watch.epoch() is not None, 10)
    health = client.get("/health").json
    assert health["services"]["ranking"]["checks"]["store"]["ok"] is True
