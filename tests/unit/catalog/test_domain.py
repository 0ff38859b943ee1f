"""The catalog's rules without Flask or a database."""
from datetime import datetime, timedelta, timezone

import pytest

from services.catalog import domain
from shared.principal import Principal
from shared.failures import Conflict, Forbidden, Unprocessable

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)


def days_ago(n: float) -> datetime:
    return NOW - timedelta(days=n)


class TestWhoManagesWhat:
    def test_only_admin_creates_brands(self):
        domain.ensure_can_create_brand(Principal("a", ("admin",)))
        with pytest.raises(Forbidden):
            domain.ensure_can_create_brand(Principal("m", ("merchant",), brand_id="b1"))
        with pytest.raises(Forbidden):
            domain.ensure_can_create_brand(Principal("u", ("member",)))

    def test_merchant_manages_only_own_brand(self):
        domain.ensure_can_manage(Principal("m", ("merchant",), brand_id="b1"), "b1")
        with pytest.raises(Forbidden):
            domain.ensure_can_manage(Principal("m", ("merchant",), brand_id="b1"), "b2")

    def test_member_with_a_brand_claim_is_not_a_merchant(self):
        with pytest.raises(Forbidden):
            domain.ensure_can_manage(Principal("u", ("member",), brand_id="b1"), "b1")

    def test_admin_manages_every_brand(self):
        domain.ensure_can_manage(Principal("a", ("admin",)), "anything")


class TestPrices:
    def test_exclusive_above_list_is_refused(self):
        with pytest.raises(Unprocessable) as exc:
            domain.check_prices(1000, 1001, 0)
        assert "exclusive_price_cents" in exc.value.errors

    def test_equal_prices_and_bounds_of_commission(self):
        domain.check_prices(1000, 1000, 0)
        domain.check_prices(1000, 1, 5000)
        with pytest.raises(Unprocessable):
            domain.check_prices(1000, 900, 5001)
        with pytest.raises(Unprocessable):
            domain.check_prices(1000, 900, -1)

    def test_lowest_price_includes_the_current_one(self):
        assert domain.lowest_price([(days_ago(1), 800)], NOW) == 800

    def test_lowest_price_over_the_window(self):
        changes = [(days_ago(20), 700), (days_ago(10), 900), (days_ago(2), 850)]
        assert domain.lowest_price(changes, NOW) == 700

    def test_a_price_from_day_31_counts_only_while_it_was_in_effect(self):
        # 600 was set 40 days ago and replaced 29 days ago: it was still on sale when the
        # window opened 30 days ago, so it counts...
        assert domain.lowest_price([(days_ago(40), 600), (days_ago(29), 900)], NOW) == 600
        # ...but once it was replaced before the window opened, it no longer does.
        assert domain.lowest_price([(days_ago(40), 600), (days_ago(31), 900), (days_ago(5), 950)], NOW) == 900

    def test_future_prices_are_ignored(self):
        assert domain.lowest_price([(days_ago(3), 900), (NOW + timedelta(days=1), 100)], NOW) == 900


class TestListing:
    def test_delist_and_relist_flip_once(self):
        assert domain.delist("listed") == "delisted"
        assert domain.relist("delisted") == "listed"
        with pytest.raises(Conflict):
            domain.delist("delisted")
        with pytest.raises(Conflict):
            domain.relist("listed")


class TestReservation:
    products = {
        "p1": {"status": "listed", "stock": 3},
        "p2": {"status": "delisted", "stock": 10},
        "p3": {"status": "listed", "stock": 0},
    }

    def test_lines_of_one_product_add_up(self):
        assert domain.merge_items([{"product_id": "p1", "quantity": 2}, {"product_id": "p1", "quantity": 2}]) == {"p1": 4}

    def test_enough_stock_is_accepted(self):
        assert domain.check_reservation({"p1": 3}, self.products) is None

    def test_merged_lines_can_exceed_stock(self):
        wanted = domain.merge_items([{"product_id": "p1", "quantity": 2}, {"product_id": "p1", "quantity": 2}])
        assert domain.check_reservation(wanted, self.products) == domain.Rejection("out_of_stock", "p1")

    def test_reasons_rank_unknown_then_delisted_then_stock(self):
        assert domain.check_reservation({"p3": 1, "p2": 1, "zz": 1}, self.products).reason == "unknown_product"
        assert domain.check_reservation({"p3": 1, "p2": 1}, self.products).reason == "delisted"
        assert domain.check_reservation({"p3": 1, "p1": 1}, self.products) == domain.Rejection("out_of_stock", "p3")
