"""The shop's own copy of product cards, fed by catalog events.

The shop page never calls the catalog, so the shop keeps what it shows: name, image,
prices, and whether the product is still listed. Events can arrive twice or out of order
(an update after a delisting, a relisting before the delisting it undoes); each part of a
card keeps the time of the event it came from, and an older event never overwrites a newer
one.
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
    # When the fields above, and the status, were last set by an event (None: never).
    card_as_of: datetime | None = None
    status_as_of: datetime | None = None

    @property
    def is_listed(self) -> bool:
        return self.status == LISTED


def _newer(at: datetime, than: datetime | None) -> bool:
    # Equal times: the later arrival wins, so a redelivery of the same event is harmless.
    return than is None or at >= than


def _with_fields(card: ProductCard, data: dict, at: datetime) -> ProductCard:
    if not _newer(at, card.card_as_of):
        return card
    values = {name: data[name] for name in CARD_FIELDS if name in data}
    return replace(card, **values, card_as_of=at)


def _with_status(card: ProductCard, status: str, at: datetime) -> ProductCard:
    if not _newer(at, card.status_as_of):
        return card
    return replace(card, status=status, status_as_of=at)


def card_listed(current: ProductCard | None, product_id: str, data: dict, at: datetime) -> ProductCard:
    """`catalog.product.listed` and `.relisted`: the card, and the product is on sale."""
    card = current or ProductCard(product_id=product_id)
    return _with_status(_with_fields(card, data, at), LISTED, at)


def card_updated(current: ProductCard | None, product_id: str, data: dict, at: datetime) -> ProductCard:
    """`catalog.product.updated`: new text or prices; the listing state is not touched, so
    an update that arrives after a delisting does not bring the product back."""
    card = current or ProductCard(product_id=product_id)
    return _with_fields(card, data, at)


def card_delisted(current: ProductCard | None, product_id: str, at: datetime) -> ProductCard:
    """`catalog.product.delisted`. With no card yet (the listing is still on its way) a
    bare card records the delisting, so the late listing cannot make it featurable."""
    card = current or ProductCard(product_id=product_id)
    return _with_status(card, DELISTED, at)


def delisting_cutoff(card_after: ProductCard, delisted_at: datetime) -> datetime | None:
    """Which featured entries a delisting removes from shops.

    None: every one (the product is delisted now). A time: only the entries featured up to
    that time, because the delisting reached us after a newer relisting, and a shop that
    featured the product after it came back keeps it.
    """
    return None if not card_after.is_listed else delisted_at
