from datetime import datetime, timedelta, timezone

import pytest

from services.shop.domain.cards import DELISTED, ProductCard
from services.shop.domain.events import FeaturedAdded, FeaturedRemoved, RemovalReason
from services.shop.domain.featured import BASE_SLOTS, LOCK_PERIOD, Influence, Shop, delisted_everywhere
from shared.failures import Conflict, NotFound, Unprocessable

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=timezone.utc)


def card(product_id: str, **kw) -> ProductCard:
    return ProductCard(product_id=product_id, name=f"name {product_id}", **kw)


def feature(shop: Shop, product_id: str, now: datetime = T0):
    return shop.feature(card(product_id), product_id=product_id, now=now)


def full_shop(count: int = BASE_SLOTS) -> Shop:
    shop = Shop("m1")
    for i in range(count):
        feature(shop, f"p{i}")
    return shop


def test_a_new_shop_has_the_base_four_slots():
    assert BASE_SLOTS == 4
    shop = Shop("m1")
    assert shop.slots == 4 and shop.free_slots == 4 and shop.influence.tier == 1


def test_featuring_a_listed_product_takes_a_slot_and_locks_it_for_72_hours():
    shop = Shop("m1")
    entry = feature(shop, "p1")
    assert entry.featured_at == T0
    assert entry.locked_until == T0 + timedelta(hours=72)
    assert LOCK_PERIOD == timedelta(hours=72)
    assert shop.free_slots == 3
    assert [f.product_id for f in shop.featured] == ["p1"]


def test_an_unknown_product_cannot_be_featured():
    shop = Shop("m1")
    with pytest.raises(Unprocessable) as caught:
        shop.feature(None, product_id="ghost", now=T0)
    assert "product_id" in caught.value.errors
    assert shop.featured == []


def test_a_delisted_product_cannot_be_featured():
    shop = Shop("m1")
    with pytest.raises(Unprocessable) as caught:
        shop.feature(card("p1", status=DELISTED), product_id="p1", now=T0)
    assert caught.value.errors == {"product_id": ["product is not listed"]}
    assert shop.featured == []


def test_featuring_the_same_product_twice_is_a_conflict():
    shop = Shop("m1")
    feature(shop, "p1")
    with pytest.raises(Conflict) as caught:
        feature(shop, "p1", T0 + timedelta(hours=100))
    assert caught.value.extra["product_id"] == "p1"
    assert len(shop.featured) == 1


def test_when_every_slot_is_taken_featuring_is_a_conflict():
    shop = full_shop()
    with pytest.raises(Conflict) as caught:
        feature(shop, "p-extra")
    assert caught.value.extra == {"slots": 4, "featured": 4}
    assert len(shop.featured) == 4


def test_a_higher_tier_gives_more_slots():
    shop = full_shop()
    shop.apply_influence(score=1200, tier=2, slots=6, occurred_at=T0)
    assert shop.slots == 6 and shop.free_slots == 2
    feature(shop, "p4")
    feature(shop, "p5")
    with pytest.raises(Conflict):
        feature(shop, "p6")


def test_after_a_tier_drop_the_shop_keeps_its_products_but_can_add_none():
    shop = Shop("m1")
    shop.apply_influence(score=1200, tier=2, slots=6, occurred_at=T0)
    for i in range(6):
        feature(shop, f"p{i}")
    shop.apply_influence(score=10, tier=1, slots=4, occurred_at=T0 + timedelta(days=1))
    assert len(shop.featured) == 6 and len(shop.over_count()) == 2 and shop.free_slots == 0
    with pytest.raises(Conflict):
        feature(shop, "p-new", T0 + timedelta(days=5))
    # Removing one still leaves it over its count: still nothing can be added.
    later = T0 + timedelta(days=5)
    shop.unfeature("p0", now=later)
    shop.unfeature("p1", now=later)
    with pytest.raises(Conflict):
        feature(shop, "p-new", later)
    shop.unfeature("p2", now=later)
    feature(shop, "p-new", later)
    assert len(shop.featured) == 4


