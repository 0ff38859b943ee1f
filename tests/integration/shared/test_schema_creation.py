"""Processes starting together on an empty PostgreSQL database all come up."""
import threading

from services.order import store as order_store
from shared.db import Database


def test_concurrent_table_creation_does_not_race(postgres_url):
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
