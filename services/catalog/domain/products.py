"""A product of a brand: its prices and their 30-day lowest, its listing, its stock.

The entity changes itself and records what other services must hear (its card, its
delisting); the use case loads it, calls it, saves it and tracks it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Iterable, Mapping

from shared.domain_events import DomainEvent, EventRecorder
from shared.contract import DelistingReason, ProductStatus
from shared.failures import Conflict, Unprocessable
from shared.principal import Principal

from .events import ProductCardEvent, ProductDelisted, ProductListed, ProductRelisted, ProductUpdated

PRICE_WINDOW = timedelta(days=30)
MAX_COMMISSION_BP = 5000
LISTED, DELISTED = ProductStatus.LISTED, ProductStatus.DELISTED
# What a merchant or an admin may change on a product (PATCH); the rest is the catalog's.
CHANGEABLE = frozenset({"name", "description", "category", "image_url", "list_price_cents",
                        "exclusive_price_cents", "commission_rate_bp", "stock", "sensitive"})


# --- prices -------------------------------------------------------------------------------
def check_prices(list_price_cents: int, exclusive_price_cents: int, commission_rate_bp: int) -> None:
    """The cross-field rules; field ranges are the schema's job."""
    errors: dict[str, list[str]] = {}
    if exclusive_price_cents > list_price_cents:
        errors["exclusive_price_cents"] = ["must not be above list_price_cents"]
    if not 0 <= commission_rate_bp <= MAX_COMMISSION_BP:
        errors["commission_rate_bp"] = [f"must be between 0 and {MAX_COMMISSION_BP}"]
    if errors:
        raise Unprocessable("the prices are inconsistent", errors=errors)


def lowest_price(changes: Iterable[tuple[datetime, int]], now: datetime) -> int | None:
    """The lowest exclusive price in effect at any moment of the last 30 days.

    `changes` are (effective_at, price) pairs. A price set before the window still counts
    if it was the one in effect when the window opened: a price dropped 40 days ago and
    raised 10 days ago was on sale 29 days ago.
    """
    start = now - PRICE_WINDOW
    in_effect_at_start: tuple[datetime, int] | None = None
    lowest: int | None = None
    for effective_at, price in changes:
        if effective_at > now:
            continue
        if effective_at <= start:
            if in_effect_at_start is None or effective_at >= in_effect_at_start[0]:
                in_effect_at_start = (effective_at, price)
        else:
            lowest = price if lowest is None else min(lowest, price)
    if in_effect_at_start is not None:
        lowest = in_effect_at_start[1] if lowest is None else min(lowest, in_effect_at_start[1])
    return lowest


def window_start(now: datetime) -> datetime:
    """The oldest moment whose price still counts for the lowest price at `now`."""
    return now - PRICE_WINDOW


# --- listing ------------------------------------------------------------------------------
def delisting_reason(principal: Principal, brand_id: str) -> DelistingReason:
    """A merchant of the product's brand delists for the brand; anyone else allowed to
    (an admin) for the platform."""
    return DelistingReason.BRAND if principal.is_merchant_of(brand_id) else DelistingReason.PLATFORM


