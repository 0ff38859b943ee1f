"""The saga in which the owners decide (docs/owners-decide.md), as domain rules: the order
waits for the catalog's terms and the shop's attribution, prices from them once, and gives
the stock back whenever it ends without being paid after the catalog reserved.

`Catalog` plays the catalog's side: it reserves at most once per order and releases at
most once per reservation; `holds` says whether stock is still held for the order.
"""
from datetime import timedelta

import pytest

from services.order.domain import (Attribution, CancellationReason, CatalogTerms, OrderCancelled, OrderStatus,
                                   RejectionReason)

from .factories import BUYER, T0, TERMS, awaiting_payment, reserve, unanswered_order
from .test_saga_answers import Catalog

NOT_FEATURED = Attribution(frozenset())
FEATURED = Attribution(frozenset({"p-tea"}))
UNKNOWN_SHOP = Attribution(unknown_shop=True)


def _lines(order):
    return [(l.product_id, l.unit_price_cents, l.featured, l.commission_cents) for l in order.lines]


def test_an_order_through_a_shop_waits_for_both_answers_whichever_comes_first():
    catalog_first, shop_first = unanswered_order(), unanswered_order()
    reserve(catalog_first)
    shop_first.attribution_answered(FEATURED, T0)
    assert catalog_first.status is shop_first.status is OrderStatus.PENDING
    assert not catalog_first.is_priced and not shop_first.is_priced
    catalog_first.attribution_answered(FEATURED, T0)
    reserve(shop_first)
    assert catalog_first.status is shop_first.status is OrderStatus.AWAITING_PAYMENT
    assert _lines(catalog_first) == _lines(shop_first) == [("p-tea", 4500, True, 900)]


def test_an_order_outside_any_shop_needs_the_catalog_only():
    order = unanswered_order(shop_id=None)
    reserve(order)
    assert order.status is OrderStatus.AWAITING_PAYMENT
    assert _lines(order) == [("p-tea", 5000, False, 0)]


def test_a_shop_answering_not_featured_after_the_catalog_reserved_prices_at_list_price_without_commission():
    order = unanswered_order()
    reserve(order)
    order.attribution_answered(NOT_FEATURED, T0 + timedelta(seconds=1))
    assert order.status is OrderStatus.AWAITING_PAYMENT
    assert _lines(order) == [("p-tea", 5000, False, 0)]
    assert (order.total_cents, order.commission_cents) == (10_000, 0)


