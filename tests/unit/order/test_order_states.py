"""The order state machine: the moves CONTRACT.md allows, and a 409 for every other one."""
from datetime import timedelta

import pytest

from services.order.domain import (CancellationReason, OrderCancelled, OrderPaid, OrderPlaced,
                                   OrderRefunded, OrderStatus, RejectionReason, ensure_visible_to)
from shared.failures import Conflict, Forbidden

from .factories import (BUYER, FRIEND, T0, awaiting_payment, cancelled_order, paid_order,
                        placed_order, refunded_order, rejected_order, reserve, unanswered_order)


def test_a_placed_order_is_pending_unpriced_and_asks_the_owners():
    order = unanswered_order(items=(("p-tea", 2), ("p-cup", 1)))
    assert order.status is OrderStatus.PENDING
    [event] = order.events
    assert isinstance(event, OrderPlaced)
    # No price yet: the catalog's answer sets it, not the order service's copy.
    assert event.data()["items"] == [{"product_id": "p-tea", "quantity": 2}, {"product_id": "p-cup", "quantity": 1}]
    assert not order.is_priced


def test_an_order_for_a_product_the_order_service_never_heard_of_is_not_refused_by_it():
    order = unanswered_order(items=(("p-brand-new", 1),))
    assert order.status is OrderStatus.PENDING and order.rejection_reason is None


def test_reserved_stock_makes_it_payable():
    order = placed_order()
    reserve(order, T0 + timedelta(seconds=1))
    assert order.status is OrderStatus.AWAITING_PAYMENT
    assert order.reserved_at == T0 + timedelta(seconds=1)
    assert [type(e) for e in order.events] == [OrderPlaced]


@pytest.mark.parametrize("reason", list(RejectionReason))
def test_rejected_stock_rejects_it_with_the_catalogs_reason(reason):
    order = placed_order()
    order.stock_rejected(reason, T0)
    assert order.status is OrderStatus.REJECTED
    assert order.rejection_reason is reason


def test_paying_records_when_and_how_and_announces_it():
    order = awaiting_payment()
    order.pay(T0 + timedelta(minutes=5), "charge-42")
    assert order.status is OrderStatus.PAID
    assert order.paid_at == T0 + timedelta(minutes=5)
    assert order.payment_reference == "charge-42"
    [event] = order.events
    assert isinstance(event, OrderPaid) and event.commission_cents == order.commission_cents


def test_cancelling_an_unpaid_order_gives_its_stock_back():
    order = awaiting_payment()
    order.cancel(T0 + timedelta(minutes=1))
    assert order.status is OrderStatus.CANCELLED
    assert order.cancellation_reason is CancellationReason.REQUESTED
    assert [type(e) for e in order.events] == [OrderCancelled]


def test_refund_within_seven_days_gives_stock_back():
    order = paid_order()
    order.refund(T0 + timedelta(days=7) - timedelta(seconds=1), "refund-1")
    assert order.status is OrderStatus.REFUNDED
    assert order.refunded_at == T0 + timedelta(days=7, seconds=-1)
    assert [type(e) for e in order.events] == [OrderRefunded]


def test_refund_at_exactly_seven_days_is_too_late():
    order = paid_order()
    with pytest.raises(Conflict) as caught:
        order.refund(T0 + timedelta(days=7), "refund-1")
    assert caught.value.extra["refundable_until"] == "2026-11-08T04:00:00Z"
    assert order.status is OrderStatus.PAID and order.events == []


IN_STATE = {
    OrderStatus.PENDING: placed_order,
    OrderStatus.AWAITING_PAYMENT: awaiting_payment,
    OrderStatus.REJECTED: rejected_order,
    OrderStatus.PAID: paid_order,
    OrderStatus.CANCELLED: cancelled_order,
    OrderStatus.REFUNDED: refunded_order,
}
ACTIONS = {
    "pay": (lambda o: o.pay(T0, "charge"), {OrderStatus.AWAITING_PAYMENT}),
    "cancel": (lambda o: o.cancel(T0), {OrderStatus.AWAITING_PAYMENT}),
    "refund": (lambda o: o.refund(T0, "refund"), {OrderStatus.PAID}),
}
FORBIDDEN_MOVES = [(status, action) for action, (_, allowed) in ACTIONS.items()
                   for status in OrderStatus if status not in allowed]


def test_the_grid_covers_every_state_and_the_builders_build_it():
    assert len(FORBIDDEN_MOVES) == 3 * len(OrderStatus) - 3
    assert all(build().status is status for status, build in IN_STATE.items())


@pytest.mark.parametrize("status,action", FORBIDDEN_MOVES)
def test_every_other_move_is_a_conflict_naming_the_current_state(status, action):
    order = IN_STATE[status]()
    events_before = list(order.events)
    with pytest.raises(Conflict) as caught:
        ACTIONS[action][0](order)
    assert type(caught.value) is Conflict
    assert status.value in caught.value.detail
    # A pending order is only waiting for its answers: the client may try again shortly.
    retry = {"retry_after": 1} if status is OrderStatus.PENDING and action != "refund" else {}
    assert caught.value.extra == {"order_status": status.value, **retry}
    assert order.status is status and order.events == events_before


def test_only_the_buyer_or_an_admin_sees_an_order():
    order = placed_order()
    ensure_visible_to(order, BUYER)
    ensure_visible_to(order, "m-admin", is_admin=True)
    with pytest.raises(Forbidden):
        ensure_visible_to(order, FRIEND)
