"""The delisting fan-out: a product delisted while N shops feature it.

Timed from the admin's POST /api/catalog/products/<id>/delist through the gateway to:
- gone: the shop service's handler committed, so no shop page shows the product (the
  catalog's relay published catalog.product.delisted, the shop's consumer took it: one
  DELETE through the product index, one notification per owner, one
  shop.featured.removed per owner in the outbox, one transaction);
- told: the shop's relay has also published the N shop.featured.removed events.
The platform is stepped by hand (relay flush, consumer pump), the way `Platform.settle`
does, so no polling interval is counted. The shops are written straight into the shop's
store (copies of one shop opened through the store's own functions): registering 100,000
members through the API would time argon2, not the delisting.

There is no raw baseline: the issue's target is absolute (gone from 10,000 shops in under
2 s) and linear from 1,000 to 100,000 shops, so the rows give seconds and seconds per
1,000 shops for each size.
"""
from __future__ import annotations

import time

from flask import Response
from sqlalchemy import insert, select
from werkzeug.test import Client


from bench.measure import discard, scratch

SIZES = (1_000, 10_000, 100_000)
CHUNK = 5_000


def open_shops(platform, count: int, product_id: str) -> None:
    """`count` members with their shops, each featuring `product_id`."""
    from services.shop.domain.accounts import Account
    from services.shop.domain.profile import Profile
    from services.shop.store import accounts as account_store
    from services.shop.store import members
    from services.shop.store.tables import accounts, featured, privacy_settings, shops
    from services.shop.store.tables import members as members_table
    db, now = platform["shop"].db, platform.clock.now()
    with db.unit_of_work() as uow:
        account_store.insert_account(uow.conn, Account("template", "template"), "$argon2id$not-used", now)
        members.insert_member(uow.conn, Profile("template", "template"), now)
        rows = {table: dict(uow.conn.execute(select(table).where(table.c.member_id == "template")).mappings().one())
                for table in (accounts, members_table, privacy_settings, shops)}
    for start in range(0, count, CHUNK):
        ids = [f"m{i:06d}" for i in range(start, min(count, start + CHUNK))]
        with db.unit_of_work() as uow:
            for table, row in rows.items():
                extra = {"username": None} if table is accounts else {}
                uow.conn.execute(insert(table), [{**row, "member_id": i, **{k: i for k in extra}} for i in ids])
            uow.conn.execute(insert(featured), [{"member_id": i, "product_id": product_id, "featured_at": now}
                                                for i in ids])


def delist_timing(shops: int) -> tuple[float, float]:
    """(seconds until gone from every shop, seconds until every owner's event is out)."""
    from runtime.embedded import Platform
    from tests.conftest import make_config, token_for, trust_harness_tokens
    directory = scratch("delisting")
    # The bench's admin is no registered member: the harness vouches for it.
    platform = trust_harness_tokens(Platform(make_config(directory), services=("catalog", "shop")))
    try:
        client = Client(platform.gateway, Response)
        admin = {"Authorization": "Bearer " + token_for("bench", ("admin",))}
        brand = client.post("/api/catalog/brands", json={"name": "Bench"}, headers=admin).json
        product = client.post("/api/catalog/products", headers=admin, json={
            "brand_id": brand["id"], "sku": "D-1", "name": "Bench tea", "category": "tea",
            "list_price_cents": 5000, "exclusive_price_cents": 4500, "commission_rate_bp": 1000,
            "stock": 10}).json["id"]
        platform.settle()
        open_shops(platform, shops, product)
        catalog, shop = platform["catalog"], platform["shop"]
        began = time.perf_counter()
        reply = client.post(f"/api/catalog/products/{product}/delist", json={"reason": "recall"}, headers=admin)
        assert reply.status_code == 200, reply.json
        catalog.relay.flush()
        assert shop.consumer.pump() == 1
        gone = time.perf_counter() - began
        while shop.relay.flush():
            pass
        told = time.perf_counter() - began
        from services.shop.store.tables import featured
        with shop.db.reading() as conn:
            assert conn.execute(select(featured).where(featured.c.product_id == product).limit(1)).first() is None
        assert shop.relay.pending() == 0
        return gone, told
    finally:
        platform.stop(drain=False)
        discard(directory)


def bench_delisting(results, n: int, sizes=SIZES) -> None:
    """Rows of `make bench`: the delisting fan-out by featuring shops."""
    from bench.measure import Row
    for shops in sizes:
        gone, told = delist_timing(shops)
        results.rows.append(Row(f"delisting: product gone from {shops:,} shops (s; raw column: s per 1,000 shops)",
                                gone / shops * 1000, gone, unit="s"))
        results.rows.append(Row(f"delisting: all {shops:,} owners' events relayed (s; raw column: s per 1,000 shops)",
                                told / shops * 1000, told, unit="s"))
    results.notes.append("delisting: no baseline (the target is absolute: gone from 10,000 shops in < 2 s, linear "
                         "from 1,000 to 100,000); the first column is the time per 1,000 shops, so a linear cost "
                         "keeps it flat. From the admin's delist request to the shop's handler committed (gone), "
                         "and to its relay having published every shop.featured.removed (told).")


if __name__ == "__main__":
    import logging
    import sys
    logging.basicConfig(level=logging.ERROR)
    for size in (int(a) for a in sys.argv[1:]):
        gone, told = delist_timing(size)
        print(f"{size:>7} shops: gone {gone:.3f}s ({gone / size * 1000:.3f}s per 1000), told {told:.3f}s", flush=True)
