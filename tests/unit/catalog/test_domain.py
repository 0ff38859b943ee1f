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


def product(product_id: str = "p1", *, status: str = "listed", stock: int = 5, exclusive: int = 900) -> domain.Product:
    return domain.Product(product_id, "b1", f"SKU-{product_id}", "Tea", "tea", 1000, exclusive, 500, stock,
                          created_at=days_ago(60), updated_at=days_ago(60), status=domain.ProductStatus(status))


class TestProduct:
    def test_a_new_product_is_listed_and_announced_with_its_price_as_lowest(self):
        new = domain.Product.list_new("p1", "b1", "S1", name="Tea", category="tea", list_price_cents=1000,
                                      exclusive_price_cents=900, commission_rate_bp=500, stock=3, now=NOW)
        [listed] = new.events
        assert isinstance(listed, domain.ProductListed)
        assert listed.data()["status"] == "listed" and listed.data()["lowest_price_30d_cents"] == 900
        assert listed.data()["revision"] == 1

    def test_a_new_product_checks_its_prices(self):
        with pytest.raises(Unprocessable):
            domain.Product.list_new("p1", "b1", "S1", name="Tea", category="tea", list_price_cents=1000,
                                    exclusive_price_cents=1100, commission_rate_bp=0, stock=3, now=NOW)

    def test_a_change_bumps_the_revision_and_sends_a_card(self):
        p = product()
        assert p.change({"stock": 9}, NOW) is False          # not a price change
        assert (p.stock, p.revision, p.updated_at) == (9, 2, NOW)
        [updated] = p.events
        assert isinstance(updated, domain.ProductUpdated) and updated.data()["revision"] == 2

    def test_a_lower_price_is_the_new_lowest_and_a_higher_one_is_not(self):
        p = product(exclusive=900)
        p.lowest_30d = 800
        assert p.change({"exclusive_price_cents": 700}, NOW) is True
        assert p.lowest_price_30d_cents == 700
        assert p.change({"exclusive_price_cents": 950}, NOW) is True
        assert p.lowest_price_30d_cents == 700

    def test_no_changes_change_nothing_but_the_prices_are_still_checked(self):
        p = product()
        assert p.change({}, NOW) is False and p.revision == 1 and p.events == []
        with pytest.raises(Unprocessable):
            p.change({"exclusive_price_cents": 1001}, NOW)     # above the stored list price
        assert p.exclusive_price_cents == 900


class TestListing:
    def test_delist_and_relist_flip_once(self):
        p = product()
        p.delist(domain.DelistingReason.BRAND, "recalled", NOW)
        assert p.status is domain.DELISTED and p.delist_reason == "recalled"
        with pytest.raises(Conflict):
            p.delist(domain.DelistingReason.BRAND, None, NOW)
        p.relist(NOW)
        assert p.status is domain.LISTED and p.delist_reason is None
        with pytest.raises(Conflict):
            p.relist(NOW)
        assert [type(e) for e in p.events] == [domain.ProductDelisted, domain.ProductRelisted]
        assert p.revision == 3

    def test_the_delisting_says_who_and_what_they_wrote(self):
        p = product()
        p.delist(domain.DelistingReason.PLATFORM, "", NOW)
        assert p.events[0].data() == {"product_id": "p1", "reason": "platform", "note": None, "revision": 2}

    def test_a_merchant_of_the_brand_delists_for_the_brand_an_admin_for_the_platform(self):
        merchant = Principal("m", ("merchant",), brand_id="b1")
        assert domain.delisting_reason(merchant, "b1") is domain.DelistingReason.BRAND
        assert domain.delisting_reason(Principal("a", ("admin",)), "b1") is domain.DelistingReason.PLATFORM

    def test_a_card_is_reannounced_only_while_listed(self):
        p = product()
        assert p.reannounce(850, NOW) is True and p.events[-1].data()["lowest_price_30d_cents"] == 850
        p.delist(domain.DelistingReason.BRAND, None, NOW)
        assert p.reannounce(850, NOW) is False


class TestReservation:
    products = {
        "p1": product("p1", stock=3),
        "p2": product("p2", status="delisted", stock=10),
        "p3": product("p3", stock=0),
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

    def test_a_reservation_answers_with_the_terms_and_releases_once(self):
        reservation = domain.Reservation.reserved("o1", {"p1": 2}, self.products, NOW)
        assert reservation.events[0].data() == {"order_id": "o1", "items": [
            {"product_id": "p1", "quantity": 2, "list_price_cents": 1000, "exclusive_price_cents": 900,
             "commission_rate_bp": 500, "revision": 1}]}
        assert reservation.release(NOW) is True and reservation.release(NOW) is False

    def test_a_rejection_releases_nothing(self):
        rejected = domain.Reservation.rejected("o1", {"p3": 1}, domain.Rejection(domain.StockRejection.OUT_OF_STOCK,
                                                                                 "p3"), NOW)
        assert rejected.events[0].data() == {"order_id": "o1", "items": [{"product_id": "p3", "quantity": 1}],
                                             "reason": "out_of_stock", "product_id": "p3"}
        assert rejected.release(NOW) is False
