"""The order and its life: the stock saga, payment, cancellation, refund.

    pending --catalog.stock.reserved--> awaiting_payment --pay--> paid --refund--> refunded
       |                                    |                      (within 7 days of paid_at)
       +--catalog.stock.rejected--> rejected +--cancel, or 30 minutes unpaid--> cancelled
       +--30 minutes with no answer from the catalog--> cancelled

Every other move is a Conflict (409) naming the state the order is in.

The catalog's answers come over the bus, so they may arrive twice or out of order. The rules
that keep the order *and the stock* right whatever the arrival order:
- The first answer wins. A `rejected` after a `reserved` changes nothing: the catalog holds
  a reservation, and the normal cancel / expiry / refund path gives it back.
- A `reserved` that arrives after the order already ended without stock (cancelled while
  pending, or rejected) leaves the order as it is and raises OrderCancelled again, so the
  catalog releases the reservation nobody will pay for. The catalog releases per order at
  most once, so this extra release is harmless if it had already let go.
- A `reserved` seen a second time (`reserved_at` already set) changes nothing.
- A `rejected` for an order that is no longer pending changes nothing: it holds no stock.

The 30 minutes count from `created_at` for pending and awaiting_payment orders alike: the
buyer was promised an answer, and stock must not stay held by an order nobody pays.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING

from shared.clock import iso
from shared.errors import Conflict, Forbidden

from .events import OrderCancelled, OrderPaid, OrderPlaced, OrderRefunded

if TYPE_CHECKING:                      # pricing builds OrderLines, so it imports this module
    from .pricing import Quote

PAYMENT_WINDOW = timedelta(minutes=30)
REFUND_WINDOW = timedelta(days=7)


class OrderStatus(str, Enum):
    PENDING = "pending"
    AWAITING_PAYMENT = "awaiting_payment"
    REJECTED = "rejected"
    PAID = "paid"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


UNPAID = frozenset({OrderStatus.PENDING, OrderStatus.AWAITING_PAYMENT})
# States in which the order will never use the stock it asked for.
ENDED_WITHOUT_STOCK = frozenset({OrderStatus.CANCELLED, OrderStatus.REJECTED})


class RejectionReason(str, Enum):
    OUT_OF_STOCK = "out_of_stock"
    DELISTED = "delisted"
    UNKNOWN_PRODUCT = "unknown_product"


class CancellationReason(str, Enum):
    REQUESTED = "requested"      # the buyer (or an admin) asked
    EXPIRED = "expired"          # unpaid for PAYMENT_WINDOW


@dataclass(frozen=True)
class OrderLine:
    """One product of an order, priced when the order was placed and never repriced."""

    product_id: str
    quantity: int
    # None only on a line the order service has no card for (the order is then rejected
    # as unknown_product at once): there is no price to show, and inventing one would lie.
    unit_price_cents: int | None
    featured: bool = False            # bought at the exclusive price of the shop featuring it
    commission_rate_bp: int = 0
    commission_cents: int = 0

    @property
    def subtotal_cents(self) -> int:
        return (self.unit_price_cents or 0) * self.quantity


@dataclass
class Order:
    id: str
    buyer_id: str
    shop_id: str | None
    lines: tuple[OrderLine, ...]
    created_at: datetime
    status: OrderStatus = OrderStatus.PENDING
    rejection_reason: RejectionReason | None = None
    reserved_at: datetime | None = None
    paid_at: datetime | None = None
    payment_reference: str | None = None
    cancelled_at: datetime | None = None
    cancellation_reason: CancellationReason | None = None
    refunded_at: datetime | None = None
    refund_reference: str | None = None
    # Raised by the transitions, collected by the unit of work into the outbox.
    events: list = field(default_factory=list, repr=False, compare=False)

    # -- what the order is worth ---------------------------------------------------------
    @property
    def total_cents(self) -> int:
        return sum(line.subtotal_cents for line in self.lines)

    @property
    def commission_cents(self) -> int:
        return sum(line.commission_cents for line in self.lines)

    @property
    def expires_at(self) -> datetime:
        return self.created_at + PAYMENT_WINDOW

    @property
    def refundable_until(self) -> datetime | None:
        return self.paid_at + REFUND_WINDOW if self.paid_at else None

    # -- the saga ------------------------------------------------------------------------
    def stock_reserved(self, now: datetime) -> None:
        if self.reserved_at is not None:
            return                       # a repeated answer; the reservation is counted once
        self.reserved_at = now
        if self.status is OrderStatus.PENDING:
            self.status = OrderStatus.AWAITING_PAYMENT
        elif self.status in ENDED_WITHOUT_STOCK:
            # The catalog reserved for an order that gave up waiting: give the stock back.
            self.events.append(OrderCancelled.of(self))

    def stock_rejected(self, reason: RejectionReason, now: datetime) -> None:
        if self.status is not OrderStatus.PENDING:
            return                       # first answer wins; a late rejection holds no stock
        self.status = OrderStatus.REJECTED
        self.rejection_reason = reason

    # -- the buyer's moves ---------------------------------------------------------------
    def ensure_payable(self, now: datetime) -> None:
        """Checked before the payment provider is charged, and again when recording it."""
        self._require(OrderStatus.AWAITING_PAYMENT, "pay")
        if is_expired(self, now):
            raise Conflict(f"order {self.id} was not paid within 30 minutes and has expired",
                           order_status=self.status.value, expired_at=iso(self.expires_at))

    def pay(self, now: datetime, payment_reference: str) -> None:
        self.ensure_payable(now)
        self.status = OrderStatus.PAID
        self.paid_at = now
        self.payment_reference = payment_reference
        self.events.append(OrderPaid.of(self))

    def cancel(self, now: datetime) -> None:
        self._require(OrderStatus.AWAITING_PAYMENT, "cancel")
        self._cancel(now, CancellationReason.REQUESTED)

    def ensure_refundable(self, now: datetime) -> None:
        self._require(OrderStatus.PAID, "refund")
        if now >= self.refundable_until:
            raise Conflict(f"order {self.id} can only be refunded within 7 days of payment",
                           order_status=self.status.value,
                           refundable_until=iso(self.refundable_until))

    def refund(self, now: datetime, refund_reference: str) -> None:
        self.ensure_refundable(now)
        self.status = OrderStatus.REFUNDED
        self.refunded_at = now
        self.refund_reference = refund_reference
        self.events.append(OrderRefunded.of(self))

    def expire(self, now: datetime) -> bool:
        """Cancel the order if it has been unpaid for 30 minutes; True when it did."""
        if not is_expired(self, now):
            return False
        self._cancel(now, CancellationReason.EXPIRED)
        return True

    # -- helpers -------------------------------------------------------------------------
    def _cancel(self, now: datetime, reason: CancellationReason) -> None:
        self.status = OrderStatus.CANCELLED
        self.cancelled_at = now
        self.cancellation_reason = reason
        # Sent even from pending: the catalog may be reserving right now, and must let go.
        self.events.append(OrderCancelled.of(self))

    def _require(self, expected: OrderStatus, action: str) -> None:
        if self.status is not expected:
            raise Conflict(f"cannot {action} order {self.id}: it is {self.status.value}",
                           order_status=self.status.value)


def place(order_id: str, buyer_id: str, shop_id: str | None, quote: "Quote",
          now: datetime) -> Order:
    """A new order from a quote: pending and asking for stock, or rejected at once.

    The order service rejects at once what it already knows cannot be sold (a product it
    has no card for, or one delisted); nothing was reserved, so no event is raised.
    """
    order = Order(id=order_id, buyer_id=buyer_id, shop_id=shop_id, lines=quote.lines,
                  created_at=now)
    if quote.rejection_reason is not None:
        order.status = OrderStatus.REJECTED
        order.rejection_reason = quote.rejection_reason
    else:
        order.events.append(OrderPlaced.of(order))
    return order


def is_expired(order: Order, now: datetime) -> bool:
    return order.status in UNPAID and now >= order.expires_at


def ensure_visible_to(order: Order, member_id: str, is_admin: bool = False) -> None:
    """Only the buyer, or an admin, sees or acts on an order."""
    if not is_admin and order.buyer_id != member_id:
        raise Forbidden("only the buyer can see or act on this order")


def ensure_payer(order: Order, member_id: str) -> None:
    """Only the buyer pays: a payment spends the buyer's money, which no admin may do for
    them. (An admin may still see an order, cancel it or refund it: customer service.)"""
    if order.buyer_id != member_id:
        raise Forbidden("only the buyer can pay this order")
