"""The order and its life: the saga in which the owners decide, payment, cancellation, refund.

    pending --both owners answered yes--> awaiting_payment --pay--> paid --refund--> refunded
       |                                    |                      (within 7 days of paid_at)
       +--an owner said no--> rejected      +--cancel, 30 minutes unpaid, or a delisting--> cancelled
       +--30 minutes with no answer--> cancelled

Every other move is a Conflict naming the state the order is in; paying or cancelling a
pending order is a Conflict with `retry_after` (the answers are on their way).

Who decides (docs/owners-decide.md): the order service does not price from its own copies
of other services' data. The catalog, owner of prices and stock, answers the order's
`order.placed` with `catalog.stock.reserved` (per line, the terms it reserved at: list and
exclusive price, commission rate, product revision) or `catalog.stock.rejected` (why). The
shop service, owner of the shops, answers `shop.attribution.answered` for an order placed
through a shop: which products that shop features, or that no such shop exists. The order
waits for both (one when it names no shop), then fixes its prices from them, once.

The answers come over the bus, so they may arrive twice, late, or in either order. The
rules that keep the order *and the stock* right whatever the arrival order:
- The first answer of each owner wins; a repeated one changes nothing.
- A `rejected` after a `reserved` changes nothing: the catalog holds a reservation, and the
  normal cancel / expiry / refund path gives it back.
- An order rejected after the catalog reserved (unknown shop, a price the buyer did not
  expect) raises OrderCancelled, so the catalog gives the stock back.
- A `reserved` that arrives after the order already ended without stock (cancelled while
  pending, or rejected) leaves the order as it is and raises OrderCancelled again, so the
  catalog releases the reservation nobody will pay for. The catalog releases per order at
  most once, so this extra release is harmless if it had already let go.
- A `rejected` for an order that is no longer pending changes nothing: it holds no stock.
- An attribution for an order that is no longer pending changes nothing: prices are fixed.

The 30 minutes count from `created_at` for pending and awaiting_payment orders alike: the
buyer was promised an answer, and stock must not stay held by an order nobody pays.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Iterable, Mapping

from shared.clock import iso
from shared.domain_events import DomainEvent, EventRecorder
from shared.failures import Conflict, Forbidden

from .events import OrderCancelled, OrderPaid, OrderPlaced, OrderRefunded

if TYPE_CHECKING:                      # pricing builds OrderLines, so it imports this module
    from .pricing import CatalogTerms, ItemRequest

# How long a client is told to wait before asking again about an order still pending.
RETRY_PENDING_SECONDS = 1

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
    OUT_OF_STOCK = "out_of_stock"          # the catalog's answers
    DELISTED = "delisted"
    UNKNOWN_PRODUCT = "unknown_product"
    UNKNOWN_SHOP = "unknown_shop"          # the shop service's answer
    PRICE_CHANGED = "price_changed"        # the owners' total is not the one the buyer expected


class CancellationReason(str, Enum):
    REQUESTED = "requested"      # the buyer (or an admin) asked
    EXPIRED = "expired"          # unpaid for PAYMENT_WINDOW
    DELISTED = "delisted"        # a product of it was delisted before it was paid


@dataclass(frozen=True)
class Attribution:
    """The shop service's answer: which of the order's products the shop features."""

    featured: frozenset[str] = frozenset()
    unknown_shop: bool = False


@dataclass(frozen=True)
class OrderLine:
    """One product of an order, priced when the order was placed and never repriced."""

    product_id: str
    quantity: int
    # None until the owners answered (and on an order they rejected before pricing it):
    # there is no price to show yet, and inventing one would lie.
    unit_price_cents: int | None
    featured: bool = False            # bought at the exclusive price of the shop featuring it
    commission_rate_bp: int = 0
    commission_cents: int = 0

    @property
    def subtotal_cents(self) -> int:
        return (self.unit_price_cents or 0) * self.quantity


@dataclass
class Order(EventRecorder):
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
    # What the buyer expected to pay (optional); the owners' total must match it.
    expected_total_cents: int | None = None
    # The owners' answers, as received: the catalog's terms per product, the shop's attribution.
    terms: dict[str, "CatalogTerms"] | None = None
    attribution: Attribution | None = None
    # Recorded by the transitions (EventRecorder), collected by the unit of work into the outbox.
    events: list[DomainEvent] = field(default_factory=list, repr=False, compare=False)

    # -- what the order is worth ---------------------------------------------------------
    @property
    def total_cents(self) -> int:
        return sum(line.subtotal_cents for line in self.lines)

    @property
    def is_priced(self) -> bool:
        return all(line.unit_price_cents is not None for line in self.lines)

    @property
    def awaits_attribution(self) -> bool:
        return self.shop_id is not None and self.attribution is None

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
    def stock_reserved(self, now: datetime, terms: Mapping[str, "CatalogTerms"]) -> None:
        """The catalog reserved every line, at these terms (its prices, its revision)."""
        if self.reserved_at is not None:
            return                       # a repeated answer; the reservation is counted once
        self.reserved_at = now
        self.terms = dict(terms)
        if self.status is OrderStatus.PENDING:
            self._settle()
        elif self.status in ENDED_WITHOUT_STOCK:
            # The catalog reserved for an order that gave up waiting: give the stock back.
            self.record(OrderCancelled.of(self))

    def stock_rejected(self, reason: RejectionReason, now: datetime) -> None:
        if self.status is not OrderStatus.PENDING:
            return                       # first answer wins; a late rejection holds no stock
        self.status = OrderStatus.REJECTED
        self.rejection_reason = reason

    def attribution_answered(self, attribution: Attribution, now: datetime) -> None:
        """The shop service said which products the shop features (or that it has no such shop)."""
        if self.shop_id is None or self.attribution is not None:
            return                       # not asked, or a repeated answer: the first one stands
        self.attribution = attribution
        if self.status is not OrderStatus.PENDING:
            return                       # too late: the order already ended, or is priced
        if attribution.unknown_shop:
            self._reject(RejectionReason.UNKNOWN_SHOP)
        else:
            self._settle()

    def _settle(self) -> None:
        """Once every owner answered yes: fix the prices from their answers, once."""
        if self.terms is None or self.awaits_attribution:
            return
        from .pricing import price_lines  # pricing imports this module
        featured = self.attribution.featured if self.attribution else frozenset()
        self.lines = price_lines(self.lines, self.terms, featured, self.buyer_id, self.shop_id)
        if self.expected_total_cents is not None and self.expected_total_cents != self.total_cents:
            self._reject(RejectionReason.PRICE_CHANGED)
            return
        self.status = OrderStatus.AWAITING_PAYMENT

    def _reject(self, reason: RejectionReason) -> None:
        self.status = OrderStatus.REJECTED
        self.rejection_reason = reason
        if self.reserved_at is not None:
            # The catalog holds stock for an order nobody will pay: give it back.
            self.record(OrderCancelled.of(self))

    def product_delisted(self, product_id: str, revision: int, now: datetime) -> bool:
        """A product of this unpaid order was delisted after the catalog reserved it: the
        order is cancelled (its stock goes back) and says why. True when it was.

        Only a delisting newer than the terms the line was reserved at counts: an order
        reserved after a relisting must not be cancelled by the delisting it undid."""
        if self.status not in UNPAID or self.terms is None:
            return False
        held = self.terms.get(product_id)
        if held is None or held.revision >= revision:
            return False
        self._cancel(now, CancellationReason.DELISTED)
        return True

    # -- the buyer's moves ---------------------------------------------------------------
    def ensure_payable(self, now: datetime) -> None:
        """Checked before the payment provider is charged, and again when recording it."""
        self._require_answered("pay")
        self._require(OrderStatus.AWAITING_PAYMENT, "pay")
        if is_expired(self, now):
            raise Conflict(f"order {self.id} was not paid within 30 minutes and has expired",
                           order_status=self.status.value, expired_at=iso(self.expires_at))

    def pay(self, now: datetime, payment_reference: str) -> None:
        self.ensure_payable(now)
        self.status = OrderStatus.PAID
        self.paid_at = now
        self.payment_reference = payment_reference
        self.record(OrderPaid.of(self))

    def cancel(self, now: datetime) -> None:
        self._require_answered("cancel")
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
        self.record(OrderRefunded.of(self))

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
        self.record(OrderCancelled.of(self))

    def _require_answered(self, action: str) -> None:
        if self.status is OrderStatus.PENDING:
            raise Conflict(f"cannot {action} order {self.id} yet: it is pending, waiting for the catalog's and "
                           f"the shop's answers", order_status=self.status.value,
                           retry_after=RETRY_PENDING_SECONDS)

    def _require(self, expected: OrderStatus, action: str) -> None:
        if self.status is not expected:
            raise Conflict(f"cannot {action} order {self.id}: it is {self.status.value}",
                           order_status=self.status.value)


def place(order_id: str, buyer_id: str, shop_id: str | None, items: "Iterable[ItemRequest]", now: datetime,
          expected_total_cents: int | None = None) -> Order:
    """A new order: pending, unpriced, asking the owners (order.placed).

    Nothing is refused here on the strength of the order service's own copies: a product
    it has not heard of yet may well exist. The catalog says.
    """
    from .pricing import check_items  # pricing imports this module
    lines = tuple(OrderLine(i.product_id, i.quantity, unit_price_cents=None) for i in check_items(items))
    order = Order(id=order_id, buyer_id=buyer_id, shop_id=shop_id, lines=lines, created_at=now,
                  expected_total_cents=expected_total_cents)
    order.record(OrderPlaced.of(order))
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
