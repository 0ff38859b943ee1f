"""Members, shops and products made through the shop's API, and the fast password hasher
the tests give the shop through `build` (SHOP_ADAPTERS)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from argon2 import PasswordHasher
from sqlalchemy import select
from shared.events import make_event
from services.shop.passwords import Passwords


# Real argon2id, at the lowest cost: tests register many members.
FAST = Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


# What a test module using the world passes to the shop's `build` (tests/conftest.py
# `platform` reads a module's ADAPTERS).
SHOP_ADAPTERS = {"shop": {"passwords": FAST}}


@dataclass
class Member:
    id: str
    username: str
    headers: dict


class World:
    def __init__(self, platform, client, admin):
        self.platform, self.client, self.admin = platform, client, admin
        self._brand = None
        self._count = 0

    def settle(self) -> int:
        return self.platform.settle()

    def member(self, username: str | None = None, nickname: str | None = None) -> Member:
        self._count += 1
        username = username or f"member{self._count}"
        response = self.client.post("/api/auth/register", json={
            "username": username, "password": "correct horse", "nickname": nickname or username.title()})
        assert response.status_code == 201, response.json
        member_id = response.json["member_id"]
        return Member(member_id, username, {"Authorization": f"Bearer {response.json['token']}"})

    def brand(self) -> str:
        if self._brand is None:
            response = self.client.post("/api/catalog/brands", json={"name": "Tea House"}, headers=self.admin)
            assert response.status_code == 201, response.json
            self._brand = response.json["id"]
        return self._brand

    def product(self, name: str = "Oolong", *, settle: bool = True, **fields) -> str:
        self._count += 1
        body = {"brand_id": self.brand(), "sku": f"sku-{self._count}", "name": name, "category": "tea",
                "list_price_cents": 5000, "exclusive_price_cents": 4200, "commission_rate_bp": 500,
                "stock": 100, **fields}
        response = self.client.post("/api/catalog/products", json=body, headers=self.admin)
        assert response.status_code == 201, response.json
        if settle:
            self.settle()
        return response.json["id"]

    def delist(self, product_id: str, reason: str = "quality recall") -> None:
        response = self.client.post(f"/api/catalog/products/{product_id}/delist", json={"reason": reason},
                                    headers=self.admin)
        assert response.status_code == 200, response.json
        self.settle()

    def feature(self, member: Member, product_id: str):
        return self.client.post("/api/shops/me/featured", json={"product_id": product_id}, headers=member.headers)

    def publish(self, event_type: str, data: dict, producer: str = "test", occurred_at=None) -> dict:
        """An event from a service not running in this test, as it would arrive."""
        envelope = make_event(event_type, data, producer,
                              occurred_at=occurred_at or self.platform.clock.now()).to_dict()
        return self.redeliver(envelope)

    def redeliver(self, envelope: dict) -> dict:
        self.platform.bus.publish(envelope)
        self.settle()
        return envelope

    def notifications(self, member: Member) -> list[dict]:
        response = self.client.get("/api/members/me/notifications", headers=member.headers)
        assert response.status_code == 200
        return response.json["items"]

    def paid(self, order_id: str, buyer: Member, shop: Member | None, items: list[tuple[str, int, int]],
             event_type: str = "order.paid") -> dict:
        lines = [{"product_id": p, "quantity": q, "unit_price_cents": c} for p, q, c in items]
        return self.publish(event_type, {
            "order_id": order_id, "buyer_id": buyer.id, "shop_id": shop.id if shop else None, "items": lines,
            "total_cents": sum(q * c for _, q, c in items), "commission_cents": 0}, producer="order")

    def outbox(self, event_type: str, service: str = "shop", envelopes: bool = False) -> list[dict]:
        """What a service emitted of one type, oldest first: the data, or whole envelopes."""
        db = self.platform[service].db
        with db.reading() as conn:
            rows = conn.execute(select(db.outbox.c.envelope).where(db.outbox.c.type == event_type)
                                .order_by(db.outbox.c.seq)).scalars()
            found = [json.loads(r) for r in rows]
        return found if envelopes else [e["data"] for e in found]
