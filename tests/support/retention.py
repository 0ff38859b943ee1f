"""Outbox and inbox rows of a given age, for the retention tests on SQLite and PostgreSQL."""
from __future__ import annotations

import json
import uuid
from datetime import timedelta
from sqlalchemy import func, insert, select
from shared.clock import utcnow


def add_event(db, event_type: str, *, sent_days_ago: float | None):
    now = utcnow()
    with db.engine.begin() as conn:
        conn.execute(insert(db.outbox).values(
            event_id=str(uuid.uuid4()), type=event_type, envelope=json.dumps({}),
            created_at=now, sent_at=None if sent_days_ago is None else now - timedelta(days=sent_days_ago)))


def add_inbox(db, n: int, days_ago: float):
    now = utcnow()
    with db.engine.begin() as conn:
        for i in range(n):
            conn.execute(insert(db.inbox).values(event_id=str(uuid.uuid4()), type="x",
                                                 applied_at=now - timedelta(days=days_ago)))


def outbox_types(db) -> list[tuple[str, bool]]:
    with db.reading() as conn:
        return sorted((t, s is not None) for t, s in conn.execute(select(db.outbox.c.type, db.outbox.c.sent_at)))


def count(db, table) -> int:
    with db.reading() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()
