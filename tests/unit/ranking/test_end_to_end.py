"""The whole platform on the embedded runtime: real orders through a member's shop raise
their influence, the tier change reaches the shop's slot count through the bus, and a
rebuild from the shop's and the order's history gives the same ranking back."""
from __future__ import annotations

import pytest

from tests.unit.ranking.market import Market, a_rebuild_gives_the_same_ranking


@pytest.fixture
def market(platform, client, admin):
    return Market(platform, client, admin)


def test_a_tier_change_reaches_the_shops_slot_count(market):
    seller, seller_token = market.member("lin")
    _, buyer_token = market.member("wei")
    tea = market.product(price_cents=100_000)
    market.call("post", "/api/shops/me/featured", seller_token, json={"product_id": tea})
    assert market.shop(seller)["slots"] == 4

    order = market.buy(buyer_token, tea, seller)
    assert order["status"] == "paid" and order["total_cents"] == 100_000
    shop = market.shop(seller)
    assert shop["influence"] == {"score": 1000 + 20 + 10, "tier": 2}
    assert shop["slots"] == 6
    assert market.call("get", f"/api/ranking/members/{seller}")["slots"] == 6

    market.call("post", f"/api/orders/{order['id']}/refund", buyer_token)
    shop = market.shop(seller)
    assert shop["influence"] == {"score": 10, "tier": 1} and shop["slots"] == 4


def test_a_rebuild_from_the_history_gives_the_same_ranking(market):
    a_rebuild_gives_the_same_ranking(market)
