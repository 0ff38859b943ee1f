"""The whole platform on the embedded runtime: real orders through a member's shop raise
their influence, the tier change reaches the shop's slot count through the bus, and a
rebuild from the shop's and the order's history gives the same ranking back."""
from __future__ import annotations

import pytest

from tests.support.ranking_market import Market, a_rebuild_gives_the_same_ranking


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


def products(market, count):
    brand = market.call("post", "/api/catalog/brands", json={"name": "Tea Garden"})["id"]
    return [market.call("post", "/api/catalog/products", json={
        "brand_id": brand, "sku": f"leaf-{n}", "name": f"Leaf {n}", "category": "tea", "stock": 10,
        "list_price_cents": 120_000, "exclusive_price_cents": 100_000, "commission_rate_bp": 500})["id"]
        for n in range(count)]


def test_buy_then_refund_the_extra_products_leave_after_their_locks(market, platform, clock):
    seller, seller_token = market.member("lin")
    _, buyer_token = market.member("wei")
    goods = products(market, 7)
    market.call("post", "/api/shops/me/featured", seller_token, json={"product_id": goods[0]})
    order = market.buy(buyer_token, goods[0], seller)
    assert market.shop(seller)["slots"] == 6                         # tier 2 bought
    for product in goods[1:6]:
        clock.advance(minutes=5)
        market.call("post", "/api/shops/me/featured", seller_token, json={"product_id": product})
    assert len(market.shop(seller)["featured"]) == 6

    clock.advance(hours=1)
    market.call("post", f"/api/orders/{order['id']}/refund", buyer_token)
    shop = market.shop(seller)
    assert shop["influence"]["tier"] == 1 and shop["slots"] == 4 and shop["influence"]["score"] < 1000
    assert [f["product_id"] for f in shop["featured"]] == goods[:4]  # never more than the slots
    reply = market.client.post("/api/shops/me/featured", json={"product_id": goods[6]},
                               headers={"Authorization": f"Bearer {seller_token}"})
    assert reply.status_code == 409                                  # over its count: nothing added
    told = market.call("get", "/api/members/me/notifications", seller_token)["items"]
    assert sorted(n["product_id"] for n in told if n["type"] == "product_leaving") == sorted(goods[4:6])

    clock.advance(hours=72)                                          # every lock has ended
    platform.run_periodic()
    platform.settle()
    shop = market.shop(seller)
    assert [f["product_id"] for f in shop["featured"]] == goods[:4]
    told = market.call("get", "/api/members/me/notifications", seller_token)["items"]
    assert sorted(n["product_id"] for n in told if n["type"] == "product_left_over_slots") == sorted(goods[4:6])
    # The platform took them out, not the member: no active day for it in the ranking.
    page = market.call("get", f"/api/ranking/members/{seller}", seller_token)
    assert page["breakdown"]["active_days"] == 1 and page["slots"] == 4
    # Back within its count, the shop can feature again once one leaves.
    assert market.client.delete(f"/api/shops/me/featured/{goods[0]}",
                                headers={"Authorization": f"Bearer {seller_token}"}).status_code == 204
    market.call("post", "/api/shops/me/featured", seller_token, json={"product_id": goods[6]})
