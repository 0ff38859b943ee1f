"""The races of issue 9, as a client runs them: each step right after the previous answer,
no pause and no settle() between requests to different services, on a running platform
(the embedded mode's threads, or RabbitMQ/PostgreSQL). Used by tests/embedded and
tests/integration; each race returns a Tally of what went wrong, which must be nothing.

- product_then_order: a merchant creates a product (or changes its price) and a client
  orders it at once: never rejected as unknown, always charged the catalog's price now.
- feature_then_order: a member features a product just created and a friend orders it
  through the shop at once: never a 404 for the product, always the exclusive price and
  the commission.
- brand_then_merchant: an admin creates a brand and a merchant for it at once: never 422.
- member_then_ranking: a member registers and is looked up in the ranking at once: never 404.

`Held` makes a projection lag as long as a test wants; `shorten_the_wait` makes POST
/api/orders give up waiting sooner while an answer is held back.
"""
from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field

from tests.conftest import bearer

TRIES = 50
SETTLED = {"awaiting_payment", "rejected", "cancelled", "paid"}
_serial = itertools.count(1)


@dataclass
class Tally:
    tries: int = 0
    mispriced: int = 0
    false_rejections: int = 0
    false_refusals: int = 0          # a 404 or 422 for something its owner had committed
    answered_settled: int = 0        # POST /api/orders answered 201 (the wait saw it through)
    problems: list[str] = field(default_factory=list)

    def wrong(self, kind: str, detail: str) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        if len(self.problems) < 5:
            self.problems.append(detail)

    @property
    def clean(self) -> bool:
        return self.mispriced == self.false_rejections == self.false_refusals == 0


class Shopper:
    """A client of the platform's gateway (a werkzeug test client of Platform.gateway)."""

    def __init__(self, client, admin: dict):
        self.client, self.admin = client, admin
        self.run = next(_serial)
        self._brand: str | None = None

    def _name(self, what: str) -> str:
        return f"{what}-{self.run}-{next(_serial)}"

    def brand(self) -> tuple[int, str | None]:
        response = self.client.post("/api/catalog/brands", json={"name": self._name("Brand")}, headers=self.admin)
        return response.status_code, (response.json or {}).get("id")

    def product(self, list_price: int, exclusive: int, rate: int = 1000) -> str:
        if self._brand is None:
            status, self._brand = self.brand()
            assert status == 201
        response = self.client.post("/api/catalog/products", headers=self.admin, json={
            "brand_id": self._brand, "sku": self._name("sku"), "name": "Race tea", "category": "tea",
            "list_price_cents": list_price, "exclusive_price_cents": exclusive, "commission_rate_bp": rate,
            "stock": 1000})
        assert response.status_code == 201, response.json
        return response.json["id"]

    def member(self) -> tuple[str, dict]:
        response = self.client.post("/api/auth/register", json={
            "username": self._name("racer"), "password": "a-long-password", "nickname": "Racer"})
        assert response.status_code == 201, response.json
        return response.json["member_id"], {"Authorization": f"Bearer {response.json['token']}"}

    def order(self, buyer: str, product_id: str, quantity: int = 1, shop_id: str | None = None,
              tally: Tally | None = None) -> dict:
        """POST the order, then (if it answered 202) ask again until the owners answered."""
        body = {"items": [{"product_id": product_id, "quantity": quantity}],
                **({"shop_id": shop_id} if shop_id else {})}
        response = self.client.post("/api/orders", json=body, headers=bearer(buyer))
        assert response.status_code in (201, 202), response.json
        if response.status_code == 201 and tally is not None:
            tally.answered_settled += 1
        if response.status_code == 202:
            assert response.headers["Retry-After"] and response.headers["Location"]
            return settled_order(self.client, response.json["id"], buyer)
        return response.json


def settled_order(client, order_id: str, buyer: str, timeout: float = 30) -> dict:
    """The order once it is no longer pending, asked for as a client told to retry would."""
    deadline = time.monotonic() + timeout
    order = client.get(f"/api/orders/{order_id}", headers=bearer(buyer)).json
    while order["status"] == "pending" and time.monotonic() < deadline:
        time.sleep(0.02)
        order = client.get(f"/api/orders/{order_id}", headers=bearer(buyer)).json
    return order


