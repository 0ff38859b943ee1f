"""The ranking API through the gateway, fed by events on the in-memory bus."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import bearer

SERVICES = ("ranking",)


def get(client, path, member=None):
    reply = client.get(path, headers=bearer(member) if member else {})
    return reply.status_code, reply.json


def test_the_member_page_shows_score_tier_slots_rank_and_next_tier(client, events, deliver):
    deliver(events.registered("lin"),
            events.paid("o1", "wei", "lin", 123_456),
            events.visited("lin", "wei"), events.visited("lin", "amy"),
            events.visited("lin", "anon:browser-1"),                   # anonymous: no points
            events.featured("lin"))
    status, body = get(client, "/api/ranking/members/lin", member="lin")
    assert status == 200
    assert body["score"] == 1234 + 2 * 2 + 20 + 10
    assert (body["tier"], body["slots"], body["rank"]) == (2, 6, 1)
    assert body["next_tier"] == {"tier": 3, "slots": 8, "score_needed": 3000, "points_missing": 3000 - 1268}
    assert body["breakdown"] == {"sales_cents": 123_456, "sales_points": 1234, "unique_visitors": 2,
                                 "visitor_points": 4, "distinct_buyers": 1, "buyer_points": 20,
                                 "active_days": 1, "activity_points": 10, "score": 1268}
    assert body["stats"] == {"sales_cents_30d": 123_456, "visitors_30d": 2}


def test_the_top_tier_has_no_next_tier(client, events, deliver):
    deliver(events.paid("o1", "wei", "lin", 1_000_000))
    status, body = get(client, "/api/ranking/members/lin")
    assert (body["score"], body["tier"], body["slots"], body["next_tier"]) == (10_020, 4, 12, None)


def test_the_board_is_cut_at_300(client, events, deliver):
    # Member m{i} sells i yuan to one buyer: score i + 20, all different.
    deliver(*[events.paid(f"o{i}", "buyer", f"m{i:03d}", i * 100) for i in range(1, 306)])
    status, body = get(client, "/api/ranking/influence")
    assert status == 200
    items = body["items"]
    assert len(items) == 300
    assert [i["rank"] for i in items] == list(range(1, 301))
    assert items[0] == {"rank": 1, "member_id": "m305", "nickname": "", "score": 325}
    assert items[-1]["member_id"] == "m006"
    assert get(client, "/api/ranking/members/m006")[1]["rank"] == 300
    assert get(client, "/api/ranking/members/m005")[1]["rank"] is None   # 301st: not on the board
    assert len(get(client, "/api/ranking/influence?limit=10")[1]["items"]) == 10


def test_equal_scores_share_a_rank_and_list_by_member_id(client, events, deliver):
    deliver(events.paid("o1", "b", "zed", 500), events.paid("o2", "b", "amy", 500), events.paid("o3", "b", "top", 900))
    items = get(client, "/api/ranking/influence")[1]["items"]
    assert [(i["rank"], i["member_id"]) for i in items] == [(1, "top"), (2, "amy"), (2, "zed")]


def test_a_member_who_hides_is_not_listed_and_ranks_nowhere(client, events, deliver, clock):
    deliver(events.registered("star"), events.registered("lin"), events.registered("wei"),
            events.paid("o1", "x", "star", 90_000), events.paid("o2", "x", "lin", 50_000),
            events.paid("o3", "x", "wei", 10_000))
    deliver(events.privacy("star", listed=False))
    items = get(client, "/api/ranking/influence")[1]["items"]
    assert [(i["rank"], i["member_id"]) for i in items] == [(1, "lin"), (2, "wei")]
    star = get(client, "/api/ranking/members/star")[1]
    assert star["rank"] is None and star["score"] == 920       # the score itself stays public
    assert get(client, "/api/ranking/community", member="star")[1]["me"] == {"rank": None, "score": 920}


def test_an_older_privacy_change_arriving_late_does_not_undo_a_newer_one(client, events, deliver, clock):
    deliver(events.paid("o1", "x", "star", 90_000))
    newer = events.privacy("star", listed=False, at=clock.now())
    older = events.privacy("star", listed=True, at=clock.now() - timedelta(minutes=5))
    deliver(newer, older)
    assert get(client, "/api/ranking/influence")[1]["items"] == []
    deliver(events.privacy("star", listed=True, at=clock.now() + timedelta(minutes=1)))
    assert [i["member_id"] for i in get(client, "/api/ranking/influence")[1]["items"]] == ["star"]


def test_members_without_influence_are_not_on_the_board(client, events, deliver):
    deliver(events.registered("new"))
    assert get(client, "/api/ranking/influence")[1]["items"] == []
    assert get(client, "/api/ranking/members/new")[1]["rank"] is None


@pytest.mark.parametrize("audience, anonymous, stranger, friend", [
    ("everyone", True, True, True),
    ("friends", False, False, True),
    ("nobody", False, False, False),
])
def test_stats_and_breakdown_follow_the_members_privacy(client, events, deliver, audience, anonymous, stranger, friend):
    deliver(events.paid("o1", "x", "lin", 5_000), events.befriended("lin", "wei"),
            events.privacy("lin", stats=audience))
    for viewer, sees in [(None, anonymous), ("stranger", stranger), ("wei", friend), ("lin", True)]:
        status, body = get(client, "/api/ranking/members/lin", member=viewer)
        assert status == 200 and body["score"] == 70
        assert ("stats" in body) is sees and ("breakdown" in body) is sees


def test_the_friend_board_ranks_the_caller_and_friends_with_stats_where_allowed(client, events, deliver):
    deliver(events.registered("me"), events.registered("open"), events.registered("closed"),
            events.registered("shy"), events.registered("stranger"),
            events.befriended("me", "open"), events.befriended("closed", "me"), events.befriended("me", "shy"),
            events.paid("o1", "x", "me", 10_000), events.paid("o2", "x", "open", 30_000),
            events.paid("o3", "x", "closed", 50_000), events.paid("o4", "x", "shy", 90_000),
            events.paid("o5", "x", "stranger", 99_000),
            events.privacy("closed", stats="nobody"), events.privacy("shy", listed=False))
    status, body = get(client, "/api/ranking/friends", member="me")
    assert status == 200
    assert [(i["rank"], i["member_id"], i["score"]) for i in body["items"]] == [
        (1, "closed", 520), (2, "open", 320), (3, "me", 120)]
    lines = {i["member_id"]: i for i in body["items"]}
    assert "stats" not in lines["closed"]
    assert lines["open"]["stats"] == {"sales_cents_30d": 30_000, "visitors_30d": 0}
    assert lines["me"]["stats"] == {"sales_cents_30d": 10_000, "visitors_30d": 0}


def test_an_unfriended_member_leaves_the_friend_board(client, events, deliver, clock):
    deliver(events.befriended("me", "ex"), events.paid("o1", "x", "ex", 1_000))
    deliver(events.unfriended("ex", "me", at=clock.now() + timedelta(seconds=1)))
    assert [i["member_id"] for i in get(client, "/api/ranking/friends", member="me")[1]["items"]] == ["me"]


def test_the_community_page(client, events, deliver):
    crowd = [events.paid(f"c{i}", "x", f"top{i:02d}", (20 - i) * 10_000) for i in range(12)]
    friends = [events.befriended("me", f) for f in ("f1", "f2", "f3", "f4", "f5")]
    sales = [events.paid("f1o", "x", "f1", 300), events.paid("f2o", "x", "f2", 500),
             events.paid("f3o", "x", "f3", 100), events.paid("f4o", "x", "f4", 400),
             events.paid("f5o", "x", "f5", 900_000)]
    deliver(*crowd, *friends, *sales, events.privacy("f5", stats="nobody"), events.paid("mine", "x", "me", 200))
    status, body = get(client, "/api/ranking/community", member="me")
    assert status == 200
    # f5 sold most but shows its figures to nobody, so it is not compared.
    assert [(f["rank"], f["member_id"], f["stats"]["sales_cents_30d"]) for f in body["friends"]] == [
        (1, "f2", 500), (2, "f4", 400), (3, "f1", 300)]
    assert [b["member_id"] for b in body["board"]] == ["f5"] + [f"top{i:02d}" for i in range(9)]
    # Above me (22): the twelve of the crowd, f5, and f2 (25), f4 (24), f1 (23).
    assert body["me"] == {"rank": 17, "score": 22}


@pytest.mark.parametrize("query", ["limit=0", "limit=301", "limit=abc", "limit=-5"])
def test_a_bad_limit_is_a_422_problem(client, query):
    reply = client.get(f"/api/ranking/influence?{query}")
    assert reply.status_code == 422
    assert reply.headers["Content-Type"] == "application/problem+json"
    assert "limit" in reply.json["errors"]


@pytest.mark.parametrize("path", ["/api/ranking/friends", "/api/ranking/community"])
def test_the_personal_boards_need_a_token(client, path):
    assert client.get(path).status_code == 401
    bad = client.get(path, headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401 and bad.headers["Content-Type"] == "application/problem+json"


def test_a_member_unknown_here_is_not_a_404_while_the_shop_cannot_be_asked(client):
    # The ranking's members are a copy of the shop's: with no shop service to ask (this
    # platform runs the ranking alone) it cannot say "no such member" (tests/unit/ranking/
    # test_read_through.py has the 404 the shop confirms).
    reply = client.get("/api/ranking/members/nobody-here")
    assert reply.status_code == 503 and reply.json["status"] == 503 and reply.headers["Retry-After"] == "1"


def test_a_caller_the_ranking_never_heard_of_sees_themself_at_zero(client):
    status, body = get(client, "/api/ranking/friends", member="fresh")
    assert status == 200 and body["items"] == [{"rank": 1, "member_id": "fresh", "nickname": "", "score": 0,
                                                 "stats": {"sales_cents_30d": 0, "visitors_30d": 0}}]


def test_the_openapi_document_describes_the_ranking(client):
    reply = client.get("/openapi/ranking.json")
    assert reply.status_code == 200
    paths = reply.json["paths"]
    assert {"/api/ranking/influence", "/api/ranking/members/{member_id}", "/api/ranking/friends",
            "/api/ranking/community"} <= set(paths)


def test_readiness_checks_redis_the_store_the_bus_and_the_consumer(platform):
    from werkzeug.test import Client
    reply = Client(platform["ranking"].app).get("/health/ready")
    assert set(reply.json["checks"]) == {"redis", "store", "bus", "consumer"}
    assert reply.json["checks"]["redis"] == {"ok": True, "required": True}
    # Only Redis is required; the rest degrades the answer without making it unready.
    assert all(not check["required"] for name, check in reply.json["checks"].items() if name != "redis")
