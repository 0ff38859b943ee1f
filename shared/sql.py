"""The small SQL idioms every relational store uses, written once: new ids, row locks,
LIKE patterns, pages, upserts, and UTC times read back from SQLite.

Plain SQLAlchemy Core over a Connection; no business rule lives here.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Select, Table
from sqlalchemy.engine import Connection


def new_id() -> str:
    """A new entity id: 32 hex digits, no dashes (what every id in the contract looks like)."""
    return uuid.uuid4().hex


def locks_rows(conn: Connection) -> bool:
    """Whether the database has row locks. SQLite needs none: a write transaction holds the
    whole file (BEGIN IMMEDIATE, see shared.db)."""
    return conn.dialect.name == "postgresql"


def locking(conn: Connection, query: Select) -> Select:
    """Row locks where the database has them (locks_rows)."""
    return query.with_for_update() if locks_rows(conn) else query


def like_pattern(q: str) -> str:
    """A case-folded LIKE pattern matching `q` anywhere, its own wildcards escaped; use it
    with `.like(pattern, escape=LIKE_ESCAPE)` on a lower()ed column."""
    return "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


LIKE_ESCAPE = "\\"


def page(query: Select, page_number: int, per_page: int) -> Select:
    """One page (numbered from 1) of an ordered query."""
    return query.limit(per_page).offset((page_number - 1) * per_page)


def aware(moment: datetime | None) -> datetime | None:
    """A stored time as UTC: SQLite hands back naive datetimes, and everything stored is UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


def upsert(conn: Connection, table: Table, values: dict[str, Any], keys: list[str],
           changes: dict[str, Any] | None = None) -> None:
    """INSERT, or on a key already present UPDATE `changes` (or leave the row as it is).

    One statement, so two writers racing on a new key cannot both insert.
    """
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table).values(**values)
    if changes:
        statement = statement.on_conflict_do_update(index_elements=keys, set_=changes)
    else:
        statement = statement.on_conflict_do_nothing(index_elements=keys)
    conn.execute(statement)
