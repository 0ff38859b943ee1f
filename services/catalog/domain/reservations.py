"""Stock reservations: the catalog's answer in the order saga. All or nothing per order; the
terms each line was reserved at are the price the order charges (the catalog owns it,
docs/owners-decide.md).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Iterable, Mapping

from shared.domain_events import DomainEvent, EventRecorder
from shared.contract import StockRejection

from .events import ReservedLine, StockLine, StockRejected, StockReserved
from .products import Product


class ReservationStatus(str, Enum):
    RESERVED = "reserved"      # -> released, once
    RELEASED = "released"
    REJECTED = "rejected"      # nothing was taken; a release gives nothing back
    CANCELLED = "cancelled"    # the cancellation overtook the placement: a tombstone


@dataclass(frozen=True)
class Rejection:
    reason: StockRejection
    product_id: str


def merge_items(items: Iterable[Mapping]) -> dict[str, int]:
    """product_id -> quantity, lines of one product added together."""
    merged: dict[str, int] = {}
    for item in items:
        merged[item["product_id"]] = merged.get(item["product_id"], 0) + int(item["quantity"])
    return merged


def check_reservation(wanted: Mapping[str, int], products: Mapping[str, Product]) -> Rejection | None:
    """Can every item be reserved? All or nothing: the first blocking item is the reason.

    An unknown product outranks a delisted one, which outranks missing stock, so a client
    is told the reason that a retry cannot fix first.
    """
    for reason, blocked in (
        (StockRejection.UNKNOWN_PRODUCT, lambda pid, qty: pid not in products),
        (StockRejection.DELISTED, lambda pid, qty: not products[pid].is_listed),
        (StockRejection.OUT_OF_STOCK, lambda pid, qty: products[pid].stock < qty),
    ):
        for product_id, quantity in sorted(wanted.items()):
            if blocked(product_id, quantity):
                return Rejection(reason, product_id)
    return None


def reserved_terms(wanted: Mapping[str, int], products: Mapping[str, Product]) -> tuple[ReservedLine, ...]:
    """The reservation answer's lines: what each product was reserved at."""
    return tuple(ReservedLine(pid, qty, products[pid].list_price_cents, products[pid].exclusive_price_cents,
                              products[pid].commission_rate_bp, products[pid].revision)
                 for pid, qty in sorted(wanted.items()))


@dataclass
class Reservation(EventRecorder):
    """What the catalog decided for one order, kept so a redelivered or late event of the
    same order decides nothing twice."""

    order_id: str
    items: dict[str, int]
    status: ReservationStatus
    created_at: datetime
    reason: StockRejection | None = None
    released_at: datetime | None = None
    events: list[DomainEvent] = field(default_factory=list, repr=False, compare=False)

    def _lines(self) -> tuple[StockLine, ...]:
        return tuple(StockLine(pid, qty) for pid, qty in sorted(self.items.items()))

    @classmethod
    def reserved(cls, order_id: str, wanted: Mapping[str, int], products: Mapping[str, Product],
                 now: datetime) -> "Reservation":
        """The stock was taken; `products` as they are after the take (their terms)."""
        reservation = cls(order_id, dict(wanted), ReservationStatus.RESERVED, now)
        reservation.record(StockReserved(order_id, reserved_terms(wanted, products)))
        return reservation

    @classmethod
    def rejected(cls, order_id: str, wanted: Mapping[str, int], rejection: Rejection,
                 now: datetime) -> "Reservation":
        reservation = cls(order_id, dict(wanted), ReservationStatus.REJECTED, now, reason=rejection.reason)
        reservation.record(StockRejected(order_id, reservation._lines(), rejection.reason, rejection.product_id))
        return reservation

    @classmethod
    def cancelled_before_placed(cls, order_id: str, wanted: Mapping[str, int], now: datetime) -> "Reservation":
        """The order's cancellation arrived first: a tombstone, so the late order.placed
        reserves nothing. No one is told."""
        return cls(order_id, dict(wanted), ReservationStatus.CANCELLED, now)

    def release(self, now: datetime) -> bool:
        """Reserved -> released, once; whether there is stock to give back."""
        if self.status is not ReservationStatus.RESERVED:
            return False
        self.status, self.released_at = ReservationStatus.RELEASED, now
        return True
