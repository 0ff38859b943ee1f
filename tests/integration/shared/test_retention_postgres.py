"""Retention on PostgreSQL: the same pruning as on SQLite (tests/unit/shared/test_retention.py)."""
from sqlalchemy import MetaData

from shared import retention
from shared.db import Database
from tests.support.retention import add_event, add_inbox, count, outbox_types


def test_retention_prunes_on_postgresql(postgres_url):
    db = Database(postgres_url, MetaData(), producer="order")
    db.create_all()
    try:
        add_event(db, "order.placed", sent_days_ago=8)
        add_event(db, "order.paid", sent_days_ago=41)
        add_event(db, "order.paid", sent_days_ago=2)
        add_event(db, "shop.friendship.created", sent_days_ago=900)
        add_inbox(db, 12, days_ago=9)
        pruned = retention.prune(db, 7, batch=5, max_batches=10)
        assert (pruned.outbox, pruned.inbox) == (2, 12)
        assert outbox_types(db) == [("order.paid", True), ("shop.friendship.created", True)]
        assert count(db, db.inbox) == 0
    finally:
        db.dispose()
