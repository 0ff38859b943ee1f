"""The demo population (runtime/demo.py), at the small scale: made through the API on a
travel clock, spread over its days, and full enough that every page has something."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Response
from werkzeug.test import Client

from shared.clock import parse_iso, utcnow
from runtime.demo import DEMO_PASSWORD, SMALL, TravelClock, scale_from_env, seed
from runtime.embedded import Platform, wait_settled
from tests.conftest import make_config


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    clock = TravelClock()
    platform = Platform(make_config(tmp_path_factory.mktemp("demo") / "data", gateway_url="http://127.0.0.1:8123"),
                        clock=clock).start()
    assert seed(platform, scale=SMALL) is True
    wait_settled(platform)
    yield platform, Client(platform.gateway, Response)
    platform.stop(drain=False)


def login(client, username):
    reply = client.post("/api/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    assert reply.status_code == 200, reply.json
    return reply.json["member_id"], {"Authorization": f"Bearer {reply.json['token']}"}


def test_a_catalog_with_chinese_names_images_and_sensitive_products(demo):
    _, client = demo
    brands = client.get("/api/catalog/brands?per_page=100").json
    assert brands["total"] == SMALL.brands
    products = client.get("/api/catalog/products?per_page=100").json["items"]
    assert len(products) == SMALL.brands * SMALL.products_per_brand - 3  # three were delisted
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in p["name"]) for p in products)
    assert any(p["sensitive"] for p in products)
    # Images are the gateway's own static files: no network.
    image = products[0]["image_url"]
    assert image.startswith("http://127.0.0.1:8123/static/demo/")
    assert client.get(image.removeprefix("http://127.0.0.1:8123")).status_code == 200
    # Some prices changed during the month: the 30-day lowest is below today's for those.
    assert any(p["lowest_price_30d_cents"] < p["exclusive_price_cents"] for p in products)
    delisted = client.get("/api/catalog/products?status=delisted").json
    assert delisted["total"] == 3


def test_members_sign_in_with_the_shared_password_and_roles_work(demo):
    _, client = demo
    for username in ("alice", "bob", "carol", "admin", "merchant"):
        login(client, username)
    _, admin = login(client, "admin")
    assert "admin" in client.get("/api/members/me", headers=admin).json["roles"]
    _, merchant = login(client, "merchant")
    assert client.get("/api/members/me", headers=merchant).json["brand_id"]
    assert client.post("/api/auth/login", json={"username": "alice", "password": "wrong-password"}).status_code == 401


def test_boards_analytics_and_commissions_are_full(demo):
    _, client = demo
    alice_id, alice = login(client, "alice")
    board = client.get("/api/ranking/influence?limit=300").json["items"]
    assert len(board) >= SMALL.sellers // 2 and board[0]["score"] > 0
    community = client.get("/api/ranking/community", headers=alice).json
    assert len(community["friends"]) == 3 and community["me"]["rank"] is not None
    analytics = client.get("/api/shops/me/analytics", headers=alice).json
    assert analytics["visits"] > 0 and analytics["orders"] > 0 and analytics["products"]
    assert len(client.get("/api/members/me/friends?per_page=100", headers=alice).json["items"]) >= 30
    # Across the busiest shops: commission pending, settled (older than 7 days) and reversed (refunds).
    totals = {"pending_cents": 0, "settled_cents": 0, "reversed_cents": 0}
    for username in ("alice", "bob", "carol"):
        statement = client.get("/api/commissions/me", headers=login(client, username)[1]).json
        for key in totals:
            totals[key] += statement[key]
    assert all(totals.values()), totals
    # Withdrawals wait for the admin.
    assert client.get("/api/commissions/withdrawals?status=requested",
                      headers=login(client, "admin")[1]).json["total"] >= 1


def test_the_activity_is_spread_over_the_days_and_the_clock_is_back_to_now(demo):
    platform, client = demo
    _, alice = login(client, "alice")
    orders = []
    for username in ("bob", "carol"):
        orders += client.get("/api/orders?per_page=100", headers=login(client, username)[1]).json["items"]
    days = {parse_iso(o["created_at"]).date() for o in orders}
    assert len(days) >= 3, days
    earliest = min(parse_iso(o["created_at"]) for o in orders)
    assert utcnow() - earliest > timedelta(days=3)
    statuses = {o["status"] for o in orders}
    assert "paid" in statuses
    assert abs(platform.clock.now() - utcnow()) < timedelta(seconds=1)


def test_it_seeds_once_per_data_dir(demo):
    platform, client = demo
    members = client.get("/api/ranking/influence?limit=300").json["items"]
    assert seed(platform, scale=SMALL) is False
    assert client.get("/api/catalog/brands").json["total"] == SMALL.brands
    assert client.get("/api/ranking/influence?limit=300").json["items"] == members


def test_the_travel_clock_only_goes_forward():
    clock = TravelClock()
    clock.start_at(utcnow() - timedelta(days=5))
    assert utcnow() - clock.now() > timedelta(days=4)
    clock.travel_to(utcnow() - timedelta(days=3))
    with pytest.raises(ValueError):
        clock.travel_to(utcnow() - timedelta(days=4))
    with pytest.raises(ValueError):
        clock.start_at(utcnow() - timedelta(days=9))
    clock.travel_to(utcnow() + timedelta(days=1))  # never ahead of the system clock
    assert abs(clock.now() - utcnow()) < timedelta(seconds=1)


def test_the_scale_comes_from_the_environment():
    assert scale_from_env({}).members == 2000
    assert scale_from_env({"GWH_DEMO_SCALE": "small"}) == SMALL
    with pytest.raises(SystemExit):
        scale_from_env({"GWH_DEMO_SCALE": "huge"})
