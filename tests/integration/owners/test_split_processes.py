"""The cluster mode's split, on RabbitMQ and PostgreSQL: the shop and order APIs run apart
from the workers (no consumer, no relay of their own, as under gunicorn), and the catalog
is reached over HTTP at GWH_CATALOG_URL. So the read-through goes over the network, and
POST /api/orders can only learn that its order settled by rereading the database (no
consumer in its process wakes it). The races still come out right (docs/owners-decide.md).
"""
from __future__ import annotations

import threading
import uuid

import pytest
from flask import Response
from werkzeug.serving import make_server
from werkzeug.test import Client

from shared.bus import wait_for
from tests.conftest import bearer, make_config
from tests.conftest import trust_harness_tokens
from tests.support.owner_races import Held
from tests.support.owner_races import Shopper, Tally, check_line, settled_order
from tests.support.shop_world import SHOP_ADAPTERS

TRIES = 15


@pytest.fixture
def split(tmp_path, amqp_url, postgres_urls):
    from runtime.embedded import Platform
    exchange = f"gwh.test.{uuid.uuid4().hex[:10]}"
    workers = trust_harness_tokens(Platform(make_config(tmp_path / "workers", bus_url=amqp_url, database_urls=postgres_urls,
                                   exchange=exchange), services=("catalog", "shop", "order"))).start()
    server = make_server("127.0.0.1", 0, workers["catalog"].app, threaded=True)   # the catalog's API
    threading.Thread(target=server.serve_forever, daemon=True).start()
    apis = trust_harness_tokens(Platform(make_config(tmp_path / "apis", bus_url=amqp_url, database_urls=postgres_urls, exchange=exchange,
                                order_settle_wait=5.0,
                                service_urls={"catalog": f"http://127.0.0.1:{server.server_port}"}),
                    services=("shop", "order"), adapters=SHOP_ADAPTERS))           # never started: API only
    yield workers, apis
    apis.stop(drain=False)
    server.shutdown()
    workers.stop(drain=False)
    workers.bus.delete(workers.parts)


def test_apis_apart_from_their_workers_ask_the_catalog_over_http_and_wait_by_rereading(split, admin):
    workers, apis = split
    catalog = Shopper(Client(workers.gateway, Response), admin)     # the admin's catalog calls
    front = Client(apis.gateway, Response)                          # the shop and order APIs
    assert "catalog" not in apis["shop"].context.owners.local
    # First with the shop's worker held back on the catalog's events: every answer must
    # come from the catalog, over HTTP.
    lag = Held(workers["shop"], {"catalog.product.listed", "catalog.brand.created"})
    try:
        registered = front.post("/api/auth/register", json={"username": "held", "password": "a-long-password",
                                                            "nickname": "Held"}).json
        product = catalog.product(list_price=5000, exclusive=4000)
        assert wait_for(lag.holding.is_set, 15)
        assert front.post("/api/shops/me/featured", json={"product_id": product},
                          headers={"Authorization": f"Bearer {registered['token']}"}).status_code == 201
        status, brand = catalog.brand()
        assert front.post("/api/auth/merchants", headers=admin, json={
            "username": "heldmerchant", "password": "a-long-password", "nickname": "M",
            "brand_id": brand}).status_code == 201
    finally:
        lag.release.set()
    tally = Tally()
    for i in range(TRIES):
        tally.tries += 1
        registered = front.post("/api/auth/register", json={"username": f"split{i}", "password": "a-long-password",
                                                            "nickname": "Split"}).json
        headers = {"Authorization": f"Bearer {registered['token']}"}
        product = catalog.product(list_price=5000 + i, exclusive=4000 + i)
        featured = front.post("/api/shops/me/featured", json={"product_id": product}, headers=headers)
        if featured.status_code != 201:
            tally.wrong("false_refusals", f"{featured.status_code} {featured.json}")
            continue
        placed = front.post("/api/orders", headers=bearer("m-split-buyer"), json={
            "items": [{"product_id": product, "quantity": 1}], "shop_id": registered["member_id"]})
        assert placed.status_code in (201, 202), placed.json
        tally.answered_settled += placed.status_code == 201
        order = placed.json if placed.status_code == 201 else settled_order(front, placed.json["id"], "m-split-buyer")
        check_line(tally, order, 4000 + i, True, (4000 + i) * 1000 // 10_000)
        status, brand = catalog.brand()
        merchant = front.post("/api/auth/merchants", headers=admin, json={
            "username": f"splitmerchant{i}", "password": "a-long-password", "nickname": "M", "brand_id": brand})
        if merchant.status_code != 201:
            tally.wrong("false_refusals", f"merchant: {merchant.status_code} {merchant.json}")
    assert tally.clean, tally
    assert tally.answered_settled > 0, tally              # the wait saw orders settle by rereading