def test_the_catalogs_terms_price_the_order_not_any_copy():
    order = unanswered_order()
    order.attribution_answered(FEATURED, T0)
    reserve(order, terms={"p-tea": CatalogTerms("p-tea", 6100, 5900, 1500, revision=7)})
    assert _lines(order) == [("p-tea", 5900, True, 5900 * 2 * 1500 // 10_000)]


def test_a_catalog_rejection_after_the_shop_answered_leaves_nothing_reserved():
    catalog, order = Catalog(), unanswered_order()
    order.attribution_answered(FEATURED, T0)
    order.stock_rejected(RejectionReason.OUT_OF_STOCK, T0)
    catalog.hear(order.events)
    assert (order.status, order.rejection_reason) == (OrderStatus.REJECTED, RejectionReason.OUT_OF_STOCK)
    assert not catalog.holds(order.id)
    assert not order.is_priced                       # nobody priced it: nothing to show


def test_an_unknown_shop_after_the_reservation_rejects_the_order_and_gives_the_stock_back():
    catalog, order = Catalog(), unanswered_order()
    catalog.reserve(order.id)
    reserve(order)
    order.attribution_answered(UNKNOWN_SHOP, T0)
    catalog.hear(order.events)
    assert (order.status, order.rejection_reason) == (OrderStatus.REJECTED, RejectionReason.UNKNOWN_SHOP)
    [released] = [e for e in order.events if isinstance(e, OrderCancelled)]
    assert released.reason == "unknown_shop"
    assert not catalog.holds(order.id)


def test_an_unknown_shop_before_the_reservation_gets_the_late_reservation_released():
    catalog, order = Catalog(), unanswered_order()
    order.attribution_answered(UNKNOWN_SHOP, T0)
    assert not any(isinstance(e, OrderCancelled) for e in order.events)     # nothing held yet
    catalog.reserve(order.id)
    reserve(order)
    catalog.hear(order.events)
    assert order.status is OrderStatus.REJECTED and not catalog.holds(order.id)


@pytest.mark.parametrize("second", [NOT_FEATURED, UNKNOWN_SHOP, FEATURED])
def test_a_repeated_or_contradicting_attribution_changes_nothing(second):
    order = unanswered_order()
    order.attribution_answered(FEATURED, T0)
    reserve(order)
    before, events = _lines(order), list(order.events)
    order.attribution_answered(second, T0 + timedelta(seconds=5))
    reserve(order, terms={"p-tea": CatalogTerms("p-tea", 1, 1, 0, revision=9)})     # and a repeated reservation
    assert order.status is OrderStatus.AWAITING_PAYMENT
    assert _lines(order) == before and order.events == events


def test_an_attribution_after_the_order_expired_changes_nothing():
    order = unanswered_order()
    assert order.expire(T0 + timedelta(minutes=30))
    order.events.clear()
    order.attribution_answered(FEATURED, T0 + timedelta(minutes=31))
    assert order.status is OrderStatus.CANCELLED and order.events == []


def test_the_expected_total_confirmed_by_the_owners_makes_the_order_payable():
    order = unanswered_order(expected_total_cents=9000)
    order.attribution_answered(FEATURED, T0)
    reserve(order)
    assert order.status is OrderStatus.AWAITING_PAYMENT and order.total_cents == 9000


def test_an_expected_total_the_owners_no_longer_confirm_is_rejected_with_the_current_figures():
    catalog, order = Catalog(), unanswered_order(expected_total_cents=9000)    # the buyer saw 2 x 4500
    catalog.reserve(order.id)
    order.attribution_answered(NOT_FEATURED, T0)                               # unfeatured meanwhile
    reserve(order)
    catalog.hear(order.events)
    assert (order.status, order.rejection_reason) == (OrderStatus.REJECTED, RejectionReason.PRICE_CHANGED)
    assert (order.total_cents, _lines(order)) == (10_000, [("p-tea", 5000, False, 0)])   # what it costs now
    assert not catalog.holds(order.id)                                         # never silently charged


def test_a_delisting_newer_than_the_reservation_cancels_the_unpaid_order_and_says_why():
    catalog, order = Catalog(), awaiting_payment()
    catalog.reserve(order.id)
    assert not order.product_delisted("p-tea", TERMS["p-tea"].revision, T0)   # the revision it was reserved at
    assert order.product_delisted("p-tea", TERMS["p-tea"].revision + 1, T0)
    catalog.hear(order.events)
    assert (order.status, order.cancellation_reason) == (OrderStatus.CANCELLED, CancellationReason.DELISTED)
    assert [e.reason for e in order.events if isinstance(e, OrderCancelled)] == ["delisted"]
    assert not catalog.holds(order.id)


def test_a_delisting_leaves_paid_orders_and_other_products_alone():
    paid = awaiting_payment()
    paid.pay(T0, "charge")
    assert not paid.product_delisted("p-tea", 99, T0) and paid.status is OrderStatus.PAID
    other = awaiting_payment()
    assert not other.product_delisted("p-cup", 99, T0) and other.status is OrderStatus.AWAITING_PAYMENT


def test_buying_through_your_own_shop_earns_nothing_whatever_the_shop_says():
    order = unanswered_order(shop_id=BUYER)
    order.attribution_answered(FEATURED, T0)
    reserve(order)
    assert _lines(order) == [("p-tea", 4500, True, 0)]
