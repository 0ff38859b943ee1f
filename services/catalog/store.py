"""The catalog's tables and queries (SQLAlchemy Core): brands, products, prices, reservations.
It reads and writes the domain's entities (`Brand`, `Product`, `Reservation`); the rules
are theirs.

Stock is one integer per product, taken by a conditional UPDATE (`stock >= wanted`) so two
concurrent reservations can never both take the last unit, on SQLite or PostgreSQL.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Iterable, Mapping

from sqlalchemy import (Boolean, Column, DateTime, ForeignKey, Index, Integer, MetaData, String, Table, Text,
                        UniqueConstraint, and_, bindparam, func, or_, select, update)
from sqlalchemy.engine import Connection

from shared.sql import LIKE_ESCAPE, aware, like_pattern, locking, page, upsert

from services.catalog.domain import (LISTED, Brand, Product, ProductStatus, Reservation, ReservationStatus,
                                     StockRejection)

metadata = MetaData()

brands = Table(
    "brands", metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(80), nullable=False, unique=True),
    Column("description", Text, nullable=False, default=""),
    Column("logo_url", String(500)),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

brand_keys = Table(
    # One row per brand, keyed by its name as Brand.key sees it (NFC, case-folded):
    # the unique index that agrees with the duplicate check, whatever the script.
    "brand_keys", metadata,
    Column("key", String(400), primary_key=True),
    Column("brand_id", String(32), ForeignKey("brands.id"), nullable=False),
)

products = Table(
    "products", metadata,
    Column("id", String(32), primary_key=True),
    Column("brand_id", String(32), ForeignKey("brands.id"), nullable=False),
    Column("sku", String(64), nullable=False),
    Column("name", String(120), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("category", String(40), nullable=False),
    Column("image_url", String(500)),
    Column("list_price_cents", Integer, nullable=False),
    Column("exclusive_price_cents", Integer, nullable=False),
    Column("commission_rate_bp", Integer, nullable=False),
    Column("stock", Integer, nullable=False),
    Column("sensitive", Boolean, nullable=False, default=False),
    Column("status", String(16), nullable=False, default=LISTED.value),
    Column("delist_reason", String(300)),
    # Bumped at every change and sent in events, so projections drop stale cards.
    Column("revision", Integer, nullable=False, default=1),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("brand_id", "sku", name="uq_products_brand_sku"),
    Index("ix_products_status_category", "status", "category"),
    Index("ix_products_brand", "brand_id"),
)

price_history = Table(
    "price_history", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("product_id", String(32), ForeignKey("products.id"), nullable=False),
    Column("list_price_cents", Integer, nullable=False),
    Column("exclusive_price_cents", Integer, nullable=False),
    Column("effective_at", DateTime(timezone=True), nullable=False),
    Index("ix_price_history_product_at", "product_id", "effective_at"),
)

reservations = Table(
    "reservations", metadata,
    Column("order_id", String(64), primary_key=True),
    Column("items", Text, nullable=False),
    # reserved -> released, or rejected; a release of a rejected one gives nothing back.
    Column("status", String(16), nullable=False),
    Column("reason", String(32)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("released_at", DateTime(timezone=True)),
)


# How far a periodic sweep has got (e.g. the prices that left the 30-day window), so a
# restart goes on from there instead of missing what happened while it was down.
sweeps = Table(
    "sweeps", metadata,
    Column("name", String(40), primary_key=True),
    Column("done_until", DateTime(timezone=True), nullable=False),
)


# --- brands -------------------------------------------------------------------------------
def add_brand(conn: Connection, brand: Brand) -> None:
    """IntegrityError when a brand of the same name (Brand.key) exists."""
    conn.execute(brands.insert().values(id=brand.id, name=brand.name, description=brand.description,
                                        logo_url=brand.logo_url, created_at=brand.created_at))
    conn.execute(brand_keys.insert().values(key=brand.key, brand_id=brand.id))


def _brand(row) -> Brand:
    return Brand(row["id"], row["name"], row["description"], row["logo_url"], aware(row["created_at"]))


def brand_by_id(conn: Connection, brand_id: str) -> Brand | None:
    row = conn.execute(select(brands).where(brands.c.id == brand_id)).mappings().first()
    return _brand(row) if row else None


def brand_key_taken(conn: Connection, key: str) -> bool:
    """Is a brand's name, as Brand.key sees it, taken (by a brand with a key row)?"""
    return conn.execute(select(brand_keys.c.brand_id).where(brand_keys.c.key == key)).first() is not None


