"""The owners decide, through the real catalog, shop and order services on the in-memory bus
(stepped with settle()): the shop's attribution, an unknown shop, redelivered answers,
delistings of unpaid orders, paying after a delisting the order service has not heard of,
and a price the buyer expected that the owners no longer confirm."""
from __future__ import annotations

import pytest

from shared.outbox import history
from tests.conftest import bearer
from tests.support.shop_world import SHOP_ADAPTERS

SERVICES = ("catalog", "shop", "order")
ADAPTERS = SHOP_ADAPTERS   # many registrations; argon2id at its lowest cost


class Flow:
    def __init__(self, platform, client, admin):
        self.platform, self.client, self.admin = platform, client, admin
        self.brand = client.post("/api/catalog/brands", json={"name": "Longjing House"}, headers=admin).json["id"]
        self.count = 0

    def product(self, stock=10, list_price=5000, exclusive=4500, rate=1000) -> str:
        self.count += 1
        response = self.client.post("/api/catalog/products", headers=self.admin, json={
            "brand_id": self.brand, "sku": f"sku-{self.count}", "name": "Tea", "category": "tea",
            "list_price_cents": list_price, "exclusive_price_cents": exclusive, "commission_rate_bp": rate,
            "stock": stock})
        assert response.status_code == 201, response.json
        return response.json["id"]

    def member(self) -> tuple[str, dict]:
        self.count += 1
        response = self.client.post("/api/auth/register", json={
            "username": f"member{self.count}", "password": "correct horse", "nickname": f"M{self.count}"})
        assert response.status_code == 201, response.json
        return response.json["member_id"], {"Authorization": f"Bearer {response.json['token']}"}

    def order(self, product_id, quantity=1, shop_id=None, buyer="m-buyer", **extra):
        body = {"items": [{"product_id": product_id, "quantity": quantity}],
                **({"shop_id": shop_id} if shop_id else {}), **extra}
        response = self.client.post("/api/orders", json=body, headers=bearer(buyer))
        assert response.status_code == 202, response.json
        return response.json["id"]

    def get(self, order_id, buyer="m-buyer") -> dict:
        return self.client.get(f"/api/orders/{order_id}", headers=bearer(buyer)).json

    def stock(self, product_id) -> int:
        return self.client.get(f"/api/catalog/products/{product_id}").json["stock"]

    def sent(self, event_type, service="order"):
        return [i["event"] for i in history(self.platform[service].db, types=[event_type])]


@pytest.fixture
def flow(platform, client, admin) -> Flow:
    return Flow(platform, client, admin)


def test_the_shop_attributes_the_order_and_the_catalog_prices_it(flow, platform):
    tea = flow.product()
    sharer, sharer_headers = flow.member()
    assert flow.client.post("/api/shops/me/featured", json={"product_id": tea},
                            headers=sharer_headers).status_code == 201
    order_id = flow.order(tea, 2, shop_id=sharer)
    platform.settle()
    order = flow.get(order_id)
    assert order["status"] == "awaiting_payment"
    assert [(i["unit_price_cents"], i["featured"], i["commission_cents"]) for i in order["items"]] == [(4500, True, 900)]
    [answer] = flow.sent("shop.attribution.answered", service="shop")
    assert answer["data"] == {"order_id": order_id, "shop_id": sharer, "outcome": "attributed",
                              "items": [{"product_id": tea, "featured": True}]}


def test_an_order_through_a_shop_that_does_not_exist_is_rejected_and_its_stock_given_back(flow, platform):
    tea = flow.product(stock=5)
    order_id = flow.order(tea, 2, shop_id="nonexistent-shop")
    platform.settle()
    order = flow.get(order_id)
    assert (order["status"], order["rejection_reason"]) == ("rejected", "unknown_shop")
    assert flow.stock(tea) == 5
    [released] = flow.sent("order.cancelled")
    assert released["data"]["reason"] == "unknown_shop"


