"""The four services on this machine's RabbitMQ, PostgreSQL and Redis, workers as threads:
a rebuild after FLUSHDB gives the same board, and a tier change reaches the shop's slots."""
from __future__ import annotations

import pytest
from flask import Response
from werkzeug.test import Client

from shared.clock import FixedClock
from tests.conftest import make_config
from tests.unit.ranking.market import Market, a_rebuild_gives_the_same_ranking

pytestmark = pytest.mark.integration


@pytest.fixture
def market(tmp_path, amqp_url, postgres_urls, redis_url, admin):
    from runtime.embedded import Platform
    from tests.conftest import trust_harness_tokens
    config = make_config(tmp_path / "data", bus_url=amqp_url, database_urls=postgres_urls, redis_url=redis_url)
    platform = trust_harness_tokens(Platform(config, clock=FixedClock()))
    yield Market(platform, Client(platform.gateway, Response), admin)
    platform.stop(drain=False)
    _delete_topology(platform)


def _delete_topology(platform) -> None:
    bus = platform.bus
    with bus.connect() as conn:
        channel = conn.channel()
        for name, parts in platform.parts.items():
            if parts.consumer is not None:
                bus.queue_for(name, parts.consumer.event_types)(channel).delete()
                bus.dead_letter_queue(name)(channel).delete()
        bus.exchange(channel).delete()
        bus.dead_exchange(channel).delete()


def test_a_rebuild_after_flushdb_gives_the_same_board(market):
    a_rebuild_gives_the_same_ranking(market)


def test_the_tier_reaches_the_shops_slot_count_through_rabbitmq(market):
    seller, seller_token = market.member("lin")
    _, buyer_token = market.member("wei")
    tea = market.product(price_cents=300_000)
    market.call("post", "/api/shops/me/featured", seller_token, json={"product_id": tea})
    market.buy(buyer_token, tea, seller)
    assert market.shop(seller)["slots"] == 8          # 3000 + 20 + 10: tier 3
