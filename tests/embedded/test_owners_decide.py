"""On the embedded platform running as `make run` runs it (its consumers, relays and jobs as
threads, the real clock, POST /api/orders waiting for the saga), no price, rejection or 404
comes from a projection that has not caught up (docs/owners-decide.md):

- the races of issue 9, 50 tries each: 0 mispriced lines, 0 false rejections, 0 false 404s;
- lag made deliberately long (a projection's handler held back): the answers are still
  right, only later.
"""
from __future__ import annotations

import pytest
from flask import Response
from werkzeug.test import Client

from shared.bus import wait_for
from tests.conftest import bearer, make_config
from tests.conftest import trust_harness_tokens
from tests.support import owner_races
from tests.support.owner_races import Held, shorten_the_wait
from tests.support.shop_world import SHOP_ADAPTERS


@pytest.fixture
def running(tmp_path):
    from runtime.embedded import Platform
    # The wait of POST /api/orders as configured by default (GWH_ORDER_SETTLE_WAIT).
    platform = trust_harness_tokens(Platform(make_config(tmp_path / "data", order_settle_wait=2.0),
                                             # many registrations; argon2id at its lowest cost
                                             adapters=SHOP_ADAPTERS)).start()
    yield platform
    platform.stop(drain=False)


@pytest.fixture
def shopper(running, admin):
    return owner_races.Shopper(Client(running.gateway, Response), admin)


@pytest.mark.parametrize("race", [owner_races.product_then_order, owner_races.feature_then_order,
                                  owner_races.brand_then_merchant, owner_races.member_then_ranking])
def test_a_client_acting_at_once_is_never_refused_or_mispriced_by_a_lagging_copy(shopper, race):
    tally = race(shopper)
    assert tally.tries == owner_races.TRIES
    assert tally.clean, tally
    if race in (owner_races.product_then_order, owner_races.feature_then_order):
        assert tally.answered_settled > 0, tally            # the POST's own wait saw orders through


def test_an_order_placed_while_the_order_services_copy_lags_is_priced_right_later(running, shopper, admin):
    lag = Held(running["order"], {"catalog.product.listed", "catalog.product.updated"})
    shorten_the_wait(running)
    tea = shopper.product(list_price=5100, exclusive=4100)
    assert wait_for(lag.holding.is_set, 10)                  # the order service is stuck on the listing
    placed = shopper.client.post("/api/orders", json={"items": [{"product_id": tea, "quantity": 2}]},
                                 headers=bearer("m-lagged"))
    assert placed.status_code == 202 and placed.json["status"] == "pending"     # not rejected as unknown
    assert placed.headers["Location"] == f"/api/orders/{placed.json['id']}"
    lag.release.set()
    assert wait_for(lambda: shopper.client.get(placed.headers["Location"], headers=bearer("m-lagged"))
                    .json["status"] != "pending", 15)
    order = shopper.client.get(placed.headers["Location"], headers=bearer("m-lagged")).json
    assert (order["status"], order["total_cents"], order["items"][0]["unit_price_cents"]) == (
        "awaiting_payment", 10_200, 5100)


def test_while_the_shops_and_rankings_copies_lag_their_owners_answer(running, shopper, admin):
    shop_lag = Held(running["shop"], {"catalog.product.listed", "catalog.brand.created"})
    ranking_lag = Held(running["ranking"], {"shop.member.registered"})
    try:
        sharer, headers = shopper.member()
        assert wait_for(ranking_lag.holding.is_set, 10)
        assert shopper.client.get(f"/api/ranking/members/{sharer}").status_code == 200
        tea = shopper.product(list_price=5000, exclusive=4000)
        assert wait_for(shop_lag.holding.is_set, 10)         # the shop has not seen the brand nor the product
        assert shopper.client.post("/api/shops/me/featured", json={"product_id": tea},
                                   headers=headers).status_code == 201
        status, brand = shopper.brand()
        merchant = shopper.client.post("/api/auth/merchants", headers=admin, json={
            "username": "lagmerchant", "password": "a-long-password", "nickname": "M", "brand_id": brand})
        assert merchant.status_code == 201, merchant.json
        # The order waits for the shop's attribution, which queues behind the held handler.
        shorten_the_wait(running)
        placed = shopper.client.post("/api/orders", json={"items": [{"product_id": tea, "quantity": 1}],
                                                          "shop_id": sharer}, headers=bearer("m-friend"))
        assert placed.status_code == 202 and "shop" in placed.json["waiting_for"]
        pay = shopper.client.post(f"/api/orders/{placed.json['id']}/pay", json={}, headers=bearer("m-friend"))
        assert pay.status_code == 409 and pay.headers["Retry-After"] == "1"
    finally:
        shop_lag.release.set()
        ranking_lag.release.set()
    order = shopper.order("m-friend", tea, shop_id=sharer)
    assert (order["status"], order["items"][0]["unit_price_cents"], order["items"][0]["commission_cents"]) == (
        "awaiting_payment", 4000, 400)
    assert wait_for(lambda: shopper.client.get(f"/api/orders/{placed.json['id']}", headers=bearer("m-friend"))
                    .json["status"] == "awaiting_payment", 15)
    late = shopper.client.get(f"/api/orders/{placed.json['id']}", headers=bearer("m-friend")).json
    assert (late["items"][0]["unit_price_cents"], late["items"][0]["featured"]) == (4000, True)
