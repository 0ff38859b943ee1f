"""What counts towards a shop's influence, and that payments and refunds commute."""
from collections import Counter
from datetime import datetime, timedelta, timezone
from itertools import permutations

import pytest

from services.ranking.domain import (
    Breakdown, Effect, InfluenceLedger, InfluenceWindow, OrderFacts, Privacy, contribution_change,
    counts_as_visitor, is_member_activity, stamp,
)

UTC = timezone.utc
NOW = datetime(2026, 11, 1, 4, 0, tzinfo=UTC)
WINDOW = InfluenceWindow("Asia/Shanghai")
SHOP = "shop-1"


def paid(order_id, buyer, total, at=NOW, shop=SHOP):
    return OrderFacts.from_event("order.paid", {"order_id": order_id, "buyer_id": buyer, "shop_id": shop,
                                                "total_cents": total}, at, WINDOW)


def refunded(order_id, buyer, total, at=NOW, shop=SHOP):
    return OrderFacts.from_event("order.refunded", {"order_id": order_id, "buyer_id": buyer, "shop_id": shop,
                                                    "total_cents": total}, at, WINDOW)


def replay(facts):
    """Apply facts in the given order to a ledger and to buckets the way a store would."""
    ledger = InfluenceLedger(SHOP)
    sales, live = Counter(), Counter()
    for fact in facts:
        change = ledger.record_order(fact)
        if change:
            sales[change.day] += change.sales_cents
            live[(change.day, change.buyer_id)] += change.live_orders
            assert sales[change.day] >= 0 and live[(change.day, change.buyer_id)] >= 0
    return ledger, +sales, +live


def test_a_paid_order_through_the_shop_counts_its_total_and_its_buyer():
    ledger, sales, live = replay([paid("o1", "b1", 25_000)])
    assert ledger.breakdown(WINDOW, NOW) == Breakdown(sales_cents=25_000, distinct_buyers=1)
    assert sales == {"20261101": 25_000} and live == {("20261101", "b1"): 1}


def test_buying_through_your_own_shop_counts_nothing():
    ledger, sales, live = replay([paid("o1", SHOP, 25_000)])
    assert ledger.breakdown(WINDOW, NOW) == Breakdown()
    assert not sales and not live


def test_an_order_through_no_shop_counts_nothing():
    assert paid("o1", "b1", 500, shop=None).contribution() is None


def test_a_refund_takes_sales_and_buyer_back_out():
    ledger, sales, live = replay([paid("o1", "b1", 25_000), refunded("o1", "b1", 25_000)])
    assert ledger.breakdown(WINDOW, NOW) == Breakdown()
    assert not sales and not live


def test_a_buyer_stays_while_another_of_their_orders_is_unrefunded():
    ledger, _, _ = replay([paid("o1", "b1", 1_000), paid("o2", "b1", 3_000), refunded("o1", "b1", 1_000)])
    assert ledger.breakdown(WINDOW, NOW) == Breakdown(sales_cents=3_000, distinct_buyers=1)


def test_distinct_buyers_are_exact():
    ledger, _, _ = replay([paid("o1", "b1", 100), paid("o2", "b1", 100), paid("o3", "b2", 100),
                           paid("o4", "b3", 100), refunded("o4", "b3", 100)])
    assert ledger.breakdown(WINDOW, NOW).distinct_buyers == 2


def test_a_refund_before_its_payment_moves_nothing_until_the_payment_arrives():
    ledger = InfluenceLedger(SHOP)
    assert ledger.record_order(refunded("o1", "b1", 900)) is None
    assert ledger.record_order(paid("o1", "b1", 900)) is None
    assert ledger.breakdown(WINDOW, NOW) == Breakdown()


def test_a_redelivered_payment_moves_nothing():
    ledger = InfluenceLedger(SHOP)
    assert ledger.record_order(paid("o1", "b1", 900)).live_orders == 1
    assert ledger.record_order(paid("o1", "b1", 900)) is None
    assert ledger.breakdown(WINDOW, NOW).sales_cents == 900


EVENTS = [
    paid("o1", "b1", 10_000), refunded("o1", "b1", 10_000),
    paid("o2", "b1", 2_500),
    refunded("o3", "b2", 7_000), paid("o3", "b2", 7_000, at=NOW - timedelta(days=2)),
    paid("o4", "b3", 40_000, at=NOW - timedelta(days=1)),
    paid("o5", SHOP, 99_999),
]


def test_every_arrival_order_ends_in_the_same_state():
    outcomes = set()
    for order in permutations(EVENTS):
        ledger, sales, live = replay(order)
        outcomes.add((ledger.breakdown(WINDOW, NOW), tuple(sorted(sales.items())), tuple(sorted(live.items()))))
    assert len(outcomes) == 1
    breakdown, sales, live = outcomes.pop()
    assert breakdown == Breakdown(sales_cents=42_500, distinct_buyers=2)
    assert dict(sales) == {"20261101": 2_500, "20261031": 40_000}
    assert dict(live) == {("20261101", "b1"): 1, ("20261031", "b3"): 1}


