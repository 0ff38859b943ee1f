"""Tokens are accepted only for a member the shop knows, and only until revoked (issue 14).

Each test acts as a client does: one request right after the other's answer, no settle().
The service that revokes (the shop) refuses at once; the three others refuse as soon as
they have consumed `shop.tokens.revoked`, with the platform's threads running, which is
what docs/tokens.md promises ("at once" there means the bus's delivery time).
"""
import base64
import json
import uuid

import pytest

from shared.auth import issue_service_token, issue_token
from shared.principal import Principal
from tests.conftest import JWT_SECRET
from tests.support.tokens import PASSWORD, PROBES, assert_refused_everywhere_soon, bearer, probe, register


# --- who the token names --------------------------------------------------------------------
def test_a_forged_token_for_an_unknown_member_is_refused_by_every_service(client):
    nobody = uuid.uuid4().hex  # never registered, never minted by the test harness
    forged = issue_token(JWT_SECRET, Principal(nobody, roles=("member", "admin")))
    for service in PROBES:
        response = probe(client, service, forged)
        assert response.status_code == 401, (service, response.json)
        assert response.json["detail"] == "invalid token"
    placed = client.post("/api/orders", json={"items": [{"product_id": "p", "quantity": 1}]}, headers=bearer(forged))
    assert placed.status_code == 401
    # An optional token is checked too: a browse with it is refused, not served as anonymous.
    assert client.get(f"/api/ranking/members/{nobody}", headers=bearer(forged)).status_code == 401


def test_a_member_who_just_registered_is_accepted_by_every_service_at_once(client):
    token = register(client)["token"]  # no settle: the other services have not heard of dora
    for service, (_, _, _, status) in PROBES.items():
        assert probe(client, service, token).status_code == status, service


def test_a_service_token_is_not_a_member_and_lives_an_hour_at_most(client):
    job = issue_service_token(JWT_SECRET, "nightly-report", ttl_seconds=600)
    assert client.get("/internal/order/events", headers=bearer(job)).status_code == 200
    too_long = issue_token(JWT_SECRET, Principal("service:forever", roles=("admin",)), ttl_seconds=7200)
    assert client.get("/internal/order/events", headers=bearer(too_long)).status_code == 401
    as_member = issue_token(JWT_SECRET, Principal("service:sneaky", roles=("member",)))
    assert client.get("/api/orders", headers=bearer(as_member)).status_code == 401


def test_the_standing_of_a_member_is_for_admins_only(client):
    member = register(client)
    path = f"/internal/shop/members/{member['member_id']}/standing"
    assert client.get(path, headers=bearer(member["token"])).status_code == 403
    job = issue_service_token(JWT_SECRET, "order")
    assert client.get(path, headers=bearer(job)).json == {"member_id": member["member_id"], "not_before_us": 0}
    assert client.get("/internal/shop/members/nobody/standing", headers=bearer(job)).status_code == 404


# --- what the JWT library says stays inside ---------------------------------------------
@pytest.mark.parametrize("token", [
    "not-a-jwt",
    base64.urlsafe_b64encode(b"\xff\xfe{").decode() + ".e30.c2ln",
    "eyJhbGciOiJub25lIn0." + base64.urlsafe_b64encode(json.dumps({"sub": "x"}).encode()).decode().rstrip("=") + ".",
])
def test_a_broken_token_is_401_invalid_token_without_library_words(client, token):
    response = client.get("/api/orders", headers=bearer(token))
    assert response.status_code == 401
    assert response.json["detail"] == "invalid token"


# --- revocation -----------------------------------------------------------------------------
def test_logout_revokes_the_token_at_once_here_and_in_every_service_soon(platform, client):
    platform.start()
    account = register(client)
    token = account["token"]
    for service, (_, _, _, status) in PROBES.items():  # the token works everywhere first
        assert probe(client, service, token).status_code == status, service
    other = client.post("/api/auth/login", json={"username": "dora", "password": PASSWORD}).json["token"]

    assert client.post("/api/auth/logout", headers=bearer(token)).status_code == 204
    refused = client.get("/api/members/me", headers=bearer(token))  # the very next request
    assert refused.status_code == 401 and refused.json["detail"] == "the token has been revoked"
    assert client.post("/api/auth/logout", headers=bearer(token)).status_code == 401
    assert_refused_everywhere_soon(client, token, PROBES)
    # Only that token: the member's other session goes on, everywhere.
    for service, (_, _, _, status) in PROBES.items():
        assert probe(client, service, other).status_code == status, service


def test_a_password_change_revokes_every_earlier_token_in_every_service(platform, client):
    platform.start()
    first = register(client)["token"]
    second = client.post("/api/auth/login", json={"username": "dora", "password": PASSWORD}).json["token"]
    for service in PROBES:  # every service has met dora before the change
        assert probe(client, service, first).status_code == PROBES[service][3]

    changed = client.put("/api/members/me/password", headers=bearer(second),
                         json={"old_password": PASSWORD, "new_password": "another-long-one"})
    assert changed.status_code == 200, changed.json
    fresh = changed.json["token"]
    for old in (first, second):
        assert client.get("/api/members/me", headers=bearer(old)).status_code == 401  # at once, here
    assert client.get("/api/members/me", headers=bearer(fresh)).status_code == 200
    assert_refused_everywhere_soon(client, first, PROBES)
    assert_refused_everywhere_soon(client, second, PROBES)
    for service, (_, _, _, status) in PROBES.items():
        assert probe(client, service, fresh).status_code == status, service
    assert client.post("/api/auth/login", json={"username": "dora", "password": PASSWORD}).status_code == 401
    assert client.post("/api/auth/login", json={"username": "dora", "password": "another-long-one"}).status_code == 200


def test_a_service_meeting_a_member_after_the_change_learns_it_from_the_shop(client):
    """No event consumed anywhere (nothing runs in the background): the order service has
    never met dora, so it asks the shop, which says her old tokens are revoked."""
    old = register(client)["token"]
    changed = client.put("/api/members/me/password", headers=bearer(old),
                         json={"old_password": PASSWORD, "new_password": "another-long-one"})
    assert changed.status_code == 200
    assert client.get("/api/orders", headers=bearer(old)).status_code == 401
    assert client.get("/api/orders", headers=bearer(changed.json["token"])).status_code == 200


def test_a_wrong_old_password_is_403_and_changes_nothing(client):
    token = register(client)["token"]
    wrong = client.put("/api/members/me/password", headers=bearer(token),
                       json={"old_password": "not-my-password", "new_password": "another-long-one"})
    assert wrong.status_code == 403
    assert wrong.headers["Content-Type"] == "application/problem+json"
    short = client.put("/api/members/me/password", headers=bearer(token),
                       json={"old_password": PASSWORD, "new_password": "short"})
    assert short.status_code == 422 and "new_password" in short.json["errors"]
    assert client.get("/api/members/me", headers=bearer(token)).status_code == 200
    assert client.post("/api/auth/login", json={"username": "dora", "password": PASSWORD}).status_code == 200


def test_when_the_shop_cannot_be_asked_the_answer_is_503_not_a_guess(platform, client):
    from shared.tokens import http_lookup
    guard = platform["order"].context.token_guard
    guard.lookup = http_lookup("http://127.0.0.1:9", JWT_SECRET, "order", timeout=0.5)  # nothing listens
    token = issue_token(JWT_SECRET, Principal(uuid.uuid4().hex))
    response = client.get("/api/orders", headers=bearer(token))
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["Retry-After"]
