"""Profile, privacy and notifications through the gateway."""
import pytest
from tests.support.shop_world import SHOP_ADAPTERS

ADAPTERS = SHOP_ADAPTERS   # fast password hashing (argon2id at its lowest cost)

SERVICES = ("catalog", "shop")


def test_a_member_edits_their_profile_and_the_shop_page_shows_it(world, client):
    alice = world.member("alice")
    response = client.patch("/api/members/me", headers=alice.headers, json={
        "nickname": "Alice W.", "bio": "oolong every day", "avatar_url": "https://cdn.example/a.png",
        "banner_url": "http://cdn.example/b.jpg"})
    assert response.status_code == 200
    page = client.get(f"/api/shops/{alice.id}").json
    assert (page["nickname"], page["bio"], page["avatar_url"], page["banner_url"]) == (
        "Alice W.", "oolong every day", "https://cdn.example/a.png", "http://cdn.example/b.jpg")
    assert world.outbox("shop.member.updated") == [{"member_id": alice.id, "nickname": "Alice W.",
                                                    "avatar_url": "https://cdn.example/a.png"}]


def test_null_clears_an_image_and_an_unchanged_edit_emits_nothing(world, client):
    alice = world.member("alice")
    client.patch("/api/members/me", headers=alice.headers, json={"avatar_url": "https://cdn.example/a.png"})
    cleared = client.patch("/api/members/me", headers=alice.headers, json={"avatar_url": None})
    assert cleared.json["avatar_url"] is None
    client.patch("/api/members/me", headers=alice.headers, json={"avatar_url": None})
    client.patch("/api/members/me", headers=alice.headers, json={})
    assert len(world.outbox("shop.member.updated")) == 2


@pytest.mark.parametrize("body, field", [
    ({"nickname": ""}, "nickname"),
    ({"nickname": "x" * 41}, "nickname"),
    ({"nickname": None}, "nickname"),
    ({"bio": "b" * 281}, "bio"),
    ({"avatar_url": "javascript:alert(1)"}, "avatar_url"),
    ({"banner_url": "ftp://cdn.example/b.png"}, "banner_url"),
    ({"avatar_url": "https://cdn.example/" + "a" * 490}, "avatar_url"),
    ({"avatar_url": "http://[::1"}, "avatar_url"),
    ({"avatar_url": 12}, "avatar_url"),
    ({"member_id": "someone-else"}, "member_id"),
])
def test_bad_profile_edits_are_422_and_change_nothing(world, client, body, field):
    alice = world.member("alice")
    before = client.get("/api/members/me", headers=alice.headers).json
    response = client.patch("/api/members/me", headers=alice.headers, json={"bio": "fine", **body})
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert field in response.json["errors"]
    assert client.get("/api/members/me", headers=alice.headers).json == before
    assert world.outbox("shop.member.updated") == []


def test_profile_edits_need_a_token(world, client):
    assert client.patch("/api/members/me", json={"nickname": "x"}).status_code == 401


# --- privacy ------------------------------------------------------------------------------
def test_privacy_defaults_and_changes(world, client):
    alice = world.member("alice")
    assert client.get("/api/members/me/privacy", headers=alice.headers).json == {
        "purchases_visible_to": "nobody", "stats_visible_to": "friends",
        "show_in_leaderboards": True, "show_me_as_visitor": True}
    response = client.put("/api/members/me/privacy", headers=alice.headers,
                          json={"purchases_visible_to": "friends", "show_in_leaderboards": False})
    assert response.status_code == 200
    assert response.json == {"purchases_visible_to": "friends", "stats_visible_to": "friends",
                             "show_in_leaderboards": False, "show_me_as_visitor": True}
    assert world.outbox("shop.privacy.changed") == [{"member_id": alice.id, **response.json}]


@pytest.mark.parametrize("body", [
    {"purchases_visible_to": "everyone"}, {"stats_visible_to": "public"}, {"show_me_as_visitor": "false"},
    {"show_in_leaderboards": 0}, {"tracking": True}, {"stats_visible_to": None},
])
def test_bad_privacy_values_are_422_and_change_nothing(world, client, body):
    alice = world.member("alice")
    response = client.put("/api/members/me/privacy", headers=alice.headers, json=body)
    assert response.status_code == 422
    assert client.get("/api/members/me/privacy", headers=alice.headers).json["purchases_visible_to"] == "nobody"
    assert world.outbox("shop.privacy.changed") == []


def test_privacy_is_ones_own(world, client):
    alice, bob = world.member("alice"), world.member("bob")
    client.put("/api/members/me/privacy", headers=bob.headers, json={"purchases_visible_to": "friends"})
    assert client.get("/api/members/me/privacy", headers=alice.headers).json["purchases_visible_to"] == "nobody"
    assert client.put("/api/members/me/privacy", json={"purchases_visible_to": "friends"}).status_code == 401


# --- notifications ------------------------------------------------------------------------
def test_notifications_need_a_token_and_start_empty(world, client):
    alice = world.member("alice")
    assert client.get("/api/members/me/notifications").status_code == 401
    assert client.get("/api/members/me/notifications", headers=alice.headers).json == {
        "items": [], "page": 1, "per_page": 20, "total": 0}
    assert client.get("/api/members/me/notifications?per_page=101", headers=alice.headers).status_code == 422
