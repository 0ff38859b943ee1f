"""The TOP 300 board, the friend board and the community page, over plain data."""
import pytest

from services.ranking.domain import (
    BOARD_SIZE, Contender, MyPlace, Privacy, Stats, Viewer, board_rank, community, friend_board, public_board, rank,
    rank_on, top_friends_by_sales,
)

HIDDEN = Privacy(show_in_leaderboards=False)
OPEN = Privacy(stats_visible_to="everyone")
PRIVATE = Privacy(stats_visible_to="nobody")


def member(member_id, score, privacy=Privacy(), sales=0, visitors=0):
    return Contender(member_id, score, nickname=member_id.upper(), privacy=privacy, stats=Stats(sales, visitors))


def ids(lines):
    return [line.contender.member_id for line in lines]


def test_higher_scores_rank_first_and_ties_share_a_rank():
    placings = rank([member("b", 50), member("a", 50), member("c", 80), member("d", 10)])
    assert [(p.rank, p.contender.member_id) for p in placings] == [(1, "c"), (2, "a"), (2, "b"), (4, "d")]


def test_members_who_hide_are_not_listed_and_do_not_push_anyone_down():
    board = public_board([member("top", 900, HIDDEN), member("a", 500), member("b", 400)])
    assert [(p.rank, p.contender.member_id) for p in board] == [(1, "a"), (2, "b")]
    assert rank_on(board, "top") is None


def test_the_board_is_cut_at_300():
    crowd = [member(f"m{i:03d}", 1000 - i) for i in range(305)]
    board = public_board(crowd, limit=1000)
    assert len(board) == BOARD_SIZE
    assert board[-1].contender.member_id == "m299" and board[-1].rank == 300
    assert rank_on(board, "m299") == 300
    assert rank_on(board, "m300") is None


def test_a_smaller_limit_cuts_earlier():
    crowd = [member(f"m{i}", i) for i in range(20)]
    assert len(public_board(crowd, limit=10)) == 10
    assert public_board(crowd, limit=0) == []


def test_the_friend_board_ranks_me_and_my_friends_with_stats_where_visible():
    me = member("me", 300, PRIVATE, sales=900)
    viewer = Viewer("me", frozenset({"f1", "f2", "f3"}))
    friends = [member("f1", 500, PRIVATE, sales=5), member("f2", 100, Privacy(), sales=7),
               member("f3", 999, HIDDEN, sales=9)]
    lines = friend_board(viewer, me, friends)
    assert ids(lines) == ["f1", "me", "f2"]          # f3 hides from every board
    assert [line.rank for line in lines] == [1, 2, 3]
    assert lines[0].stats is None                    # f1 shows its stats to nobody
    assert lines[1].stats == Stats(900, 0)           # I always see mine
    assert lines[2].stats == Stats(7, 0)             # f2 shows them to friends


def test_a_member_who_hides_still_sees_themself_on_their_friend_board():
    me = member("me", 10, HIDDEN)
    lines = friend_board(Viewer("me", frozenset()), me, [])
    assert ids(lines) == ["me"] and lines[0].rank == 1


def test_top_friends_by_sales_compare_only_figures_the_viewer_may_see():
    viewer = Viewer("me", frozenset({"a", "b", "c", "d", "e"}))
    friends = [member("a", 0, sales=100), member("b", 0, PRIVATE, sales=10_000), member("c", 0, OPEN, sales=300),
               member("d", 0, sales=200), member("e", 0, HIDDEN, sales=50_000)]
    lines = top_friends_by_sales(viewer, friends)
    assert ids(lines) == ["c", "d", "a"]
    assert [line.stats.sales_cents_30d for line in lines] == [300, 200, 100]


def test_the_community_page():
    viewer = Viewer("me", frozenset({"f1", "f2"}))
    me = member("me", 55)
    crowd = [member(f"m{i:02d}", 100 - i, OPEN if i % 2 else PRIVATE, sales=i) for i in range(20)] + [me]
    board = public_board(crowd)
    page = community(viewer, me, [member("f1", 1, sales=10), member("f2", 2, sales=20)], board,
                     rank_on(board, "me"))
    assert ids(page.friends) == ["f2", "f1"]
    assert ids(page.board) == [f"m{i:02d}" for i in range(10)]
    assert page.board[0].stats is None and page.board[1].stats == Stats(1, 0)  # strangers' privacy holds
    assert page.me == MyPlace(rank=21, score=55)  # twenty members score 81..100


def test_a_member_who_hides_has_no_public_rank_on_the_community_page():
    me = member("me", 500, HIDDEN)
    board = public_board([me, member("a", 10)])
    page = community(Viewer("me"), me, [], board, rank_on(board, "me"))
    assert page.me == MyPlace(rank=None, score=500)
    assert ids(page.board) == ["a"] and page.board[0].rank == 1


def test_a_member_without_influence_is_not_listed():
    board = public_board([member("zero", 0), member("one", 1)])
    assert [p.contender.member_id for p in board] == ["one"]


@pytest.mark.parametrize("position, higher, expected", [
    (None, 0, None),     # not listed
    (0, 0, 1),
    (5, 3, 4),           # tied with the members at positions 3 and 4
    (299, 299, 300),
    (300, 299, None),    # tied with the 300th, but outside the cut
])
def test_a_rank_from_a_stores_position(position, higher, expected):
    assert board_rank(position, higher) == expected


def test_the_stores_rank_agrees_with_the_ranked_board():
    crowd = [member(f"m{i:03d}", (i * 37) % 50 + 1) for i in range(320)]
    board = public_board(crowd)
    ordered = sorted(crowd, key=lambda c: (-c.score, c.member_id))
    for position, c in enumerate(ordered):
        higher = sum(1 for o in crowd if o.score > c.score)
        assert board_rank(position, higher) == rank_on(board, c.member_id)
