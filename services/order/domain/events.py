"""What the order domain announces: one named event per contract type (CONTRACT.md "Events").

Each is a frozen dataclass whose fields are the event's `data`, in the contract's shape
(shared.domain_events.DomainEvent): an order records them as it moves, the unit of work its
use case ran in writes them to the outbox with the state that raised them. The routing key
is `TYPE`; the schema each is checked against on the way out is shared/events.py's.

Enumerated values are enums: `OrderCancelled.reason` is the contract's CancellationReason,
so a reason the other services do not know cannot leave this service.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from shared.domain_events import DomainEvent
from shared.contract import CancellationReason as CancelledBecause

if TYPE_CHECKING:
    from .orders import Order


@dataclass(frozen=True)
class RequestedItem:
    """A line as the order asks for it: no price, the catalog decides that (docs/owners-decide.md)."""

    product_id: str
    quantity: int


@dataclass(frozen=True)
class SettledItem:
    """A line as the order was priced by the owners' answers (None: the owners never priced it)."""

    product_id: str
    quantity: int
    unit_price_cents: int | None
    commission_cents: int


@dataclass(frozen=True)
class OrderPlaced(DomainEvent):
    """Asks the owners to decide: the catalog reserves (all or none) and prices, the shop
    attributes. Carries no price."""

    TYPE: ClassVar[str] = "order.placed"

    order_id: str
    buyer_id: str
    shop_id: str | None
    items: tuple[RequestedItem, ...]

    @classmethod
    def of(cls, order: "Order") -> "OrderPlaced":
        return cls(order.id, order.buyer_id, order.shop_id,
                   tuple(RequestedItem(line.product_id, line.quantity) for line in order.lines))


@dataclass(frozen=True)
class OrderSettled(DomainEvent):
    """What order.paid, order.refunded and order.cancelled carry: the whole order's money."""

    order_id: str
    buyer_id: str
    shop_id: str | None
    items: tuple[SettledItem, ...]
    total_cents: int
    commission_cents: int

    @classmethod
    def _fields_of(cls, order: "Order") -> dict:
        return {"order_id": order.id, "buyer_id": order.buyer_id, "shop_id": order.shop_id,
                "items": tuple(SettledItem(line.product_id, line.quantity, line.unit_price_cents,
                                           line.commission_cents) for line in order.lines),
                "total_cents": order.total_cents, "commission_cents": order.commission_cents}

    @classmethod
    def of(cls, order: "Order"):
        return cls(**cls._fields_of(order))


@dataclass(frozen=True)
class OrderPaid(OrderSettled):
    """The buyer paid: the ranking counts the purchase, the shop's slots grow."""

    TYPE: ClassVar[str] = "order.paid"


@dataclass(frozen=True)
class OrderRefunded(OrderSettled):
    """The buyer got their money back; the catalog takes the stock back."""

    TYPE: ClassVar[str] = "order.refunded"


@dataclass(frozen=True)
class OrderCancelled(OrderSettled):
    """Tells the catalog to give back whatever it reserved for this order, and the buyer why
    (the cancellation's reason, or the rejection's when a rejected order gives stock back)."""

    TYPE: ClassVar[str] = "order.cancelled"

    reason: CancelledBecause | None = None

    @classmethod
    def of(cls, order: "Order") -> "OrderCancelled":
        why = order.cancellation_reason or order.rejection_reason
        return cls(**cls._fields_of(order), reason=cancelled_because(why.value if why else None))


def cancelled_because(value: str | None) -> CancelledBecause | None:
    """The contract's order.cancelled reason for the order's own: a rejection the catalog
    itself made (it holds nothing then) is only ever re-announced as `rejected`."""
    if value is None:
        return None
    try:
        return CancelledBecause(value)
    except ValueError:
        return CancelledBecause.REJECTED


@dataclass(frozen=True)
class CommissionSettled(DomainEvent):
    """A commission's refund window closed: the shop's owner may withdraw it."""

    TYPE: ClassVar[str] = "order.commission.settled"

    order_id: str
    shop_id: str
    commission_cents: int
