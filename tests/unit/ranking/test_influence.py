"""The influence formula and the tiers it buys."""
import pytest

from services.ranking.domain import (
    TIERS, Breakdown, Influence, influence_changed, next_tier, tier_for,
)


def test_each_term_of_the_formula_earns_its_own_points():
    b = Breakdown(sales_cents=12_345, unique_visitors=7, distinct_buyers=3, active_days=2)
    assert (b.sales_points, b.visitor_points, b.buyer_points, b.activity_points) == (123, 14, 60, 20)
    assert b.score == 123 + 14 + 60 + 20


@pytest.mark.parametrize("sales_cents, points", [(0, 0), (99, 0), (100, 1), (199, 1), (200, 2), (1_000_099, 10_000)])
def test_sales_points_are_floored_whole_yuan(sales_cents, points):
    assert Breakdown(sales_cents=sales_cents).score == points


@pytest.mark.parametrize("field, weight", [("unique_visitors", 2), ("distinct_buyers", 20), ("active_days", 10)])
def test_counted_terms_are_weighted_as_the_contract_says(field, weight):
    assert Breakdown(**{field: 1}).score == weight
    assert Breakdown(**{field: 13}).score == 13 * weight


def test_an_empty_window_scores_nothing():
    assert Breakdown().score == 0


@pytest.mark.parametrize("score, level, slots", [
    (0, 1, 4), (999, 1, 4),
    (1000, 2, 6), (2999, 2, 6),
    (3000, 3, 8), (9999, 3, 8),
    (10000, 4, 12), (250_000, 4, 12),
])
def test_tier_and_slots_at_each_boundary(score, level, slots):
    tier = tier_for(score)
    assert (tier.level, tier.slots) == (level, slots)


@pytest.mark.parametrize("score, level, needed, missing", [
    (0, 2, 1000, 1000), (999, 2, 1000, 1), (1000, 3, 3000, 2000),
    (2999, 3, 3000, 1), (3000, 4, 10000, 7000), (9999, 4, 10000, 1),
])
def test_next_tier_says_what_is_missing(score, level, needed, missing):
    upcoming = next_tier(score)
    assert (upcoming.tier.level, upcoming.score_needed, upcoming.points_missing) == (level, needed, missing)


@pytest.mark.parametrize("score", [10000, 10001, 99_999])
def test_there_is_no_next_tier_at_the_top(score):
    assert next_tier(score) is None


def test_tiers_rise_in_score_and_slots():
    assert [t.level for t in TIERS] == [1, 2, 3, 4]
    assert all(a.min_score < b.min_score and a.slots < b.slots for a, b in zip(TIERS, TIERS[1:]))


def test_influence_joins_breakdown_score_tier_and_next_tier():
    standing = Influence("m1", Breakdown(sales_cents=100_000, unique_visitors=100, distinct_buyers=5, active_days=10))
    assert standing.score == 1000 + 200 + 100 + 100
    assert standing.tier.level == 2
    assert standing.next_tier.points_missing == 3000 - 1400


@pytest.mark.parametrize("before, after, changed", [
    (None, 0, False),    # a new member at 0 is what the shop assumes already
    (None, 1, True),
    (10, 10, False),
    (10, 11, True),      # a score change inside a tier is announced too
    (1000, 999, True),   # and so is a drop below a tier
])
def test_when_the_influence_is_announced(before, after, changed):
    assert influence_changed(before, after) is changed
