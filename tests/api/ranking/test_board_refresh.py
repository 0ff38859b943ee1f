"""The TOP 300 is rebuilt at most once per GWH_BOARD_REFRESH seconds, and never later.

A board served within the bound may be the one built before a change; once the bound has
passed, the next read shows the change (a new score, a member who hid, a new nickname).
"""
from __future__ import annotations

import pytest

from tests.conftest import bearer, make_config

SERVICES = ("ranking",)
REFRESH = 0.25


@pytest.fixture
def config(tmp_path):
    return make_config(tmp_path / "data", board_refresh=REFRESH)


def board(client, limit=300):
    reply = client.get(f"/api/ranking/influence?limit={limit}")
    assert reply.status_code == 200
    return [(item["member_id"], item["score"]) for item in reply.json["items"]]


def test_a_change_shows_on_the_board_once_the_refresh_bound_has_passed(client, clock, events, deliver):
    deliver(events.paid("o1", "b", "lin", 50_000))
    assert board(client) == [("lin", 520)]
    deliver(events.paid("o2", "b", "mei", 90_000))
    # Within the bound the board built before the change may still be served...
    assert board(client) == [("lin", 520)]
    clock.advance(seconds=REFRESH)
    # ...and from the bound on, never.
    assert board(client) == [("mei", 920), ("lin", 520)]


def test_every_limit_comes_from_the_same_built_board(client, clock, events, deliver):
    deliver(*[events.paid(f"o{i}", "b", f"m{i}", i * 10_000) for i in range(1, 6)])
    top = board(client)
    assert [member for member, _ in top] == ["m5", "m4", "m3", "m2", "m1"]
    assert board(client, limit=2) == top[:2]
    deliver(events.paid("o9", "b", "m1", 100_000))
    clock.advance(seconds=REFRESH + 1)
    assert board(client, limit=2) == [("m1", 1120), ("m5", 520)]
    assert board(client, limit=5)[:2] == [("m1", 1120), ("m5", 520)]


def test_a_member_who_hides_leaves_the_board_within_the_bound(client, clock, events, deliver):
    deliver(events.paid("o1", "b", "lin", 50_000), events.paid("o2", "b", "mei", 20_000))
    assert [m for m, _ in board(client)] == ["lin", "mei"]
    deliver(events.privacy("lin", listed=False))
    clock.advance(seconds=REFRESH)
    assert board(client) == [("mei", 220)]
    # The community page's first ten come from the same board: lin is not on it either.
    community = client.get("/api/ranking/community", headers=bearer("mei")).json
    assert [line["member_id"] for line in community["board"]] == ["mei"]


def test_a_clock_that_went_back_does_not_keep_an_old_board(client, clock, events, deliver):
    deliver(events.paid("o1", "b", "lin", 50_000))
    assert board(client) == [("lin", 520)]
    deliver(events.paid("o2", "b", "lin", 50_000))
    clock.advance(seconds=-60)
    assert board(client) == [("lin", 1020)]


def test_the_community_page_keeps_each_viewers_stats_on_a_shared_board(client, clock, events, deliver):
    deliver(events.paid("o1", "b", "lin", 50_000), events.paid("o2", "b", "mei", 20_000),
            events.privacy("lin", stats="friends"), events.privacy("mei", stats="nobody"),
            events.befriended("lin", "wei"))
    clock.advance(seconds=REFRESH)
    as_wei = {line["member_id"]: line
              for line in client.get("/api/ranking/community", headers=bearer("wei")).json["board"]}
    as_stranger = {line["member_id"]: line
                   for line in client.get("/api/ranking/community", headers=bearer("zoe")).json["board"]}
    assert as_wei["lin"]["stats"] == {"sales_cents_30d": 50_000, "visitors_30d": 0}
    assert "stats" not in as_wei["mei"] and "stats" not in as_stranger["lin"] and "stats" not in as_stranger["mei"]


def test_the_community_page_ranks_the_viewer_on_the_board_it_shows(client, clock, events, deliver):
    deliver(events.paid("o1", "b", "lin", 50_000), events.paid("o2", "b", "mei", 20_000))

    def page():
        body = client.get("/api/ranking/community", headers=bearer("mei")).json
        return [line["member_id"] for line in body["board"]], body["me"]["rank"]

    assert page() == (["lin", "mei"], 2)
    deliver(events.paid("o3", "b", "mei", 90_000))
    assert page() == (["lin", "mei"], 2)      # the board built before, and a rank that agrees with it
    clock.advance(seconds=REFRESH)
    assert page() == (["mei", "lin"], 1)


def test_the_board_reads_the_same_standings_as_a_member_page(platform, events, deliver):
    deliver(events.registered("lin", "Lin"), events.paid("o1", "b", "lin", 50_000), events.visited("lin", "wei"),
            events.privacy("lin", stats="everyone", listed=False), events.featured("mei"))
    store = platform["ranking"].context.store
    members = ["lin", "mei", "nobody-knows-me"]
    assert store.board_standings(members) == store.standings(members)
    assert set(store.board_standings(members)) == {"lin", "mei"}


def test_a_board_nothing_was_placed_on_is_kept_and_not_read_again(platform, client, clock, events, deliver):
    deliver(events.paid("o1", "b", "lin", 50_000))
    assert board(client) == [("lin", 520)]
    # A line written by hand, around the store's PLACE: the board's revision does not move,
    # so once the bound has passed the board built before it is kept, not read again...
    redis = platform["ranking"].context.store.redis
    redis.zadd("rk:{board}:public", {"ghost": -999})
    clock.advance(seconds=REFRESH)
    assert board(client) == [("lin", 520)]
    # ...and the next change placed moves the revision: the board is read again, whole.
    deliver(events.paid("o2", "b", "mei", 20_000))
    assert board(client) == [("lin", 520)]  # still within the bound of the last check
    clock.advance(seconds=REFRESH)
    assert [member for member, _ in board(client)] == ["ghost", "lin", "mei"]


def test_a_board_whose_revision_is_lost_is_read_again(platform, client, clock, events, deliver):
    deliver(events.paid("o1", "b", "lin", 50_000))
    assert board(client) == [("lin", 520)]
    redis = platform["ranking"].context.store.redis
    redis.delete("rk:{board}:revision")  # as after a Redis that lost its data
    redis.zadd("rk:{board}:public", {"ghost": -999})
    clock.advance(seconds=REFRESH)
    assert [member for member, _ in board(client)] == ["ghost", "lin"]
