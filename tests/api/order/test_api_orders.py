"""Placing, paying, cancelling and refunding orders through the API, with the catalog
answering the stock saga over the in-memory bus."""
from datetime import timedelta

from tests.conftest import bearer

from .conftest import BUYER, FRIEND

SERVICES = ("catalog", "order")


def test_an_order_is_pending_then_awaits_payment_once_the_catalog_reserved_its_stock(market):
    tea = market.product(stock=5)
    response = market.order(items=[{"product_id": tea, "quantity": 2}], settle=False)
    assert response.status_code == 202
    order = response.json
    # Pending and unpriced: the catalog prices it in its answer, not the order service's copy.
    assert (order["status"], order["buyer_id"], order["total_cents"]) == ("pending", BUYER, None)
    assert order["items"] == [{"product_id": tea, "quantity": 2, "unit_price_cents": None, "featured": False,
                               "commission_cents": 0}]
    assert order["waiting_for"] == ["catalog"]
    assert response.headers["Location"] == f"/api/orders/{order['id']}" and response.headers["Retry-After"] == "1"
    market.settle()
    settled = market.get(order["id"]).json
    assert (settled["status"], settled["total_cents"], settled["waiting_for"]) == ("awaiting_payment", 10_000, [])
    assert settled["items"][0]["unit_price_cents"] == 5000
    assert market.stock(tea) == 3
    [placed] = market.sent("order.placed")
    assert placed["items"] == [{"product_id": tea, "quantity": 2}]


def test_a_product_featured_in_the_shop_costs_its_exclusive_price_and_earns_its_commission(market):
    tea, cup = market.product(name="Tea"), market.product(name="Cup", list_price=2000, exclusive_price=1500,
                                                          rate_bp=500)
    market.feature(FRIEND, tea)
    order = market.order(items=[{"product_id": tea, "quantity": 2}, {"product_id": cup, "quantity": 1}],
                         shop_id=FRIEND).json
    assert [(i["unit_price_cents"], i["featured"], i["commission_cents"]) for i in order["items"]] == [
        (4500, True, 900), (2000, False, 0)]
    assert (order["total_cents"], order["commission_cents"]) == (9000 + 2000, 900)


def test_the_shops_answer_prices_the_order_whatever_featuring_events_said(market):
    tea = market.product()
    # The order service hears that FRIEND featured the product; the shop, asked in the saga,
    # answers it is not featured there (removed meanwhile): the shop's answer decides.
    market.publish("shop.featured.added", {"member_id": FRIEND, "product_id": tea})
    order = market.order(items=[{"product_id": tea, "quantity": 1}], shop_id=FRIEND).json
    assert (order["items"][0]["unit_price_cents"], order["items"][0]["featured"], order["commission_cents"]) == (
        5000, False, 0)


def test_buying_through_your_own_shop_costs_the_exclusive_price_and_earns_nothing(market):
    tea = market.product()
    market.feature(BUYER, tea)
    order = market.order(items=[{"product_id": tea, "quantity": 1}], shop_id=BUYER).json
    assert (order["items"][0]["unit_price_cents"], order["commission_cents"]) == (4500, 0)


def test_a_price_change_reaches_new_orders_not_placed_ones(market, client, admin):
    tea = market.product()
    first = market.order(items=[{"product_id": tea, "quantity": 1}]).json
    client.patch(f"/api/catalog/products/{tea}", json={"list_price_cents": 6000}, headers=admin)
    market.settle()
    second = market.order(items=[{"product_id": tea, "quantity": 1}]).json
    assert (market.get(first["id"]).json["total_cents"], second["total_cents"]) == (5000, 6000)


def test_pay_then_refund_within_seven_days_gives_the_stock_back(market, clock):
    tea = market.product(stock=5)
    order = market.order(items=[{"product_id": tea, "quantity": 2}]).json
    paid = market.act(order["id"], "pay", method="simulated")
    assert paid.status_code == 200 and paid.json["status"] == "paid"
    assert paid.json["refundable_until"] == (clock.now() + timedelta(days=7)).isoformat().replace("+00:00", "Z")
    clock.advance(days=7, seconds=-1)
    refunded = market.act(order["id"], "refund")
    assert refunded.json["status"] == "refunded"
    assert market.stock(tea) == 5
    assert [e["total_cents"] for e in market.sent("order.refunded")] == [10_000]


