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


def test_a_member_just_registered_sees_their_own_zero_breakdown_at_once(client):
    """The owner always sees their own figures: before the ranking heard of them too."""
    registered = client.post("/api/auth/register", json={"username": "edda", "password": "a-long-password",
                                                         "nickname": "Edda"}).json
    mine = client.get(f"/api/ranking/members/{registered['member_id']}",
                      headers={"Authorization": f"Bearer {registered['token']}"})
    assert mine.status_code == 200, mine.json
    assert mine.json["stats"] == {"sales_cents_30d": 0, "visitors_30d": 0}
    assert mine.json["breakdown"]["score"] == 0 and mine.json["breakdown"]["unique_visitors"] == 0
    # A stranger sees no stats (the default: friends only), as for any member.
    assert "stats" not in client.get(f"/api/ranking/members/{registered['member_id']}").json
