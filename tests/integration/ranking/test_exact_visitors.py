"""One number for unique visitors on the real servers: the shop on RabbitMQ and PostgreSQL,
the ranking on Redis, the visit limits counted in Redis. Their workers run as threads;
the client never waits for a settle(), only reads the eventual figure (bounded)."""
from __future__ import annotations

import pytest
import redis
from flask import Response
from werkzeug.test import Client

from shared.clock import FixedClock
from tests.support.trust import analytics, breakdown, eventually
from tests.conftest import make_config, token_for
from tests.conftest import trust_harness_tokens
from tests.support.shop_world import SHOP_ADAPTERS, World

pytestmark = pytest.mark.integration


@pytest.fixture
def platform(tmp_path, amqp_url, postgres_urls, redis_url):
    from runtime.embedded import Platform
    config = make_config(tmp_path / "data", bus_url=amqp_url, database_urls=postgres_urls, redis_url=redis_url,
                         visit_limit_per_address="5000/minute", visit_limit_per_member="5/minute")
    platform = trust_harness_tokens(Platform(config, clock=FixedClock(), services=("shop", "ranking"),
                                             adapters=SHOP_ADAPTERS))
    platform.start()
    yield platform
    platform.stop(drain=False)
    platform.bus.delete(platform.parts)


def test_1000_distinct_members_are_1000_visitors_in_the_analytics_and_on_redis(platform, redis_url):
    client = Client(platform.gateway, Response)
    owner = World(platform, client, None).member("owner")
    for n in range(1000):
        reply = client.post(f"/api/shops/{owner.id}/visits", json={},
                            headers={"Authorization": f"Bearer {token_for(f'member-{n:04d}')}"})
        assert reply.status_code == 202, reply.json
    assert eventually(lambda: (breakdown(client, owner) or {}).get("unique_visitors"), 1000) == 1000
    assert analytics(client, owner)["unique_visitors"] == 1000
    assert redis.Redis.from_url(redis_url).zcard(f"rk:{{m:{owner.id}}}:visitors") == 1000

    # The visit limits are counted in Redis, where every API process would see them.
    fan = {"Authorization": f"Bearer {token_for('fan')}"}
    answers = [client.post(f"/api/shops/{owner.id}/visits", json={}, headers=fan).status_code for _ in range(6)]
    assert answers == [202] * 5 + [429]
    assert any(b"visits-per-member" in key for key in redis.Redis.from_url(redis_url).scan_iter(count=1000))
