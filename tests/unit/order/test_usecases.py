"""The order service's use cases, straight: a SQLite database in a temporary folder, the
simulated payment and payout providers, a FixedClock. No Flask, no bus: an owner's answer is
the use case its event handler calls, run in a unit of work as the inbox would open it, and
what the service announced is read back from its outbox."""
from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from shared.clock import FixedClock
from shared.db import Database
from shared.failures import Conflict, Forbidden, NotFound, Unprocessable
from shared.outbox import history
from shared.principal import Principal

from services.order import store, usecases
from services.order.domain import (Attribution, CancellationReason, EntryStatus, ItemRequest, OrderStatus,
                                   ProductCard, RejectionReason, WithdrawalStatus)
from services.order.providers import SimulatedPaymentProvider, SimulatedPayoutProvider
from services.order.settling import SettleWaiter

from .factories import BUYER, FRIEND, T0, TERMS

BUYER_P, FRIEND_P = Principal(BUYER), Principal(FRIEND)
ADMIN = Principal("m-admin", roles=("member", "admin"))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def db(tmp_path, clock):
    database = Database(f"sqlite:///{tmp_path / 'order.db'}", store.metadata, "order", clock=clock)
    database.create_all()
    yield database
    database.dispose()


@pytest.fixture
def payments() -> SimulatedPaymentProvider:
    return SimulatedPaymentProvider()


@pytest.fixture
def payouts() -> SimulatedPayoutProvider:
    return SimulatedPayoutProvider()


def sent(db, *types) -> list[tuple[str, dict]]:
    """(type, data) of every event the service wrote to its outbox, oldest first."""
    return [(row["event"]["type"], row["event"]["data"]) for row in history(db, types=list(types) or None)]


def place(db, clock, items=(("p-tea", 2),), shop_id=FRIEND, key=None, **extra):
    command = usecases.PlaceOrder(BUYER, shop_id, tuple(ItemRequest(p, n) for p, n in items), key, **extra)
    order, _ = usecases.place_order(db, command, clock.now())
    return order


def answer(db, order_id, *, featured=("p-tea", "p-cup"), reserve=True, shop=True):
    """The owners' answers, each in its own unit of work as its event handler gets it."""
    order = store_order(db, order_id)
    if reserve:
        with db.unit_of_work() as uow:
            usecases.stock_reserved(uow, order_id, {line.product_id: TERMS[line.product_id] for line in order.lines})
    if shop and order.shop_id is not None:
        with db.unit_of_work() as uow:
            usecases.attribution_answered(uow, order_id, Attribution(frozenset(featured)))


def store_order(db, order_id):
    with db.reading() as conn:
        return store.order_by_id(conn, order_id)


def payable(db, clock, **kwargs):
    order = place(db, clock, **kwargs)
    answer(db, order.id)
    return store_order(db, order.id)


def paid(db, clock, payments, **kwargs):
    order = payable(db, clock, **kwargs)
    return usecases.pay_order(db, payments, order.id, BUYER_P, "simulated", clock.now())


