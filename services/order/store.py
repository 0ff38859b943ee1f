"""The order service's tables and queries (SQLAlchemy Core), and the mapping to the domain.

Orders, their lines, the owners' answers, the commission ledger and withdrawals are the
service's own records. `product_cards` is a projection of the catalog's events: it never
prices an order (the catalog's answer does, docs/owners-decide.md), it remembers the
delistings that prove an order must not be paid.

Concurrency: on PostgreSQL a use case locks the rows it changes (`FOR UPDATE`); on SQLite
every writing transaction starts with BEGIN IMMEDIATE (shared.db), which serialises them.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Iterable

from sqlalchemy import (Boolean, Column, DateTime, ForeignKey, Index, Integer, MetaData, String, Table, Text,
                        UniqueConstraint, bindparam, func, select, update)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from shared.sql import aware, locking, locks_rows, page

from services.order.domain import (Attribution, CancellationReason, CatalogTerms, CommissionEntry, EntryKind,
                                   EntryStatus, Order, OrderLine, OrderStatus, ProductCard, RejectionReason,
                                   Withdrawal, WithdrawalStatus)
from services.order.domain.orders import UNPAID

metadata = MetaData()

orders = Table(
    "orders", metadata,
    Column("id", String(32), primary_key=True),
    Column("buyer_id", String(64), nullable=False),
    Column("shop_id", String(64)),
    Column("status", String(20), nullable=False),
    Column("rejection_reason", String(20)),
    Column("total_cents", Integer, nullable=False),
    Column("commission_cents", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("reserved_at", DateTime(timezone=True)),
    Column("paid_at", DateTime(timezone=True)),
    Column("payment_reference", String(64)),
    Column("cancelled_at", DateTime(timezone=True)),
    Column("cancellation_reason", String(20)),
    Column("refunded_at", DateTime(timezone=True)),
    Column("refund_reference", String(64)),
    # The buyer's Idempotency-Key and a fingerprint of the request it came with: a retry
    # with the same key gets the same order, a different request under it a 409.
    Column("idempotency_key", String(128)),
    Column("request_fingerprint", String(64)),
    UniqueConstraint("buyer_id", "idempotency_key", name="uq_orders_buyer_idempotency_key"),
    Index("ix_orders_buyer_created", "buyer_id", "created_at"),
    Index("ix_orders_status_created", "status", "created_at"),
)

order_lines = Table(
    "order_lines", metadata,
    Column("order_id", String(32), ForeignKey("orders.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("product_id", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price_cents", Integer),           # null only for a product nobody priced
    Column("featured", Boolean, nullable=False),
    Column("commission_rate_bp", Integer, nullable=False),
    Column("commission_cents", Integer, nullable=False),
    # A delisting finds the unpaid orders of its product through this.
    Index("ix_order_lines_product", "product_id"),
)

order_answers = Table(
    # The owners' answers in an order's saga, and what the buyer expected to pay: kept
    # beside the order (a table of its own, so databases made before it need no migration).
    "order_answers", metadata,
    Column("order_id", String(32), ForeignKey("orders.id"), primary_key=True),
    Column("expected_total_cents", Integer),
    # {product_id: {list_price_cents, exclusive_price_cents, commission_rate_bp, revision}}
    Column("terms", Text),
    # {"featured": [...], "unknown_shop": bool}
    Column("attribution", Text),
)

product_cards = Table(
    "product_cards", metadata,
    Column("product_id", String(64), primary_key=True),
    Column("list_price_cents", Integer, nullable=False),
    Column("exclusive_price_cents", Integer, nullable=False),
    Column("commission_rate_bp", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    # The catalog's revision: a card older than the one held is dropped (the bus does not
    # promise order).
    Column("revision", Integer, nullable=False),
)

commission_accounts = Table(
    # One row per member who ever earned commission: the row withdrawals lock, so two
    # requests at the same moment are decided one after the other.
    "commission_accounts", metadata,
    Column("member_id", String(64), primary_key=True),
    Column("opened_at", DateTime(timezone=True), nullable=False),
)

commission_entries = Table(
    "commission_entries", metadata,
    Column("id", String(32), primary_key=True),
    Column("earner_id", String(64), nullable=False),
    Column("order_id", String(32), ForeignKey("orders.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("amount_cents", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("booked_at", DateTime(timezone=True), nullable=False),
    Column("settles_at", DateTime(timezone=True)),
    Column("settled_at", DateTime(timezone=True)),
    Column("reversed_at", DateTime(timezone=True)),
    Column("clawed_back_at", DateTime(timezone=True)),
    # At most one commission and one clawback per order, whatever retries happen.
    UniqueConstraint("order_id", "kind", name="uq_commission_entries_order_kind"),
    Index("ix_commission_entries_earner", "earner_id", "booked_at"),
    Index("ix_commission_entries_due", "status", "settles_at"),
)

withdrawals = Table(
    "withdrawals", metadata,
    Column("id", String(32), primary_key=True),
    Column("member_id", String(64), ForeignKey("commission_accounts.member_id"), nullable=False),
    Column("amount_cents", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True)),
    Column("decided_by", String(64)),
    Column("rejection_reason", String(300)),
    Column("paid_at", DateTime(timezone=True)),
    Column("payout_reference", String(64)),
    Index("ix_withdrawals_member", "member_id", "requested_at"),
    Index("ix_withdrawals_status", "status", "requested_at"),
)


# --- orders -------------------------------------------------------------------------------
def add_order(conn: Connection, order: Order, idempotency_key: str | None = None,
              fingerprint: str | None = None) -> None:
    """Insert a new order; IntegrityError if the buyer already used this Idempotency-Key."""
    conn.execute(orders.insert().values(**_order_row(order), idempotency_key=idempotency_key,
                                        request_fingerprint=fingerprint))
    conn.execute(order_lines.insert(), [
        {"order_id": order.id, "position": i, "product_id": line.product_id, "quantity": line.quantity,
         "unit_price_cents": line.unit_price_cents, "featured": line.featured,
         "commission_rate_bp": line.commission_rate_bp, "commission_cents": line.commission_cents}
        for i, line in enumerate(order.lines)])
    conn.execute(order_answers.insert().values(order_id=order.id, **_answers_row(order)))


def save_order(conn: Connection, order: Order) -> None:
    conn.execute(update(orders).where(orders.c.id == order.id).values(**_order_row(order)))
    # Lines are priced once, when the owners' answers are in; until then they hold no price.
    for i, line in enumerate(order.lines):
        conn.execute(update(order_lines).where(order_lines.c.order_id == order.id, order_lines.c.position == i)
                     .values(unit_price_cents=line.unit_price_cents, featured=line.featured,
                             commission_rate_bp=line.commission_rate_bp, commission_cents=line.commission_cents))
    if conn.execute(update(order_answers).where(order_answers.c.order_id == order.id)
                    .values(**_answers_row(order))).rowcount == 0:
        conn.execute(order_answers.insert().values(order_id=order.id, **_answers_row(order)))


# The reads of every order request and saga answer, built once: building a select per call
# (coercions and cache keys) was a fifth of the order API's CPU under `make bench`'s cluster
# load (py-spy); values bind at execution.
ORDER_BY_ID = select(orders).where(orders.c.id == bindparam("order_id"))
ORDER_BY_ID_LOCKED = ORDER_BY_ID.with_for_update()
ORDER_STATUS = select(orders.c.status).where(orders.c.id == bindparam("order_id"))
LINES_OF = (select(order_lines).where(order_lines.c.order_id.in_(bindparam("ids", expanding=True)))
            .order_by(order_lines.c.order_id, order_lines.c.position))
ANSWERS_OF = select(order_answers).where(order_answers.c.order_id.in_(bindparam("ids", expanding=True)))
DELISTED_CARDS = select(product_cards.c.product_id, product_cards.c.revision).where(
    product_cards.c.product_id.in_(bindparam("ids", expanding=True)), product_cards.c.status == "delisted")


def _answers_row(order: Order) -> dict:
    terms = None if order.terms is None else json.dumps({
        pid: {"list_price_cents": t.list_price_cents, "exclusive_price_cents": t.exclusive_price_cents,
              "commission_rate_bp": t.commission_rate_bp, "revision": t.revision} for pid, t in order.terms.items()})
    attribution = None if order.attribution is None else json.dumps(
        {"featured": sorted(order.attribution.featured), "unknown_shop": order.attribution.unknown_shop})
    return {"expected_total_cents": order.expected_total_cents, "terms": terms, "attribution": attribution}


def _answers(conn: Connection, ids: list[str]) -> dict[str, dict]:
    if not ids:
        return {}
    found = {}
    for row in conn.execute(ANSWERS_OF, {"ids": ids}).mappings():
        terms = json.loads(row["terms"]) if row["terms"] else None
        attribution = json.loads(row["attribution"]) if row["attribution"] else None
        found[row["order_id"]] = {
            "expected_total_cents": row["expected_total_cents"],
            "terms": None if terms is None else {pid: CatalogTerms(pid, **t) for pid, t in terms.items()},
            "attribution": None if attribution is None else Attribution(frozenset(attribution["featured"]),
                                                                        attribution["unknown_shop"]),
        }
    return found


def _order_row(order: Order) -> dict:
    return {
        "id": order.id, "buyer_id": order.buyer_id, "shop_id": order.shop_id,
        "status": order.status.value,
        "rejection_reason": order.rejection_reason.value if order.rejection_reason else None,
        "total_cents": order.total_cents, "commission_cents": order.commission_cents,
        "created_at": order.created_at, "reserved_at": order.reserved_at, "paid_at": order.paid_at,
        "payment_reference": order.payment_reference, "cancelled_at": order.cancelled_at,
        "cancellation_reason": order.cancellation_reason.value if order.cancellation_reason else None,
        "refunded_at": order.refunded_at, "refund_reference": order.refund_reference,
    }


def order_by_id(conn: Connection, order_id: str, *, for_update: bool = False) -> Order | None:
    # The locked statement is built once too: shared.sql.locking would build a new one per call.
    locked = for_update and locks_rows(conn)
    row = conn.execute(ORDER_BY_ID_LOCKED if locked else ORDER_BY_ID, {"order_id": order_id}).mappings().first()
    return _orders(conn, [row])[0] if row else None


def order_status(conn: Connection, order_id: str) -> OrderStatus | None:
    """The order's status alone (a waiter's question), None for no such order."""
    status = conn.execute(ORDER_STATUS, {"order_id": order_id}).scalar()
    return None if status is None else OrderStatus(status)


def order_by_idempotency_key(conn: Connection, buyer_id: str, key: str) -> tuple[Order, str | None] | None:
    row = conn.execute(select(orders).where(orders.c.buyer_id == buyer_id,
                                            orders.c.idempotency_key == key)).mappings().first()
    return (_orders(conn, [row])[0], row["request_fingerprint"]) if row else None


def orders_of(conn: Connection, buyer_id: str, page_number: int, per_page: int) -> tuple[list[Order], int]:
    where = orders.c.buyer_id == buyer_id
    total = conn.execute(select(func.count()).select_from(orders).where(where)).scalar_one()
    rows = conn.execute(page(select(orders).where(where).order_by(orders.c.created_at.desc(), orders.c.id),
                             page_number, per_page)).mappings().all()
    return _orders(conn, rows), total


def unpaid_order_ids_created_before(conn: Connection, moment: datetime, limit: int = 500) -> list[str]:
    """Orders the 30-minute rule may cancel: still unpaid, created at or before `moment`."""
    return list(conn.execute(select(orders.c.id).where(orders.c.status.in_([s.value for s in UNPAID]),
                                                       orders.c.created_at <= moment)
                             .order_by(orders.c.created_at).limit(limit)).scalars())


def _orders(conn: Connection, rows) -> list[Order]:
    ids = [r["id"] for r in rows]
    lines: dict[str, list[OrderLine]] = {i: [] for i in ids}
    if ids:
        for line in conn.execute(LINES_OF, {"ids": ids}).mappings():
            lines[line["order_id"]].append(OrderLine(
                product_id=line["product_id"], quantity=line["quantity"],
                unit_price_cents=line["unit_price_cents"], featured=line["featured"],
                commission_rate_bp=line["commission_rate_bp"], commission_cents=line["commission_cents"]))
    answers = _answers(conn, ids)
    return [Order(
        id=r["id"], buyer_id=r["buyer_id"], shop_id=r["shop_id"], lines=tuple(lines[r["id"]]),
        created_at=aware(r["created_at"]), status=OrderStatus(r["status"]),
        rejection_reason=RejectionReason(r["rejection_reason"]) if r["rejection_reason"] else None,
        reserved_at=aware(r["reserved_at"]), paid_at=aware(r["paid_at"]),
        payment_reference=r["payment_reference"], cancelled_at=aware(r["cancelled_at"]),
        cancellation_reason=CancellationReason(r["cancellation_reason"]) if r["cancellation_reason"] else None,
        refunded_at=aware(r["refunded_at"]), refund_reference=r["refund_reference"],
        **answers.get(r["id"], {}),
    ) for r in rows]


def unpaid_order_ids_with_product(conn: Connection, product_id: str, limit: int = 1000) -> list[str]:
    """The orders a delisting of `product_id` may cancel: still unpaid, with a line of it."""
    return list(conn.execute(
        select(orders.c.id).join(order_lines, order_lines.c.order_id == orders.c.id)
        .where(order_lines.c.product_id == product_id, orders.c.status.in_([s.value for s in UNPAID]))
        .order_by(orders.c.created_at).limit(limit)).scalars())


# --- projection: product cards -----------------------------------------------------------
def upsert_card(conn: Connection, card: ProductCard, revision: int) -> bool:
    """Keep the card unless the one held is newer; True when it was stored."""
    held = conn.execute(select(product_cards.c.revision)
                        .where(product_cards.c.product_id == card.product_id)).scalar_one_or_none()
    values = {"list_price_cents": card.list_price_cents, "exclusive_price_cents": card.exclusive_price_cents,
              "commission_rate_bp": card.commission_rate_bp, "status": card.status, "revision": revision}
    if held is None:
        conn.execute(product_cards.insert().values(product_id=card.product_id, **values))
        return True
    if revision < held:
        return False
    conn.execute(update(product_cards).where(product_cards.c.product_id == card.product_id).values(**values))
    return True


def mark_card_delisted(conn: Connection, product_id: str, revision: int) -> None:
    """Remember the delisting, even of a product whose card has not arrived yet: it proves
    that a reservation at an older revision must not be paid."""
    held = conn.execute(select(product_cards.c.revision)
                        .where(product_cards.c.product_id == product_id)).scalar_one_or_none()
    if held is None:
        conn.execute(product_cards.insert().values(product_id=product_id, list_price_cents=0, exclusive_price_cents=0,
                                                   commission_rate_bp=0, status="delisted", revision=revision))
        return
    conn.execute(update(product_cards)
                 .where(product_cards.c.product_id == product_id, product_cards.c.revision <= revision)
                 .values(status="delisted", revision=revision))


def delisted_revisions(conn: Connection, product_ids: Iterable[str]) -> dict[str, int]:
    """product_id -> the revision at which the projection saw it delisted (no later relisting)."""
    ids = list(product_ids)
    if not ids:
        return {}
    rows = conn.execute(DELISTED_CARDS, {"ids": ids})
    return {pid: revision for pid, revision in rows}


def cards_by_ids(conn: Connection, product_ids: Iterable[str]) -> dict[str, ProductCard]:
    ids = list(product_ids)
    if not ids:
        return {}
    rows = conn.execute(select(product_cards).where(product_cards.c.product_id.in_(ids))).mappings()
    return {r["product_id"]: ProductCard(r["product_id"], r["list_price_cents"], r["exclusive_price_cents"],
                                         r["commission_rate_bp"], r["status"]) for r in rows}


# --- the commission ledger ----------------------------------------------------------------
def open_account(conn: Connection, member_id: str, now: datetime) -> None:
    """Make sure the member's account row exists (two first commissions may race)."""
    exists = conn.execute(select(commission_accounts.c.member_id)
                          .where(commission_accounts.c.member_id == member_id)).first()
    if exists:
        return
    try:
        with conn.begin_nested():
            conn.execute(commission_accounts.insert().values(member_id=member_id, opened_at=now))
    except IntegrityError:
        pass  # the other transaction opened it


