from datetime import datetime, timedelta, timezone

from services.shop.domain.cards import (DELISTED, LISTED, card_delisted, card_listed,
                                        card_updated, delisting_cutoff)

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=timezone.utc)
CARD = {"brand_id": "b1", "name": "Tea", "category": "food", "image_url": None,
        "list_price_cents": 5000, "exclusive_price_cents": 4200, "commission_rate_bp": 500,
        "sensitive": False, "lowest_price_30d_cents": 4200}


def test_a_listing_creates_a_listed_card():
    card = card_listed(None, "p1", CARD, 1)
    assert card.is_listed and card.name == "Tea" and card.exclusive_price_cents == 4200


def test_an_update_changes_prices():
    card = card_listed(None, "p1", CARD, 1)
    card = card_updated(card, "p1", {**CARD, "exclusive_price_cents": 3900}, 2)
    assert card.exclusive_price_cents == 3900 and card.is_listed


def test_an_update_arriving_after_a_delisting_does_not_relist():
    card = card_listed(None, "p1", CARD, 1)
    card = card_delisted(card, "p1", 3)
    card = card_updated(card, "p1", {**CARD, "list_price_cents": 6000}, 2)
    assert card.status == DELISTED
    assert card.list_price_cents == 6000  # the price is still news


def test_an_older_update_does_not_overwrite_a_newer_one():
    card = card_listed(None, "p1", CARD, 1)
    card = card_updated(card, "p1", {**CARD, "exclusive_price_cents": 3000}, 4)
    card = card_updated(card, "p1", {**CARD, "exclusive_price_cents": 4000}, 3)
    assert card.exclusive_price_cents == 3000


def test_a_redelivered_delisting_leaves_the_card_delisted():
    card = card_listed(None, "p1", CARD, 1)
    once = card_delisted(card, "p1", 2)
    assert card_delisted(once, "p1", 2) == once


def test_a_delisting_before_its_listing_arrives_keeps_the_product_unfeaturable():
    card = card_delisted(None, "p1", 2)
    card = card_listed(card, "p1", CARD, 1)
    assert card.status == DELISTED and card.name == "Tea"


def test_a_relisting_after_a_delisting_lists_again():
    card = card_delisted(card_listed(None, "p1", CARD, 1), "p1", 2)
    card = card_listed(card, "p1", CARD, 3)
    assert card.status == LISTED


def test_a_stale_relisting_does_not_undo_a_newer_delisting():
    card = card_delisted(card_listed(None, "p1", CARD, 1), "p1", 4)
    card = card_listed(card, "p1", {**CARD, "name": "Green tea"}, 3)
    assert card.status == DELISTED
    assert card.name == "Green tea"  # revision 3's text is still newer than revision 1's


def test_a_delisting_removes_every_featured_entry_when_the_product_is_delisted():
    card = card_delisted(card_listed(None, "p1", CARD, 1), "p1", 2)
    assert delisting_cutoff(card, T0) is None


def test_a_late_delisting_after_a_relisting_removes_only_entries_featured_before_it():
    card = card_listed(card_listed(None, "p1", CARD, 1), "p1", CARD, 3)
    card = card_delisted(card, "p1", 2)
    assert card.is_listed
    assert delisting_cutoff(card, T0 + timedelta(hours=1)) == T0 + timedelta(hours=1)