def check_line(tally: Tally, order: dict, unit: int, featured: bool, commission: int) -> None:
    if order["status"] == "rejected":
        tally.wrong("false_rejections", f"{order['id']} rejected: {order['rejection_reason']}")
        return
    if order["status"] != "awaiting_payment":
        tally.wrong("false_rejections", f"{order['id']} is {order['status']}")
        return
    [line] = order["items"]
    got = (line["unit_price_cents"], line["featured"], line["commission_cents"])
    if got != (unit, featured, commission):
        tally.wrong("mispriced", f"{order['id']}: {got} instead of {(unit, featured, commission)}")


def product_then_order(shopper: Shopper, tries: int = TRIES) -> Tally:
    tally = Tally()
    for i in range(tries):
        tally.tries += 1
        product = shopper.product(list_price=5000 + i, exclusive=4000 + i)
        check_line(tally, shopper.order("m-race-buyer", product, tally=tally), 5000 + i, False, 0)
        # A price change, then an order at once: charged the new price.
        changed = shopper.client.patch(f"/api/catalog/products/{product}", headers=shopper.admin,
                                       json={"list_price_cents": 6000 + i})
        assert changed.status_code == 200, changed.json
        check_line(tally, shopper.order("m-race-buyer", product, tally=tally), 6000 + i, False, 0)
    return tally


def feature_then_order(shopper: Shopper, tries: int = TRIES) -> Tally:
    tally = Tally()
    for i in range(tries):
        tally.tries += 1
        sharer, headers = shopper.member()
        product = shopper.product(list_price=5000 + i, exclusive=4000 + i, rate=1000)
        featured = shopper.client.post("/api/shops/me/featured", json={"product_id": product}, headers=headers)
        if featured.status_code != 201:
            tally.wrong("false_refusals", f"featuring {product}: {featured.status_code} {featured.json}")
            continue
        order = shopper.order("m-race-friend", product, quantity=2, shop_id=sharer, tally=tally)
        check_line(tally, order, 4000 + i, True, (4000 + i) * 2 * 1000 // 10_000)
    return tally


def brand_then_merchant(shopper: Shopper, tries: int = TRIES) -> Tally:
    tally = Tally()
    for _ in range(tries):
        tally.tries += 1
        status, brand = shopper.brand()
        assert status == 201
        response = shopper.client.post("/api/auth/merchants", headers=shopper.admin, json={
            "username": shopper._name("merchant"), "password": "a-long-password", "nickname": "Merchant",
            "brand_id": brand})
        if response.status_code != 201:
            tally.wrong("false_refusals", f"merchant of {brand}: {response.status_code} {response.json}")
    return tally


def member_then_ranking(shopper: Shopper, tries: int = TRIES) -> Tally:
    tally = Tally()
    for _ in range(tries):
        tally.tries += 1
        member, _ = shopper.member()
        response = shopper.client.get(f"/api/ranking/members/{member}")
        if response.status_code != 200:
            tally.wrong("false_refusals", f"ranking of {member}: {response.status_code} {response.json}")
    return tally


class Held:
    """A consumer whose handling of some event types waits until released: a projection
    made to lag as long as the test wants. Everything behind it in the queue waits too."""

    def __init__(self, parts, event_types):
        self.release, self.holding = threading.Event(), threading.Event()
        dispatch, held = parts.consumer.dispatch, set(event_types)

        def slow(event):
            if event.type in held:
                self.holding.set()
                self.release.wait(30)
            dispatch(event)
        parts.consumer.dispatch = slow
        # A relational service applies what it already has in batches (shared/inbox.py):
        # a batch holding a held type waits the same way.
        dispatch_batch = getattr(parts.consumer, "dispatch_batch", None)
        if dispatch_batch is not None:
            def slow_batch(events):
                if any(event.type in held for event in events):
                    self.holding.set()
                    self.release.wait(30)
                dispatch_batch(events)
            parts.consumer.dispatch_batch = slow_batch


def shorten_the_wait(platform, seconds=0.2) -> None:
    """POST /api/orders gives up waiting sooner (the held answer will not come meanwhile)."""
    context = platform["order"].context
    context.config = context.config.with_overrides(order_settle_wait=seconds)