def lock_account(conn: Connection, member_id: str) -> bool:
    """Lock the member's account for this transaction; False if they never earned anything."""
    query = select(commission_accounts.c.member_id).where(commission_accounts.c.member_id == member_id)
    return conn.execute(locking(conn, query)).first() is not None


def add_entry(conn: Connection, entry: CommissionEntry) -> None:
    conn.execute(commission_entries.insert().values(**_entry_row(entry)))


def save_entry(conn: Connection, entry: CommissionEntry) -> None:
    conn.execute(update(commission_entries).where(commission_entries.c.id == entry.id).values(**_entry_row(entry)))


def _entry_row(entry: CommissionEntry) -> dict:
    return {"id": entry.id, "earner_id": entry.earner_id, "order_id": entry.order_id,
            "kind": entry.kind.value, "amount_cents": entry.amount_cents, "status": entry.status.value,
            "booked_at": entry.booked_at, "settles_at": entry.settles_at, "settled_at": entry.settled_at,
            "reversed_at": entry.reversed_at, "clawed_back_at": entry.clawed_back_at}


def commission_of_order(conn: Connection, order_id: str, *, for_update: bool = False) -> CommissionEntry | None:
    query = select(commission_entries).where(commission_entries.c.order_id == order_id,
                                             commission_entries.c.kind == EntryKind.COMMISSION.value)
    row = conn.execute(locking(conn, query) if for_update else query).mappings().first()
    return _entry(row) if row else None


