"""A score people can trust, across the shop and the ranking (and the order saga):
only signed-in members other than the owner earn visitor points, once however often
they come; visits are rate-limited; the analytics and the influence breakdown show one
number for unique visitors. Each flow runs as a client acts, with the platform's threads
delivering events (no settle() between requests), and reads the eventual figure with a
bounded wait."""
from __future__ import annotations


import pytest

from tests.conftest import make_config
from tests.conftest import trust_harness_tokens
from tests.support.shop_world import SHOP_ADAPTERS, World
from tests.support.trust import analytics, breakdown, eventually

ADAPTERS = SHOP_ADAPTERS   # fast password hashing


@pytest.fixture
def config(tmp_path):
    return make_config(tmp_path / "data", visit_limit_per_address="300/minute", visit_limit_per_member="60/minute")


@pytest.fixture
def world(platform, client, admin) -> World:
    return World(platform, client, admin)


def visit(client, shop, headers=None, **body):
    return client.post(f"/api/shops/{shop.id}/visits", json=body, headers=headers or {})


def test_500_anonymous_visits_earn_no_points(platform, world, client):
    platform.start()
    owner = world.member("owner")
    answers = [visit(client, owner, visitor_key=f"fresh-key-{n:05d}") for n in range(500)]
    accepted = [a for a in answers if a.status_code == 202]
    refused = [a for a in answers if a.status_code == 429]
    assert len(accepted) == 300 and len(refused) == 200           # the per-address limit
    assert refused[0].mimetype == "application/problem+json"
    assert refused[0].json["status"] == 429 and int(refused[0].headers["Retry-After"]) > 0
    assert "Retry-After" not in accepted[0].headers and accepted[-1].headers["X-RateLimit-Remaining"] == "0"

    stats = eventually(lambda: analytics(client, owner)["anonymous_visits"], 300)
    assert stats == 300
    assert analytics(client, owner)["unique_visitors"] == 0
    platform_quiet(platform)
    page = client.get(f"/api/ranking/members/{owner.id}", headers=owner.headers).json
    assert page["score"] == 0 and page["tier"] == 1
    assert page["breakdown"]["unique_visitors"] == 0
    assert owner.id not in [line["member_id"] for line in client.get("/api/ranking/influence").json["items"]]


def test_500_visits_from_one_member_count_once(platform, world, client):
    platform.start()
    owner, fan = world.member("owner"), world.member("fan")
    answers = [visit(client, owner, fan.headers) for _ in range(500)]
    assert [a.status_code for a in answers].count(202) == 60       # the per-member limit
    assert answers[60].status_code == 429 and "member" in answers[60].json["detail"]
    counted = eventually(lambda: (breakdown(client, owner) or {}).get("unique_visitors"), 1)
    assert counted == 1
    assert analytics(client, owner)["unique_visitors"] == 1
    assert analytics(client, owner)["visits"] == 60
    platform_quiet(platform)
    assert client.get(f"/api/ranking/members/{owner.id}", headers=owner.headers).json["score"] == 2


def test_the_per_member_limit_does_not_stop_others_at_the_same_address(platform, world, client):
    owner, fan, other = world.member("owner"), world.member("fan"), world.member("other")
    for _ in range(60):
        visit(client, owner, fan.headers)
    assert visit(client, owner, fan.headers).status_code == 429
    assert visit(client, owner, other.headers).status_code == 202
    assert visit(client, owner, visitor_key="browser-0001").status_code == 202


def test_1000_distinct_members_are_1000_visitors_in_the_analytics_and_the_ranking(tmp_path, clock):
    from runtime.embedded import Platform
    from flask import Response
    from werkzeug.test import Client
    from tests.conftest import token_for
    platform = trust_harness_tokens(Platform(make_config(tmp_path / "data", visit_limit_per_address="5000/minute"), clock=clock,
                                                  adapters=SHOP_ADAPTERS))
    try:
        platform.start()
        client = Client(platform.gateway, Response)
        world = World(platform, client, None)
        owner = world.member("owner")
        # Members the shop issued tokens to; visits are what is measured here.
        for n in range(1000):
            reply = client.post(f"/api/shops/{owner.id}/visits", json={},
                                headers={"Authorization": f"Bearer {token_for(f'member-{n:04d}')}"})
            assert reply.status_code == 202, reply.json
        counted = eventually(lambda: (breakdown(client, owner) or {}).get("unique_visitors"), 1000)
        assert counted == 1000
        assert analytics(client, owner)["unique_visitors"] == 1000
    finally:
        platform.stop(drain=False)


