from datetime import datetime, timedelta, timezone

import pytest

from shared.contract import DelistingReason

from services.shop.domain.analytics import counted_orders, product_figures, shop_analytics
from services.shop.domain.notifications import PRODUCT_DELISTED, product_delisted
from services.shop.domain.orders import (OrderLine, ShopOrder, order_paid, order_refunded,
                                         purchased_product_ids)
from services.shop.domain.visits import VisitWindow, count_visits, record_visit, recent_visitors, tally
from shared.failures import Unprocessable

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=timezone.utc)
SHOP = "owner"


def visit(n: int, *, member=None, key=None, product=None, minutes=0):
    return record_visit(visit_id=f"v{n}", shop_id=SHOP, member_id=member, visitor_key=key,
                        product_id=product, now=T0 + timedelta(minutes=minutes))


def test_a_member_visits_as_themselves_and_a_browser_by_its_key():
    assert visit(1, member="m1").visitor == "m1"
    anonymous = visit(2, key="browser-key-1")
    assert anonymous.visitor == "anon:browser-key-1" and anonymous.member_id is None


def test_a_visit_needs_a_member_or_a_well_formed_key():
    with pytest.raises(Unprocessable):
        visit(1)
    with pytest.raises(Unprocessable):
        visit(1, key="no spaces allowed")


def test_the_owners_own_visit_does_not_count():
    assert visit(1, member=SHOP) is None


def test_a_returning_visitor_is_another_visit_but_not_another_visitor():
    visits = [visit(1, member="m1"), visit(2, member="m1", minutes=5),
              visit(3, key="browser-key-1"), visit(4, key="browser-key-1"), visit(5, member="m2")]
    counts = count_visits(tally(visits))
    # The browser came twice: two visits, but only members are visitors (m1, m2).
    assert (counts.visits, counts.unique_visitors, counts.anonymous_visits) == (5, 2, 2)


def test_recent_visitors_are_latest_first_once_each_and_respect_opting_out():
    visits = [visit(1, member="m1", minutes=1), visit(2, member="hidden", minutes=2),
              visit(3, member="m2", minutes=3), visit(4, member="m1", minutes=4),
              visit(5, key="browser-key-1", minutes=5)]
    shown = recent_visitors(tally(visits), lambda member: member != "hidden")
    assert [(r.member_id, r.at) for r in shown] == [
        ("m1", T0 + timedelta(minutes=4)), ("m2", T0 + timedelta(minutes=3))]
    assert len(recent_visitors(tally(visits), lambda m: True, limit=1)) == 1


def order(order_id, buyer, lines, shop=SHOP):
    return ShopOrder(order_id, buyer, shop, tuple(OrderLine(*line) for line in lines))


def test_an_order_counts_when_paid_and_not_refunded_in_either_arrival_order():
    placed = order("o1", "b1", [("p1", 1, 100)])
    assert order_paid(None, placed).counts
    assert not order_refunded(order_paid(None, placed), placed).counts
    assert not order_paid(order_refunded(None, placed), placed).counts  # refund overtook payment


def test_analytics_sum_paid_minus_refunded_per_shop_and_per_product():
    paid = [
        order("o1", "b1", [("tea", 2, 4200), ("cup", 1, 1500)]),
        order("o2", "b2", [("tea", 1, 4200), ("tea", 1, 4000)]),
        order("o3", "b3", [("cup", 3, 1500)]),
    ]
    orders = [order_paid(None, o) for o in paid]
    orders[2] = order_refunded(orders[2], paid[2])                    # refunded: out
    orders.append(order_paid(None, order("o4", SHOP, [("tea", 5, 4200)])))  # owner's own: out
    orders.append(order_paid(None, order("o5", "b1", [("tea", 1, 4200)], shop="other")))
    orders.append(order("o6", "b4", [("tea", 1, 4200)]))             # placed, never paid: out
    visits = [visit(1, member="m1", product="tea"), visit(2, member="m1", product="tea", minutes=1),
              visit(3, key="browser-key-1", product="cup", minutes=2), visit(4, member="m2", minutes=3),
              visit(5, key="browser-key-2", product="mug", minutes=4)]
    views = {"tea": 2, "cup": 1, "mug": 1}
    result = shop_analytics(SHOP, tally(visits), views, orders, lambda m: True)
    assert (result.visits, result.unique_visitors, result.anonymous_visits) == (5, 2, 2)
    assert result.orders == 2
    assert result.sales_cents == 2 * 4200 + 1500 + 4200 + 4000
    figures = {(f.product_id, f.views, f.orders, f.units, f.sales_cents) for f in result.products}
    assert figures == {("tea", 2, 2, 4, 2 * 4200 + 4200 + 4000), ("cup", 1, 1, 1, 1500),
                       ("mug", 1, 0, 0, 0)}
    assert [f.product_id for f in result.products] == ["tea", "cup", "mug"]
    assert [r.member_id for r in result.recent_visitors] == ["m2", "m1"]


def test_product_figures_of_an_empty_shop_are_empty():
    assert product_figures({}, []) == []