def test_a_refund_after_seven_days_is_a_conflict(market, clock):
    tea = market.product(stock=5)
    order = market.order(items=[{"product_id": tea, "quantity": 1}]).json
    market.act(order["id"], "pay")
    clock.advance(days=7)
    response = market.act(order["id"], "refund")
    assert response.status_code == 409
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["order_status"] == "paid" and "refundable_until" in response.json
    assert market.stock(tea) == 4


def test_cancelling_gives_the_stock_back_and_a_second_cancel_is_a_conflict(market):
    tea = market.product(stock=5)
    order = market.order(items=[{"product_id": tea, "quantity": 3}]).json
    assert market.stock(tea) == 2
    assert market.act(order["id"], "cancel").json["status"] == "cancelled"
    assert market.stock(tea) == 5
    again = market.act(order["id"], "cancel")
    assert again.status_code == 409 and again.json["order_status"] == "cancelled"
    assert market.act(order["id"], "pay").status_code == 409
    assert market.stock(tea) == 5


def test_paying_a_pending_order_is_a_conflict(market):
    tea = market.product()
    order = market.order(items=[{"product_id": tea, "quantity": 1}], settle=False).json
    response = market.act(order["id"], "pay")
    # act() settles afterwards, so the saga has moved on; the answer was about "pending".
    assert response.status_code == 409 and response.json["order_status"] == "pending"


def test_an_order_unpaid_for_thirty_minutes_is_cancelled_by_the_job_and_its_stock_returns(market, platform, clock):
    tea = market.product(stock=5)
    order = market.order(items=[{"product_id": tea, "quantity": 4}]).json
    clock.advance(minutes=29, seconds=59)
    platform.run_periodic()
    market.settle()
    assert market.get(order["id"]).json["status"] == "awaiting_payment"
    clock.advance(seconds=1)
    platform.run_periodic()
    market.settle()
    expired = market.get(order["id"]).json
    assert (expired["status"], expired["cancellation_reason"]) == ("cancelled", "expired")
    assert market.stock(tea) == 5


def test_paying_at_thirty_minutes_before_the_job_ran_cancels_instead(market, clock):
    tea = market.product(stock=5)
    order = market.order(items=[{"product_id": tea, "quantity": 1}]).json
    clock.advance(minutes=30)
    response = market.act(order["id"], "pay")
    assert response.status_code == 409 and response.json["order_status"] == "cancelled"
    assert market.get(order["id"]).json["cancellation_reason"] == "expired"
    assert market.stock(tea) == 5


def test_the_caller_lists_their_own_orders_only(market):
    tea = market.product()
    mine = [market.order(items=[{"product_id": tea, "quantity": 1}]).json["id"] for _ in range(3)]
    market.order(buyer=FRIEND, items=[{"product_id": tea, "quantity": 1}])
    page = market.client.get("/api/orders?per_page=2", headers=bearer(BUYER)).json
    assert (page["total"], page["per_page"], len(page["items"])) == (3, 2, 2)
    assert {o["id"] for o in page["items"]} <= set(mine)


def test_only_the_buyer_or_an_admin_sees_or_acts_on_an_order(market, admin):
    tea = market.product(stock=5)
    order = market.order(items=[{"product_id": tea, "quantity": 1}]).json
    for response in (market.get(order["id"], who=FRIEND), market.act(order["id"], "cancel", who=FRIEND),
                     market.act(order["id"], "pay", who=FRIEND)):
        assert response.status_code == 403
        assert response.headers["Content-Type"] == "application/problem+json"
    assert market.get(order["id"]).json["status"] == "awaiting_payment"
    assert market.client.get(f"/api/orders/{order['id']}", headers=admin).status_code == 200
    assert market.client.post(f"/api/orders/{order['id']}/cancel", headers=admin).json["status"] == "cancelled"
