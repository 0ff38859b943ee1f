"""Small helpers every store module uses."""
from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, Table
from sqlalchemy.engine import Connection


def new_id() -> str:
    return uuid.uuid4().hex


def locking(conn: Connection, query: Select) -> Select:
    """Row locks where the database has them. SQLite needs none: a write transaction
    holds the whole file (BEGIN IMMEDIATE, see shared.db)."""
    return query.with_for_update() if conn.dialect.name == "postgresql" else query


def like_pattern(q: str) -> str:
    """A LIKE pattern matching `q` anywhere, its own wildcards escaped (escape='\\')."""
    return "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


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
