"""The commission ledger: what a shop owner earned from orders bought through their shop.

One `commission` entry per paid order that earned something, booked at payment:
    pending --7 days after payment--> settled
    pending --order refunded-------> reversed
A refund after settlement cannot undo money that may already be paid out, so it books a
second, negative `clawback` entry (already settled) instead of rewriting history.

Balances (all from the entries and withdrawals, never stored, so they cannot drift):
- pending: commissions still inside the refund window;
- settled: settled commissions minus clawbacks (never negative: a clawback only follows
  a settled commission of the same amount);
- reversed: everything taken back, before settlement or after;
  so pending + settled + reversed == everything ever earned;
- requested: withdrawals asked for or approved, not paid out yet; withdrawn: paid out;
- available = settled - requested - withdrawn, never below zero. A clawback after a
  payout leaves the owner owing; the next settlements pay that off first.

Settlement is due at exactly paid_at + 7 days, the moment the refund window closes.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING

from shared.domain_events import DomainEvent, EventRecorder

from .events import CommissionSettled
from .orders import REFUND_WINDOW, Order, OrderStatus

if TYPE_CHECKING:
    from .withdrawals import Withdrawal

SETTLEMENT_DELAY = REFUND_WINDOW


class EntryKind(str, Enum):
    COMMISSION = "commission"
    CLAWBACK = "clawback"


class EntryStatus(str, Enum):
    PENDING = "pending"
    SETTLED = "settled"
    REVERSED = "reversed"


@dataclass
class CommissionEntry(EventRecorder):
    id: str
    earner_id: str              # the owner of the shop the order went through
    order_id: str
    kind: EntryKind
    amount_cents: int           # negative for a clawback
    status: EntryStatus
    booked_at: datetime
    settles_at: datetime | None = None
    settled_at: datetime | None = None
    reversed_at: datetime | None = None
    clawed_back_at: datetime | None = None   # on a settled commission a refund took back
    # Recorded by settle() (EventRecorder), collected by the unit of work into the outbox.
    events: list[DomainEvent] = field(default_factory=list, repr=False, compare=False)

    def is_due(self, now: datetime) -> bool:
        return self.status is EntryStatus.PENDING and now >= self.settles_at

    def settle(self, now: datetime) -> bool:
        """Settle if due, recording CommissionSettled; False when there was nothing to do
        (not due yet, settled already, or reversed by a refund)."""
        if not self.is_due(now):
            return False
        self.status = EntryStatus.SETTLED
        self.settled_at = now
        self.record(CommissionSettled(self.order_id, self.earner_id, self.amount_cents))
        return True

    def take_back(self, now: datetime, clawback_id: str) -> "CommissionEntry | None":
        """The order was refunded: reverse a pending commission, or claw back a settled one.

        Returns the clawback entry to store, if one is booked. A second call changes nothing,
        so a refund seen twice never takes the commission back twice.
        """
        if self.kind is not EntryKind.COMMISSION:
            return None
        if self.status is EntryStatus.PENDING:
            self.status = EntryStatus.REVERSED
            self.reversed_at = now
            return None
        if self.status is EntryStatus.SETTLED and self.clawed_back_at is None:
            self.clawed_back_at = now
            return CommissionEntry(
                id=clawback_id, earner_id=self.earner_id, order_id=self.order_id,
                kind=EntryKind.CLAWBACK, amount_cents=-self.amount_cents,
                status=EntryStatus.SETTLED, booked_at=now, settled_at=now)
        return None


def book_commission(order: Order, entry_id: str) -> CommissionEntry | None:
    """The pending entry a just-paid order earns its shop's owner, or None if it earns nothing."""
    if order.status is not OrderStatus.PAID or order.commission_cents <= 0 or order.shop_id is None:
        return None
    return CommissionEntry(
        id=entry_id, earner_id=order.shop_id, order_id=order.id, kind=EntryKind.COMMISSION,
        amount_cents=order.commission_cents, status=EntryStatus.PENDING,
        booked_at=order.paid_at, settles_at=order.paid_at + SETTLEMENT_DELAY)


@dataclass(frozen=True)
class Balance:
    pending_cents: int
    settled_cents: int
    reversed_cents: int
    withdrawn_cents: int              # paid out
    available_cents: int
    requested_cents: int = 0          # asked for or approved, not paid out yet

    @property
    def held_cents(self) -> int:
        """What withdrawals hold of the settled balance: requested and paid out alike."""
        return self.requested_cents + self.withdrawn_cents


def balance_of(entries: Iterable[CommissionEntry],
               withdrawals: Iterable["Withdrawal"] = ()) -> Balance:
    pending = settled = reversed_ = 0
    for entry in entries:
        if entry.status is EntryStatus.PENDING:
            pending += entry.amount_cents
        elif entry.status is EntryStatus.REVERSED:
            reversed_ += entry.amount_cents
        else:
            settled += entry.amount_cents
            if entry.kind is EntryKind.CLAWBACK:
                reversed_ -= entry.amount_cents      # a clawback is a negative amount
    withdrawals = [w for w in withdrawals if w.holds_balance]
    withdrawn = sum(w.amount_cents for w in withdrawals if w.is_paid_out)
    requested = sum(w.amount_cents for w in withdrawals if not w.is_paid_out)
    return Balance(pending, settled, reversed_, withdrawn, max(0, settled - requested - withdrawn), requested)
