"""The catalog's answers arrive twice or out of order: the order and the stock stay right.

`Catalog` below plays the catalog's side as the lead builds it: it reserves at most once per
order and releases at most once per reservation. What the tests check is that, whatever the
order of arrival, the order ends in the state it should and the stock the catalog holds for
it is exactly what the order will still use.
"""
from datetime import timedelta

import pytest

from services.order.domain import (OrderCancelled, OrderRefunded, OrderStatus, RejectionReason)

from .factories import T0, placed_order, reserve


class Catalog:
    def __init__(self):
        self.held: dict[str, bool] = {}

    def reserve(self, order_id):
        self.held.setdefault(order_id, True)

    def hear(self, events):
        for event in events:
            if isinstance(event, (OrderCancelled, OrderRefunded)) and self.held.get(event.order_id):
                self.held[event.order_id] = False

    def holds(self, order_id) -> bool:
        return self.held.get(order_id, False)


def test_a_reservation_seen_twice_is_counted_once():
    order = placed_order()
    reserve(order, T0)
    reserve(order, T0 + timedelta(seconds=3))
    assert order.status is OrderStatus.AWAITING_PAYMENT
    assert order.reserved_at == T0
    assert not any(isinstance(e, OrderCancelled) for e in order.events)


def test_a_rejection_after_the_reservation_changes_nothing_first_answer_wins():
    order = placed_order()
    reserve(order, T0)
    order.stock_rejected(RejectionReason.OUT_OF_STOCK, T0)
    assert order.status is OrderStatus.AWAITING_PAYMENT
    assert order.rejection_reason is None


def test_a_rejection_seen_twice_keeps_the_first_reason():
    order = placed_order()
    order.stock_rejected(RejectionReason.DELISTED, T0)
    order.stock_rejected(RejectionReason.OUT_OF_STOCK, T0)
    assert order.status is OrderStatus.REJECTED
    assert order.rejection_reason is RejectionReason.DELISTED


def test_a_reservation_after_a_rejection_keeps_the_order_rejected_and_gives_the_stock_back():
    catalog, order = Catalog(), placed_order()
    order.stock_rejected(RejectionReason.OUT_OF_STOCK, T0)
    catalog.reserve(order.id)                       # a contradicting, late answer
    reserve(order, T0)
    catalog.hear(order.events)
    assert order.status is OrderStatus.REJECTED
    assert not catalog.holds(order.id)


def test_a_reservation_arriving_after_the_pending_order_expired_is_released():
    catalog, order = Catalog(), placed_order()
    assert order.expire(T0 + timedelta(minutes=30))
    catalog.hear(order.events)                      # the catalog had nothing to release yet
    catalog.reserve(order.id)                       # ... then handles order.placed late
    order.events.clear()
    reserve(order, T0 + timedelta(minutes=31))
    catalog.hear(order.events)
    assert order.status is OrderStatus.CANCELLED
    assert [type(e) for e in order.events] == [OrderCancelled]
    assert not catalog.holds(order.id)
    order.events.clear()
    reserve(order, T0 + timedelta(minutes=32))     # and once more: nothing new
    assert order.events == []


def test_a_duplicate_reservation_for_an_order_cancelled_after_reserving_releases_nothing_more():
    catalog, order = Catalog(), placed_order()
    catalog.reserve(order.id)
    reserve(order, T0)
    order.cancel(T0 + timedelta(minutes=1))
    catalog.hear(order.events)
    order.events.clear()
    reserve(order, T0 + timedelta(minutes=2))
    assert order.events == [] and order.status is OrderStatus.CANCELLED
    assert not catalog.holds(order.id)


@pytest.mark.parametrize("late", ["reserved", "rejected"])
def test_answers_for_a_paid_order_change_nothing(late):
    order = placed_order()
    reserve(order, T0)
    order.pay(T0, "charge")
    order.events.clear()
    if late == "reserved":
        reserve(order, T0)
    else:
        order.stock_rejected(RejectionReason.OUT_OF_STOCK, T0)
    assert order.status is OrderStatus.PAID and order.events == []


@pytest.mark.parametrize("arrivals", [
    ("reserved", "reserved", "rejected"),
    ("rejected", "reserved", "reserved"),
    ("reserved", "rejected", "reserved"),
])
def test_whatever_the_arrival_order_the_stock_held_matches_the_order(arrivals):
    catalog, order = Catalog(), placed_order()
    for answer in arrivals:
        if answer == "reserved":
            catalog.reserve(order.id)
            reserve(order, T0)
        else:
            order.stock_rejected(RejectionReason.OUT_OF_STOCK, T0)
        catalog.hear(order.events)
        order.events.clear()
    will_use_stock = order.status is OrderStatus.AWAITING_PAYMENT
    assert order.status is (OrderStatus.AWAITING_PAYMENT if arrivals[0] == "reserved"
                            else OrderStatus.REJECTED)
    assert catalog.holds(order.id) is will_use_stock