def entries_of(conn: Connection, earner_id: str) -> list[CommissionEntry]:
    rows = conn.execute(select(commission_entries).where(commission_entries.c.earner_id == earner_id)
                        .order_by(commission_entries.c.booked_at.desc(), commission_entries.c.id)).mappings()
    return [_entry(r) for r in rows]


def due_entry_ids(conn: Connection, now: datetime, limit: int = 500) -> list[str]:
    return list(conn.execute(select(commission_entries.c.id).where(
        commission_entries.c.status == EntryStatus.PENDING.value, commission_entries.c.settles_at <= now)
        .order_by(commission_entries.c.settles_at).limit(limit)).scalars())


def entry_by_id(conn: Connection, entry_id: str, *, for_update: bool = False) -> CommissionEntry | None:
    query = select(commission_entries).where(commission_entries.c.id == entry_id)
    row = conn.execute(locking(conn, query) if for_update else query).mappings().first()
    return _entry(row) if row else None


def _entry(row) -> CommissionEntry:
    return CommissionEntry(
        id=row["id"], earner_id=row["earner_id"], order_id=row["order_id"], kind=EntryKind(row["kind"]),
        amount_cents=row["amount_cents"], status=EntryStatus(row["status"]), booked_at=aware(row["booked_at"]),
        settles_at=aware(row["settles_at"]), settled_at=aware(row["settled_at"]),
        reversed_at=aware(row["reversed_at"]), clawed_back_at=aware(row["clawed_back_at"]))


