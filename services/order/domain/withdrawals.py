"""Withdrawals: paying a shop owner part of their settled commission.

    requested --admin approves--> approved --payout provider pays--> paid
    requested --admin rejects---> rejected   (the amount is available again)

A withdrawal holds its amount from the moment it is requested, so two requests can never
both spend the same balance: the second sees the first as withdrawn. (Two requests at the
same moment are serialised by the store, which computes the balance under a lock.)

An approved withdrawal is not rejected: its payout may already be on its way. If the payout
fails, it is retried with the same `transfer_id`, which the provider uses to pay once only.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from shared.failures import Conflict, Unprocessable

from .commissions import Balance

MIN_WITHDRAWAL_CENTS = 100


class WithdrawalStatus(str, Enum):
    REQUESTED = "requested"
    APPROVED = "approved"
    PAID = "paid"
    REJECTED = "rejected"


@dataclass
class Withdrawal:
    id: str
    member_id: str
    amount_cents: int
    requested_at: datetime
    status: WithdrawalStatus = WithdrawalStatus.REQUESTED
    decided_at: datetime | None = None
    decided_by: str | None = None
    rejection_reason: str | None = None
    paid_at: datetime | None = None
    payout_reference: str | None = None

    @property
    def transfer_id(self) -> str:
        # Derived from the withdrawal, never random: a retried payout carries the same id.
        return f"transfer-{self.id}"

    @property
    def holds_balance(self) -> bool:
        return self.status is not WithdrawalStatus.REJECTED

    @property
    def is_paid_out(self) -> bool:
        return self.status is WithdrawalStatus.PAID

    def approve(self, now: datetime, admin_id: str, balance: Balance) -> None:
        """`balance` counts this withdrawal as held already (it holds its amount)."""
        self._require(WithdrawalStatus.REQUESTED, "approve")
        if balance.settled_cents < balance.held_cents:
            # A refund clawed back commission after the request: paying now would pay out
            # money the member no longer has. The admin rejects it; the member asks again.
            raise Conflict(f"withdrawal {self.id} is no longer covered: a refund took back "
                           f"{balance.held_cents - balance.settled_cents} cents since it was requested",
                           withdrawal_status=self.status.value)
        self.status = WithdrawalStatus.APPROVED
        self.decided_at = now
        self.decided_by = admin_id

    def reject(self, now: datetime, admin_id: str, reason: str | None = None) -> None:
        self._require(WithdrawalStatus.REQUESTED, "reject")
        self.status = WithdrawalStatus.REJECTED
        self.decided_at = now
        self.decided_by = admin_id
        self.rejection_reason = reason

    def mark_paid(self, now: datetime, payout_reference: str) -> None:
        if self.status is WithdrawalStatus.PAID:
            return                        # a retried payout confirming the same transfer
        self._require(WithdrawalStatus.APPROVED, "pay out")
        self.status = WithdrawalStatus.PAID
        self.paid_at = now
        self.payout_reference = payout_reference

    def _require(self, expected: WithdrawalStatus, action: str) -> None:
        if self.status is not expected:
            raise Conflict(f"cannot {action} withdrawal {self.id}: it is {self.status.value}",
                           withdrawal_status=self.status.value)


def request_withdrawal(withdrawal_id: str, member_id: str, amount_cents: int,
                       balance: Balance, now: datetime) -> Withdrawal:
    """A new withdrawal, if the member's available settled balance covers it."""
    if amount_cents < MIN_WITHDRAWAL_CENTS:
        raise Unprocessable("a withdrawal is at least 100 cents", errors={
            "amount_cents": [f"must be at least {MIN_WITHDRAWAL_CENTS}"]})
    if amount_cents > balance.available_cents:
        raise Conflict(f"only {balance.available_cents} cents of settled commission are available",
                       available_cents=balance.available_cents)
    return Withdrawal(id=withdrawal_id, member_id=member_id, amount_cents=amount_cents,
                      requested_at=now)