def names_without_key(conn: Connection) -> list[str]:
    """The names of brands made before brand_keys existed (they have no key row): the
    caller compares them as Brand.key does (SQL's lower() knows only ASCII)."""
    return list(conn.execute(select(brands.c.name).outerjoin(brand_keys, brand_keys.c.brand_id == brands.c.id)
                             .where(brand_keys.c.key.is_(None))).scalars())


def list_brands(conn: Connection, page_number: int, per_page: int) -> tuple[list[Brand], int]:
    total = conn.execute(select(func.count()).select_from(brands)).scalar_one()
    rows = conn.execute(page(select(brands).order_by(brands.c.name), page_number, per_page)).mappings()
    return [_brand(r) for r in rows], total


# --- products -----------------------------------------------------------------------------
def add_product(conn: Connection, product: Product) -> None:
    """A new product, and its first price in the price history."""
    conn.execute(products.insert().values(**_product_row(product), id=product.id, brand_id=product.brand_id,
                                          sku=product.sku, created_at=product.created_at))
    record_price(conn, product)


def save_product(conn: Connection, product: Product) -> None:
    """Write what a product's changes may touch (the row was loaded for update)."""
    conn.execute(update(products).where(products.c.id == product.id).values(**_product_row(product)))


def _product_row(product: Product) -> dict:
    return {"name": product.name, "description": product.description, "category": product.category,
            "image_url": product.image_url, "list_price_cents": product.list_price_cents,
            "exclusive_price_cents": product.exclusive_price_cents,
            "commission_rate_bp": product.commission_rate_bp, "stock": product.stock,
            "sensitive": product.sensitive, "status": product.status.value, "delist_reason": product.delist_reason,
            "revision": product.revision, "updated_at": product.updated_at}


def sku_taken(conn: Connection, brand_id: str, sku: str) -> bool:
    return conn.execute(select(products.c.id).where(products.c.brand_id == brand_id,
                                                    products.c.sku == sku)).first() is not None


# Built once (a product page reads it on every request); the id binds at execution.
PRODUCT_BY_ID = select(products).where(products.c.id == bindparam("product_id"))


def product_by_id(conn: Connection, product_id: str, *, for_update: bool = False) -> Product | None:
    query = locking(conn, PRODUCT_BY_ID) if for_update else PRODUCT_BY_ID
    row = conn.execute(query, {"product_id": product_id}).mappings().first()
    return _product(row) if row else None


def products_by_ids(conn: Connection, product_ids: Iterable[str], *,
                    for_update: bool = False) -> dict[str, Product]:
    ids = list(product_ids)
    if not ids:
        return {}
    query = select(products).where(products.c.id.in_(ids))
    rows = conn.execute(locking(conn, query) if for_update else query).mappings()
    return {r["id"]: _product(r) for r in rows}


def _product(row) -> Product:
    return Product(row["id"], row["brand_id"], row["sku"], row["name"], row["category"], row["list_price_cents"],
                   row["exclusive_price_cents"], row["commission_rate_bp"], row["stock"], aware(row["created_at"]),
                   aware(row["updated_at"]), description=row["description"], image_url=row["image_url"],
                   sensitive=row["sensitive"], status=ProductStatus(row["status"]),
                   delist_reason=row["delist_reason"], revision=row["revision"])


