"""The enumerated values of the event contract (CONTRACT.md "Events"), as plain enums.

The event schemas (shared/events.py) validate against them, and the domains name them in
their events, without importing a schema library: a domain that says a product was
delisted by its brand writes `DelistingReason.BRAND`, and no literal string crosses two
services unchecked.
"""
from __future__ import annotations

from enum import Enum


class ProductStatus(str, Enum):
    """Whether a product is on sale (the product card's `status`)."""

    LISTED = "listed"
    DELISTED = "delisted"


class DelistingReason(str, Enum):
    """Who took a product off sale (catalog.product.delisted `reason`)."""

    BRAND = "brand"              # a merchant of its brand
    PLATFORM = "platform"        # an admin of the platform


class StockRejection(str, Enum):
    """Why the catalog, owner of availability, refused to reserve an order's stock."""

    UNKNOWN_PRODUCT = "unknown_product"
    DELISTED = "delisted"
    OUT_OF_STOCK = "out_of_stock"


class AttributionOutcome(str, Enum):
    """The shop's answer about the shop an order came through."""

    ATTRIBUTED = "attributed"          # the shop exists; each line says if it features the product
    UNKNOWN_SHOP = "unknown_shop"      # no shop has this id: the order is refused


class CancellationReason(str, Enum):
    """Why an order ended without being paid, or gives its stock back (order.cancelled)."""

    REQUESTED = "requested"            # the buyer (or an admin) asked
    EXPIRED = "expired"                # unpaid for 30 minutes
    DELISTED = "delisted"              # a product of it was delisted before it was paid
    # An order the owners rejected after the catalog had reserved its stock.
    UNKNOWN_SHOP = "unknown_shop"
    PRICE_CHANGED = "price_changed"
    REJECTED = "rejected"


class RemovalReason(str, Enum):
    """Why a product left a shop (shop.featured.removed): only `removed` is the owner's doing."""

    REMOVED = "removed"                # the owner took it out, after its lock
    DELISTED = "delisted"              # the catalog delisted it: it leaves every shop at once
    SLOTS_REDUCED = "slots_reduced"    # over a lower tier's slot count, at its lock's end


class PurchasesAudience(str, Enum):
    """Who may see a member's purchases (never a sensitive product but by its buyer)."""

    NOBODY = "nobody"
    FRIENDS = "friends"


class StatsAudience(str, Enum):
    """Who may see a member's shop stats and influence breakdown."""

    EVERYONE = "everyone"
    FRIENDS = "friends"
    NOBODY = "nobody"
