"""The shop's answer in the order saga: was the order bought through a shop featuring each
product? The shop service owns shops and what they feature (docs/owners-decide.md), so it
answers, not the order service's copy of featured sets.

The answer is given when the shop service handles `order.placed`, right after the order
was placed: a product featured at that moment counts (the buyer saw the shop's price); one
already unfeatured does not. No shop of that id: `unknown_shop`, and the order is refused.
"""
from __future__ import annotations

from collections.abc import Iterable, Set
from dataclasses import dataclass

ATTRIBUTED, UNKNOWN_SHOP = "attributed", "unknown_shop"


@dataclass(frozen=True)
class AttributionAnswer:
    order_id: str
    shop_id: str
    outcome: str
    featured: tuple[tuple[str, bool], ...]      # (product_id, featured in the shop) per line

    def as_event(self) -> dict:
        return {"order_id": self.order_id, "shop_id": self.shop_id, "outcome": self.outcome,
                "items": [{"product_id": pid, "featured": flag} for pid, flag in self.featured]}


def attribute(order_id: str, shop_id: str, product_ids: Iterable[str], shop_exists: bool,
              featured_in_shop: Set[str]) -> AttributionAnswer:
    product_ids = list(product_ids)
    if not shop_exists:
        return AttributionAnswer(order_id, shop_id, UNKNOWN_SHOP, tuple((pid, False) for pid in product_ids))
    return AttributionAnswer(order_id, shop_id, ATTRIBUTED,
                             tuple((pid, pid in featured_in_shop) for pid in product_ids))
