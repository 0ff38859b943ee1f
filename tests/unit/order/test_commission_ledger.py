"""The commission ledger: pending for the 7-day refund window, then settled; a refund
reverses it before settlement and claws it back after."""
from datetime import timedelta

import pytest

from services.order.domain import (CommissionSettled, EntryKind, EntryStatus, Withdrawal,
                                   WithdrawalStatus, balance_of, book_commission)

from .factories import (BUYER, FRIEND, SETTLES_AT, T0, awaiting_payment, commission_entry,
                        placed_order)

_entry = commission_entry


def test_a_paid_order_through_a_friends_featuring_shop_books_a_pending_entry():
    entry = _entry()
    assert (entry.earner_id, entry.order_id, entry.kind, entry.status) == (
        FRIEND, "o-1", EntryKind.COMMISSION, EntryStatus.PENDING)
    assert entry.amount_cents == 900                      # 4500 x 2 x 10%
    assert entry.settles_at == SETTLES_AT


@pytest.mark.parametrize("kwargs", [
    {"shop_id": BUYER},                                   # own shop
    {"shop_id": None},                                    # no shop
    {"featured": frozenset()},                            # the shop does not feature it
])
def test_orders_that_earn_nothing_book_nothing(kwargs):
    assert _entry(**kwargs) is None


def test_an_unpaid_order_books_nothing():
    assert book_commission(awaiting_payment(), "c-1") is None
    assert book_commission(placed_order(), "c-1") is None


def test_settlement_is_due_at_exactly_seven_days():
    entry = _entry()
    assert entry.settle(SETTLES_AT - timedelta(seconds=1)) is False
    assert entry.status is EntryStatus.PENDING and entry.events == []
    assert entry.settle(SETTLES_AT) is True
    assert entry.events == [CommissionSettled("o-1", FRIEND, 900)]
    assert entry.status is EntryStatus.SETTLED and entry.settled_at == SETTLES_AT


def test_settling_twice_settles_once():
    entry = _entry()
    entry.settle(SETTLES_AT)
    assert entry.settle(SETTLES_AT + timedelta(days=1)) is False
    assert entry.settled_at == SETTLES_AT and len(entry.events) == 1


def test_a_refund_before_settlement_reverses_the_entry_and_it_never_settles():
    entry = _entry()
    assert entry.take_back(SETTLES_AT - timedelta(seconds=1), "cb-1") is None
    assert entry.status is EntryStatus.REVERSED
    assert entry.settle(SETTLES_AT) is False and entry.events == []
    b = balance_of([entry])
    assert (b.pending_cents, b.settled_cents, b.reversed_cents, b.available_cents) == (0, 0, 900, 0)


def test_a_refund_after_settlement_books_a_negative_settled_entry():
    entry = _entry()
    entry.settle(SETTLES_AT)
    clawback = entry.take_back(SETTLES_AT + timedelta(hours=1), "cb-1")
    assert (clawback.kind, clawback.amount_cents, clawback.status, clawback.order_id) == (
        EntryKind.CLAWBACK, -900, EntryStatus.SETTLED, "o-1")
    assert entry.status is EntryStatus.SETTLED              # history is not rewritten
    b = balance_of([entry, clawback])
    assert (b.pending_cents, b.settled_cents, b.reversed_cents, b.available_cents) == (0, 0, 900, 0)


def test_a_refund_seen_twice_takes_back_once():
    pending, settled = _entry("o-1"), _entry("o-2")
    settled.settle(SETTLES_AT)
    pending.take_back(T0, "cb-1")
    first = settled.take_back(SETTLES_AT, "cb-2")
    assert pending.take_back(T0, "cb-3") is None
    assert settled.take_back(SETTLES_AT, "cb-4") is None
    assert first.take_back(SETTLES_AT, "cb-5") is None     # a clawback is never clawed back
    assert balance_of([pending, settled, first]).reversed_cents == 1800


def test_balances_add_up_to_everything_ever_earned():
    a, b, c, d = (_entry(f"o-{i}") for i in range(4))       # 900 each
    for entry in (a, b):
        entry.settle(SETTLES_AT)
    c.take_back(T0, "cb-c")
    clawback = b.take_back(SETTLES_AT, "cb-b")
    balance = balance_of([a, b, c, d, clawback])
    assert (balance.pending_cents, balance.settled_cents, balance.reversed_cents) == (900, 900, 1800)
    assert balance.pending_cents + balance.settled_cents + balance.reversed_cents == 4 * 900


def _withdrawal(amount, status=WithdrawalStatus.REQUESTED):
    return Withdrawal(id=f"w-{amount}-{status.value}", member_id=FRIEND, amount_cents=amount,
                      requested_at=T0, status=status)


def test_available_is_settled_minus_what_is_withdrawn_and_rejections_give_it_back():
    a, b = _entry("o-1"), _entry("o-2")
    for entry in (a, b):
        entry.settle(SETTLES_AT)
    withdrawals = [_withdrawal(300), _withdrawal(200, WithdrawalStatus.APPROVED),
                   _withdrawal(100, WithdrawalStatus.PAID), _withdrawal(700, WithdrawalStatus.REJECTED)]
    balance = balance_of([a, b], withdrawals)
    assert (balance.requested_cents, balance.withdrawn_cents) == (500, 100)   # asked or approved; paid out
    assert balance.available_cents == 1800 - 600


def test_a_clawback_after_a_payout_never_drives_available_below_zero_and_is_paid_off_first():
    a = _entry("o-1")
    a.settle(SETTLES_AT)
    paid_out = [_withdrawal(900, WithdrawalStatus.PAID)]
    clawback = a.take_back(SETTLES_AT, "cb-1")
    assert balance_of([a, clawback], paid_out).available_cents == 0
    later = _entry("o-2", paid_at=T0 + timedelta(days=1))
    later.settle(SETTLES_AT + timedelta(days=1))
    # 900 owed from the clawback is taken out of the next 900 settled
    assert balance_of([a, clawback, later], paid_out).available_cents == 0
    third = _entry("o-3", paid_at=T0 + timedelta(days=2))
    third.settle(SETTLES_AT + timedelta(days=2))
    assert balance_of([a, clawback, later, third], paid_out).available_cents == 900
