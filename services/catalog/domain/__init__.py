"""The catalog's domain, pure: no Flask, no SQL, no broker. Every time rule takes `now`.

- access: who creates brands and manages a brand's products
- brands: the `Brand` entity and what makes two brand names the same
- products: the `Product` entity (prices and their 30-day lowest, listing, changes)
- reservations: stock reservations in the order saga (`Reservation`, all or nothing)
- events: one named class per event type the catalog emits
"""
from shared.contract import DelistingReason, ProductStatus, StockRejection

from .access import ensure_can_create_brand, ensure_can_manage
from .brands import Brand, brand_key
from .events import (BrandCreated, ProductCardEvent, ProductDelisted, ProductListed, ProductRelisted,
                     ProductUpdated, ReservedLine, StockLine, StockRejected, StockReserved)
from .products import (CHANGEABLE, DELISTED, LISTED, MAX_COMMISSION_BP, PRICE_WINDOW, Product, check_prices,
                       delisting_reason, lowest_price, window_start)
from .reservations import (Rejection, Reservation, ReservationStatus, check_reservation, merge_items,
                           reserved_terms)

__all__ = [
    "DelistingReason", "ProductStatus", "StockRejection",
    "ensure_can_create_brand", "ensure_can_manage",
    "Brand", "brand_key",
    "BrandCreated", "ProductCardEvent", "ProductDelisted", "ProductListed", "ProductRelisted", "ProductUpdated",
    "ReservedLine", "StockLine", "StockRejected", "StockReserved",
    "CHANGEABLE", "DELISTED", "LISTED", "MAX_COMMISSION_BP", "PRICE_WINDOW", "Product", "check_prices",
    "delisting_reason", "lowest_price", "window_start",
    "Rejection", "Reservation", "ReservationStatus", "check_reservation", "merge_items", "reserved_terms",
]