def platform_quiet(platform):
    from runtime.embedded import wait_settled
    wait_settled(platform)


def test_behind_the_gateway_each_client_address_has_its_own_limit(tmp_path, clock):
    """GWH_TRUSTED_PROXIES=1: the address the gateway appended to X-Forwarded-For is the
    client's; whatever the client wrote into the header itself is not believed."""
    from runtime.embedded import Platform
    from flask import Response
    from werkzeug.test import Client
    platform = trust_harness_tokens(Platform(make_config(tmp_path / "data", trusted_proxies=1, visit_limit_per_address="3/minute"),
                        clock=clock, services=("shop",), adapters=SHOP_ADAPTERS))
    try:
        client = Client(platform.gateway, Response)
        owner = World(platform, client, None).member("owner")

        def visit_from(forwarded_for):
            return client.post(f"/api/shops/{owner.id}/visits", json={"visitor_key": "browser-0001"},
                               headers={"X-Forwarded-For": forwarded_for}).status_code

        assert [visit_from("203.0.113.7") for _ in range(4)] == [202, 202, 202, 429]
        # A spoofed address in front of the gateway's entry changes nothing: still .7.
        assert visit_from("198.51.100.1, 203.0.113.7") == 429
        assert visit_from("203.0.113.8") == 202
    finally:
        platform.stop(drain=False)


def test_buy_then_refund_without_settling_slots_shrink_after_the_locks(platform, world, client, clock):
    platform.start()
    seller, buyer = world.member("lin"), world.member("wei")
    brand = client.post("/api/catalog/brands", json={"name": "Tea Garden"}, headers=world.admin).json["id"]
    goods = [client.post("/api/catalog/products", headers=world.admin, json={
        "brand_id": brand, "sku": f"leaf-{n}", "name": f"Leaf {n}", "category": "tea", "stock": 10,
        "list_price_cents": 120_000, "exclusive_price_cents": 100_000, "commission_rate_bp": 500}).json["id"]
        for n in range(7)]

    def feature(product):
        return client.post("/api/shops/me/featured", json={"product_id": product}, headers=seller.headers).status_code

    def page():
        return client.get(f"/api/shops/{seller.id}").json

    # The shop learns of the product from the catalog's event: retried until its card is there.
    assert eventually(lambda: feature(goods[0]), 201) == 201
    order = client.post("/api/orders", json={"items": [{"product_id": goods[0], "quantity": 1}],
                                             "shop_id": seller.id}, headers=buyer.headers).json
    order = eventually(lambda: client.get(f"/api/orders/{order['id']}", headers=buyer.headers).json["status"],
                       "awaiting_payment")
    assert order == "awaiting_payment"
    order_id = client.get("/api/orders", headers=buyer.headers).json["items"][0]["id"]
    assert client.post(f"/api/orders/{order_id}/pay", json={"method": "simulated"},
                       headers=buyer.headers).status_code == 200
    assert eventually(lambda: page()["slots"], 6) == 6
    for product in goods[1:6]:
        clock.advance(minutes=5)
        assert eventually(lambda: feature(product), 201) == 201

    clock.advance(hours=1)
    assert client.post(f"/api/orders/{order_id}/refund", headers=buyer.headers).status_code == 200
    assert eventually(lambda: page()["slots"], 4) == 4
    assert [f["product_id"] for f in page()["featured"]] == goods[:4]
    assert feature(goods[6]) == 409

    clock.advance(hours=72)
    platform.run_periodic()
    leaving = eventually(lambda: sorted(n["product_id"] for n in world.notifications(seller)
                                        if n["type"] == "product_left_over_slots"), sorted(goods[4:6]))
    assert leaving == sorted(goods[4:6])
    assert [f["product_id"] for f in page()["featured"]] == goods[:4]
