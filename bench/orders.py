"""Orders end to end in one process: the catalog, shop and order services on the in-memory
bus and SQLite, against the same number of writes in one bare SQLite transaction per order.

One Gouwuhao order is: POST /api/orders through a friend's shop (the order and its
order.placed in the order database), the saga settled (the relay publishes, the catalog
takes the stock and answers with its prices, the shop answers whether it features the
product, the order service records both and prices the order), POST
/api/orders/<id>/pay (the simulated charge, the order paid, the commission booked) and
the last events relayed. Every write goes to SQLite files, one per service, as in
`make run`.

The raw baseline is what that costs a database and nothing else: per order, one
BEGIN IMMEDIATE ... COMMIT with as many INSERTs and UPDATEs as Gouwuhao issued for one
order (counted from its own statements over a sample of orders before the timed rounds),
by primary key, on one table with the same pragmas (WAL, synchronous=NORMAL).
"""
from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from typing import Iterator

from flask import Response
from sqlalchemy import event
from werkzeug.test import Client

from services.catalog.schemas import MAX_STOCK

from bench.measure import Side, compare, discard, scratch

BUYER = "m-buyer"


@contextmanager
def counting_statements(engines) -> Iterator[Counter]:
    """Counts what the engines execute, by kind: INSERT, UPDATE, SELECT, write and read transactions."""
    counts: Counter = Counter()

    def count(conn, cursor, statement, *args):
        words = statement.lstrip().split(None, 1)
        counts[words[0].upper() if words else ""] += 1

    def began(conn):
        # shared.db sends SQLite's BEGIN to sqlite3 itself, past the cursor events: a
        # transaction is counted where it begins, read or write as the unit of work said.
        counts["read transaction" if conn.get_execution_options().get("gwh_read_only") else "write transaction"] += 1

    for engine in engines:
        event.listen(engine, "before_cursor_execute", count)
        event.listen(engine, "begin", began)
    try:
        yield counts
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", count)
            event.remove(engine, "begin", began)


class Shop:
    """A brand, one product with plenty of stock, featured in the friend's shop."""

    def __init__(self):
        from runtime.embedded import Platform
        from tests.conftest import make_config, token_for, trust_harness_tokens
        self.data_dir = scratch("orders")
        # BUYER and the bench's admin are no registered members: the harness vouches for them.
        self.platform = trust_harness_tokens(Platform(make_config(self.data_dir), services=("catalog", "shop", "order")))
        self.client = Client(self.platform.gateway, Response)
        self.buyer = {"Authorization": f"Bearer {token_for(BUYER)}"}
        admin = {"Authorization": "Bearer " + token_for("bench", ("admin",))}
        brand = self.client.post("/api/catalog/brands", json={"name": "Bench"}, headers=admin).json
        self.product_id = self.client.post("/api/catalog/products", headers=admin, json={
            "brand_id": brand["id"], "sku": "O-1", "name": "Bench tea", "category": "tea",
            "list_price_cents": 5000, "exclusive_price_cents": 4500, "commission_rate_bp": 1000,
            "stock": MAX_STOCK}).json["id"]
        # The friend's shop features the product: the shop answers so in each order's saga.
        friend = self.client.post("/api/auth/register", json={
            "username": "bench-friend", "password": "a-long-password", "nickname": "Friend"}).json
        self.friend = friend["member_id"]
        featured = self.client.post("/api/shops/me/featured", json={"product_id": self.product_id},
                                    headers={"Authorization": f"Bearer {friend['token']}"})
        assert featured.status_code == 201, featured.json
        self.platform.settle()

    def order(self) -> None:
        placed = self.client.post("/api/orders", headers=self.buyer, json={
            "shop_id": self.friend, "items": [{"product_id": self.product_id, "quantity": 1}]})
        assert placed.status_code == 202, placed.json
        self.platform.settle()
        paid = self.client.post(f"/api/orders/{placed.json['id']}/pay", headers=self.buyer,
                                json={"method": "simulated"})
        assert paid.status_code == 200 and paid.json["status"] == "paid", paid.json
        assert paid.json["commission_cents"] == 450, paid.json
        self.platform.settle()

    def engines(self):
        return [self.platform[name].db.engine for name in ("catalog", "shop", "order")]

    def close(self) -> None:
        self.platform.stop(drain=False)
        discard(self.data_dir)


class BareSQLite:
    """One table, written the way the baseline's note says."""

    def __init__(self, inserts: int, updates: int):
        self.directory = scratch("orders-raw")
        self.conn = sqlite3.connect(self.directory / "raw.db", isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("CREATE TABLE rows (id TEXT PRIMARY KEY, state TEXT NOT NULL, body TEXT NOT NULL)")
        self.inserts, self.updates = max(1, inserts), updates
        # About the size of an order row or an event envelope.
        self.body = json.dumps({"items": [{"product_id": uuid.uuid4().hex, "quantity": 1,
                                           "unit_price_cents": 4500}], "total_cents": 4500, "pad": "x" * 300})

    def order(self) -> None:
        ids = [uuid.uuid4().hex for _ in range(self.inserts)]
        self.conn.execute("BEGIN IMMEDIATE")
        for row_id in ids:
            self.conn.execute("INSERT INTO rows (id, state, body) VALUES (?, 'new', ?)", (row_id, self.body))
        for i in range(self.updates):
            self.conn.execute("UPDATE rows SET state = ? WHERE id = ?", (f"s{i}", ids[i % len(ids)]))
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()
        discard(self.directory)


def repeat(one, latencies: list[float] | None = None):
    def run(k: int) -> None:
        for _ in range(k):
            began = time.perf_counter()
            one()
            if latencies is not None:
                latencies.append((time.perf_counter() - began) * 1000)
    return run


def orders_per_second(n: int, latencies: list[float] | None = None) -> tuple[float, float, dict]:
    """(raw orders/s, Gouwuhao orders/s, what Gouwuhao issued per order); each Gouwuhao
    order's time from place to paid (ms) goes into `latencies`."""
    shop = Shop()
    try:
        # The first order also opens the friend's commission account; count the steady state.
        for _ in range(3):
            shop.order()
        sample = max(10, n // 10)
        with counting_statements(shop.engines()) as counts:
            for _ in range(sample):
                shop.order()
        per_order = {kind: round(count / sample, 1) for kind, count in counts.items()}
        bare = BareSQLite(round(per_order.get("INSERT", 0)), round(per_order.get("UPDATE", 0)))
        try:
            raw_rate, platform_rate = compare(Side(repeat(bare.order)), Side(repeat(shop.order, latencies)), n)
        finally:
            bare.close()
        return raw_rate, platform_rate, per_order
    finally:
        shop.close()
