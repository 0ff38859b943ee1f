"""A stock reservation of three items, all or nothing, against the same three raw UPDATEs.

Both sides run one transaction per order on the same engine and the same rows. The raw side
decrements each product unconditionally; `store.take_stock` adds what makes it safe under
concurrency: each UPDATE applies only while the product is listed and has enough left, and
a savepoint takes the earlier items back if a later one is short.
"""
from __future__ import annotations

import uuid
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import create_engine, text, update

from bench.measure import Side, compare, discard, scratch

ITEMS = 3


def reservations_per_second(db_url: str, n: int) -> tuple[float, float]:
    from services.catalog import store
    from services.catalog.domain import Brand, Product
    from shared.clock import utcnow
    from shared.db import Database
    from shared.sql import new_id
    db = Database(db_url, store.metadata, producer="bench")
    try:
        db.create_all()
        with db.unit_of_work() as uow:
            brand = Brand.invite(new_id(), "B", utcnow())
            store.add_brand(uow.conn, brand)
            products = [Product.list_new(new_id(), brand.id, f"S{i}", name="p", category="c", list_price_cents=100,
                                         exclusive_price_cents=90, commission_rate_bp=0, stock=10 ** 9, now=utcnow())
                        for i in range(ITEMS)]
            for product in products:
                store.add_product(uow.conn, product)
            ids = [product.id for product in products]
        wanted = {pid: 1 for pid in ids}

        def raw(k: int) -> None:
            for _ in range(k):
                with db.engine.begin() as conn:
                    for pid in sorted(ids):
                        conn.execute(update(store.products).where(store.products.c.id == pid)
                                     .values(stock=store.products.c.stock - 1))

        def guarded(k: int) -> None:
            for _ in range(k):
                with db.unit_of_work() as uow:
                    assert store.take_stock(uow.conn, wanted)

        return compare(Side(raw), Side(guarded), n)
    finally:
        db.dispose()


@contextmanager
def fresh_sqlite() -> Iterator[str]:
    directory = scratch("stock")
    try:
        yield f"sqlite:///{directory / 'catalog.db'}"
    finally:
        discard(directory)


@contextmanager
def fresh_postgres(server_url: str) -> Iterator[str]:
    """A database of its own on the server (`postgresql://user@host:port/any`), dropped after."""
    name = f"gwh_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield server_url.rsplit("/", 1)[0] + "/" + name
        finally:
            with admin.connect() as conn:
                conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    finally:
        admin.dispose()
