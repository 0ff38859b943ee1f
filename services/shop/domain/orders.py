"""What the shop learns from the order service: who bought what through which shop.

Built from `order.paid` and `order.refunded`, which may arrive in either order (a refund
can overtake its payment on the bus), so an order remembers both facts and counts only
when it is paid and not refunded.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable


@dataclass(frozen=True)
class OrderLine:
    product_id: str
    quantity: int
    unit_price_cents: int

    @property
    def amount_cents(self) -> int:
        return self.quantity * self.unit_price_cents


@dataclass(frozen=True)
class ShopOrder:
    order_id: str
    buyer_id: str
    shop_id: str | None
    lines: tuple[OrderLine, ...]
    paid: bool = False
    refunded: bool = False

    @property
    def counts(self) -> bool:
        return self.paid and not self.refunded

    @property
    def total_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines)


def order_paid(current: ShopOrder | None, order: ShopOrder) -> ShopOrder:
    return replace(current or order, paid=True)


def order_refunded(current: ShopOrder | None, order: ShopOrder) -> ShopOrder:
    return replace(current or order, refunded=True)


def purchased_product_ids(orders: Iterable[ShopOrder], buyer_id: str) -> list[str]:
    """What a member owns now: paid and not refunded, first bought first, each once."""
    seen: dict[str, None] = {}
    for order in orders:
        if order.buyer_id == buyer_id and order.counts:
            for line in order.lines:
                seen.setdefault(line.product_id)
    return list(seen)
