"""Concurrent reservations never oversell: 40 orders race for 10 units from 8 threads.

The catalog's reservation handler runs exactly as the consumer runs it (the idempotent
dispatch over a unit of work), on PostgreSQL and on SQLite.
"""
import threading
import uuid

import pytest
from sqlalchemy import func, select

from services.catalog import store
from services.catalog.domain import Brand, Product
from services.catalog.handlers import subscriptions
from shared.clock import utcnow
from shared.db import Database
from shared.events import make_event
from shared.inbox import transactional_dispatch
from shared.sql import new_id


def race(db_url: str, *, orders: int = 40, threads: int = 8, stock: int = 10):
    db = Database(db_url, store.metadata, producer="catalog")
    db.create_all()
    with db.unit_of_work() as uow:
        brand = Brand.invite(new_id(), f"B{uuid.uuid4().hex[:6]}", utcnow())
        store.add_brand(uow.conn, brand)
        products = []
        for i in range(2):
            product = Product.list_new(new_id(), brand.id, f"S{i}", name="p", category="c", list_price_cents=100,
                                       exclusive_price_cents=90, commission_rate_bp=0, stock=stock, now=utcnow())
            store.add_product(uow.conn, product)
            products.append(product.id)
    dispatch = transactional_dispatch(db, subscriptions)
    # Each order wants one of each product, so a half-taken reservation would show.
    events = [make_event("order.placed", {"order_id": f"o{i}", "buyer_id": f"b{i}", "items": [
        {"product_id": products[0], "quantity": 1, "unit_price_cents": 90},
        {"product_id": products[1], "quantity": 1, "unit_price_cents": 90}]}, "order") for i in range(orders)]
    errors = []

    def worker(chunk):
        for evt in chunk:
            try:
                dispatch(evt)
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

    pool = [threading.Thread(target=worker, args=(events[i::threads],)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    with db.reading() as conn:
        remaining = [store.product_by_id(conn, pid).stock for pid in products]
        reserved = conn.execute(select(func.count()).select_from(store.reservations)
                                .where(store.reservations.c.status == "reserved")).scalar_one()
        rejected = conn.execute(select(func.count()).select_from(store.reservations)
                                .where(store.reservations.c.status == "rejected")).scalar_one()
    db.dispose()
    return errors, remaining, reserved, rejected


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
def test_concurrent_orders_never_oversell(backend, request, tmp_path):
    url = request.getfixturevalue("postgres_url") if backend == "postgres" else f"sqlite:///{tmp_path / 'c.db'}"
    errors, remaining, reserved, rejected = race(url)
    assert errors == []
    assert reserved == 10 and rejected == 30
    assert remaining == [0, 0]  # reserved plus remaining equals the start, for both products
