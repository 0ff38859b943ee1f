"""Friend requests and friendships through the gateway."""
from tests.support.shop_world import SHOP_ADAPTERS

ADAPTERS = SHOP_ADAPTERS   # fast password hashing (argon2id at its lowest cost)
SERVICES = ("shop",)


def ask(client, asker, addressee_id):
    return client.post("/api/members/me/friend-requests", json={"member_id": addressee_id}, headers=asker.headers)


def friends_of(client, member):
    return [f["member_id"] for f in client.get("/api/members/me/friends", headers=member.headers).json["items"]]


def test_a_request_accepted_makes_two_friends(world, client):
    alice, bob = world.member("alice"), world.member("bob")
    request = ask(client, alice, bob.id)
    assert request.status_code == 201 and request.json["status"] == "pending"
    incoming = client.get("/api/members/me/friend-requests", headers=bob.headers).json
    assert [(r["id"], r["requester_nickname"]) for r in incoming["items"]] == [(request.json["id"], "Alice")]
    accepted = client.post(f"/api/members/me/friend-requests/{request.json['id']}/accept", headers=bob.headers)
    assert accepted.status_code == 200 and accepted.json["status"] == "accepted"
    assert friends_of(client, alice) == [bob.id] and friends_of(client, bob) == [alice.id]
    assert client.get("/api/members/me/friend-requests", headers=bob.headers).json["total"] == 0
    assert world.outbox("shop.friendship.created") == [{"member_ids": sorted([alice.id, bob.id])}]


def test_no_friendship_with_yourself(world, client):
    alice = world.member("alice")
    response = ask(client, alice, alice.id)
    assert response.status_code == 422 and "member_id" in response.json["errors"]


def test_asking_an_unknown_member_is_404(world, client):
    assert ask(client, world.member("alice"), "nobody").status_code == 404


def test_a_second_request_either_way_is_a_conflict(world, client):
    alice, bob = world.member("alice"), world.member("bob")
    first = ask(client, alice, bob.id).json["id"]
    again = ask(client, alice, bob.id)
    reverse = ask(client, bob, alice.id)
    assert again.status_code == reverse.status_code == 409
    assert again.json["request_id"] == reverse.json["request_id"] == first


def test_asking_a_friend_is_a_conflict(world, client):
    alice, bob = world.member("alice"), world.member("bob")
    request_id = ask(client, alice, bob.id).json["id"]
    client.post(f"/api/members/me/friend-requests/{request_id}/accept", headers=bob.headers)
    assert ask(client, bob, alice.id).status_code == 409


def test_only_the_addressee_accepts(world, client):
    alice, bob, carol = world.member("alice"), world.member("bob"), world.member("carol")
    request_id = ask(client, alice, bob.id).json["id"]
    assert client.post(f"/api/members/me/friend-requests/{request_id}/accept",
                       headers=alice.headers).status_code == 403
    assert client.post(f"/api/members/me/friend-requests/{request_id}/accept",
                       headers=carol.headers).status_code == 404
    assert client.post("/api/members/me/friend-requests/nope/accept", headers=bob.headers).status_code == 404
    assert friends_of(client, alice) == [] and world.outbox("shop.friendship.created") == []
    assert client.post(f"/api/members/me/friend-requests/{request_id}/accept", headers=bob.headers).status_code == 200
    assert client.post(f"/api/members/me/friend-requests/{request_id}/accept", headers=bob.headers).status_code == 409


def test_either_friend_removes_the_friendship_and_can_ask_again(world, client):
    alice, bob = world.member("alice"), world.member("bob")
    request_id = ask(client, alice, bob.id).json["id"]
    client.post(f"/api/members/me/friend-requests/{request_id}/accept", headers=bob.headers)
    assert client.delete(f"/api/members/me/friends/{alice.id}", headers=bob.headers).status_code == 204
    assert friends_of(client, alice) == [] and friends_of(client, bob) == []
    assert client.delete(f"/api/members/me/friends/{alice.id}", headers=bob.headers).status_code == 404
    assert world.outbox("shop.friendship.removed") == [{"member_ids": sorted([alice.id, bob.id])}]
    assert ask(client, bob, alice.id).status_code == 201


def test_no_one_removes_someone_elses_friendship(world, client):
    alice, bob, carol = world.member("alice"), world.member("bob"), world.member("carol")
    request_id = ask(client, alice, bob.id).json["id"]
    client.post(f"/api/members/me/friend-requests/{request_id}/accept", headers=bob.headers)
    assert client.delete(f"/api/members/me/friends/{alice.id}", headers=carol.headers).status_code == 404
    assert friends_of(client, alice) == [bob.id]


