"""A member just registered is not a 404 in the ranking: the ranking asks the shop, the
owner of members, before it answers that it knows no such member (docs/owners-decide.md)."""
from tests.conftest import bearer

SERVICES = ("shop", "ranking")


def test_a_member_just_registered_is_at_zero_before_the_ranking_heard_of_them(client, platform):
    registered = client.post("/api/auth/register", json={"username": "dora", "password": "a-long-password",
                                                         "nickname": "Dora"}).json
    # No settle(): the ranking's consumer has not seen shop.member.registered.
    reply = client.get(f"/api/ranking/members/{registered['member_id']}")
    assert reply.status_code == 200, reply.json
    assert (reply.json["nickname"], reply.json["score"], reply.json["rank"]) == ("Dora", 0, None)
    platform.settle()
    settled = client.get(f"/api/ranking/members/{registered['member_id']}",
                         headers=bearer(registered["member_id"])).json
    assert (settled["nickname"], settled["score"], settled["tier"]) == ("Dora", 0, reply.json["tier"])


def test_a_member_the_shop_does_not_know_either_is_a_404(client):
    reply = client.get("/api/ranking/members/nobody-here")
    assert reply.status_code == 404 and reply.json["status"] == 404


def test_an_id_the_shop_refuses_outright_is_a_404_too(client):
    # "me" names the caller at the shop (a 401 without a token), never a member.
    assert client.get("/api/ranking/members/me").status_code == 404
