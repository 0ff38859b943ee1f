"""Shops, their featured products, and the product cards they show."""
from __future__ import annotations

from dataclasses import asdict, fields
from datetime import datetime
from typing import Iterable

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.engine import Connection

from shared import sql
from shared.sql import LIKE_ESCAPE, aware, like_pattern, locking, upsert

from services.shop.domain.cards import LISTED, ProductCard
from services.shop.domain.featured import FeaturedProduct, Influence, Shop

from .tables import featured, product_cards, shops, slot_departures

CARD_COLUMNS = tuple(f.name for f in fields(ProductCard))


# --- shops and featured products ----------------------------------------------------------
def load_shop(conn: Connection, member_id: str) -> Shop | None:
    """The shop with its featured products. On PostgreSQL the shop row is locked, so two
    requests racing for the last free slot are decided one after the other."""
    row = conn.execute(locking(conn, select(shops).where(shops.c.member_id == member_id))).mappings().first()
    if row is None:
        return None
    entries = conn.execute(select(featured.c.product_id, featured.c.featured_at)
                           .where(featured.c.member_id == member_id).order_by(featured.c.featured_at)).all()
    return Shop(member_id=member_id,
                influence=Influence(score=row["score"], tier=row["tier"], slots=row["slots"],
                                    as_of=aware(row["influence_as_of"])),
                featured=[FeaturedProduct(pid, aware(at)) for pid, at in entries])


def add_featured(conn: Connection, member_id: str, entry: FeaturedProduct) -> None:
    conn.execute(insert(featured).values(member_id=member_id, product_id=entry.product_id,
                                         featured_at=entry.featured_at))


def remove_featured(conn: Connection, member_id: str, product_id: str) -> None:
    conn.execute(delete(featured).where(featured.c.member_id == member_id, featured.c.product_id == product_id))


def save_influence(conn: Connection, member_id: str, influence: Influence) -> None:
    conn.execute(update(shops).where(shops.c.member_id == member_id)
                 .values(score=influence.score, tier=influence.tier, slots=influence.slots,
                         influence_as_of=influence.as_of))


def influence_of(conn: Connection, member_id: str) -> Influence | None:
    row = conn.execute(select(shops).where(shops.c.member_id == member_id)).mappings().first()
    if row is None:
        return None
    return Influence(score=row["score"], tier=row["tier"], slots=row["slots"], as_of=aware(row["influence_as_of"]))


def featured_ids(conn: Connection, member_id: str) -> set[str]:
    return set(conn.execute(select(featured.c.product_id).where(featured.c.member_id == member_id)).scalars())


def featured_cards(conn: Connection, member_id: str) -> list[dict]:
    """The shop page's products: each featured one still listed, with its card and lock."""
    rows = conn.execute(
        select(product_cards, featured.c.featured_at)
        .join(product_cards, product_cards.c.product_id == featured.c.product_id)
        .where(featured.c.member_id == member_id, product_cards.c.status == LISTED)
        .order_by(featured.c.featured_at, featured.c.product_id)).mappings()
    result = []
    for row in rows:
        entry = FeaturedProduct(row["product_id"], aware(row["featured_at"]))
        result.append({**row, "featured_at": entry.featured_at, "locked_until": entry.locked_until})
    return result


def featured_page(conn: Connection, member_id: str, slots: int) -> list[dict]:
    """The shop page's products: never more than the slot count. Over it (after a tier
    drop) the most recently featured wait out their locks off the page."""
    return featured_cards(conn, member_id)[:max(slots, 0)]


# --- slot departures (domain.featured.Shop.over_count) ------------------------------------
def scheduled_departures(conn: Connection, member_id: str) -> set[str]:
    return set(conn.execute(select(slot_departures.c.product_id)
                            .where(slot_departures.c.member_id == member_id)).scalars())


def schedule_departures(conn: Connection, member_id: str, entries: list[FeaturedProduct]) -> None:
    """The shop's schedule from now on: exactly these products, each at its lock's end."""
    conn.execute(delete(slot_departures).where(slot_departures.c.member_id == member_id))
    if entries:
        conn.execute(insert(slot_departures), [
            {"member_id": member_id, "product_id": e.product_id, "leaves_at": e.locked_until} for e in entries])


def shops_with_departures_due(conn: Connection, now: datetime, limit: int = 500) -> list[str]:
    rows = conn.execute(select(slot_departures.c.member_id).distinct()
                        .where(slot_departures.c.leaves_at <= now).limit(limit))
    return sorted(rows.scalars())


def drop_delisted(conn: Connection, product_id: str, featured_until: datetime | None) -> list[str]:
    """Remove a delisted product from every shop featuring it, lock or not, in one
    statement through the product index; returns those shops' ids.

    `featured_until` keeps entries featured after it (see domain.cards.delisting_cutoff).
    """
    condition = featured.c.product_id == product_id
    if featured_until is not None:
        condition = and_(condition, featured.c.featured_at <= featured_until)
    rows = conn.execute(delete(featured).where(condition).returning(featured.c.member_id))
    return sorted(rows.scalars())


# --- product cards (projection of catalog.product.*) --------------------------------------
def _card(row) -> ProductCard:
    return ProductCard(**{name: row[name] for name in CARD_COLUMNS})


def card_of(conn: Connection, product_id: str) -> ProductCard | None:
    row = conn.execute(select(product_cards).where(product_cards.c.product_id == product_id)).mappings().first()
    return _card(row) if row else None


def save_card(conn: Connection, card: ProductCard) -> None:
    values = asdict(card)
    upsert(conn, product_cards, values, ["product_id"],
           {k: v for k, v in values.items() if k != "product_id"})


def cards_by_ids(conn: Connection, product_ids: Iterable[str]) -> dict[str, ProductCard]:
    ids = list(set(product_ids))
    if not ids:
        return {}
    rows = conn.execute(select(product_cards).where(product_cards.c.product_id.in_(ids))).mappings()
    return {row["product_id"]: _card(row) for row in rows}


def search_listed(conn: Connection, *, q: str | None, category: str | None, page: int, per_page: int,
                  among: list[str] | None = None) -> tuple[list[ProductCard], int]:
    """Listed cards matching the text (name or category) and the category, by name;
    `among` limits the search to those products."""
    conditions = [product_cards.c.status == LISTED]
    if category:
        conditions.append(func.lower(product_cards.c.category) == category.lower())
    if q:
        pattern = like_pattern(q)
        conditions.append(or_(func.lower(product_cards.c.name).like(pattern, escape=LIKE_ESCAPE),
                              func.lower(product_cards.c.category).like(pattern, escape=LIKE_ESCAPE)))
    if among is not None:
        conditions.append(product_cards.c.product_id.in_(among))
    where = and_(*conditions)
    total = conn.execute(select(func.count()).select_from(product_cards).where(where)).scalar_one()
    rows = conn.execute(sql.page(select(product_cards).where(where)
                        .order_by(product_cards.c.name, product_cards.c.product_id), page, per_page)).mappings()
    return [_card(r) for r in rows], total
