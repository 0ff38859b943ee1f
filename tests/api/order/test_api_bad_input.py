"""Bad input and wrong callers get application/problem+json, and store nothing."""
import pytest

from shared.outbox import history
from tests.conftest import bearer

from .conftest import BUYER

SERVICES = ("catalog", "order")


def _orders_stored(platform) -> int:
    from sqlalchemy import func, select
    from services.order.store import orders
    with platform["order"].db.reading() as conn:
        return conn.execute(select(func.count()).select_from(orders)).scalar_one()


@pytest.fixture
def tea(market):
    return market.product(stock=5)


@pytest.mark.parametrize("body,field", [
    ({}, "items"),
    ({"items": "tea"}, "items"),
    ({"items": [{"quantity": 1}]}, "items"),
    ({"items": [{"product_id": "p", "quantity": "2"}]}, "items"),
    ({"items": [{"product_id": "p", "quantity": 1.5}]}, "items"),
    ({"items": [{"product_id": "", "quantity": 1}]}, "items"),
    ({"items": [{"product_id": "p", "quantity": 1}], "shop_id": 7}, "shop_id"),
])
def test_malformed_fields_are_422(market, platform, body, field):
    response = market.client.post("/api/orders", json=body, headers=bearer(BUYER))
    assert response.status_code == 422, response.json
    assert response.headers["Content-Type"] == "application/problem+json"
    # Nested errors are reported by path: items.0.product_id
    assert any(key == field or key.startswith(field + ".") for key in response.json["errors"])
    assert _orders_stored(platform) == 0


@pytest.mark.parametrize("items,message", [
    ([], "1 to 20 items"),
    ([{"quantity": 0}], "must be 1 to 99"),
    ([{"quantity": 100}], "must be 1 to 99"),
    ([{"quantity": 1}, {"quantity": 2}], "more than one line"),
])
def test_broken_item_rules_are_422_naming_the_rule(market, platform, tea, items, message):
    body = {"items": [{"product_id": tea, **item} for item in items]}
    response = market.client.post("/api/orders", json=body, headers=bearer(BUYER))
    assert response.status_code == 422
    assert message in " ".join(response.json["errors"]["items"])
    assert _orders_stored(platform) == 0 and market.stock(tea) == 5


def test_twenty_one_items_are_422(market, platform):
    body = {"items": [{"product_id": f"p-{i}", "quantity": 1} for i in range(21)]}
    response = market.client.post("/api/orders", json=body, headers=bearer(BUYER))
    assert response.status_code == 422 and _orders_stored(platform) == 0


def test_a_body_that_is_not_json_is_400(market, platform):
    response = market.client.post("/api/orders", data="{items:", content_type="application/json",
                                  headers=bearer(BUYER))
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert _orders_stored(platform) == 0


def test_a_bad_idempotency_key_is_422(market, platform, tea):
    response = market.client.post("/api/orders", json={"items": [{"product_id": tea, "quantity": 1}]},
                                  headers={**bearer(BUYER), "Idempotency-Key": "x" * 129})
    assert response.status_code == 422 and "Idempotency-Key" in response.json["errors"]
    assert _orders_stored(platform) == 0


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic x"}])
def test_without_a_valid_token_it_is_401(market, platform, tea, headers):
    response = market.client.post("/api/orders", json={"items": [{"product_id": tea, "quantity": 1}]},
                                  headers=headers)
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"
    assert _orders_stored(platform) == 0


@pytest.mark.parametrize("path", ["/api/orders/nope", "/api/orders/nope/pay", "/api/orders/nope/cancel",
                                  "/api/orders/nope/refund"])
def test_an_unknown_order_is_404(market, path):
    call = market.client.get if path.count("/") == 3 else market.client.post
    response = call(path, headers=bearer(BUYER))
    assert response.status_code == 404
    assert response.json["status"] == 404


def test_an_unsupported_payment_method_is_422_and_charges_nothing(market, platform, tea):
    order = market.order(items=[{"product_id": tea, "quantity": 1}]).json
    response = market.act(order["id"], "pay", method="bitcoin")
    assert response.status_code == 422 and "method" in response.json["errors"]
    assert market.get(order["id"]).json["status"] == "awaiting_payment"
    assert platform["order"].context.payments.charges == {}


def test_a_product_unknown_to_the_order_service_is_the_catalogs_to_reject(market, platform):
    response = market.order(items=[{"product_id": "no-such-product", "quantity": 1}], settle=False)
    assert response.status_code == 202
    assert (response.json["status"], response.json["rejection_reason"]) == ("pending", None)   # not its call
    market.settle()
    answer = market.get(response.json["id"]).json
    assert (answer["status"], answer["rejection_reason"]) == ("rejected", "unknown_product")
    assert answer["items"][0]["unit_price_cents"] is None       # nobody priced it: no invented price


@pytest.mark.parametrize("expected", [-1, "100", 10 ** 13, 1.5])
def test_a_bad_expected_total_is_422_and_stores_nothing(market, platform, tea, expected):
    response = market.order(items=[{"product_id": tea, "quantity": 1}], settle=False, expected_total_cents=expected)
    assert response.status_code == 422 and "expected_total_cents" in response.json["errors"]
    assert history(platform["order"].db, types=["order.placed"]) == []


def test_bad_page_parameters_are_422(market):
    response = market.client.get("/api/orders?per_page=101", headers=bearer(BUYER))
    assert response.status_code == 422 and "per_page" in response.json["errors"]


def test_the_openapi_document_names_every_route_and_the_idempotency_key(market):
    spec = market.client.get("/openapi/order.json").json
    assert {"/api/orders", "/api/orders/{order_id}", "/api/orders/{order_id}/pay", "/api/orders/{order_id}/cancel",
            "/api/orders/{order_id}/refund", "/api/commissions/me", "/api/commissions/me/withdrawals",
            "/api/commissions/withdrawals/{withdrawal_id}/approve"} <= set(spec["paths"])
    parameters = spec["paths"]["/api/orders"]["post"]["parameters"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in parameters)


def test_the_order_service_is_ready_without_a_consumer_and_ok_once_one_is_attached(market, platform):
    from shared.bus import wait_for
    ready = market.client.get("/health/order/ready")     # nothing consumes yet: degraded, still ready
    assert ready.status_code == 200 and ready.json["status"] == "degraded"
    assert ready.json["checks"]["consumer"]["ok"] is False
    platform.start()
    assert wait_for(lambda: market.client.get("/health/order/ready").json["status"] == "ok", 10)
