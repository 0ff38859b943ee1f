"""The four services on this machine's RabbitMQ, PostgreSQL and Redis, workers as threads:
a rebuild after FLUSHDB gives the same board, and a tier change reaches the shop's slots."""
from __future__ import annotations

import pytest

from tests.support.ranking_market import a_rebuild_gives_the_same_ranking

pytestmark = pytest.mark.integration


def test_a_rebuild_after_flushdb_gives_the_same_board(market):
    a_rebuild_gives_the_same_ranking(market)


def test_the_tier_reaches_the_shops_slot_count_through_rabbitmq(market):
    seller, seller_token = market.member("lin")
    _, buyer_token = market.member("wei")
    tea = market.product(price_cents=300_000)
    market.call("post", "/api/shops/me/featured", seller_token, json={"product_id": tea})
    market.buy(buyer_token, tea, seller)
    assert market.shop(seller)["slots"] == 8          # 3000 + 20 + 10: tier 3
