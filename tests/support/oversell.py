"""The oversell scenario, shared by the in-memory test and the RabbitMQ/PostgreSQL one.

Many buyers order a product with little stock from several threads, while the platform's
workers run and a second catalog worker competes for the same queue. At the end every unit
is either still in stock or held by exactly one order awaiting payment: reserved plus
remaining equals the start, and stock never went below zero.
"""
from __future__ import annotations

import threading

from flask import Response
from werkzeug.test import Client

from runtime.embedded import wait_settled
from shared.bus import wait_for
from tests.conftest import token_for

THREADS, ORDERS_PER_THREAD = 8, 6


def fire_orders_at(platform, admin_headers: dict, *, start_stock: int, timeout: float = 30.0) -> dict:
    from services.catalog.app import build as build_catalog
    client = Client(platform.gateway, Response)
    brand = client.post("/api/catalog/brands", json={"name": "Scarce"}, headers=admin_headers).json["id"]
    product = client.post("/api/catalog/products", headers=admin_headers, json={
        "brand_id": brand, "sku": "scarce-1", "name": "Scarce tea", "category": "tea",
        "list_price_cents": 1000, "exclusive_price_cents": 900, "commission_rate_bp": 0,
        "stock": start_stock}).json["id"]
    rival = build_catalog(platform.config, bus=platform.bus, clock=platform.clock)   # a competing catalog worker
    rival.start_background(relay=False, periodic=False)
    platform.start()
    try:
        assert wait_for(lambda: _order_service_knows(platform, product), timeout)

        start = threading.Barrier(THREADS)
        placed: list[tuple[str, str]] = []
        lock = threading.Lock()

        def buyer(n: int):
            own = Client(platform.gateway, Response)
            headers = _bearer(platform, f"m-buyer-{n}")
            start.wait()
            for i in range(ORDERS_PER_THREAD):
                response = own.post("/api/orders", headers=headers,
                                    json={"items": [{"product_id": product, "quantity": 1 + (n + i) % 2}]})
                assert response.status_code == 202, response.json
                with lock:
                    placed.append((response.json["id"], f"m-buyer-{n}"))

        threads = [threading.Thread(target=buyer, args=(n,)) for n in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        orders: list[dict] = []

        def all_answered():
            orders[:] = [client.get(f"/api/orders/{oid}", headers=_bearer(platform, who)).json
                         for oid, who in placed]
            return all(o["status"] != "pending" for o in orders)
        assert wait_for(all_answered, timeout, interval=0.2)
        wait_settled(platform, timeout)
        remaining = _stock(client, product)
        reserved = sum(o["items"][0]["quantity"] for o in orders if o["status"] == "awaiting_payment")
        return {"orders": orders, "reserved": reserved, "remaining": remaining}
    finally:
        rival.close()


def _order_service_knows(platform, product_id) -> bool:
    from services.order import store
    with platform["order"].db.reading() as conn:
        return product_id in store.cards_by_ids(conn, [product_id])


def _stock(client, product_id) -> int:
    return client.get(f"/api/catalog/products/{product_id}").json["stock"]


def _bearer(platform, member_id: str) -> dict:
    token = token_for(member_id, secret=platform.config.jwt_secret)
    return {"Authorization": f"Bearer {token}"}
