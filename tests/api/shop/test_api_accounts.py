"""Accounts through the gateway: registration, sign-in, the throttle, merchants, the first admin."""
import jwt
import pytest
from sqlalchemy import func, select

from shared.auth import verify_token
from tests.conftest import JWT_SECRET

from services.shop.store.tables import accounts, login_throttles, members
from tests.support.shop_world import SHOP_ADAPTERS

ADAPTERS = SHOP_ADAPTERS   # fast password hashing (argon2id at its lowest cost)

SERVICES = ("catalog", "shop")


def count(platform, table) -> int:
    with platform["shop"].db.reading() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def login(client, username, password="correct horse", address="127.0.0.1"):
    return client.post("/api/auth/login", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_registration_opens_an_account_with_a_shop_and_answers_a_token(world, client):
    response = client.post("/api/auth/register", json={"username": "Li.Wei", "password": "correct horse",
                                                       "nickname": " Wei "})
    assert response.status_code == 201
    member_id = response.json["member_id"]
    principal = verify_token(JWT_SECRET, response.json["token"])
    assert principal.member_id == member_id and principal.roles == ("member",)
    me = client.get("/api/members/me", headers={"Authorization": f"Bearer {response.json['token']}"}).json
    assert (me["username"], me["nickname"]) == ("li.wei", "Wei")
    assert client.get(f"/api/shops/{member_id}").json["slots"] == 4
    assert world.outbox("shop.member.registered") == [{"member_id": member_id, "nickname": "Wei",
                                                       "avatar_url": None}]


def test_the_password_is_stored_only_as_an_argon2id_hash(world, platform):
    world.member("alice")
    with platform["shop"].db.reading() as conn:
        stored = conn.execute(select(accounts.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and "correct horse" not in stored


def test_a_taken_username_is_a_conflict_whatever_its_case(world, client):
    world.member("alice")
    response = client.post("/api/auth/register", json={"username": "ALICE", "password": "another one",
                                                       "nickname": "Alice 2"})
    assert response.status_code == 409
    assert response.headers["Content-Type"] == "application/problem+json"
    assert count(world.platform, accounts) == 1


@pytest.mark.parametrize("body, fields", [
    ({"username": "ab", "password": "correct horse", "nickname": "A"}, {"username"}),
    ({"username": "alice", "password": "short", "nickname": "A"}, {"password"}),
    ({"username": "alice", "password": "correct horse", "nickname": "   "}, {"nickname"}),
    ({"username": "alice", "password": "correct horse"}, {"nickname"}),
    ({"username": 7, "password": "correct horse", "nickname": "A"}, {"username"}),
    ({"username": "alice", "password": "correct horse", "nickname": "A", "role": "admin"}, {"role"}),
])
def test_bad_registrations_are_422_and_store_nothing(world, client, body, fields):
    response = client.post("/api/auth/register", json=body)
    assert response.status_code == 422
    assert set(response.json["errors"]) == fields
    assert count(world.platform, accounts) == 0 and count(world.platform, members) == 0


def test_malformed_json_is_400(world, client):
    response = client.post("/api/auth/register", data="{nope", content_type="application/json")
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"


def test_login_answers_a_token_with_the_roles(world, client):
    alice = world.member("alice")
    response = login(client, "Alice")
    assert response.status_code == 200
    assert response.json["member_id"] == alice.id and response.json["roles"] == ["member"]
    assert verify_token(JWT_SECRET, response.json["token"]).member_id == alice.id


def test_a_wrong_password_and_an_unknown_username_are_the_same_401(world, client):
    world.member("alice")
    wrong, unknown = login(client, "alice", "wrong password"), login(client, "nobody", "wrong password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json["detail"] == unknown.json["detail"]


def test_five_wrong_passwords_block_the_username_then_the_owner_gets_back_in(world, client, clock):
    world.member("alice")
    for _ in range(5):
        assert login(client, "alice", "guess").status_code == 401
    blocked = login(client, "alice")  # the right password, but too soon
    assert blocked.status_code == 429
    assert blocked.headers["Retry-After"] == "60" and blocked.json["retry_after"] == 60
    clock.advance(seconds=59)
    assert login(client, "alice").status_code == 429
    clock.advance(seconds=1)
    assert login(client, "alice").status_code == 200
    # A success forgets the failures of that username at that address; the address keeps
    # its own count (a guesser with an account of their own must not reset it).
    assert count(world.platform, login_throttles) == 1


def test_the_backoff_grows_but_is_capped(world, client, clock):
    world.member("alice")
    waits = []
    for _ in range(6):
        for _ in range(5):
            assert login(client, "alice", "guess").status_code == 401
        waits.append(login(client, "alice").json["retry_after"])
        clock.advance(seconds=waits[-1])
    assert waits == [60, 120, 240, 480, 900, 900]
    assert login(client, "alice").status_code == 200


def test_guessing_at_one_username_does_not_block_another(world, client):
    world.member("alice")
    world.member("bob")
    for _ in range(5):
        login(client, "alice", "guess")
    assert login(client, "alice").status_code == 429
    assert login(client, "bob").status_code == 200


def test_a_guesser_cannot_lock_the_owner_out_from_another_address(world, client, clock):
    world.member("alice")
    attacker, home = "203.0.113.66", "198.51.100.7"
    for _ in range(5):
        assert login(client, "alice", "guess", address=attacker).status_code == 401
    assert login(client, "alice", address=attacker).status_code == 429   # blocked there, right password or not
    assert login(client, "alice", address=home).status_code == 200      # the owner, from their address
    assert login(client, "alice", "typo", address=home).status_code == 401
    assert login(client, "alice", address=home).status_code == 200
    clock.advance(seconds=60)
    assert login(client, "alice", address=attacker).status_code == 200   # the block there ran out


def test_one_address_guessing_many_usernames_is_blocked_whatever_the_name(world, client):
    world.member("mallory")
    world.member("alice")
    attacker = "203.0.113.66"
    for n in range(30):                                   # four tries each at many names
        assert login(client, f"victim{n // 4}", "guess", address=attacker).status_code == 401
    blocked = login(client, "mallory", address=attacker)  # even their own account, rightly
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) == 60
    assert login(client, "alice", address="198.51.100.7").status_code == 200


def test_old_throttle_records_are_forgotten(world, client, clock, platform):
    for _ in range(3):
        login(client, "random-name", "guess")
    assert count(platform, login_throttles) == 2        # the name at this address, the address
    clock.advance(hours=25)
    platform.run_periodic()
    assert count(platform, login_throttles) == 0


# --- merchants ----------------------------------------------------------------------------
def merchant_body(brand_id, **kw):
    return {"username": "teahouse", "password": "correct horse", "nickname": "Tea House", "brand_id": brand_id,
            **kw}


def test_an_admin_creates_a_merchant_who_manages_only_that_brand(world, client, admin):
    brand_id = world.brand()
    world.settle()
    response = client.post("/api/auth/merchants", json=merchant_body(brand_id), headers=admin)
    assert response.status_code == 201
    assert response.json["roles"] == ["member", "merchant"] and response.json["brand_id"] == brand_id
    token = login(client, "teahouse").json["token"]
    claims = jwt.decode(token, JWT_SECRET, algorithms=["HS256"], issuer="gouwuhao")
    assert claims["brand_id"] == brand_id
    merchant = {"Authorization": f"Bearer {token}"}
    made = client.post("/api/catalog/products", headers=merchant, json={
        "brand_id": brand_id, "sku": "m-1", "name": "Pu'er", "category": "tea", "list_price_cents": 100,
        "exclusive_price_cents": 90, "commission_rate_bp": 0, "stock": 1})
    assert made.status_code == 201
    other = client.post("/api/catalog/brands", json={"name": "Other"}, headers=admin).json["id"]
    refused = client.post("/api/catalog/products", headers=merchant, json={
        "brand_id": other, "sku": "m-2", "name": "X", "category": "tea", "list_price_cents": 100,
        "exclusive_price_cents": 90, "commission_rate_bp": 0, "stock": 1})
    assert refused.status_code == 403


def test_only_an_admin_creates_merchants(world, client):
    brand_id = world.brand()
    world.settle()
    alice = world.member("alice")
    assert client.post("/api/auth/merchants", json=merchant_body(brand_id)).status_code == 401
    assert client.post("/api/auth/merchants", json=merchant_body(brand_id), headers=alice.headers).status_code == 403
    assert count(world.platform, accounts) == 1


def test_a_merchant_of_an_unknown_brand_is_refused(world, client, admin):
    response = client.post("/api/auth/merchants", json=merchant_body("no-such-brand"), headers=admin)
    assert response.status_code == 422 and response.json["errors"] == {"brand_id": ["no such brand"]}
    assert count(world.platform, accounts) == 0


def test_a_forged_token_is_401(world, client):
    forged = jwt.encode({"sub": "x", "roles": ["admin"], "iss": "gouwuhao", "iat": 1, "exp": 4102444800},
                        "not the secret, though long enough to sign", algorithm="HS256")
    response = client.get("/api/members/me", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401


def test_a_token_for_an_account_this_service_does_not_hold_is_404_on_member_endpoints(world, client, stranger):
    assert client.get("/api/members/me", headers=stranger).status_code == 404
    assert client.post("/api/shops/me/featured", json={"product_id": "p"}, headers=stranger).status_code == 404


# --- the first admin ----------------------------------------------------------------------
def test_the_first_admin_comes_from_configuration_once(tmp_path, clock):
    from runtime.embedded import Platform
    from tests.conftest import make_config
    from werkzeug.test import Client
    from flask import Response

    config = make_config(tmp_path, admin_username="root", admin_password="first password")
    platform = Platform(config, clock=clock, services=("shop",))
    try:
        client = Client(platform.gateway, Response)
        first = client.post("/api/auth/login", json={"username": "root", "password": "first password"})
        assert first.status_code == 200 and "admin" in first.json["roles"]
    finally:
        platform.stop(drain=False)
    again = Platform(config.with_overrides(admin_password="second password"), clock=clock, services=("shop",))
    try:
        client = Client(again.gateway, Response)
        assert client.post("/api/auth/login", json={"username": "root", "password": "first password"}
                           ).status_code == 200
        assert client.post("/api/auth/login", json={"username": "root", "password": "second password"}
                           ).status_code == 401
    finally:
        again.stop(drain=False)


def test_a_bad_admin_password_in_configuration_refuses_to_start(tmp_path, clock):
    from runtime.embedded import Platform
    from tests.conftest import make_config
    with pytest.raises(RuntimeError, match="GWH_ADMIN"):
        Platform(make_config(tmp_path, admin_username="root", admin_password="short"), clock=clock,
                 services=("shop",))


def test_the_cli_creates_an_admin(tmp_path):
    from services.shop.app import create_admin
    from tests.conftest import make_config
    config = make_config(tmp_path)
    assert create_admin(config, "ops", "a long password").startswith("admin ops created")
    assert create_admin(config, "ops", "a long password") == "ops exists; left unchanged"
    assert create_admin(config, "x", "a long password").startswith("refused")


def test_an_expired_token_is_401(world, client):
    token = jwt.encode({"sub": "x", "roles": ["member"], "iss": "gouwuhao", "iat": 1, "exp": 2},
                       JWT_SECRET, algorithm="HS256")
    assert client.get("/api/members/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