# --- withdrawals --------------------------------------------------------------------------
def add_withdrawal(conn: Connection, withdrawal: Withdrawal) -> None:
    conn.execute(withdrawals.insert().values(**_withdrawal_row(withdrawal)))


def save_withdrawal(conn: Connection, withdrawal: Withdrawal) -> None:
    conn.execute(update(withdrawals).where(withdrawals.c.id == withdrawal.id)
                 .values(**_withdrawal_row(withdrawal)))


def _withdrawal_row(w: Withdrawal) -> dict:
    return {"id": w.id, "member_id": w.member_id, "amount_cents": w.amount_cents, "status": w.status.value,
            "requested_at": w.requested_at, "decided_at": w.decided_at, "decided_by": w.decided_by,
            "rejection_reason": w.rejection_reason, "paid_at": w.paid_at, "payout_reference": w.payout_reference}


def withdrawal_by_id(conn: Connection, withdrawal_id: str, *, for_update: bool = False) -> Withdrawal | None:
    query = select(withdrawals).where(withdrawals.c.id == withdrawal_id)
    row = conn.execute(locking(conn, query) if for_update else query).mappings().first()
    return _withdrawal(row) if row else None


def withdrawals_of(conn: Connection, member_id: str) -> list[Withdrawal]:
    rows = conn.execute(select(withdrawals).where(withdrawals.c.member_id == member_id)
                        .order_by(withdrawals.c.requested_at.desc(), withdrawals.c.id)).mappings()
    return [_withdrawal(r) for r in rows]


def withdrawals_page(conn: Connection, status: str | None, page_number: int,
                     per_page: int) -> tuple[list[Withdrawal], int]:
    where = withdrawals.c.status == status if status else True
    total = conn.execute(select(func.count()).select_from(withdrawals).where(where)).scalar_one()
    rows = conn.execute(page(select(withdrawals).where(where).order_by(withdrawals.c.requested_at, withdrawals.c.id),
                             page_number, per_page)).mappings()
    return [_withdrawal(r) for r in rows], total


def approved_withdrawal_ids(conn: Connection, limit: int = 100) -> list[str]:
    return list(conn.execute(select(withdrawals.c.id).where(withdrawals.c.status == WithdrawalStatus.APPROVED.value)
                             .order_by(withdrawals.c.decided_at).limit(limit)).scalars())


def _withdrawal(row) -> Withdrawal:
    return Withdrawal(
        id=row["id"], member_id=row["member_id"], amount_cents=row["amount_cents"],
        requested_at=aware(row["requested_at"]), status=WithdrawalStatus(row["status"]),
        decided_at=aware(row["decided_at"]), decided_by=row["decided_by"],
        rejection_reason=row["rejection_reason"], paid_at=aware(row["paid_at"]),
        payout_reference=row["payout_reference"])