def test_bad_friend_requests_are_problems_and_store_nothing(world, client):
    alice = world.member("alice")
    for body in ({}, {"member_id": ""}, {"member_id": 5}, {"member_id": "x" * 65}, {"member_id": "b", "x": 1}):
        response = client.post("/api/members/me/friend-requests", json=body, headers=alice.headers)
        assert response.status_code == 422, body
    assert client.post("/api/members/me/friend-requests", json={"member_id": "b"}).status_code == 401
    assert client.get("/api/members/me/friend-requests", headers=alice.headers).json["total"] == 0


# --- declining, withdrawing, the requests I sent, finding a member ------------------------
def requests(client, member, direction=None):
    query = f"?direction={direction}" if direction else ""
    return client.get(f"/api/members/me/friend-requests{query}", headers=member.headers).json


def test_the_requests_i_sent_are_listed_with_whom_i_asked(world, client):
    alice, bob, carol = world.member("alice"), world.member("bob"), world.member("carol")
    to_bob = ask(client, alice, bob.id).json["id"]
    ask(client, carol, alice.id)
    sent = requests(client, alice, "outgoing")
    assert [(r["id"], r["addressee_id"], r["addressee_nickname"]) for r in sent["items"]] == [(to_bob, bob.id, "Bob")]
    assert [r["requester_id"] for r in requests(client, alice, "incoming")["items"]] == [carol.id]
    assert requests(client, alice) == requests(client, alice, "incoming")
    assert client.get("/api/members/me/friend-requests?direction=sideways", headers=alice.headers).status_code == 422


def test_a_declined_request_leaves_both_lists_and_makes_no_friends(world, client):
    alice, bob = world.member("alice"), world.member("bob")
    request_id = ask(client, alice, bob.id).json["id"]
    declined = client.post(f"/api/members/me/friend-requests/{request_id}/decline", headers=bob.headers)
    assert declined.status_code == 200 and declined.json["status"] == "declined"
    assert requests(client, bob)["total"] == 0 and requests(client, alice, "outgoing")["total"] == 0
    assert friends_of(client, alice) == [] and world.outbox("shop.friendship.created") == []
    again = client.post(f"/api/members/me/friend-requests/{request_id}/accept", headers=bob.headers)
    assert again.status_code == 409
    assert ask(client, alice, bob.id).status_code == 201          # they may ask again later


def test_only_the_addressee_declines_and_only_the_asker_withdraws(world, client):
    alice, bob, carol = world.member("alice"), world.member("bob"), world.member("carol")
    request_id = ask(client, alice, bob.id).json["id"]
    path = f"/api/members/me/friend-requests/{request_id}"
    assert client.post(f"{path}/decline", headers=alice.headers).status_code == 403
    assert client.post(f"{path}/decline", headers=carol.headers).status_code == 404
    assert client.delete(path, headers=bob.headers).status_code == 403
    assert client.delete(path, headers=carol.headers).status_code == 404
    assert client.delete("/api/members/me/friend-requests/nope", headers=alice.headers).status_code == 404
    assert requests(client, bob)["total"] == 1


def test_a_withdrawn_request_cannot_be_accepted(world, client):
    alice, bob = world.member("alice"), world.member("bob")
    request_id = ask(client, alice, bob.id).json["id"]
    assert client.delete(f"/api/members/me/friend-requests/{request_id}", headers=alice.headers).status_code == 204
    assert requests(client, bob)["total"] == 0
    accepted = client.post(f"/api/members/me/friend-requests/{request_id}/accept", headers=bob.headers)
    assert accepted.status_code == 409 and friends_of(client, bob) == []
    assert client.delete(f"/api/members/me/friend-requests/{request_id}", headers=alice.headers).status_code == 409


def test_a_member_is_found_by_their_exact_username_and_shows_only_their_card(world, client):
    alice, bob = world.member("alice"), world.member("bob.wang", nickname="Bob")
    found = client.get("/api/members?username=Bob.Wang", headers=alice.headers)
    assert found.status_code == 200
    assert found.json == {"items": [{"member_id": bob.id, "nickname": "Bob", "avatar_url": None}]}
    assert client.get("/api/members?username=bob", headers=alice.headers).json == {"items": []}  # no prefixes
    assert client.get("/api/members?username=bob.wang").status_code == 401                      # members only
    assert client.get("/api/members", headers=alice.headers).status_code == 422
    assert client.get("/api/members?username=" + "x" * 65, headers=alice.headers).status_code == 422
