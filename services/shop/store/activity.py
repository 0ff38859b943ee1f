"""Visits to shops and the orders the shop learns of: what analytics and purchases read."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from shared.sql import aware

from services.shop.domain.orders import OrderLine, ShopOrder
from services.shop.domain.visits import Visit, VisitorTally

from .tables import order_lines, shop_orders, visits


# --- visits -------------------------------------------------------------------------------
def add_visit(conn: Connection, visit: Visit) -> None:
    conn.execute(insert(visits).values(id=visit.id, shop_id=visit.shop_id, visitor=visit.visitor,
                                       member_id=visit.member_id, product_id=visit.product_id, at=visit.at))


def visitor_tallies(conn: Connection, shop_id: str, since: datetime) -> list[VisitorTally]:
    """A shop's visits from `since` on, grouped by visitor (domain.visits.tally, done by
    the database): one row per visitor, however often they came. Exact: every visitor is
    a row, nothing is estimated."""
    rows = conn.execute(
        select(visits.c.visitor, func.max(visits.c.member_id), func.count(), func.max(visits.c.at))
        .where(visits.c.shop_id == shop_id, visits.c.at >= since).group_by(visits.c.visitor))
    return [VisitorTally(visitor, member_id, count, aware(last_at)) for visitor, member_id, count, last_at in rows]


def views_by_product(conn: Connection, shop_id: str, since: datetime) -> dict[str, int]:
    rows = conn.execute(select(visits.c.product_id, func.count())
                        .where(visits.c.shop_id == shop_id, visits.c.product_id.is_not(None),
                               visits.c.at >= since)
                        .group_by(visits.c.product_id))
    return dict(rows.all())


# --- orders (projection of order.paid / order.refunded) -----------------------------------
def order_of(conn: Connection, order_id: str) -> ShopOrder | None:
    found = _orders(conn, shop_orders.c.order_id == order_id)
    return found[0] if found else None


def save_order(conn: Connection, order: ShopOrder, *, known: bool, now: datetime) -> None:
    if known:
        conn.execute(update(shop_orders).where(shop_orders.c.order_id == order.order_id)
                     .values(paid=order.paid, refunded=order.refunded))
        return
    conn.execute(insert(shop_orders).values(order_id=order.order_id, buyer_id=order.buyer_id,
                                            shop_id=order.shop_id, paid=order.paid, refunded=order.refunded,
                                            first_seen_at=now))
    if order.lines:
        conn.execute(insert(order_lines), [
            {"order_id": order.order_id, "line_no": n, "product_id": line.product_id,
             "quantity": line.quantity, "unit_price_cents": line.unit_price_cents}
            for n, line in enumerate(order.lines)])


def orders_through(conn: Connection, shop_id: str) -> list[ShopOrder]:
    return _orders(conn, shop_orders.c.shop_id == shop_id)


def orders_of_buyer(conn: Connection, buyer_id: str) -> list[ShopOrder]:
    return _orders(conn, shop_orders.c.buyer_id == buyer_id)


def _orders(conn: Connection, condition) -> list[ShopOrder]:
    """Orders with their lines in one joined query, first seen first."""
    rows = conn.execute(
        select(shop_orders, order_lines.c.product_id, order_lines.c.quantity, order_lines.c.unit_price_cents)
        .outerjoin(order_lines, order_lines.c.order_id == shop_orders.c.order_id)
        .where(condition)
        .order_by(shop_orders.c.first_seen_at, shop_orders.c.order_id, order_lines.c.line_no)).mappings()
    heads: dict[str, dict] = {}
    lines: dict[str, list[OrderLine]] = {}
    for row in rows:
        heads.setdefault(row["order_id"], row)
        found = lines.setdefault(row["order_id"], [])
        if row["product_id"] is not None:
            found.append(OrderLine(row["product_id"], row["quantity"], row["unit_price_cents"]))
    return [ShopOrder(order_id=oid, buyer_id=head["buyer_id"], shop_id=head["shop_id"],
                      lines=tuple(lines[oid]), paid=head["paid"], refunded=head["refunded"])
            for oid, head in heads.items()]
