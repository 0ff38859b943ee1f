"""The catalog's tables and queries (SQLAlchemy Core): brands, products, prices, reservations.

Stock is one integer per product, taken by a conditional UPDATE (`stock >= wanted`) so two
concurrent reservations can never both take the last unit, on SQLite or PostgreSQL.
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any, Iterable, Mapping

from sqlalchemy import (Boolean, Column, DateTime, ForeignKey, Index, Integer, MetaData, String, Table, Text,
                        UniqueConstraint, and_, bindparam, func, or_, select, update)
from sqlalchemy.engine import Connection

from shared.clock import as_utc

from services.catalog import domain

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
    # One row per brand, keyed by its name as domain.brand_key sees it (NFC, case-folded):
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
    Column("status", String(16), nullable=False, default=domain.LISTED),
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


def new_id() -> str:
    return uuid.uuid4().hex


# --- brands -------------------------------------------------------------------------------
def insert_brand(conn: Connection, values: Mapping[str, Any]) -> dict:
    """IntegrityError when a brand of the same name (domain.brand_key) exists."""
    row = {"id": new_id(), "description": "", "logo_url": None, **values}
    conn.execute(brands.insert().values(**row))
    conn.execute(brand_keys.insert().values(key=domain.brand_key(row["name"]), brand_id=row["id"]))
    return row


def brand_by_id(conn: Connection, brand_id: str) -> dict | None:
    row = conn.execute(select(brands).where(brands.c.id == brand_id)).mappings().first()
    return dict(row) if row else None


def brand_name_taken(conn: Connection, name: str) -> bool:
    key = domain.brand_key(name)
    if conn.execute(select(brand_keys.c.brand_id).where(brand_keys.c.key == key)).first() is not None:
        return True
    # Brands made before brand_keys existed have no key row: compare their names the same
    # way (SQL's lower() knows only ASCII, so the comparison is done here). A curated brand
    # library is small; this runs only when a brand is created.
    return any(domain.brand_key(other) == key for other in conn.execute(select(brands.c.name)).scalars())


def list_brands(conn: Connection, page: int, per_page: int) -> tuple[list[dict], int]:
    total = conn.execute(select(func.count()).select_from(brands)).scalar_one()
    rows = conn.execute(select(brands).order_by(brands.c.name).limit(per_page).offset((page - 1) * per_page)).mappings()
    return [dict(r) for r in rows], total


# --- products -----------------------------------------------------------------------------
def insert_product(conn: Connection, values: Mapping[str, Any], now: datetime) -> dict:
    row = {"id": new_id(), "description": "", "image_url": None, "sensitive": False,
           "status": domain.LISTED, "delist_reason": None, "revision": 1,
           "created_at": now, "updated_at": now, **values}
    conn.execute(products.insert().values(**row))
    record_price(conn, row["id"], row["list_price_cents"], row["exclusive_price_cents"], now)
    return row


def sku_taken(conn: Connection, brand_id: str, sku: str) -> bool:
    return conn.execute(select(products.c.id).where(products.c.brand_id == brand_id,
                                                    products.c.sku == sku)).first() is not None


# Built once (a product page reads it on every request); the id binds at execution.
PRODUCT_BY_ID = select(products).where(products.c.id == bindparam("product_id"))


def product_by_id(conn: Connection, product_id: str, *, for_update: bool = False) -> dict | None:
    query = PRODUCT_BY_ID
    if for_update and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query, {"product_id": product_id}).mappings().first()
    return _product(row) if row else None


def products_by_ids(conn: Connection, product_ids: Iterable[str]) -> dict[str, dict]:
    ids = list(product_ids)
    if not ids:
        return {}
    rows = conn.execute(select(products).where(products.c.id.in_(ids))).mappings()
    return {r["id"]: _product(r) for r in rows}


def _product(row) -> dict:
    product = dict(row)
    product["created_at"] = as_utc(product["created_at"])
    product["updated_at"] = as_utc(product["updated_at"])
    return product


def update_product(conn: Connection, product_id: str, changes: Mapping[str, Any], now: datetime) -> None:
    conn.execute(update(products).where(products.c.id == product_id)
                 .values(**changes, updated_at=now, revision=products.c.revision + 1))


def search_products(conn: Connection, *, q: str | None, category: str | None, brand_id: str | None,
                    status: str, page: int, per_page: int) -> tuple[list[dict], int]:
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
        pattern = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(or_(func.lower(products.c.name).like(pattern, escape="\\"),
                              func.lower(products.c.description).like(pattern, escape="\\"),
                              func.lower(products.c.sku).like(pattern, escape="\\")))
    where = and_(*conditions) if conditions else True
    total = conn.execute(select(func.count()).select_from(products).where(where)).scalar_one()
    rows = conn.execute(select(products).where(where).order_by(products.c.created_at.desc(), products.c.id)
                        .limit(per_page).offset((page - 1) * per_page)).mappings()
    return [_product(r) for r in rows], total


# --- prices -------------------------------------------------------------------------------
def record_price(conn: Connection, product_id: str, list_price: int, exclusive_price: int, now: datetime) -> None:
    conn.execute(price_history.insert().values(product_id=product_id, list_price_cents=list_price,
                                               exclusive_price_cents=exclusive_price, effective_at=now))


def _lowest_prices_query():
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


LOWEST_PRICES = _lowest_prices_query()


def lowest_prices(conn: Connection, product_ids: Iterable[str], now: datetime) -> dict[str, int]:
    """product_id -> lowest exclusive price of the last 30 days, in one query for a page."""
    ids = list(product_ids)
    if not ids:
        return {}
    rows = conn.execute(LOWEST_PRICES, {"ids": ids, "start": now - domain.PRICE_WINDOW}).all()
    changes: dict[str, list[tuple[datetime, int]]] = {}
    for product_id, effective_at, price in rows:
        changes.setdefault(product_id, []).append((as_utc(effective_at), price))
    return {pid: domain.lowest_price(ch, now) for pid, ch in changes.items()}


def products_with_prices_set_between(conn: Connection, start: datetime, end: datetime) -> list[str]:
    """Products with a price set in (start, end]: the ones whose 30-day lowest may change
    when that price leaves the window."""
    rows = conn.execute(select(price_history.c.product_id).distinct()
                        .where(price_history.c.effective_at > start, price_history.c.effective_at <= end))
    return [r[0] for r in rows]


def sweep_mark(conn: Connection, name: str) -> datetime | None:
    row = conn.execute(select(sweeps.c.done_until).where(sweeps.c.name == name)).first()
    return as_utc(row[0]) if row else None


def set_sweep_mark(conn: Connection, name: str, until: datetime) -> None:
    if conn.execute(update(sweeps).where(sweeps.c.name == name).values(done_until=until)).rowcount == 0:
        conn.execute(sweeps.insert().values(name=name, done_until=until))


# --- stock --------------------------------------------------------------------------------
def reservation(conn: Connection, order_id: str) -> dict | None:
    row = conn.execute(select(reservations).where(reservations.c.order_id == order_id)).mappings().first()
    if not row:
        return None
    result = dict(row)
    result["items"] = json.loads(result["items"])
    return result


def take_stock(conn: Connection, wanted: Mapping[str, int]) -> bool:
    """Take every quantity or none; False (and nothing taken) if any is short right now.

    Each UPDATE only applies while enough is left, so a concurrent order that got there
    first makes this one fail instead of driving stock below zero.
    """
    savepoint = conn.begin_nested()
    for product_id, quantity in sorted(wanted.items()):  # one lock order: no deadlocks
        taken = conn.execute(update(products)
                             .where(products.c.id == product_id, products.c.status == domain.LISTED,
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


def record_reservation(conn: Connection, order_id: str, items: Mapping[str, int], status: str,
                       reason: str | None, now: datetime) -> None:
    conn.execute(reservations.insert().values(order_id=order_id, items=json.dumps(dict(items)), status=status,
                                              reason=reason, created_at=now))


def mark_released(conn: Connection, order_id: str, now: datetime) -> bool:
    """Reserved -> released, once; False if it was not reserved (rejected, released, absent)."""
    return conn.execute(update(reservations)
                        .where(reservations.c.order_id == order_id, reservations.c.status == "reserved")
                        .values(status="released", released_at=now)).rowcount == 1
