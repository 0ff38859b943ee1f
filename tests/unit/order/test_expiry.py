"""Unpaid for 30 minutes -> cancelled, at exactly 30 minutes and not a second before."""
from datetime import timedelta

import pytest

from services.order.domain import CancellationReason, OrderCancelled, OrderStatus, is_expired
from shared.failures import Conflict

from .factories import T0, awaiting_payment, paid_order, placed_order, rejected_order

JUST_BEFORE = T0 + timedelta(minutes=29, seconds=59)
AT_THE_DEADLINE = T0 + timedelta(minutes=30)


@pytest.mark.parametrize("build", [placed_order, awaiting_payment])
def test_an_unpaid_order_expires_at_thirty_minutes(build):
    order = build()
    assert not is_expired(order, JUST_BEFORE)
    assert is_expired(order, AT_THE_DEADLINE)


def test_expire_before_the_deadline_does_nothing():
    order = awaiting_payment()
    assert order.expire(JUST_BEFORE) is False
    assert order.status is OrderStatus.AWAITING_PAYMENT and order.events == []


def test_expire_at_the_deadline_cancels_and_releases_the_stock():
    order = awaiting_payment()
    assert order.expire(AT_THE_DEADLINE) is True
    assert order.status is OrderStatus.CANCELLED
    assert order.cancellation_reason is CancellationReason.EXPIRED
    assert order.cancelled_at == AT_THE_DEADLINE
    assert [type(e) for e in order.events] == [OrderCancelled]


def test_expiring_twice_cancels_once():
    order = awaiting_payment()
    order.expire(AT_THE_DEADLINE)
    assert order.expire(AT_THE_DEADLINE + timedelta(minutes=1)) is False
    assert len(order.events) == 1


@pytest.mark.parametrize("build", [paid_order, rejected_order])
def test_paid_and_rejected_orders_never_expire(build):
    order = build()
    assert not is_expired(order, T0 + timedelta(days=30))
    assert order.expire(T0 + timedelta(days=30)) is False


def test_paying_in_the_last_second_works():
    order = awaiting_payment()
    order.pay(JUST_BEFORE, "charge")
    assert order.status is OrderStatus.PAID


def test_paying_an_overdue_order_the_job_has_not_cancelled_yet_is_a_conflict():
    order = awaiting_payment()
    with pytest.raises(Conflict) as caught:
        order.pay(AT_THE_DEADLINE, "charge")
    assert caught.value.extra["expired_at"] == "2026-11-01T04:30:00Z"
    assert order.status is OrderStatus.AWAITING_PAYMENT and order.events == []