def test_an_influence_change_older_than_the_one_applied_is_ignored():
    shop = Shop("m1")
    shop.apply_influence(score=3500, tier=3, slots=8, occurred_at=T0 + timedelta(hours=2))
    shop.apply_influence(score=1200, tier=2, slots=6, occurred_at=T0 + timedelta(hours=1))
    assert (shop.influence.score, shop.influence.tier, shop.slots) == (3500, 3, 8)


def test_an_influence_change_out_of_range_is_refused():
    with pytest.raises(Unprocessable) as caught:
        Influence().changed(score=-1, tier=0, slots=-2, occurred_at=T0)
    assert set(caught.value.errors) == {"score", "tier", "slots"}


def test_removing_a_featured_product_one_minute_before_72_hours_is_a_conflict_saying_until_when():
    shop = Shop("m1")
    feature(shop, "p1")
    with pytest.raises(Conflict) as caught:
        shop.unfeature("p1", now=T0 + timedelta(hours=71, minutes=59))
    assert caught.value.extra == {"locked_until": "2026-11-04T08:00:00Z"}
    assert [f.product_id for f in shop.featured] == ["p1"]


def test_removing_a_featured_product_at_exactly_72_hours_frees_its_slot():
    shop = full_shop()
    removed = shop.unfeature("p0", now=T0 + timedelta(hours=72))
    assert removed.product_id == "p0"
    assert shop.free_slots == 1
    assert shop.find("p0") is None


def test_removing_a_product_that_is_not_featured_is_not_found():
    with pytest.raises(NotFound):
        Shop("m1").unfeature("p1", now=T0)


def test_a_delisting_tells_of_one_removal_per_featuring_shop():
    # The store removes it from every shop at once, lock or not (store.shops.drop_delisted).
    outcome = delisted_everywhere("p2", ["m1", "m2"])
    assert outcome.events == [FeaturedRemoved("m1", "p2", RemovalReason.DELISTED),
                              FeaturedRemoved("m2", "p2", RemovalReason.DELISTED)]
    assert outcome.events[0].data() == {"member_id": "m1", "product_id": "p2", "reason": "delisted"}


def test_the_shop_records_what_enters_and_leaves_it():
    shop = Shop("m1")
    feature(shop, "p1")
    shop.unfeature("p1", now=T0 + LOCK_PERIOD)
    assert shop.events == [FeaturedAdded("m1", "p1"), FeaturedRemoved("m1", "p1", RemovalReason.REMOVED)]


# --- slots follow the tier both ways --------------------------------------------------------
def shop_of_six_then_four() -> Shop:
    shop = Shop("m1", influence=Influence(score=1200, tier=2, slots=6))
    for n in range(6):
        feature(shop, f"p{n}", T0 + timedelta(hours=n))
    shop.apply_influence(score=10, tier=1, slots=4, occurred_at=T0 + timedelta(hours=6))
    return shop


def test_over_a_lower_count_the_newest_products_are_the_ones_over_it():
    shop = shop_of_six_then_four()
    assert [f.product_id for f in shop.over_count()] == ["p5", "p4"]
    assert shop.free_slots == 0
    with pytest.raises(Conflict):
        feature(shop, "p9", T0 + timedelta(hours=7))


def test_each_leaves_only_when_its_own_lock_ends():
    shop = shop_of_six_then_four()
    assert shop.release_over_count(T0 + LOCK_PERIOD + timedelta(hours=3)) == []
    assert [f.product_id for f in shop.release_over_count(T0 + LOCK_PERIOD + timedelta(hours=4))] == ["p4"]
    assert [f.product_id for f in shop.release_over_count(T0 + LOCK_PERIOD + timedelta(hours=5))] == ["p5"]
    assert [f.product_id for f in shop.featured] == ["p0", "p1", "p2", "p3"] and shop.over_count() == []


def test_within_the_count_nothing_is_over_it():
    shop = Shop("m1")
    feature(shop, "p1")
    assert shop.over_count() == [] and shop.release_over_count(T0 + LOCK_PERIOD) == []