def test_a_sale_belongs_to_its_payment_day_and_a_late_refund_takes_it_from_there():
    paid_at = datetime(2026, 10, 3, 4, 0, tzinfo=UTC)
    ledger = InfluenceLedger(SHOP)
    ledger.record_order(paid("o1", "b1", 5_000, at=paid_at))
    assert ledger.breakdown(WINDOW, NOW).sales_cents == 5_000          # day 30: still in
    assert ledger.breakdown(WINDOW, NOW + timedelta(days=1)).sales_cents == 0  # day 31: out
    change = ledger.record_order(refunded("o1", "b1", 5_000, at=paid_at + timedelta(days=6)))
    assert change.day == "20261003" and change.sales_cents == -5_000 and change.live_orders == -1


def test_the_contribution_change_between_two_states():
    before = paid("o1", "b1", 800)
    after = before.merge(refunded("o1", "b1", 800))
    assert contribution_change(None, before).sales_cents == 800
    assert contribution_change(before, after).sales_cents == -800
    assert contribution_change(after, after) is None


def test_facts_of_two_orders_do_not_merge():
    with pytest.raises(ValueError):
        paid("o1", "b1", 1).merge(paid("o2", "b1", 1))


@pytest.mark.parametrize("visitor, counts", [("m2", True), ("anon-7f3a", True), (SHOP, False), ("", False), (None, False),
                                             ("anon:7f3a9c21", False)])
def test_a_visitor_is_a_signed_in_member_other_than_the_owner(visitor, counts):
    assert counts_as_visitor(SHOP, visitor) is counts


def test_unique_visitors_are_distinct_over_the_window():
    ledger = InfluenceLedger(SHOP)
    for visitor, back in [("m2", 0), ("m2", 3), ("anon-1", 1), (SHOP, 0), ("m3", 30)]:
        ledger.record_visit(visitor, WINDOW.day_of(NOW - timedelta(days=back)))
    assert ledger.breakdown(WINDOW, NOW).unique_visitors == 2  # m2 twice, the owner, and m3 on day 31


@pytest.mark.parametrize("event_type, data, active", [
    ("shop.featured.added", {"member_id": SHOP}, True),
    ("shop.featured.removed", {"member_id": SHOP, "reason": "removed"}, True),
    ("shop.featured.removed", {"member_id": SHOP}, True),
    ("shop.featured.removed", {"member_id": SHOP, "reason": "delisted"}, False),  # the platform did it
    ("shop.member.updated", {"member_id": SHOP}, True),
    ("shop.visited", {"shop_id": SHOP}, False),
    ("shop.privacy.changed", {"member_id": SHOP}, False),
])
def test_what_makes_an_active_day(event_type, data, active):
    assert is_member_activity(event_type, data) is active


def test_active_days_count_each_day_once_and_only_inside_the_window():
    ledger = InfluenceLedger(SHOP)
    for back in (0, 0, 1, 29, 30, 45):
        ledger.record_activity(WINDOW.day_of(NOW - timedelta(days=back)))
    assert ledger.breakdown(WINDOW, NOW).active_days == 3


def test_the_whole_breakdown_of_a_busy_month():
    ledger = InfluenceLedger(SHOP)
    ledger.record_order(paid("o1", "b1", 120_050, at=NOW - timedelta(days=5)))
    ledger.record_order(paid("o2", "b2", 30_000, at=NOW - timedelta(days=40)))  # long gone
    ledger.record_visit("b1", "20261027")
    ledger.record_visit("b2", "20261101")
    ledger.record_activity("20261101")
    b = ledger.breakdown(WINDOW, NOW)
    assert b == Breakdown(sales_cents=120_050, unique_visitors=2, distinct_buyers=1, active_days=1)
    assert b.score == 1200 + 4 + 20 + 10


def test_an_effect_on_a_day_outside_the_window_keeps_only_what_never_expires():
    effect = Effect(order=paid("o1", "b1", 100), visitor="m2", active_day="20261002", nickname="Lin",
                    privacy=Privacy(), friend=("m3", True))
    assert effect.within(WINDOW, "20261003", NOW) == effect
    kept = effect.within(WINDOW, "20261002", NOW)
    assert kept == Effect(nickname="Lin", privacy=Privacy(), friend=("m3", True))
    assert Effect(visitor="m2").within(WINDOW, "20261002", NOW).is_empty


def test_stamps_order_facts_by_time_then_event_id():
    early = stamp(NOW, "ffff")
    later = stamp(NOW + timedelta(microseconds=1), "0000")
    assert early < later
    assert stamp(NOW, "aaaa") < stamp(NOW, "bbbb")
    assert stamp(datetime(2026, 1, 1, tzinfo=UTC), "x") < stamp(datetime(2126, 1, 1, tzinfo=UTC), "x")