def test_only_paid_unrefunded_orders_of_others_through_this_shop_are_counted():
    mine = order_paid(None, order("o1", SHOP, [("tea", 1, 1)]))
    theirs = order_paid(None, order("o2", "b1", [("tea", 1, 1)]))
    elsewhere = order_paid(None, order("o3", "b1", [("tea", 1, 1)], shop="other"))
    unpaid = order("o4", "b1", [("tea", 1, 1)])
    assert counted_orders(SHOP, [mine, theirs, elsewhere, unpaid]) == [theirs]


def test_what_a_member_bought_is_what_they_paid_for_and_kept():
    orders = [order_paid(None, order("o1", "b1", [("tea", 1, 1), ("cup", 1, 1)])),
              order_refunded(order_paid(None, order("o2", "b1", [("kit", 1, 1)])),
                             order("o2", "b1", [("kit", 1, 1)])),
              order_paid(None, order("o3", "b1", [("tea", 2, 1)])),
              order_paid(None, order("o4", "b2", [("mug", 1, 1)]))]
    assert purchased_product_ids(orders, "b1") == ["tea", "cup"]


def test_a_delisting_notice_says_which_product_who_and_why():
    notice = product_delisted("m1", "p1", "Oolong", DelistingReason.BRAND, "quality recall", T0)
    assert notice.type == PRODUCT_DELISTED and notice.product_id == "p1"
    assert "Oolong" in notice.message and "delisted by its brand: quality recall" in notice.message
    assert "slot is free" in notice.message


def test_a_delisting_by_the_platform_says_so_and_a_missing_note_leaves_no_dangling_colon():
    notice = product_delisted("m1", "p1", "Oolong", DelistingReason.PLATFORM, None, T0)
    assert "withdrawn by the platform. It has left your shop" in notice.message


# --- the visit window is the influence window ----------------------------------------------
@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Europe/Berlin", "America/New_York", "UTC"])
@pytest.mark.parametrize("now", [datetime(2026, 3, 29, 0, 30, tzinfo=timezone.utc),   # a DST change
                                 datetime(2026, 11, 1, 15, 59, 59, tzinfo=timezone.utc),
                                 datetime(2026, 11, 1, 16, 0, tzinfo=timezone.utc),     # Shanghai midnight
                                 datetime(2026, 12, 31, 23, 59, tzinfo=timezone.utc)])
def test_the_visit_window_starts_where_the_influence_window_does(zone, now):
    from services.ranking.domain import InfluenceWindow
    start = VisitWindow(zone).starts_at(now)
    influence = InfluenceWindow(zone)
    assert influence.day_of(start) == influence.days(now)[-1]                 # the oldest day counts
    assert not influence.contains(influence.day_of(start - timedelta(microseconds=1)), now)


# --- sensitive products: privacy against inference ------------------------------------------
def sold(n_buyers: int, product: str, amount: int = 1000) -> list[ShopOrder]:
    return [order_paid(None, order(f"{product}-{i}", f"buyer-{i}", [(product, 1, amount)])) for i in range(n_buyers)]


SENSITIVE = {"pill"}


def analytics_of(orders, featured=(), hidden=()):
    visits = [visit(1, member="m1", product="pill"), visit(2, member="m2", product="tea", minutes=1)]
    return shop_analytics(SHOP, tally(visits), {"pill": 1, "tea": 1}, orders, lambda m: m not in hidden,
                          featured=featured, is_sensitive=lambda p: p in SENSITIVE)


def test_a_sensitive_product_with_few_buyers_shows_views_but_no_orders_and_hides_the_visitors():
    result = analytics_of(sold(4, "pill") + sold(2, "tea", amount=300))
    pill = next(f for f in result.products if f.product_id == "pill")
    assert (pill.views, pill.orders, pill.units, pill.sales_cents, pill.withheld) == (1, None, None, None, True)
    # The totals leave it out too, or they would give it away by difference.
    assert (result.orders, result.sales_cents) == (2, 600)
    assert result.recent_visitors == [] and result.recent_visitors_withheld
    assert result.unique_visitors == 2                          # counts are not identities


def test_four_buyers_of_the_same_person_are_one_buyer():
    repeat = [order_paid(None, order(f"o{i}", "same-buyer", [("pill", 1, 1000)])) for i in range(9)]
    assert analytics_of(repeat + sold(3, "pill")).recent_visitors_withheld


def test_five_distinct_buyers_show_everything():
    result = analytics_of(sold(5, "pill"))
    pill = next(f for f in result.products if f.product_id == "pill")
    assert (pill.orders, pill.units, pill.sales_cents, pill.withheld) == (5, 5, 5000, False)
    assert (result.orders, result.sales_cents) == (5, 5000)
    assert [r.member_id for r in result.recent_visitors] == ["m2", "m1"] and not result.recent_visitors_withheld


def test_featuring_a_sensitive_product_hides_the_visitors_before_anyone_buys_it():
    assert analytics_of([], featured=["pill"]).recent_visitors_withheld
    assert not analytics_of([], featured=["tea"]).recent_visitors_withheld


def test_an_order_with_a_sensitive_line_counts_only_its_other_lines():
    mixed = order_paid(None, order("o1", "b1", [("pill", 1, 1000), ("tea", 2, 300)]))
    result = analytics_of([mixed])
    assert (result.orders, result.sales_cents) == (1, 600)
    tea = next(f for f in result.products if f.product_id == "tea")
    assert (tea.orders, tea.units, tea.sales_cents) == (1, 2, 600)
