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
    reason: str | None = None

    @classmethod
    def of(cls, order: "Order") -> "OrderEvent":
        return cls(order.id, order.buyer_id, order.shop_id, order.lines,
                   order.total_cents, order.commission_cents)


class OrderPlaced(OrderEvent):
    """Asks the catalog to reserve every line's stock (all or none)."""


class OrderPaid(OrderEvent):
    pass


class OrderCancelled(OrderEvent):
    """Tells the catalog to give back whatever it reserved for this order, and the buyer why
    (the cancellation reason, or the rejection's when a rejected order gives stock back)."""

    @classmethod
    def of(cls, order: "Order") -> "OrderCancelled":
        why = order.cancellation_reason or order.rejection_reason
        return cls(order.id, order.buyer_id, order.shop_id, order.lines, order.total_cents,
                   order.commission_cents, reason=_cancellation_reason(why.value if why else None))


def _cancellation_reason(value: str | None) -> str | None:
    # The contract's order.cancelled reasons: a rejection the catalog itself made (it holds
    # nothing then) is only ever re-announced as "rejected".
    from shared.events import CancellationReason
    known = {r.value for r in CancellationReason}
    if value is None:
        return None
    return value if value in known else CancellationReason.REJECTED.value


class OrderRefunded(OrderEvent):
    """Also gives the stock back."""


@dataclass(frozen=True)
class CommissionSettled:
    order_id: str
    shop_id: str
    commission_cents: int
