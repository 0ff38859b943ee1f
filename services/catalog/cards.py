"""The product card: what the catalog tells other services about a product.

Shops and orders keep their own copies of these cards (projections), so every change a
client could see on a shop page, the 30-day lowest price included, goes out as a card.
"""
from __future__ import annotations

from services.catalog import store


def card(product: dict, lowest: int | None) -> dict:
    """The product card other services project (CONTRACT.md event data)."""
    return {
        "product_id": product["id"], "brand_id": product["brand_id"], "name": product["name"],
        "category": product["category"], "image_url": product["image_url"],
        "list_price_cents": product["list_price_cents"], "exclusive_price_cents": product["exclusive_price_cents"],
        "commission_rate_bp": product["commission_rate_bp"], "sensitive": product["sensitive"],
        "lowest_price_30d_cents": lowest if lowest is not None else product["exclusive_price_cents"],
        "status": product["status"], "revision": product["revision"],
    }


def with_lowest(conn, items: list[dict], now) -> list[dict]:
    lowest = store.lowest_prices(conn, [p["id"] for p in items], now)
    for product in items:
        product["lowest_price_30d_cents"] = lowest.get(product["id"], product["exclusive_price_cents"])
    return items
