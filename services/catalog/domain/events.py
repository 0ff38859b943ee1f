"""What the catalog announces: one named class per event type it emits (CONTRACT.md
"Events"). `data()` is the event's contract data; enums go out as their values.

The product card (listed, updated, relisted) is what other services project to show and
price a product without asking the catalog; its three events differ only in their type.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from shared.domain_events import DomainEvent
from shared.contract import DelistingReason, ProductStatus, StockRejection


@dataclass(frozen=True)
class BrandCreated(DomainEvent):
    TYPE: ClassVar[str] = "catalog.brand.created"
    brand_id: str
    name: str


@dataclass(frozen=True)
class ProductCardEvent(DomainEvent):
    """The card of a product as it is now: its prices, its 30-day lowest, its revision."""

    TYPE: ClassVar[str]
    product_id: str
    brand_id: str
    name: str
    category: str
    image_url: str | None
    list_price_cents: int
    exclusive_price_cents: int
    commission_rate_bp: int
    sensitive: bool
    lowest_price_30d_cents: int
    status: ProductStatus
    revision: int


@dataclass(frozen=True)
class ProductListed(ProductCardEvent):
    TYPE: ClassVar[str] = "catalog.product.listed"


@dataclass(frozen=True)
class ProductUpdated(ProductCardEvent):
    """A change a shop page shows: prices, text, stock, or a 30-day lowest that aged out."""

    TYPE: ClassVar[str] = "catalog.product.updated"


@dataclass(frozen=True)
class ProductRelisted(ProductCardEvent):
    TYPE: ClassVar[str] = "catalog.product.relisted"


@dataclass(frozen=True)
class ProductDelisted(DomainEvent):
    """The product leaves every shop; `reason` says who decided, `note` what they wrote."""

    TYPE: ClassVar[str] = "catalog.product.delisted"
    product_id: str
    reason: DelistingReason
    note: str | None
    revision: int


@dataclass(frozen=True)
class StockLine:
    product_id: str
    quantity: int


@dataclass(frozen=True)
class ReservedLine:
    """A reserved line with the terms it was reserved at: the price the order charges."""

    product_id: str
    quantity: int
    list_price_cents: int
    exclusive_price_cents: int
    commission_rate_bp: int
    revision: int


@dataclass(frozen=True)
class StockReserved(DomainEvent):
    TYPE: ClassVar[str] = "catalog.stock.reserved"
    order_id: str
    items: tuple[ReservedLine, ...]


@dataclass(frozen=True)
class StockRejected(DomainEvent):
    TYPE: ClassVar[str] = "catalog.stock.rejected"
    order_id: str
    items: tuple[StockLine, ...]
    reason: StockRejection
    product_id: str | None
