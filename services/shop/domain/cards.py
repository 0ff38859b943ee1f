"""The shop's own copy of product cards, fed by catalog events.

The shop page never calls the catalog, so the shop keeps what it shows: name, image,
prices, and whether the product is still listed. Events can arrive twice or out of order
(an update after a delisting, a relisting before the delisting it undoes). The catalog
numbers each product's changes (`revision`); each part of a card keeps the revision it came
from, and an older event never overwrites a newer one.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

LISTED = "listed"
DELISTED = "delisted"

CARD_FIELDS = ("brand_id", "name", "category", "image_url", "list_price_cents",
               "exclusive_price_cents", "commission_rate_bp", "sensitive",
               "lowest_price_30d_cents")


@dataclass(frozen=True)
class ProductCard:
    product_id: str
    brand_id: str | None = None
    name: str = ""
    category: str | None = None
    image_url: str | None = None
    list_price_cents: int = 0
    exclusive_price_cents: int = 0
    commission_rate_bp: int = 0
    sensitive: bool = False
    lowest_price_30d_cents: int | None = None
    status: str = LISTED
    # The catalog revision that last set the fields above, and the status (None: never).
    card_revision: int | None = None
    status_revision: int | None = None

    @property
    def is_listed(self) -> bool:
        return self.status == LISTED


def _newer(revision: int, than: int | None) -> bool:
    # Equal revisions: the later arrival wins, so a redelivery of one event is harmless.
    return than is None or revision >= than


def _with_fields(card: ProductCard, data: dict, revision: int) -> ProductCard:
    if not _newer(revision, card.card_revision):
        return card
    values = {name: data[name] for name in CARD_FIELDS if name in data}
    return replace(card, **values, card_revision=revision)


def _with_status(card: ProductCard, status: str, revision: int) -> ProductCard:
    if not _newer(revision, card.status_revision):
        return card
    return replace(card, status=status, status_revision=revision)


def card_listed(current: ProductCard | None, product_id: str, data: dict, revision: int) -> ProductCard:
    """`catalog.product.listed` and `.relisted`: the card, and the product is on sale."""
    card = current or ProductCard(product_id=product_id)
    return _with_status(_with_fields(card, data, revision), LISTED, revision)


def card_updated(current: ProductCard | None, product_id: str, data: dict, revision: int) -> ProductCard:
    """`catalog.product.updated`: new text or prices; the listing state is not touched, so
    an update that arrives after a delisting does not bring the product back."""
    card = current or ProductCard(product_id=product_id)
    return _with_fields(card, data, revision)


def card_delisted(current: ProductCard | None, product_id: str, revision: int) -> ProductCard:
    """`catalog.product.delisted`. With no card yet (the listing is still on its way) a
    bare card records the delisting, so the late listing cannot make it featurable."""
    card = current or ProductCard(product_id=product_id)
    return _with_status(card, DELISTED, revision)


def delisting_cutoff(card_after: ProductCard, delisted_at: datetime) -> datetime | None:
    """Which featured entries a delisting removes from shops.

    None: every one (the product is delisted now). A time: only the entries featured up to
    that time, because the delisting reached us after a newer relisting, and a shop that
    featured the product after it came back keeps it.
    """
    return None if not card_after.is_listed else delisted_at


def card_from_owner(current: ProductCard | None, product_id: str, product: dict) -> ProductCard:
    """The catalog's own answer about a product the shop asked for (a read-through): its
    fields and its listing state, at its revision, under the same newer-wins rule as events,
    so the event that brings the same revision later changes nothing."""
    card = current or ProductCard(product_id=product_id)
    revision = int(product["revision"])
    return _with_status(_with_fields(card, product, revision), product["status"], revision)
