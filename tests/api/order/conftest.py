"""A small market for the order service's API tests: the real catalog and order services on
the in-memory bus, a brand with products, and the shop service's side played by hand: its
featuring events, and its answer in the order saga (`shop.attribution.answered`), given
from what the test featured. Where the test module runs the real shop service, it answers.
"""
from __future__ import annotations

import pytest

from shared.events import make_event
from shared.outbox import history
from tests.conftest import bearer

BUYER, FRIEND = "m-buyer", "m-friend"


class Market:
    def __init__(self, platform, client, admin, clock):
        self.platform, self.client, self.admin, self.clock = platform, client, admin, clock
        self._brand_id = None
        self.featured: dict[str, set[str]] = {}
        self.unknown_shops: set[str] = set()

    # --- the catalog ----------------------------------------------------------------------
    def product(self, *, stock=10, list_price=5000, exclusive_price=4500, rate_bp=1000, name="Tea") -> str:
        if self._brand_id is None:
            self._brand_id = self.client.post("/api/catalog/brands", json={"name": "Longjing House"},
                                              headers=self.admin).json["id"]
        response = self.client.post("/api/catalog/products", headers=self.admin, json={
            "brand_id": self._brand_id, "sku": f"sku-{name}-{stock}-{list_price}".replace(" ", ""), "name": name,
            "category": "tea", "list_price_cents": list_price, "exclusive_price_cents": exclusive_price,
            "commission_rate_bp": rate_bp, "stock": stock})
        assert response.status_code == 201, response.json
        self.settle()
        return response.json["id"]

    def stock(self, product_id: str) -> int:
        return self.client.get(f"/api/catalog/products/{product_id}").json["stock"]

    # --- the shop's side, as events -------------------------------------------------------
    def feature(self, member_id: str, product_id: str, *, removed=False) -> None:
        """What the shop service will answer about `member_id`'s shop (and its event)."""
        shop = self.featured.setdefault(member_id, set())
        shop.discard(product_id) if removed else shop.add(product_id)
        self.publish("shop.featured.removed" if removed else "shop.featured.added",
                     {"member_id": member_id, "product_id": product_id})

    def publish(self, event_type: str, data: dict, producer="shop", occurred_at=None):
        event = make_event(event_type, data, producer, occurred_at=occurred_at or self.clock.now())
        self.platform.bus.publish(event.to_dict())
        self.settle()
        return event

    # --- orders ---------------------------------------------------------------------------
    def order(self, buyer=BUYER, items=None, shop_id=None, key=None, settle=True, attribute=True, **extra):
        """POST the order. With `settle`, every answer is delivered and the order as it then
        is comes back (what a client gets from the POST's own wait on a running platform)."""
        headers = {**bearer(buyer), **({"Idempotency-Key": key} if key else {})}
        body = {"items": items, **({"shop_id": shop_id} if shop_id else {}), **extra}
        response = self.client.post("/api/orders", json=body, headers=headers)
        if response.status_code == 202 and shop_id and attribute:
            self.attribute(response.json["id"], shop_id, [i["product_id"] for i in items])
        if settle:
            self.settle()
            if response.status_code == 202:
                return self.get(response.json["id"], who=buyer)
        return response

    def attribute(self, order_id: str, shop_id: str, product_ids, publish=True) -> dict:
        """The shop service's answer, as it would give it from what was featured."""
        if "shop" in self.platform.parts:
            return {}
        featured = self.featured.get(shop_id, set())
        data = {"order_id": order_id, "shop_id": shop_id,
                "outcome": "unknown_shop" if shop_id in self.unknown_shops else "attributed",
                "items": [{"product_id": pid, "featured": pid in featured} for pid in product_ids]}
        if publish:
            self.platform.bus.publish(make_event("shop.attribution.answered", data, "shop",
                                                 occurred_at=self.clock.now()).to_dict())
        return data

    def get(self, order_id, who=BUYER):
        return self.client.get(f"/api/orders/{order_id}", headers=bearer(who))

    def act(self, order_id, action, who=BUYER, **body):
        response = self.client.post(f"/api/orders/{order_id}/{action}", json=body or {}, headers=bearer(who))
        self.settle()
        return response

    def settle(self):
        return self.platform.settle()

    def sent(self, event_type: str) -> list[dict]:
        """The data of every `event_type` the order service put in its outbox."""
        return [item["event"]["data"] for item in history(self.platform["order"].db, types=[event_type])]


@pytest.fixture
def market(platform, client, admin, clock) -> Market:
    return Market(platform, client, admin, clock)
