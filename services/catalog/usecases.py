"""The catalog's use cases: each opens the unit of work (or, for an event, takes the one the
inbox opened), loads through the store, asks the domain, saves, and tracks what raised
events, so they reach the outbox in the same transaction.

Views, event handlers and the periodic job all come through here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Mapping

from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from shared.db import Database, UnitOfWork
from shared.failures import Conflict, NotFound, Unprocessable
from shared.principal import Principal
from shared.sql import new_id

from services.catalog import store
from services.catalog.domain import (PRICE_WINDOW, Brand, Product, Rejection, Reservation, StockRejection,
                                     brand_key, check_reservation, delisting_reason, ensure_can_create_brand,
                                     ensure_can_manage, lowest_price, merge_items, window_start)

SWEEP = "lowest-price-window"


# --- brands -------------------------------------------------------------------------------
def create_brand(db: Database, actor: Principal, name: str, *, description: str = "",
                 logo_url: str | None = None) -> Brand:
    """Invite a brand (admin); its name is unique as Brand.key compares names."""
    ensure_can_create_brand(actor)
    try:
        with db.unit_of_work() as uow:
            brand = Brand.invite(new_id(), name, uow.now(), description=description, logo_url=logo_url)
            if _name_taken(uow.conn, brand.key):
                raise Conflict(f"a brand named {brand.name!r} exists")
            store.add_brand(uow.conn, uow.track(brand))
    except IntegrityError as exc:
        # The same name from another request that committed first: the same 409.
        raise Conflict(f"a brand named {brand.name!r} exists") from exc
    return brand


def _name_taken(conn: Connection, key: str) -> bool:
    return store.brand_key_taken(conn, key) or any(brand_key(name) == key for name in store.names_without_key(conn))


def list_brands(db: Database, page: int, per_page: int) -> tuple[list[Brand], int]:
    with db.reading() as conn:
        return store.list_brands(conn, page, per_page)


def get_brand(db: Database, brand_id: str) -> Brand:
    with db.reading() as conn:
        brand = store.brand_by_id(conn, brand_id)
    if brand is None:
        raise NotFound(f"no brand {brand_id}")
    return brand


# --- products -----------------------------------------------------------------------------
@dataclass(frozen=True)
class NewProduct:
    brand_id: str
    sku: str
    name: str
    category: str
    list_price_cents: int
    exclusive_price_cents: int
    commission_rate_bp: int
    stock: int
    description: str = ""
    image_url: str | None = None
    sensitive: bool = False


def create_product(db: Database, actor: Principal, new: NewProduct) -> Product:
    """List a product of a brand (its merchant, or an admin)."""
    ensure_can_manage(actor, new.brand_id)
    with db.unit_of_work() as uow:
        product = Product.list_new(
            new_id(), new.brand_id, new.sku, name=new.name, category=new.category,
            list_price_cents=new.list_price_cents, exclusive_price_cents=new.exclusive_price_cents,
            commission_rate_bp=new.commission_rate_bp, stock=new.stock, now=uow.now(),
            description=new.description, image_url=new.image_url, sensitive=new.sensitive)
        if store.brand_by_id(uow.conn, new.brand_id) is None:
            raise Unprocessable("unknown brand", errors={"brand_id": ["no such brand"]})
        if store.sku_taken(uow.conn, new.brand_id, new.sku):
            raise Conflict(f"the brand already has a product with sku {new.sku!r}")
        store.add_product(uow.conn, uow.track(product))
    return product


def search_products(db: Database, now: datetime, *, q: str | None, category: str | None, brand_id: str | None,
                    status: str, page: int, per_page: int) -> tuple[list[Product], int]:
    """Search by text, category and brand (`status`: listed, delisted or all)."""
    with db.reading() as conn:
        items, total = store.search_products(conn, q=q, category=category, brand_id=brand_id, status=status,
                                             page_number=page, per_page=per_page)
        _with_lowest(conn, items, now)
    return items, total


def get_product(db: Database, product_id: str, now: datetime) -> Product:
    with db.reading() as conn:
        found = store.product_page(conn, product_id, window_start(now))
    if found is None:
        raise NotFound(f"no product {product_id}")
    product, changes = found
    product.lowest_30d = lowest_price(changes, now) if changes else None
    return product


def update_product(db: Database, actor: Principal, product_id: str, changes: Mapping[str, Any]) -> Product:
    """Change prices, stock or text (its brand's merchant, or an admin); a new price starts a
    new entry of the price history, and every change sends a fresh card."""
    with db.unit_of_work() as uow:
        now = uow.now()
        product = _load(uow.conn, product_id, for_update=True)
        ensure_can_manage(actor, product.brand_id)
        _with_lowest(uow.conn, [product], now)
        price_changed = product.change(changes, now)
        if changes:
            store.save_product(uow.conn, uow.track(product))
            if price_changed:
                store.record_price(uow.conn, product)
    return product


def delist_product(db: Database, actor: Principal, product_id: str, note: str | None) -> Product:
    """Take a product off sale: it leaves every shop, and new orders for it are rejected.
    The reason says who did (its brand, or the platform); `note` is what they wrote."""
    with db.unit_of_work() as uow:
        now = uow.now()
        product = _load(uow.conn, product_id, for_update=True)
        ensure_can_manage(actor, product.brand_id)
        product.delist(delisting_reason(actor, product.brand_id), note, now)
        store.save_product(uow.conn, uow.track(product))
        _with_lowest(uow.conn, [product], now)
    return product


def relist_product(db: Database, actor: Principal, product_id: str) -> Product:
    """Put a delisted product back on sale (shops may feature it again)."""
    with db.unit_of_work() as uow:
        now = uow.now()
        product = _load(uow.conn, product_id, for_update=True)
        ensure_can_manage(actor, product.brand_id)
        _with_lowest(uow.conn, [product], now)
        product.relist(now)
        store.save_product(uow.conn, uow.track(product))
    return product


def _load(conn: Connection, product_id: str, *, for_update: bool = False) -> Product:
    product = store.product_by_id(conn, product_id, for_update=for_update)
    if product is None:
        raise NotFound(f"no product {product_id}")
    return product


def _lowest(conn: Connection, product_ids: Iterable[str], now: datetime) -> dict[str, int | None]:
    changes = store.price_changes(conn, product_ids, window_start(now))
    return {pid: lowest_price(ch, now) for pid, ch in changes.items()}


def _with_lowest(conn: Connection, products: list[Product], now: datetime) -> list[Product]:
    """The 30-day lowest price of each product at `now`, in one query for a page."""
    lowest = _lowest(conn, [p.id for p in products], now)
    for product in products:
        product.lowest_30d = lowest.get(product.id)
    return products


# --- the order saga (event handlers) ------------------------------------------------------
def reserve_stock(uow: UnitOfWork, order_id: str, items: Iterable[Mapping]) -> None:
    """order.placed: reserve every line's stock, or none; answer with the terms reserved at
    (catalog.stock.reserved) or why not (catalog.stock.rejected)."""
    if store.reservation(uow.conn, order_id) is not None:
        return  # already decided for this order (or it was cancelled before it got here)
    now = uow.now()
    wanted = merge_items(items)
    rejection = check_reservation(wanted, store.products_by_ids(uow.conn, wanted))
    if rejection is None and not store.take_stock(uow.conn, wanted):
        # Someone took the stock between the check and the take.
        rejection = Rejection(StockRejection.OUT_OF_STOCK, next(iter(sorted(wanted))))
    if rejection is not None:
        reservation = Reservation.rejected(order_id, wanted, rejection, now)
    else:
        # Read after the take: the rows are ours now (locked on PostgreSQL), so the terms
        # are the ones in force at the moment the stock was reserved.
        reservation = Reservation.reserved(order_id, wanted, store.products_by_ids(uow.conn, wanted), now)
    store.add_reservation(uow.conn, uow.track(reservation))


def release_stock(uow: UnitOfWork, order_id: str, items: Iterable[Mapping]) -> None:
    """order.cancelled / order.refunded: give back what was reserved for the order, once."""
    held = store.reservation(uow.conn, order_id)
    if held is None:
        # The cancellation overtook the placement: leave a tombstone so the late
        # order.placed reserves nothing.
        store.add_reservation(uow.conn, Reservation.cancelled_before_placed(order_id, merge_items(items),
                                                                            uow.now()))
        return
    if held.release(uow.now()) and store.mark_released(uow.conn, held):
        store.give_back_stock(uow.conn, held.items)


# --- the periodic job ---------------------------------------------------------------------
def announce_aged_prices(db: Database, now: datetime) -> int:
    """Send a fresh card for every listed product whose lowest price may have changed since
    the last sweep; returns how many.

    Nothing happens to a product on the day its lowest price ages out, yet its lowest price
    changes (a price cut 30 days ago stops counting): shops show the cards they were sent,
    so this sweep sends them the new one. A price stops counting 30 days after the next
    price replaced it, so the products to look at are those with a price set 30 days before
    the span since the last sweep."""
    with db.unit_of_work() as uow:
        # The first sweep looks back a whole window: at worst a card is sent twice.
        since = store.sweep_mark(uow.conn, SWEEP) or now - PRICE_WINDOW
        if now <= since:
            return 0
        aged = store.products_with_prices_set_between(uow.conn, since - PRICE_WINDOW, now - PRICE_WINDOW)
        products = [p for p in store.products_by_ids(uow.conn, aged, for_update=True).values() if p.is_listed]
        lowest = _lowest(uow.conn, [p.id for p in products], now)
        sent = 0
        for product in products:
            if product.reannounce(lowest.get(product.id), now):
                store.save_product(uow.conn, uow.track(product))
                sent += 1
        store.set_sweep_mark(uow.conn, SWEEP, now)
        return sent
