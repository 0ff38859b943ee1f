"""Demo data for the embedded mode (GWH_DEMO_DATA=1, the default): a small brand library,
three members with shops, a friendship, visits and a paid order, so a first visitor of
http://127.0.0.1:8000 sees a working platform.

It goes through the public API of the gateway, in process, exactly as a client would, and
runs only on an empty platform, so a restart does not seed twice.
"""
from __future__ import annotations

import logging

from flask import Response
from werkzeug.test import Client

from shared.auth import issue_service_token

log = logging.getLogger("gwh.demo")

DEMO_PASSWORD = "demo-password-1"

BRANDS = {
    "West Lake Tea": [
        ("TEA-LJ-250", "Longjing green tea 250 g", "tea", 16800, 12800, 1000, 200, False),
        ("TEA-BLK-100", "Keemun black tea 100 g", "tea", 8800, 6900, 800, 150, False),
        ("TEA-CUP-2", "Double-wall glass cups, pair", "home", 6900, 5900, 600, 80, False),
    ],
    "Jiangnan Home": [
        ("HOME-TWL-3", "Long-staple cotton towels, 3", "home", 9900, 7900, 700, 300, False),
        ("HOME-PIL-1", "Buckwheat pillow", "home", 15900, 12900, 900, 60, False),
        ("HOME-MUG-1", "Celadon mug", "home", 4900, 3900, 500, 120, False),
    ],
    "Clear Skin Lab": [
        ("SKIN-SUN-50", "Mineral sunscreen SPF 50", "beauty", 13800, 9900, 1500, 90, False),
        ("SKIN-SER-30", "Niacinamide serum 30 ml", "beauty", 19800, 15800, 1500, 70, False),
        ("CARE-PRV-1", "Intimate care wash", "personal care", 5900, 4900, 1200, 100, True),
    ],
}

MEMBERS = [("alice", "Alice 爱丽丝"), ("bob", "Bob 小波"), ("carol", "Carol 卡罗")]


class DemoError(RuntimeError):
    pass


def _call(client: Client, method: str, path: str, token: str | None = None, **kwargs) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = getattr(client, method)(path, headers=headers, **kwargs)
    if response.status_code >= 300:
        raise DemoError(f"{method.upper()} {path} -> {response.status_code} {response.get_data(as_text=True)[:300]}")
    return response.json if response.data else {}


def seed(platform) -> bool:
    """Seed an empty platform; returns False (and changes nothing) if it has data already."""
    from runtime.embedded import wait_settled
    client = Client(platform.gateway, Response)
    if client.get("/api/catalog/brands").json.get("total", 0) > 0:
        return False
    admin = issue_service_token(platform.config.jwt_secret, "demo-seed", ttl_seconds=600)
    products = []
    for brand_name, items in BRANDS.items():
        brand = _call(client, "post", "/api/catalog/brands", admin,
                      json={"name": brand_name, "description": f"{brand_name}, an invited brand."})
        for sku, name, category, list_price, exclusive, rate, stock, sensitive in items:
            products.append(_call(client, "post", "/api/catalog/products", admin, json={
                "brand_id": brand["id"], "sku": sku, "name": name, "category": category,
                "list_price_cents": list_price, "exclusive_price_cents": exclusive,
                "commission_rate_bp": rate, "stock": stock, "sensitive": sensitive}))
    tokens, ids = {}, {}
    for username, nickname in MEMBERS:
        account = _call(client, "post", "/api/auth/register",
                        json={"username": username, "password": DEMO_PASSWORD, "nickname": nickname})
        tokens[username], ids[username] = account["token"], account["member_id"]
    wait_settled(platform)  # the shop and order services learn the products from events
    for product in products[:4]:
        _call(client, "post", "/api/shops/me/featured", tokens["alice"], json={"product_id": product["id"]})
    for friend in ("bob", "carol"):
        request = _call(client, "post", "/api/members/me/friend-requests", tokens[friend],
                        json={"member_id": ids["alice"]})
        _call(client, "post", f"/api/members/me/friend-requests/{request['id']}/accept", tokens["alice"])
    for visitor in ("bob", "carol"):
        _call(client, "post", f"/api/shops/{ids['alice']}/visits", tokens[visitor],
              json={"product_id": products[0]["id"]})
    wait_settled(platform)
    order = _call(client, "post", "/api/orders", tokens["bob"],
                  json={"items": [{"product_id": products[0]["id"], "quantity": 2}], "shop_id": ids["alice"]})
    wait_settled(platform)
    _call(client, "post", f"/api/orders/{order['id']}/pay", tokens["bob"], json={"method": "simulated"})
    wait_settled(platform)
    log.info("demo data: 3 brands, %d products, members alice, bob, carol (password %r)", len(products),
             DEMO_PASSWORD)
    return True
