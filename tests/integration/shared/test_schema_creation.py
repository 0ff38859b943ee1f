"""Processes starting together on an empty PostgreSQL database all come up: one applies the
migrations under the advisory lock, the others wait and find the schema at head."""
import threading

from services.order import store as order_store
from shared import migrations
from shared.db import Database


def test_concurrent_migrations_do_not_race(postgres_url):
    errors = []

    def start():
        try:
            db = Database(postgres_url, order_store.metadata, producer="order", migrations="order")
            db.create_all()
            db.dispose()
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    db = Database(postgres_url, order_store.metadata, producer="order", migrations="order")
    with db.engine.connect() as conn:
        assert migrations.current(conn, "order") == migrations.head("order")
    db.dispose()


def test_concurrent_table_creation_without_migrations_does_not_race(postgres_url):
    errors = []

    def start():
        try:
            db = Database(postgres_url, order_store.metadata, producer="order")
            db.create_all()
            db.dispose()
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