def search_products(conn: Connection, *, q: str | None, category: str | None, brand_id: str | None,
                    status: str, page_number: int, per_page: int) -> tuple[list[Product], int]:
    conditions = []
    if status != "all":
        conditions.append(products.c.status == status)
    if category:
        # Categories match whatever their case: ?category=TEA finds "tea".
        conditions.append(func.lower(products.c.category) == category.lower())
    if brand_id:
        conditions.append(products.c.brand_id == brand_id)
    if q:
        # A plain LIKE serves the embedded mode and the catalog's size (a brand library of
        # thousands, not millions); the bound parameter escapes nothing but wildcards.
        pattern = like_pattern(q)
        conditions.append(or_(func.lower(products.c.name).like(pattern, escape=LIKE_ESCAPE),
                              func.lower(products.c.description).like(pattern, escape=LIKE_ESCAPE),
                              func.lower(products.c.sku).like(pattern, escape=LIKE_ESCAPE)))
    where = and_(*conditions) if conditions else True
    # The total rides along with the page (a window count over every match): one round trip
    # fewer per page, a tenth of a page's time on PostgreSQL in the profile. Only a page past
    # the end, which has no row to carry it, asks for the count on its own.
    matching = (select(products, func.count().over().label("matches")).where(where)
                .order_by(products.c.created_at.desc(), products.c.id))
    rows = conn.execute(page(matching, page_number, per_page)).mappings().all()
    if rows:
        total = rows[0]["matches"]
    elif page_number == 1:
        total = 0
    else:
        total = conn.execute(select(func.count()).select_from(products).where(where)).scalar_one()
    return [_product(r) for r in rows], total


# --- prices -------------------------------------------------------------------------------
def record_price(conn: Connection, product: Product) -> None:
    """The product's current prices, in effect from its last change."""
    conn.execute(price_history.insert().values(product_id=product.id, list_price_cents=product.list_price_cents,
                                               exclusive_price_cents=product.exclusive_price_cents,
                                               effective_at=product.updated_at))


def _price_changes_query():
    # Built once: constructing this statement per call was over half of a product page's
    # time in the profile (SQLAlchemy coercions and cache keys); values bind at execution.
    ids, start = bindparam("ids", expanding=True), bindparam("start")
    # The changes inside the window, plus the last one before it (the price in effect when
    # the window opened); older history is never read.
    last_before = (select(price_history.c.product_id, func.max(price_history.c.effective_at).label("at"))
                   .where(price_history.c.product_id.in_(ids), price_history.c.effective_at <= start)
                   .group_by(price_history.c.product_id).subquery())
    return (select(price_history.c.product_id, price_history.c.effective_at, price_history.c.exclusive_price_cents)
            .outerjoin(last_before, and_(last_before.c.product_id == price_history.c.product_id,
                                         last_before.c.at == price_history.c.effective_at))
            .where(price_history.c.product_id.in_(ids),
                   or_(price_history.c.effective_at > start, last_before.c.at.is_not(None))))


PRICE_CHANGES = _price_changes_query()


def price_changes(conn: Connection, product_ids: Iterable[str],
                  start: datetime) -> dict[str, list[tuple[datetime, int]]]:
    """product_id -> (effective_at, exclusive price) of the changes after `start`, plus the
    last one at or before it; in one query for a page."""
    ids = list(product_ids)
    if not ids:
        return {}
    changes: dict[str, list[tuple[datetime, int]]] = {}
    for product_id, effective_at, price in conn.execute(PRICE_CHANGES, {"ids": ids, "start": start}).all():
        changes.setdefault(product_id, []).append((aware(effective_at), price))
    return changes


def _product_page_query():
    # A product page in one statement: the product, joined to the price changes its 30-day
    # lowest needs (as PRICE_CHANGES picks them). Two statements were a fifth of a page's
    # time in the profile of `make bench`.
    product_id, start = bindparam("product_id"), bindparam("start")
    last_before = (select(func.max(price_history.c.effective_at))
                   .where(price_history.c.product_id == product_id, price_history.c.effective_at <= start)
                   .scalar_subquery())
    changes = (select(price_history.c.product_id, price_history.c.effective_at, price_history.c.exclusive_price_cents)
               .where(price_history.c.product_id == product_id,
                      or_(price_history.c.effective_at > start, price_history.c.effective_at == last_before))
               .subquery())
    return (select(products, changes.c.effective_at.label("price_effective_at"),
                   changes.c.exclusive_price_cents.label("price_then_cents"))
            .outerjoin(changes, changes.c.product_id == products.c.id)
            .where(products.c.id == product_id))


