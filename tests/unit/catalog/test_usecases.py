"""The catalog's use cases over a SQLite file with a fixed clock: no Flask, no bus.

Each use case is checked by what it saved and by the events it left in the outbox (where
the unit of work wrote them, validated against the contract), which is all a caller sees.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from services.catalog import store, usecases
from services.catalog.usecases import NewProduct
from shared.clock import FixedClock
from shared.db import Database
from shared.failures import Conflict, Forbidden, NotFound, Unprocessable
from shared.principal import Principal

START = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)
ADMIN = Principal("admin-1", ("admin",))
MERCHANT = Principal("m1", ("merchant",), brand_id=None)


@pytest.fixture
def clock():
    return FixedClock(START)


@pytest.fixture
def db(tmp_path, clock):
    database = Database(f"sqlite:///{tmp_path / 'catalog.db'}", store.metadata, producer="catalog", clock=clock)
    database.create_all()
    yield database
    database.dispose()


def outbox(db: Database, event_type: str | None = None) -> list[dict]:
    with db.reading() as conn:
        rows = conn.execute(select(db.outbox.c.envelope).order_by(db.outbox.c.seq)).scalars()
        events = [json.loads(row) for row in rows]
    return [e for e in events if event_type is None or e["type"] == event_type]


@pytest.fixture
def brand(db):
    return usecases.create_brand(db, ADMIN, "West Lake Tea")


@pytest.fixture
def merchant(brand):
    return Principal("m1", ("merchant",), brand_id=brand.id)


def new_product(brand_id: str, **over) -> NewProduct:
    values = dict(brand_id=brand_id, sku="LJ-1", name="Longjing", category="tea", list_price_cents=12000,
                  exclusive_price_cents=9900, commission_rate_bp=1000, stock=5)
    return NewProduct(**{**values, **over})


@pytest.fixture
def product(db, merchant, brand):
    return usecases.create_product(db, merchant, new_product(brand.id))


def in_handler(db: Database):
    """The unit of work an event handler receives (the inbox opens it, shared.bus)."""
    return db.unit_of_work()


class TestBrands:
    def test_an_admin_invites_a_brand_once(self, db, brand):
        assert outbox(db, "catalog.brand.created")[0]["data"] == {"brand_id": brand.id, "name": "West Lake Tea"}
        with pytest.raises(Conflict):
            usecases.create_brand(db, ADMIN, "WEST LAKE TEA")
        assert usecases.get_brand(db, brand.id).name == "West Lake Tea"
        assert usecases.list_brands(db, 1, 20)[1] == 1
        assert len(outbox(db)) == 1

    def test_only_an_admin_invites(self, db):
        with pytest.raises(Forbidden):
            usecases.create_brand(db, MERCHANT, "Other")
        assert outbox(db) == []

    def test_an_unknown_brand_is_not_found(self, db):
        with pytest.raises(NotFound):
            usecases.get_brand(db, "nope")


class TestProducts:
    def test_listing_a_product_announces_its_card(self, db, product):
        [listed] = outbox(db, "catalog.product.listed")
        assert listed["data"]["product_id"] == product.id
        assert listed["data"]["lowest_price_30d_cents"] == 9900 and listed["data"]["status"] == "listed"
        assert usecases.get_product(db, product.id, START).lowest_price_30d_cents == 9900

    def test_a_product_needs_its_brand_a_free_sku_and_its_merchant(self, db, brand, merchant, product):
        with pytest.raises(Conflict):
            usecases.create_product(db, merchant, new_product(brand.id))
        with pytest.raises(Forbidden):
            usecases.create_product(db, Principal("m2", ("merchant",), brand_id="other"), new_product(brand.id,
                                                                                                    sku="X"))
        with pytest.raises(Unprocessable):
            usecases.create_product(db, ADMIN, new_product("no-such-brand", sku="Y"))
        assert len(outbox(db, "catalog.product.listed")) == 1

    def test_a_price_cut_counts_for_30_days(self, db, clock, merchant, product):
        usecases.update_product(db, merchant, product.id, {"exclusive_price_cents": 7000})
        clock.advance(days=10)
        changed = usecases.update_product(db, merchant, product.id, {"exclusive_price_cents": 11000})
        assert changed.lowest_price_30d_cents == 7000 and changed.revision == 3
        cards = outbox(db, "catalog.product.updated")
        assert [c["data"]["lowest_price_30d_cents"] for c in cards] == [7000, 7000]
        clock.advance(days=31)  # 7000 was replaced 31 days ago
        assert usecases.get_product(db, product.id, clock.now()).lowest_price_30d_cents == 11000

    def test_a_product_page_and_a_search_agree_on_the_lowest_price(self, db, clock, merchant, product):
        # The page reads the product and its price history in one statement, a search in
        # two: both must pick the same prices, day after day as old prices leave the window.
        read = lambda: (usecases.get_product(db, product.id, clock.now()).lowest_price_30d_cents,
                        usecases.search_products(db, clock.now(), q=None, category=None, brand_id=None,
                                                 status="all", page=1, per_page=10)[0][0].lowest_price_30d_cents)
        seen = []
        for days, price in ((3, 8000), (12, 10500), (2, 6000), (20, 9000)):
            clock.advance(days=days)
            usecases.update_product(db, merchant, product.id, {"exclusive_price_cents": price})
            seen.append(read())
        for _ in range(5):
            clock.advance(days=7)
            seen.append(read())
        assert all(page == search for page, search in seen)
        # 6000 (day 17) was in effect until day 37: it counts until day 67, then 9000 alone.
        assert [page for page, _ in seen] == [8000, 8000, 6000, 6000, 6000, 6000, 6000, 6000, 9000]

    def test_no_changes_send_no_card(self, db, merchant, product):
        assert usecases.update_product(db, merchant, product.id, {}).revision == 1
        assert outbox(db, "catalog.product.updated") == []

    def test_inconsistent_prices_change_nothing(self, db, merchant, product):
        with pytest.raises(Unprocessable):
            usecases.update_product(db, merchant, product.id, {"exclusive_price_cents": 20000})
        assert usecases.get_product(db, product.id, START).exclusive_price_cents == 9900
        assert outbox(db, "catalog.product.updated") == []

    def test_search_finds_by_text_and_status(self, db, merchant, brand, product):
        usecases.create_product(db, merchant, new_product(brand.id, sku="CUP_1", name="Cup", category="ware"))
        items, total = usecases.search_products(db, START, q="cup_", category=None, brand_id=None, status="listed",
                                                page=1, per_page=10)
        assert total == 1 and items[0].name == "Cup"
        items, total = usecases.search_products(db, START, q=None, category="TEA", brand_id=brand.id,
                                                status="all", page=1, per_page=10)
        assert [p.id for p in items] == [product.id]


class TestListing:
    def test_its_merchant_delists_for_the_brand_with_a_note(self, db, merchant, product):
        delisted = usecases.delist_product(db, merchant, product.id, "recalled")
        assert delisted.status.value == "delisted" and delisted.delist_reason == "recalled"
        [event] = outbox(db, "catalog.product.delisted")
        assert event["data"] == {"product_id": product.id, "reason": "brand", "note": "recalled", "revision": 2}

    def test_an_admin_delists_for_the_platform(self, db, product):
        usecases.delist_product(db, ADMIN, product.id, "")
        [event] = outbox(db, "catalog.product.delisted")
        assert (event["data"]["reason"], event["data"]["note"]) == ("platform", None)

    def test_delist_and_relist_once_each(self, db, merchant, product):
        usecases.delist_product(db, merchant, product.id, None)
        with pytest.raises(Conflict):
            usecases.delist_product(db, merchant, product.id, None)
        relisted = usecases.relist_product(db, merchant, product.id)
        assert relisted.status.value == "listed" and relisted.delist_reason is None
        with pytest.raises(Conflict):
            usecases.relist_product(db, merchant, product.id)
        [card] = outbox(db, "catalog.product.relisted")
        assert card["data"]["revision"] == 3 and card["data"]["status"] == "listed"

    def test_another_brand_cannot_delist(self, db, product):
        with pytest.raises(Forbidden):
            usecases.delist_product(db, Principal("m2", ("merchant",), brand_id="other"), product.id, None)
        with pytest.raises(NotFound):
            usecases.delist_product(db, ADMIN, "nope", None)


class TestStock:
    def reserve(self, db, order_id, *lines):
        with in_handler(db) as uow:
            usecases.reserve_stock(uow, order_id, [{"product_id": p, "quantity": q} for p, q in lines])

    def release(self, db, order_id, *lines):
        with in_handler(db) as uow:
            usecases.release_stock(uow, order_id, [{"product_id": p, "quantity": q} for p, q in lines])

    def stock(self, db, product_id):
        return usecases.get_product(db, product_id, START).stock

    def test_a_reservation_takes_stock_and_answers_with_the_terms(self, db, product):
        self.reserve(db, "o1", (product.id, 2), (product.id, 1))
        assert self.stock(db, product.id) == 2
        [reserved] = outbox(db, "catalog.stock.reserved")
        assert reserved["data"]["items"] == [{"product_id": product.id, "quantity": 3, "list_price_cents": 12000,
                                              "exclusive_price_cents": 9900, "commission_rate_bp": 1000,
                                              "revision": 1}]
        self.reserve(db, "o1", (product.id, 2))            # the same order again: decided already
        assert self.stock(db, product.id) == 2 and len(outbox(db, "catalog.stock.reserved")) == 1

    def test_rejections_say_why_and_take_nothing(self, db, merchant, product):
        self.reserve(db, "o1", (product.id, 6))
        self.reserve(db, "o2", ("nope", 1))
        usecases.delist_product(db, merchant, product.id, None)
        self.reserve(db, "o3", (product.id, 1))
        assert [(e["data"]["reason"], e["data"]["product_id"]) for e in outbox(db, "catalog.stock.rejected")] == [
            ("out_of_stock", product.id), ("unknown_product", "nope"), ("delisted", product.id)]
        assert self.stock(db, product.id) == 5

    def test_a_release_gives_back_once_and_a_rejected_order_nothing(self, db, product):
        self.reserve(db, "o1", (product.id, 3))
        self.release(db, "o1", (product.id, 3))
        self.release(db, "o1", (product.id, 3))
        assert self.stock(db, product.id) == 5
        self.reserve(db, "o2", (product.id, 9))
        self.release(db, "o2", (product.id, 9))
        assert self.stock(db, product.id) == 5

    def test_a_cancellation_that_overtakes_the_placement_leaves_a_tombstone(self, db, product):
        self.release(db, "o1", (product.id, 2))
        self.reserve(db, "o1", (product.id, 2))
        assert self.stock(db, product.id) == 5
        assert outbox(db, "catalog.stock.reserved") == [] and outbox(db, "catalog.stock.rejected") == []


class TestAgedPrices:
    def test_a_fresh_card_when_a_low_price_ages_out_once(self, db, clock, merchant, product):
        assert usecases.announce_aged_prices(db, clock.now()) == 0
        usecases.update_product(db, merchant, product.id, {"exclusive_price_cents": 7000})
        clock.advance(days=10)
        usecases.update_product(db, merchant, product.id, {"exclusive_price_cents": 11000})
        clock.advance(days=15)
        assert usecases.announce_aged_prices(db, clock.now()) == 0
        clock.advance(days=16)
        assert usecases.announce_aged_prices(db, clock.now()) == 1
        assert usecases.announce_aged_prices(db, clock.now()) == 0
        cards = outbox(db, "catalog.product.updated")
        assert cards[-1]["data"]["lowest_price_30d_cents"] == 11000
        assert cards[-1]["data"]["revision"] == 4

    def test_a_delisted_product_gets_no_card(self, db, clock, merchant, product):
        usecases.announce_aged_prices(db, clock.now())
        usecases.update_product(db, merchant, product.id, {"exclusive_price_cents": 7000})
        usecases.delist_product(db, merchant, product.id, None)
        clock.advance(days=31)
        assert usecases.announce_aged_prices(db, clock.now()) == 0