def test_redelivered_and_repeated_answers_change_nothing(flow, platform):
    tea = flow.product(stock=5)
    sharer, _ = flow.member()
    order_id = flow.order(tea, 1, shop_id=sharer)
    platform.settle()
    before = flow.get(order_id)
    assert (before["status"], before["items"][0]["unit_price_cents"]) == ("awaiting_payment", 5000)
    [answer] = flow.sent("shop.attribution.answered", service="shop")
    [reserved] = flow.sent("catalog.stock.reserved", service="catalog")
    platform.bus.publish(answer)                                  # the same envelopes, same ids
    platform.bus.publish(reserved)
    from shared.events import make_event
    contradicting = dict(answer["data"], items=[{"product_id": tea, "featured": True}])
    platform.bus.publish(make_event("shop.attribution.answered", contradicting, "shop").to_dict())  # a new id
    platform.settle()
    assert flow.get(order_id) == before
    assert flow.stock(tea) == 4
    assert flow.sent("order.cancelled") == []


def test_a_delisting_cancels_the_products_unpaid_orders_and_paid_ones_stand(flow, platform):
    tea = flow.product(stock=10)
    unpaid, paid = flow.order(tea, 2), flow.order(tea, 3)
    platform.settle()
    assert flow.client.post(f"/api/orders/{paid}/pay", json={}, headers=bearer("m-buyer")).status_code == 200
    assert flow.client.post(f"/api/catalog/products/{tea}/delist", json={"reason": "recalled"},
                            headers=flow.admin).status_code == 200
    platform.settle()
    cancelled = flow.get(unpaid)
    assert (cancelled["status"], cancelled["cancellation_reason"]) == ("cancelled", "delisted")
    assert flow.get(paid)["status"] == "paid"
    assert flow.stock(tea) == 7                                   # the unpaid order's 2 came back
    assert [e["data"]["reason"] for e in flow.sent("order.cancelled")] == ["delisted"]


def test_paying_after_a_delisting_the_order_service_has_not_heard_of_fails(flow, platform):
    tea = flow.product(stock=10)
    order_id = flow.order(tea, 2)
    platform.settle()
    flow.client.post(f"/api/catalog/products/{tea}/delist", json={"reason": "recalled"}, headers=flow.admin)
    # No settle(): the delisting is still on its way to the order service; the catalog is asked.
    response = flow.client.post(f"/api/orders/{order_id}/pay", json={}, headers=bearer("m-buyer"))
    assert response.status_code == 409 and response.json["cancellation_reason"] == "delisted"
    assert platform["order"].context.payments.charges == {}
    platform.settle()
    assert flow.get(order_id)["status"] == "cancelled"
    assert flow.stock(tea) == 10
    assert len(flow.sent("order.cancelled")) == 1                 # the late delisting changed nothing more


def test_a_price_the_buyer_expected_that_the_owners_no_longer_confirm_is_rejected_with_the_figures(flow, platform):
    tea = flow.product(stock=5)
    flow.client.patch(f"/api/catalog/products/{tea}", json={"list_price_cents": 5500}, headers=flow.admin)
    order_id = flow.order(tea, 2, expected_total_cents=10_000)    # the buyer saw the old price
    confirmed = flow.order(tea, 1, expected_total_cents=5500)
    platform.settle()
    order = flow.get(order_id)
    assert (order["status"], order["rejection_reason"]) == ("rejected", "price_changed")
    assert (order["total_cents"], order["expected_total_cents"], order["items"][0]["unit_price_cents"]) == (
        11_000, 10_000, 5500)
    assert flow.get(confirmed)["status"] == "awaiting_payment"
    assert flow.stock(tea) == 4                                   # only the confirmed order holds stock


def test_paying_or_cancelling_a_pending_order_is_a_409_with_retry_after(flow, platform):
    tea = flow.product()
    order_id = flow.order(tea)
    for action in ("pay", "cancel"):
        response = flow.client.post(f"/api/orders/{order_id}/{action}", json={}, headers=bearer("m-buyer"))
        assert response.status_code == 409 and response.headers["Retry-After"] == "1"
        assert response.json["order_status"] == "pending"
    platform.settle()
    assert flow.client.post(f"/api/orders/{order_id}/pay", json={}, headers=bearer("m-buyer")).status_code == 200
