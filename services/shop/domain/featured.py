"""Featured slots: how many products a shop shows, and when one may leave.

The article's shop shows 4 products that cannot be swapped within 3 days. Here the base
tier has 4 slots, the ranking service decides the tier (and sends the slot count with it),
and a featured product is locked for 72 hours from the moment it was featured.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from shared.clock import iso
from shared.domain_events import EventRecorder, Outcome
from shared.failures import Conflict, NotFound, Unprocessable

from .cards import ProductCard
from .events import FeaturedAdded, FeaturedRemoved, RemovalReason

BASE_SLOTS = 4
BASE_TIER = 1
LOCK_PERIOD = timedelta(hours=72)


@dataclass(frozen=True)
class FeaturedProduct:
    product_id: str
    featured_at: datetime

    @property
    def locked_until(self) -> datetime:
        return self.featured_at + LOCK_PERIOD

    def is_locked(self, now: datetime) -> bool:
        return now < self.locked_until


@dataclass(frozen=True)
class Influence:
    """The ranking service's verdict as last heard; `as_of` orders late deliveries."""

    score: int = 0
    tier: int = BASE_TIER
    slots: int = BASE_SLOTS
    as_of: datetime | None = None

    def changed(self, *, score: int, tier: int, slots: int, occurred_at: datetime) -> Influence:
        """The newer of this and the reported change: an older event arriving late must
        not give back slots the member has since lost (or take away ones since won)."""
        errors = {name: [f"must be >= {low}"]
                  for name, value, low in (("score", score, 0), ("tier", tier, 1), ("slots", slots, 0))
                  if value < low}
        if errors:
            raise Unprocessable("influence out of range", errors=errors)
        if self.as_of is not None and occurred_at < self.as_of:
            return self
        return Influence(score=score, tier=tier, slots=slots, as_of=occurred_at)


@dataclass
class Shop(EventRecorder):
    """A member's shop: the slot count it is allowed and the products it features. What
    enters or leaves it is recorded (`events`) for the unit of work to write."""

    member_id: str
    influence: Influence = field(default_factory=Influence)
    featured: list[FeaturedProduct] = field(default_factory=list)
    events: list = field(default_factory=list, repr=False, compare=False)

    @property
    def slots(self) -> int:
        return self.influence.slots

    @property
    def free_slots(self) -> int:
        # A tier drop can leave a shop over its count: it adds nothing until it is back
        # within it (see over_count).
        return max(self.slots - len(self.featured), 0)

    def find(self, product_id: str) -> FeaturedProduct | None:
        return next((f for f in self.featured if f.product_id == product_id), None)

    def feature(self, product: ProductCard | None, *, product_id: str, now: datetime) -> FeaturedProduct:
        """Put a product in a free slot. `product` is the shop's card for `product_id`,
        None when the catalog never announced it."""
        if product is None:
            raise Unprocessable("unknown product", errors={"product_id": ["unknown product"]})
        if not product.is_listed:
            raise Unprocessable("product is not listed",
                                errors={"product_id": ["product is not listed"]})
        if self.find(product_id) is not None:
            raise Conflict("product is already featured in this shop", product_id=product_id)
        if self.free_slots == 0:
            raise Conflict(
                f"every featured slot is taken ({len(self.featured)} of {self.slots})",
                slots=self.slots, featured=len(self.featured))
        entry = FeaturedProduct(product_id=product_id, featured_at=now)
        self.featured.append(entry)
        self.record(FeaturedAdded(member_id=self.member_id, product_id=product_id))
        return entry

    def unfeature(self, product_id: str, *, now: datetime) -> FeaturedProduct:
        """The owner takes a product out; only after its lock has run out."""
        entry = self.find(product_id)
        if entry is None:
            raise NotFound("product is not featured in this shop")
        if entry.is_locked(now):
            until = iso(entry.locked_until)
            raise Conflict(f"a featured product stays for 72 hours; it can be removed from {until}",
                           locked_until=until)
        self.featured.remove(entry)
        self.record(FeaturedRemoved(member_id=self.member_id, product_id=product_id, reason=RemovalReason.REMOVED))
        return entry

    # --- slots follow the tier both ways -------------------------------------------------
    # A tier drop leaves the shop over its count. The products over it are the most
    # recently featured; each leaves when its own 72-hour lock ends (the lock is a promise
    # to whoever got the link), none can be added meanwhile, and the page shows only the
    # first `slots` of them.

    def over_count(self) -> list[FeaturedProduct]:
        """The products beyond the slot count, newest first (empty within the count)."""
        excess = len(self.featured) - self.slots
        if excess <= 0:
            return []
        newest_first = sorted(self.featured, key=lambda f: (f.featured_at, f.product_id), reverse=True)
        return newest_first[:excess]

    def release_over_count(self, now: datetime) -> list[FeaturedProduct]:
        """Take out the products over the count whose lock has ended; returns them."""
        leaving = [entry for entry in self.over_count() if not entry.is_locked(now)]
        for entry in leaving:
            self.featured.remove(entry)
            self.record(FeaturedRemoved(member_id=self.member_id, product_id=entry.product_id,
                                        reason=RemovalReason.SLOTS_REDUCED))
        return leaving

    def apply_influence(self, *, score: int, tier: int, slots: int, occurred_at: datetime) -> None:
        self.influence = self.influence.changed(score=score, tier=tier, slots=slots,
                                                occurred_at=occurred_at)



def delisted_everywhere(product_id: str, shop_ids: list[str]) -> Outcome:
    """A delisted product leaves every shop featuring it at once, lock or not: the shop must
    not keep selling what the brand withdrew (the article's third complaint). The store
    removes it from all of them in one statement (store.shops.drop_delisted); this is what
    each of those shops says of it, written to the outbox in one statement too."""
    return Outcome(FeaturedRemoved(member_id=shop_id, product_id=product_id, reason=RemovalReason.DELISTED)
                   for shop_id in shop_ids)
