"""The shop's answer in the order saga: was the order bought through a shop featuring each
product? The shop service owns shops and what they feature (docs/owners-decide.md), so it
answers, not the order service's copy of featured sets.

The answer is given when the shop service handles `order.placed`, right after the order
was placed: a product featured at that moment counts (the buyer saw the shop's price); one
already unfeatured does not. No shop of that id: `unknown_shop`, and the order is refused.
"""
from __future__ import annotations

from collections.abc import Iterable, Set

from .events import AttributedItem, AttributionAnswered, AttributionOutcome


def attribute(order_id: str, shop_id: str, product_ids: Iterable[str], shop_exists: bool,
              featured_in_shop: Set[str]) -> AttributionAnswered:
    """The answer, one item per line: (product, featured in the shop now)."""
    product_ids = list(product_ids)
    if not shop_exists:
        return AttributionAnswered(order_id, shop_id, AttributionOutcome.UNKNOWN_SHOP,
                                   tuple(AttributedItem(pid, False) for pid in product_ids))
    return AttributionAnswered(order_id, shop_id, AttributionOutcome.ATTRIBUTED,
                               tuple(AttributedItem(pid, pid in featured_in_shop) for pid in product_ids))