def test_the_use_cases_need_no_web_framework():
    # Views, handlers and jobs call them; they must not need a Flask app or request to run.
    code = ("import sys, services.order.usecases; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'flask', 'flask_smorest', 'werkzeug'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(usecases.__file__).parents[2]).stdout.strip()
    assert out == "[]"


# --- placing ------------------------------------------------------------------------------
def test_placing_stores_a_pending_unpriced_order_and_asks_the_owners_once(db, clock):
    order = place(db, clock, items=(("p-tea", 2), ("p-cup", 1)))
    assert order.status is OrderStatus.PENDING and not order.is_priced
    assert store_order(db, order.id) == order
    assert sent(db) == [("order.placed", {"order_id": order.id, "buyer_id": BUYER, "shop_id": FRIEND, "items": [
        {"product_id": "p-tea", "quantity": 2}, {"product_id": "p-cup", "quantity": 1}]})]


def test_the_same_idempotency_key_returns_the_same_order_and_asks_once(db, clock):
    command = usecases.PlaceOrder(BUYER, None, (ItemRequest("p-tea", 1),), idempotency_key="k-1")
    first, replayed = usecases.place_order(db, command, clock.now())
    again, replayed_again = usecases.place_order(db, command, clock.now())
    assert (replayed, replayed_again) == (False, True) and again.id == first.id
    assert len(sent(db, "order.placed")) == 1
    other = usecases.PlaceOrder(BUYER, None, (ItemRequest("p-tea", 2),), idempotency_key="k-1")
    with pytest.raises(Conflict):
        usecases.place_order(db, other, clock.now())


def test_bad_items_store_nothing_and_announce_nothing(db, clock):
    with pytest.raises(Unprocessable):
        place(db, clock, items=(("p-tea", 0),))
    assert usecases.list_orders(db, BUYER_P, 1, 20) == ([], 0)
    assert sent(db) == []


def test_placing_waits_for_the_owners_answers_when_asked_to(db, clock):
    settling = SettleWaiter(poll_interval=0.01)
    command = usecases.PlaceOrder(BUYER, None, (ItemRequest("p-tea", 1),))

    def catalog_answers():
        [row] = history(db, types=["order.placed"])
        answer(db, row["event"]["data"]["order_id"])
        settling.notify()

    threading.Timer(0.05, catalog_answers).start()
    order, _ = usecases.place_order(db, command, clock.now(), settling=settling, wait=5.0)
    assert order.status is OrderStatus.AWAITING_PAYMENT and order.total_cents == 5000


def test_placing_gives_up_waiting_and_returns_the_pending_order(db, clock):
    command = usecases.PlaceOrder(BUYER, None, (ItemRequest("p-tea", 1),))
    order, _ = usecases.place_order(db, command, clock.now(), settling=SettleWaiter(poll_interval=0.01), wait=0.05)
    assert order.status is OrderStatus.PENDING


# --- the owners' answers ------------------------------------------------------------------
def test_both_answers_price_the_order_and_announce_nothing_more(db, clock):
    order = place(db, clock)
    answer(db, order.id)
    order = store_order(db, order.id)
    assert order.status is OrderStatus.AWAITING_PAYMENT
    assert (order.total_cents, order.commission_cents) == (9000, 900)       # exclusive price, 10%
    assert [t for t, _ in sent(db)] == ["order.placed"]


def test_a_rejection_rejects_and_gives_nothing_back(db, clock):
    order = place(db, clock)
    with db.unit_of_work() as uow:
        usecases.stock_rejected(uow, order.id, RejectionReason.OUT_OF_STOCK)
    order = store_order(db, order.id)
    assert (order.status, order.rejection_reason) == (OrderStatus.REJECTED, RejectionReason.OUT_OF_STOCK)
    assert [t for t, _ in sent(db)] == ["order.placed"]


def test_an_unknown_shop_after_the_reservation_gives_the_stock_back(db, clock):
    order = place(db, clock)
    answer(db, order.id, shop=False)
    with db.unit_of_work() as uow:
        usecases.attribution_answered(uow, order.id, Attribution(unknown_shop=True))
    assert store_order(db, order.id).rejection_reason is RejectionReason.UNKNOWN_SHOP
    [(_, data)] = sent(db, "order.cancelled")
    assert data["reason"] == "unknown_shop" and data["order_id"] == order.id


def test_answers_for_an_order_never_placed_change_nothing(db):
    with db.unit_of_work() as uow:
        usecases.stock_reserved(uow, "o-nobody", {"p-tea": TERMS["p-tea"]})
        usecases.stock_rejected(uow, "o-nobody", RejectionReason.DELISTED)
        usecases.attribution_answered(uow, "o-nobody", Attribution())
    assert sent(db) == []


def test_a_delisting_cancels_unpaid_orders_of_the_product_and_leaves_paid_ones(db, clock, payments):
    unpaid = payable(db, clock)
    bought = paid(db, clock, payments)
    with db.unit_of_work() as uow:
        usecases.product_delisted(uow, "p-tea", revision=2)
    assert store_order(db, unpaid.id).cancellation_reason is CancellationReason.DELISTED
    assert store_order(db, bought.id).status is OrderStatus.PAID
    assert [(d["order_id"], d["reason"]) for _, d in sent(db, "order.cancelled")] == [(unpaid.id, "delisted")]


def test_a_card_older_than_the_one_held_is_dropped(db):
    with db.unit_of_work() as uow:
        usecases.card_changed(uow, ProductCard("p-tea", 5000, 4500, 1000), revision=3)
        usecases.card_changed(uow, ProductCard("p-tea", 1, 1, 1), revision=2)
    with db.reading() as conn:
        assert store.cards_by_ids(conn, ["p-tea"])["p-tea"].list_price_cents == 5000


# --- the buyer's moves --------------------------------------------------------------------
def test_paying_charges_once_announces_the_payment_and_books_the_commission(db, clock, payments):
    order = paid(db, clock, payments)
    assert order.status is OrderStatus.PAID and list(payments.charges.values()) == [9000]
    [(_, data)] = sent(db, "order.paid")
    assert (data["order_id"], data["total_cents"], data["commission_cents"]) == (order.id, 9000, 900)
    [entry] = usecases.statement(db, FRIEND).entries
    assert (entry.order_id, entry.amount_cents, entry.status) == (order.id, 900, EntryStatus.PENDING)


def test_an_unsupported_method_charges_nothing(db, clock, payments):
    order = payable(db, clock)
    with pytest.raises(Unprocessable):
        usecases.pay_order(db, payments, order.id, BUYER_P, "cash", clock.now())
    assert payments.charges == {} and sent(db, "order.paid") == []


def test_only_the_buyer_pays_and_others_do_not_see_it(db, clock, payments):
    order = payable(db, clock)
    with pytest.raises(Forbidden):
        usecases.pay_order(db, payments, order.id, FRIEND_P, "simulated", clock.now())
    with pytest.raises(Forbidden):
        usecases.pay_order(db, payments, order.id, ADMIN, "simulated", clock.now())
    with pytest.raises(NotFound):
        usecases.get_order(db, "o-nobody", BUYER_P)
    assert usecases.get_order(db, order.id, ADMIN).id == order.id
    assert payments.charges == {}


def test_paying_after_thirty_minutes_cancels_the_order_and_is_a_conflict(db, clock, payments):
    order = payable(db, clock)
    clock.advance(minutes=30)
    with pytest.raises(Conflict):
        usecases.pay_order(db, payments, order.id, BUYER_P, "simulated", clock.now())
    assert store_order(db, order.id).cancellation_reason is CancellationReason.EXPIRED
    assert [d["reason"] for _, d in sent(db, "order.cancelled")] == ["expired"]
    assert payments.charges == {}


def test_paying_an_order_whose_product_the_service_saw_delisted_cancels_it(db, clock, payments):
    order = payable(db, clock)
    with db.unit_of_work() as uow:
        store.mark_card_delisted(uow.conn, "p-tea", 5)          # the projection heard it; no handler ran
    with pytest.raises(Conflict):
        usecases.pay_order(db, payments, order.id, BUYER_P, "simulated", clock.now())
    assert [d["reason"] for _, d in sent(db, "order.cancelled")] == ["delisted"]
    assert payments.charges == {}


def test_cancelling_announces_the_cancellation_with_its_reason(db, clock):
    order = payable(db, clock)
    cancelled = usecases.cancel_order(db, order.id, BUYER_P, clock.now())
    assert cancelled.status is OrderStatus.CANCELLED
    [(_, data)] = sent(db, "order.cancelled")
    assert (data["reason"], data["total_cents"]) == ("requested", 9000)
    with pytest.raises(Conflict):
        usecases.cancel_order(db, order.id, BUYER_P, clock.now())
    assert len(sent(db, "order.cancelled")) == 1


def test_refunding_gives_the_money_and_the_commission_back(db, clock, payments):
    order = paid(db, clock, payments)
    clock.advance(days=1)
    refunded = usecases.refund_order(db, payments, order.id, BUYER_P, clock.now())
    assert refunded.status is OrderStatus.REFUNDED and list(payments.refunds.values()) == [9000]
    assert [d["order_id"] for _, d in sent(db, "order.refunded")] == [order.id]
    [entry] = usecases.statement(db, FRIEND).entries
    assert entry.status is EntryStatus.REVERSED


# --- periodic jobs ------------------------------------------------------------------------
def test_the_expiry_job_cancels_what_is_overdue_once(db, clock):
    overdue = place(db, clock)
    clock.advance(minutes=10)
    recent = place(db, clock)
    clock.advance(minutes=20)
    assert usecases.expire_unpaid_orders(db, clock.now()) == 1
    assert usecases.expire_unpaid_orders(db, clock.now()) == 0
    assert store_order(db, overdue.id).status is OrderStatus.CANCELLED
    assert store_order(db, recent.id).status is OrderStatus.PENDING
    assert [(d["order_id"], d["reason"]) for _, d in sent(db, "order.cancelled")] == [(overdue.id, "expired")]


def test_the_settlement_job_settles_after_seven_days_and_announces_it_once(db, clock, payments):
    order = paid(db, clock, payments)
    clock.advance(days=7, seconds=-1)
    assert usecases.settle_commissions(db, clock.now()) == 0
    clock.advance(seconds=1)
    assert usecases.settle_commissions(db, clock.now()) == 1
    assert usecases.settle_commissions(db, clock.now()) == 0
    assert sent(db, "order.commission.settled") == [
        ("order.commission.settled", {"order_id": order.id, "shop_id": FRIEND, "commission_cents": 900})]
    assert usecases.statement(db, FRIEND).balance.available_cents == 900


# --- withdrawals --------------------------------------------------------------------------
def settled_commission(db, clock, payments) -> None:
    paid(db, clock, payments)
    clock.advance(days=7)
    usecases.settle_commissions(db, clock.now())


def test_a_withdrawal_holds_its_amount_and_an_approval_pays_it_out(db, clock, payments, payouts):
    settled_commission(db, clock, payments)
    asked = usecases.ask_withdrawal(db, FRIEND, 600, clock.now())
    with pytest.raises(Conflict):
        usecases.ask_withdrawal(db, FRIEND, 301, clock.now())              # 300 left
    done = usecases.approve_withdrawal(db, payouts, asked.id, ADMIN, clock.now())
    assert done.status is WithdrawalStatus.PAID and payouts.transfers == {asked.transfer_id: 600}
    assert usecases.statement(db, FRIEND).balance.available_cents == 300


def test_a_failed_payout_stays_approved_and_the_retry_job_pays_it_once(db, clock, payments, payouts):
    settled_commission(db, clock, payments)
    asked = usecases.ask_withdrawal(db, FRIEND, 900, clock.now())
    payouts.fail_next = 1
    assert usecases.approve_withdrawal(db, payouts, asked.id, ADMIN, clock.now()).status is WithdrawalStatus.APPROVED
    assert usecases.retry_payouts(db, payouts, clock.now()) == 1
    assert usecases.retry_payouts(db, payouts, clock.now()) == 0
    assert payouts.paid_cents == 900


def test_a_rejected_withdrawal_gives_its_amount_back(db, clock, payments):
    settled_commission(db, clock, payments)
    asked = usecases.ask_withdrawal(db, FRIEND, 900, clock.now())
    rejected = usecases.reject_withdrawal(db, asked.id, ADMIN, "not now", clock.now())
    assert (rejected.status, rejected.rejection_reason) == (WithdrawalStatus.REJECTED, "not now")
    assert usecases.statement(db, FRIEND).balance.available_cents == 900
    items, total = usecases.list_withdrawals(db, "rejected", 1, 20)
    assert total == 1 and items[0].id == asked.id
    with pytest.raises(NotFound):
        usecases.reject_withdrawal(db, "w-nobody", ADMIN, None, clock.now())


def test_the_answer_that_settles_an_order_signals_it_and_no_other_does(db, clock):
    """The API process waiting for this order hears the commit of the answer that settled it
    (services/order/settling.py); the first of two answers settles nothing, so says nothing."""
    order = place(db, clock)
    with db.unit_of_work() as uow:
        usecases.stock_reserved(uow, order.id, {line.product_id: TERMS[line.product_id] for line in order.lines})
    assert uow.signals == set()                                             # still waiting for the shop
    with db.unit_of_work() as uow:
        usecases.attribution_answered(uow, order.id, Attribution(frozenset(("p-tea",))))
    assert uow.signals == {("settled", order.id)}
    with db.unit_of_work() as uow:                                          # the same answer again
        usecases.attribution_answered(uow, order.id, Attribution(frozenset(("p-tea",))))
    assert uow.signals == set()


def test_a_rejection_signals_the_settled_order(db, clock):
    order = place(db, clock)
    with db.unit_of_work() as uow:
        usecases.stock_rejected(uow, order.id, RejectionReason.OUT_OF_STOCK)
    assert uow.signals == {("settled", order.id)}
