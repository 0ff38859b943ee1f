"""Exclusive price through a shop that features the product, list price otherwise; and the
commission each line earns the shop's owner. Prices come from the catalog's terms and the
shop's attribution (the owners' answers), never from the order service's copies."""
import pytest

from services.order.domain import (Attribution, CatalogTerms, ItemRequest, OrderLine, check_items, commission_cents,
                                   price_lines)
from shared.failures import Unprocessable

from .factories import BUYER, FRIEND, TERMS, reserve, unanswered_order

ITEMS = [ItemRequest("p-tea", 2), ItemRequest("p-cup", 3)]
CARDS = TERMS


def quote(items, terms, featured, buyer_id, shop_id):
    return price_lines([OrderLine(i.product_id, i.quantity, None) for i in check_items(items)], terms, featured,
                       buyer_id, shop_id)


def _prices(lines):
    return [(l.product_id, l.unit_price_cents, l.commission_cents) for l in lines]


def test_featured_in_the_shop_costs_the_exclusive_price_and_earns_commission():
    q = quote(ITEMS, CARDS, {"p-tea"}, BUYER, FRIEND)
    # tea: 4500 x 2 x 10% = 900; cup is not featured there: list price, no commission
    assert _prices(q) == [("p-tea", 4500, 900), ("p-cup", 1999, 0)]


def test_without_a_shop_everything_costs_the_list_price():
    q = quote(ITEMS, CARDS, {"p-tea", "p-cup"}, BUYER, None)
    assert _prices(q) == [("p-tea", 5000, 0), ("p-cup", 1999, 0)]


def test_buying_through_your_own_shop_gets_the_exclusive_price_but_no_commission():
    q = quote(ITEMS, CARDS, {"p-tea", "p-cup"}, BUYER, BUYER)
    assert _prices(q) == [("p-tea", 4500, 0), ("p-cup", 1799, 0)]


def test_commission_rounds_each_line_down_and_the_order_sums_the_lines():
    # cup: 1799 x 3 x 3.33% = 179.72... -> 179; tea: 900
    order = unanswered_order(items=(("p-tea", 2), ("p-cup", 3)))
    order.attribution_answered(Attribution(frozenset({"p-tea", "p-cup"})), order.created_at)
    reserve(order)
    assert [l.commission_cents for l in order.lines] == [900, 179]
    assert order.commission_cents == 1079
    assert order.total_cents == 4500 * 2 + 1799 * 3


@pytest.mark.parametrize("unit,qty,rate,expected", [
    (1, 1, 9999, 0),            # 0.9999 cents -> nothing
    (10_000, 1, 1, 1),          # exactly one cent
    (3333, 3, 5000, 4999),      # 4999.5 -> 4999
    (999_999, 99, 5000, 49_499_950),
    (4500, 2, 0, 0),
])
def test_commission_arithmetic(unit, qty, rate, expected):
    assert commission_cents(unit, qty, rate) == expected


def test_the_price_is_fixed_from_the_catalogs_answer_and_not_touched_by_later_changes():
    order = unanswered_order(shop_id=None)
    reserve(order, terms={"p-tea": CatalogTerms("p-tea", 5200, 4700, 1000, revision=3)})
    assert order.lines[0].unit_price_cents == 5200                 # the catalog's terms, not a copy's
    reserve(order, terms={"p-tea": CatalogTerms("p-tea", 9000, 8000, 2000, revision=4)})   # repeated answer
    assert order.lines[0].unit_price_cents == 5200


@pytest.mark.parametrize("quantity", [1, 99])
def test_quantity_bounds_are_accepted(quantity):
    assert check_items([ItemRequest("p-tea", quantity)])[0].quantity == quantity


@pytest.mark.parametrize("quantity", [0, -1, 100])
def test_quantity_out_of_bounds_is_refused(quantity):
    with pytest.raises(Unprocessable) as caught:
        check_items([ItemRequest("p-tea", quantity)])
    assert "quantity of p-tea" in caught.value.errors["items"][0]


def test_twenty_distinct_items_are_accepted_twenty_one_are_not():
    twenty = [ItemRequest(f"p-{i}", 1) for i in range(20)]
    assert len(check_items(twenty)) == 20
    with pytest.raises(Unprocessable):
        check_items(twenty + [ItemRequest("p-20", 1)])


def test_an_empty_order_is_refused():
    with pytest.raises(Unprocessable):
        check_items([])


def test_duplicate_product_lines_are_refused_not_merged():
    with pytest.raises(Unprocessable) as caught:
        quote([ItemRequest("p-tea", 1), ItemRequest("p-cup", 1), ItemRequest("p-tea", 2)],
              CARDS, set(), BUYER, None)
    assert caught.value.errors == {
        "items": ["p-tea appears on more than one line; send one line per product"]}


def test_every_broken_rule_is_named_at_once():
    with pytest.raises(Unprocessable) as caught:
        check_items([ItemRequest("p-tea", 0), ItemRequest("p-tea", 100)])
    assert len(caught.value.errors["items"]) == 3
