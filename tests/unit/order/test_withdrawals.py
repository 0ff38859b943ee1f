"""Withdrawals: at least 100 cents, never more than the available settled balance, approved
or rejected by an admin, paid out once under one transfer id."""
from datetime import timedelta

import pytest

from services.order.domain import (MIN_WITHDRAWAL_CENTS, Balance, WithdrawalStatus, balance_of,
                                   request_withdrawal)
from shared.failures import Conflict, Unprocessable

from .factories import FRIEND, SETTLES_AT, T0, commission_entry


# 1000 settled, this withdrawal's 500 held: the request is still covered.
COVERED = Balance(pending_cents=0, settled_cents=1000, reversed_cents=0, withdrawn_cents=500,
                  available_cents=500)


def _balance(available):
    return Balance(pending_cents=0, settled_cents=available, reversed_cents=0,
                   withdrawn_cents=0, available_cents=available)


def test_a_request_holds_its_amount():
    w = request_withdrawal("w-1", FRIEND, 500, _balance(1000), T0)
    assert (w.status, w.amount_cents, w.requested_at) == (WithdrawalStatus.REQUESTED, 500, T0)
    assert w.holds_balance


@pytest.mark.parametrize("amount", [MIN_WITHDRAWAL_CENTS - 1, 0, -100])
def test_less_than_100_cents_is_refused(amount):
    with pytest.raises(Unprocessable) as caught:
        request_withdrawal("w-1", FRIEND, amount, _balance(1000), T0)
    assert "amount_cents" in caught.value.errors


def test_exactly_100_cents_and_exactly_the_available_balance_are_allowed():
    assert request_withdrawal("w-1", FRIEND, 100, _balance(100), T0).amount_cents == 100


def test_more_than_the_available_balance_is_a_conflict_saying_how_much_is_there():
    with pytest.raises(Conflict) as caught:
        request_withdrawal("w-1", FRIEND, 101, _balance(100), T0)
    assert caught.value.extra == {"available_cents": 100}


def test_a_balance_cannot_be_withdrawn_twice():
    entry = commission_entry()                              # 900 cents
    entry.settle(SETTLES_AT)
    first = request_withdrawal("w-1", FRIEND, 900, balance_of([entry]), SETTLES_AT)
    with pytest.raises(Conflict) as caught:
        request_withdrawal("w-2", FRIEND, 100, balance_of([entry], [first]), SETTLES_AT)
    assert caught.value.extra == {"available_cents": 0}
    first.reject(SETTLES_AT, "m-admin", "bank details missing")     # a rejection returns it
    again = request_withdrawal("w-3", FRIEND, 900, balance_of([entry], [first]), SETTLES_AT)
    assert again.amount_cents == 900


def test_requested_approved_paid():
    w = request_withdrawal("w-1", FRIEND, 500, _balance(1000), T0)
    w.approve(T0 + timedelta(hours=1), "m-admin", COVERED)
    assert (w.status, w.decided_by, w.decided_at) == (
        WithdrawalStatus.APPROVED, "m-admin", T0 + timedelta(hours=1))
    w.mark_paid(T0 + timedelta(hours=2), "payout-77")
    assert (w.status, w.paid_at, w.payout_reference) == (
        WithdrawalStatus.PAID, T0 + timedelta(hours=2), "payout-77")
    assert w.holds_balance


def test_a_payout_confirmed_twice_is_paid_once():
    w = request_withdrawal("w-1", FRIEND, 500, _balance(1000), T0)
    w.approve(T0, "m-admin", COVERED)
    w.mark_paid(T0, "payout-77")
    w.mark_paid(T0 + timedelta(minutes=5), "payout-77")
    assert w.paid_at == T0


def test_the_transfer_id_is_fixed_per_withdrawal_so_retries_pay_once():
    w = request_withdrawal("w-1", FRIEND, 500, _balance(1000), T0)
    assert w.transfer_id == request_withdrawal("w-1", FRIEND, 500, _balance(1000), T0).transfer_id
    assert w.transfer_id != request_withdrawal("w-2", FRIEND, 500, _balance(1000), T0).transfer_id


def test_a_rejected_withdrawal_no_longer_holds_its_amount():
    w = request_withdrawal("w-1", FRIEND, 500, _balance(1000), T0)
    w.reject(T0, "m-admin", "suspicious")
    assert w.status is WithdrawalStatus.REJECTED and w.rejection_reason == "suspicious"
    assert not w.holds_balance


@pytest.mark.parametrize("setup,action", [
    ("approve", "reject"),      # its payout may be on the way
    ("approve", "approve"),
    ("reject", "approve"),
    ("reject", "reject"),
    ("paid", "reject"),
    ("paid", "approve"),
    (None, "mark_paid"),        # not approved yet
    ("reject", "mark_paid"),
])
def test_other_moves_are_conflicts(setup, action):
    w = request_withdrawal("w-1", FRIEND, 500, _balance(1000), T0)
    if setup == "approve":
        w.approve(T0, "m-admin", COVERED)
    elif setup == "reject":
        w.reject(T0, "m-admin")
    elif setup == "paid":
        w.approve(T0, "m-admin", COVERED)
        w.mark_paid(T0, "payout-1")
    status_before = w.status
    with pytest.raises(Conflict) as caught:
        if action == "mark_paid":
            w.mark_paid(T0, "payout-2")
        else:
            getattr(w, action)(T0, "m-admin", *([COVERED] if action == "approve" else []))
    assert caught.value.extra == {"withdrawal_status": status_before.value}
    assert w.status is status_before


def test_approval_is_refused_when_a_refund_since_the_request_took_the_balance_back():
    entry = commission_entry()                              # 900 cents
    entry.settle(SETTLES_AT)
    w = request_withdrawal("w-1", FRIEND, 900, balance_of([entry]), SETTLES_AT)
    clawback = entry.take_back(SETTLES_AT + timedelta(hours=1), "cb-1")
    with pytest.raises(Conflict) as caught:
        w.approve(SETTLES_AT + timedelta(hours=2), "m-admin", balance_of([entry, clawback], [w]))
    assert "900 cents" in caught.value.detail
    assert w.status is WithdrawalStatus.REQUESTED
    w.reject(SETTLES_AT + timedelta(hours=2), "m-admin", "commission clawed back")
    assert balance_of([entry, clawback], [w]).available_cents == 0