PRODUCT_PAGE = _product_page_query()


def product_page(conn: Connection, product_id: str,
                 start: datetime) -> tuple[Product, list[tuple[datetime, int]]] | None:
    """The product, and (effective_at, exclusive price) of its changes after `start` plus
    the last one at or before it; None if there is no such product."""
    rows = conn.execute(PRODUCT_PAGE, {"product_id": product_id, "start": start}).mappings().all()
    if not rows:
        return None
    changes = [(aware(r["price_effective_at"]), r["price_then_cents"]) for r in rows
               if r["price_effective_at"] is not None]
    return _product(rows[0]), changes


def products_with_prices_set_between(conn: Connection, start: datetime, end: datetime) -> list[str]:
    """Products with a price set in (start, end]: the ones whose 30-day lowest may change
    when that price leaves the window."""
    rows = conn.execute(select(price_history.c.product_id).distinct()
                        .where(price_history.c.effective_at > start, price_history.c.effective_at <= end))
    return [r[0] for r in rows]


def sweep_mark(conn: Connection, name: str) -> datetime | None:
    row = conn.execute(select(sweeps.c.done_until).where(sweeps.c.name == name)).first()
    return aware(row[0]) if row else None


def set_sweep_mark(conn: Connection, name: str, until: datetime) -> None:
    upsert(conn, sweeps, {"name": name, "done_until": until}, ["name"], {"done_until": until})


# --- stock --------------------------------------------------------------------------------
def reservation(conn: Connection, order_id: str) -> Reservation | None:
    row = conn.execute(select(reservations).where(reservations.c.order_id == order_id)).mappings().first()
    if not row:
        return None
    return Reservation(row["order_id"], json.loads(row["items"]), ReservationStatus(row["status"]),
                       aware(row["created_at"]), reason=StockRejection(row["reason"]) if row["reason"] else None,
                       released_at=aware(row["released_at"]))


def add_reservation(conn: Connection, reservation: Reservation) -> None:
    conn.execute(reservations.insert().values(
        order_id=reservation.order_id, items=json.dumps(dict(reservation.items)), status=reservation.status.value,
        reason=reservation.reason.value if reservation.reason else None, created_at=reservation.created_at))


def mark_released(conn: Connection, reservation: Reservation) -> bool:
    """Reserved -> released, once; False if another release got there first."""
    return conn.execute(update(reservations)
                        .where(reservations.c.order_id == reservation.order_id,
                               reservations.c.status == ReservationStatus.RESERVED.value)
                        .values(status=ReservationStatus.RELEASED.value,
                                released_at=reservation.released_at)).rowcount == 1


def take_stock(conn: Connection, wanted: Mapping[str, int]) -> bool:
    """Take every quantity or none; False (and nothing taken) if any is short right now.

    Each UPDATE only applies while enough is left, so a concurrent order that got there
    first makes this one fail instead of driving stock below zero.
    """
    savepoint = conn.begin_nested()
    for product_id, quantity in sorted(wanted.items()):  # one lock order: no deadlocks
        taken = conn.execute(update(products)
                             .where(products.c.id == product_id, products.c.status == LISTED.value,
                                    products.c.stock >= quantity)
                             .values(stock=products.c.stock - quantity)).rowcount
        if taken != 1:
            savepoint.rollback()
            return False
    savepoint.commit()
    return True


def give_back_stock(conn: Connection, wanted: Mapping[str, int]) -> None:
    for product_id, quantity in sorted(wanted.items()):
        conn.execute(update(products).where(products.c.id == product_id)
                     .values(stock=products.c.stock + quantity))
