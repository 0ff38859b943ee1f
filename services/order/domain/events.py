"""What the order domain announces; the service maps each to a contract event in its outbox.

Plain values, not the envelope: the domain does not know about routing keys or versions.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .orders import Order, OrderLine


@dataclass(frozen=True)
class OrderEvent:
    order_id: str
    buyer_id: str
    shop_id: str | None
    lines: tuple["OrderLine", ...]
    total_cents: int
    commission_cents: int

    @classmethod
    def of(cls, order: "Order") -> "OrderEvent":
        return cls(order.id, order.buyer_id, order.shop_id, order.lines,
                   order.total_cents, order.commission_cents)


class OrderPlaced(OrderEvent):
    """Asks the catalog to reserve every line's stock (all or none)."""


class OrderPaid(OrderEvent):
    pass


class OrderCancelled(OrderEvent):
    """Tells the catalog to give back whatever it reserved for this order."""


class OrderRefunded(OrderEvent):
    """Also gives the stock back."""


@dataclass(frozen=True)
class CommissionSettled:
    order_id: str
    shop_id: str
    commission_cents: int
