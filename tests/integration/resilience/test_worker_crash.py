"""A worker killed mid-stream loses nothing and applies nothing twice.

A real catalog worker process (`python -m services.catalog.app worker`) consumes a stream of
order.placed events from RabbitMQ into PostgreSQL. It is SIGKILLed while it works; the
messages it held unacknowledged go back to the queue, a second worker takes over, and in
the end every order has exactly one reservation and one answer event.
"""
import os
import signal
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from services.catalog import store
from services.catalog.domain import Brand, Product
from shared.bus import Bus, wait_for
from shared.clock import utcnow
from shared.db import Database
from shared.events import make_event
from shared.sql import new_id
from runtime.topology import declare_all

ROOT = Path(__file__).resolve().parents[3]
ORDERS = 600


def start_worker(env, log_path: Path):
    # Its log goes to a file: a worker logs a line per event, and an unread pipe would fill
    # and stop it.
    with log_path.open("w") as log_file:
        return subprocess.Popen([sys.executable, "-m", "services.catalog.app", "worker"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=log_file, text=True)


def test_a_killed_worker_loses_nothing(amqp_url, postgres_url, tmp_path):
    exchange = f"gwh.test.{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GWH_")}
    env.update(GWH_BUS_URL=amqp_url, GWH_CATALOG_DB_URL=postgres_url, GWH_EXCHANGE=exchange,
               GWH_JWT_SECRET="worker-crash-test-secret-0000000000", GWH_DATA_DIR=str(tmp_path),
               GWH_RELAY_INTERVAL="0.05")
    db = Database(postgres_url, store.metadata, producer="catalog")
    db.create_all()
    with db.unit_of_work() as uow:
        brand = Brand.invite(new_id(), "B", utcnow())
        store.add_brand(uow.conn, brand)
        listed = Product.list_new(new_id(), brand.id, "S", name="p", category="c", list_price_cents=100,
                                  exclusive_price_cents=90, commission_rate_bp=0, stock=10_000, now=utcnow())
        store.add_product(uow.conn, listed)
        product = listed.id
    bus = Bus(amqp_url, exchange=exchange)
    declare_all(bus)
    for i in range(ORDERS):
        bus.publish(make_event("order.placed", {"order_id": f"o{i}", "buyer_id": "b", "items": [
            {"product_id": product, "quantity": 1, "unit_price_cents": 90}]}, "order").to_dict())

    def reservations() -> int:
        with db.reading() as conn:
            return conn.execute(select(func.count()).select_from(store.reservations)).scalar_one()

    first = start_worker(env, tmp_path / "first-worker.log")
    second = None
    try:
        assert wait_for(lambda: reservations() >= 50, 60), (tmp_path / "first-worker.log").read_text()[-3000:]
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        done_by_first = reservations()
        assert done_by_first < ORDERS, "the first worker finished before it could be killed"

        second = start_worker(env, tmp_path / "second-worker.log")
        assert wait_for(lambda: reservations() == ORDERS, 120)
        assert wait_for(lambda: bus.queue_depth("catalog", [])[0] == 0, 30)
        # Its relay publishes what the first worker committed but never sent.
        assert wait_for(lambda: _unsent(db) == 0, 30)
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    process.kill()
    with db.reading() as conn:
        stock = store.product_by_id(conn, product).stock
        answers = [r.type for r in conn.execute(select(db.outbox.c.type))]
        applied = conn.execute(select(func.count()).select_from(db.inbox)).scalar_one()
    assert stock == 10_000 - ORDERS  # each order took its unit once
    assert Counter(answers) == {"catalog.stock.reserved": ORDERS}
    assert applied == ORDERS
    bus.delete(["catalog", "shop", "order", "ranking"])
    bus.close()
    db.dispose()


def _unsent(db) -> int:
    with db.reading() as conn:
        return conn.execute(select(func.count()).select_from(db.outbox).where(db.outbox.c.sent_at.is_(None))).scalar_one()
