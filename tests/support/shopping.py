"""What a client does, over HTTP only, against any `Gateway`: set up a product and a shop,
buy through it, pay. Shared by the black-box tests and the fault tests.

Only what the contract says is eventual is polled (an order the owners have not answered
yet: 202 pending; what events carry to another service). Under a fault, a client retries
a 5xx or a refused connection as a real one would, with the same Idempotency-Key, for a
bounded time.
"""
from __future__ import annotations

import time
import uuid

import requests

from tests.support.cluster import Gateway, eventually, unique

PASSWORD = "a-long-password-1"
SETTLED = {"awaiting_payment", "rejected", "paid", "cancelled", "refunded"}


def new_product(gw: Gateway, *, stock: int, list_price: int = 5000, exclusive_price: int = 4500,
                rate_bp: int = 1000) -> dict:
    admin = gw.admin_token()
    brand = gw.post("/api/catalog/brands", token=admin, json={"name": unique("Brand ")})
    assert brand.status_code == 201, brand.text
    product = gw.post("/api/catalog/products", token=admin, json={
        "brand_id": brand.json()["id"], "sku": unique("SKU-"), "name": "Longjing tea", "category": "tea",
        "list_price_cents": list_price, "exclusive_price_cents": exclusive_price, "commission_rate_bp": rate_bp,
        "stock": stock})
    assert product.status_code == 201, product.text
    return product.json()


def register(gw: Gateway, prefix: str = "m") -> tuple[str, str]:
    answer = call(gw, "POST", "/api/auth/register",
                  json={"username": unique(prefix), "password": PASSWORD, "nickname": "Member"})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    return body["member_id"], body["token"]


def feature(gw: Gateway, token: str, product_id: str) -> None:
    """Feature a product. The shop service learns a new product from the catalog's
    `catalog.product.listed` event, so right after its creation the shop may not know it
    yet (422, or 404 "no product" as the shop service answers today); that is the one step
    retried here, for a bounded time."""
    def featured():
        answer = call(gw, "POST", "/api/shops/me/featured", token=token, json={"product_id": product_id})
        assert answer.status_code in (201, 404, 422), answer.text
        return answer.status_code == 201
    eventually(featured, 30, 0.1, "featuring a new product")


def call(gw: Gateway, method: str, path: str, *, retry_for: float = 60.0, **kwargs) -> requests.Response:
    """One request; a refused connection or a 5xx (an outage: the gateway's 503, a database
    restarting) is retried as a client would, with the same headers and body."""
    deadline = time.monotonic() + retry_for
    while True:
        try:
            answer = gw.request(method, path, **kwargs)
            if answer.status_code < 500 or time.monotonic() > deadline:
                return answer
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


def order_status(gw: Gateway, token: str, order_id: str) -> dict:
    answer = call(gw, "GET", f"/api/orders/{order_id}", token=token)
    assert answer.status_code == 200, answer.text
    return answer.json()


def place_order(gw: Gateway, token: str, product_id: str, quantity: int = 1, shop_id: str | None = None,
                key: str | None = None) -> dict:
    """Place an order and return it once the catalog answered (awaiting_payment or rejected).

    201 is the order as the owners answered; 202 is `pending`, answered later (CONTRACT.md),
    so only then is it polled. The owners decide (docs/owners-decide.md): an order placed the
    moment after its product was listed or featured is priced and accepted all the same."""
    body = {"items": [{"product_id": product_id, "quantity": quantity}]}
    if shop_id:
        body["shop_id"] = shop_id
    headers = {"Idempotency-Key": key or uuid.uuid4().hex}
    answer = call(gw, "POST", "/api/orders", token=token, json=body, headers=headers)
    assert answer.status_code in (201, 202), answer.text
    order = answer.json()
    if order["status"] in SETTLED:
        return order
    return eventually(lambda: (lambda o: o if o["status"] in SETTLED else None)(order_status(gw, token, order["id"])),
                      60, 0.1, f"order {order['id']} leaving pending")


def pay(gw: Gateway, token: str, order_id: str) -> dict:
    answer = call(gw, "POST", f"/api/orders/{order_id}/pay", token=token, json={"method": "simulated"})
    if answer.status_code == 409:  # a retry after the first attempt went through
        order = order_status(gw, token, order_id)
        assert order["status"] == "paid", answer.text
        return order
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "paid"
    return answer.json()