# --- the product --------------------------------------------------------------------------
@dataclass
class Product(EventRecorder):
    id: str
    brand_id: str
    sku: str
    name: str
    category: str
    list_price_cents: int
    exclusive_price_cents: int
    commission_rate_bp: int
    stock: int
    created_at: datetime
    updated_at: datetime
    description: str = ""
    image_url: str | None = None
    sensitive: bool = False
    status: ProductStatus = LISTED
    delist_reason: str | None = None       # what the delisting said, as it was written
    # Bumped at every change and sent in events, so projections drop stale cards.
    revision: int = 1
    # The lowest exclusive price of the last 30 days, as loaded (None: no price known in
    # the window, the current one is the lowest).
    lowest_30d: int | None = None
    events: list[DomainEvent] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def list_new(cls, product_id: str, brand_id: str, sku: str, *, name: str, category: str,
                 list_price_cents: int, exclusive_price_cents: int, commission_rate_bp: int, stock: int,
                 now: datetime, description: str = "", image_url: str | None = None,
                 sensitive: bool = False) -> "Product":
        """A new product, on sale at once; its first price starts its price history."""
        check_prices(list_price_cents, exclusive_price_cents, commission_rate_bp)
        product = cls(product_id, brand_id, sku, name, category, list_price_cents, exclusive_price_cents,
                      commission_rate_bp, stock, created_at=now, updated_at=now, description=description,
                      image_url=image_url, sensitive=sensitive, lowest_30d=exclusive_price_cents)
        product.record(product.card(ProductListed))
        return product

    @property
    def is_listed(self) -> bool:
        return self.status is LISTED

    @property
    def lowest_price_30d_cents(self) -> int:
        return self.lowest_30d if self.lowest_30d is not None else self.exclusive_price_cents

    def card(self, kind: type[ProductCardEvent]) -> ProductCardEvent:
        """The product card other services project (CONTRACT.md event data)."""
        return kind(self.id, self.brand_id, self.name, self.category, self.image_url, self.list_price_cents,
                    self.exclusive_price_cents, self.commission_rate_bp, self.sensitive,
                    self.lowest_price_30d_cents, self.status, self.revision)

    # --- changes ----------------------------------------------------------------------
    def change(self, changes: Mapping[str, Any], now: datetime) -> bool:
        """Apply a merchant's or admin's changes (prices checked against the stored ones);
        returns whether the price changed, which starts a new entry of the price history.
        No changes: nothing happens, no card goes out."""
        unknown = set(changes) - CHANGEABLE
        if unknown:
            raise Unprocessable("unknown fields", errors={name: ["cannot be changed"] for name in sorted(unknown)})
        after = {"list_price_cents": self.list_price_cents, "exclusive_price_cents": self.exclusive_price_cents,
                 "commission_rate_bp": self.commission_rate_bp, **changes}
        check_prices(after["list_price_cents"], after["exclusive_price_cents"], after["commission_rate_bp"])
        if not changes:
            return False
        price_changed = (after["list_price_cents"], after["exclusive_price_cents"]) != \
            (self.list_price_cents, self.exclusive_price_cents)
        for name, value in changes.items():
            setattr(self, name, value)
        if price_changed:
            # The new price is in effect from now: the lowest of the window is the lower
            # of the one before and this one.
            self.lowest_30d = self.exclusive_price_cents if self.lowest_30d is None \
                else min(self.lowest_30d, self.exclusive_price_cents)
        self._touch(now)
        self.record(self.card(ProductUpdated))
        return price_changed

    def reannounce(self, lowest_30d: int | None, now: datetime) -> bool:
        """A price left the 30-day window: a fresh card with the lowest price as it is now
        (a new revision, so projections take it). A delisted product is on no shop page
        (relisting sends a fresh card): nothing then; returns whether a card went out."""
        if not self.is_listed:
            return False
        self.lowest_30d = lowest_30d
        self._touch(now)
        self.record(self.card(ProductUpdated))
        return True

    def delist(self, reason: DelistingReason, note: str | None, now: datetime) -> None:
        """Take the product off sale: it leaves every shop, and new orders for it are rejected."""
        if self.status is DELISTED:
            raise Conflict("the product is already delisted")
        self.status, self.delist_reason = DELISTED, note
        self._touch(now)
        self.record(ProductDelisted(self.id, reason, note or None, self.revision))

    def relist(self, now: datetime) -> None:
        """Put a delisted product back on sale (shops may feature it again)."""
        if self.status is LISTED:
            raise Conflict("the product is already listed")
        self.status, self.delist_reason = LISTED, None
        self._touch(now)
        self.record(self.card(ProductRelisted))

    def _touch(self, now: datetime) -> None:
        self.revision += 1
        self.updated_at = now
