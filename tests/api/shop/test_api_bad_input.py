"""Bad input on every shop endpoint: problem+json with the right status, and nothing stored."""
import pytest
from sqlalchemy import func, select
from tests.support.shop_world import SHOP_ADAPTERS

ADAPTERS = SHOP_ADAPTERS   # fast password hashing (argon2id at its lowest cost)

SERVICES = ("shop",)

BODY_ENDPOINTS = [
    ("POST", "/api/auth/register"), ("POST", "/api/auth/login"), ("POST", "/api/auth/merchants"),
    ("PATCH", "/api/members/me"), ("PUT", "/api/members/me/privacy"),
    ("POST", "/api/members/me/friend-requests"), ("POST", "/api/shops/me/featured"),
    ("POST", "/api/shops/{me}/visits"),
]
WRONG_TYPES = {
    "/api/auth/register": {"username": ["a"], "password": 1, "nickname": {}},
    "/api/auth/login": {"username": 1, "password": None},
    "/api/auth/merchants": {"username": "m", "password": "correct horse", "nickname": "M", "brand_id": 9},
    "/api/members/me": {"nickname": 5},
    "/api/members/me/privacy": {"show_me_as_visitor": "yes"},
    "/api/members/me/friend-requests": {"member_id": ["x"]},
    "/api/shops/me/featured": {"product_id": {"id": "x"}},
    "/api/shops/{me}/visits": {"product_id": 5},
}
QUERY_ENDPOINTS = ["/api/members/me/notifications", "/api/members/me/friend-requests", "/api/members/me/friends",
                   "/api/shops/me/candidates", "/api/members/{me}/purchases"]


def snapshot(platform) -> dict:
    db = platform["shop"].db
    with db.reading() as conn:
        return {name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in db.metadata.tables.items()}


@pytest.fixture
def alice(world):
    member = world.member("alice")
    world.settle()
    return member


def call(client, method, path, alice, admin=None, **kw):
    """As Alice, or as the admin where only an admin may call."""
    headers = admin if admin and "merchants" in path else alice.headers
    return client.open(path.replace("{me}", alice.id), method=method, headers=headers, **kw)


def assert_problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.json
    assert body["status"] == status and {"type", "title", "detail"} <= set(body)


@pytest.mark.parametrize("method, path", BODY_ENDPOINTS)
def test_malformed_json_is_400(world, client, alice, admin, method, path):
    before = snapshot(world.platform)
    response = call(client, method, path, alice, admin=admin, data="{\"oops\": ", content_type="application/json")
    assert_problem(response, 400)
    assert snapshot(world.platform) == before


@pytest.mark.parametrize("method, path", BODY_ENDPOINTS)
def test_a_body_that_is_not_an_object_is_422(world, client, alice, admin, method, path):
    before = snapshot(world.platform)
    assert_problem(call(client, method, path, alice, admin=admin, json=["not", "an", "object"]), 422)
    assert snapshot(world.platform) == before


@pytest.mark.parametrize("method, path", BODY_ENDPOINTS)
def test_wrong_types_are_422_naming_the_fields(world, client, alice, admin, method, path):
    before = snapshot(world.platform)
    body = WRONG_TYPES[path]
    response = call(client, method, path, alice, admin=admin, json=body)
    assert_problem(response, 422)
    assert set(body) & set(response.json["errors"])
    assert snapshot(world.platform) == before


@pytest.mark.parametrize("method, path", BODY_ENDPOINTS)
def test_an_oversized_body_is_413(world, client, alice, admin, method, path):
    before = snapshot(world.platform)
    response = call(client, method, path, alice, admin=admin, json={"bio": "x" * 70_000})
    assert_problem(response, 413)
    assert snapshot(world.platform) == before


@pytest.mark.parametrize("path", QUERY_ENDPOINTS)
@pytest.mark.parametrize("query", ["page=0", "per_page=500", "page=abc"])
def test_bad_paging_is_422(world, client, alice, path, query):
    assert_problem(call(client, "GET", f"{path}?{query}", alice), 422)


@pytest.mark.parametrize("method, path, status", [
    ("POST", "/api/members/me/friend-requests/unknown/accept", 404),
    ("DELETE", "/api/members/me/friends/unknown", 404),
    ("DELETE", "/api/shops/me/featured/unknown", 404),
    ("GET", "/api/shops/unknown", 404),
    ("GET", "/api/members/unknown/purchases", 404),
    ("POST", "/api/shops/unknown/visits", 404),
    ("GET", "/api/shops/me/nothing-here", 404),
    ("PUT", "/api/members/me", 405),
])
def test_unknown_ids_and_routes_are_problems(world, client, alice, method, path, status):
    before = snapshot(world.platform)
    kw = {"json": {"visitor_key": "browser-0001"}} if method == "POST" else {}
    assert_problem(call(client, method, path, alice, **kw), status)
    assert snapshot(world.platform) == before


@pytest.mark.parametrize("method, path", [
    ("GET", "/api/members/me"), ("PATCH", "/api/members/me"), ("GET", "/api/members/me/privacy"),
    ("PUT", "/api/members/me/privacy"), ("GET", "/api/members/me/notifications"),
    ("POST", "/api/members/me/friend-requests"), ("GET", "/api/members/me/friend-requests"),
    ("POST", "/api/members/me/friend-requests/x/accept"), ("GET", "/api/members/me/friends"),
    ("DELETE", "/api/members/me/friends/x"), ("POST", "/api/shops/me/featured"),
    ("DELETE", "/api/shops/me/featured/x"), ("GET", "/api/shops/me/candidates"), ("GET", "/api/shops/me/analytics"),
    ("POST", "/api/auth/merchants"),
])
def test_every_members_endpoint_needs_a_token(world, client, method, path):
    # A well-formed body, so the missing token is what is wrong (bodies are checked first).
    body = {"member_id": "x", "product_id": "x", "username": "someone", "password": "correct horse",
            "nickname": "S", "brand_id": "b"}
    keys = {"/api/members/me/friend-requests": ["member_id"], "/api/shops/me/featured": ["product_id"],
            "/api/auth/merchants": ["username", "password", "nickname", "brand_id"]}.get(path, [])
    kw = {"json": {k: body[k] for k in keys}} if method in ("POST", "PUT", "PATCH") else {}
    assert_problem(client.open(path, method=method, **kw), 401)
    assert_problem(client.open(path, method=method, headers={"Authorization": "Bearer not.a.jwt"}, **kw), 401)
