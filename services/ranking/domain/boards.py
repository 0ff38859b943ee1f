"""Boards: the TOP 300, the friend board and the community page, cut and hidden as each
member's privacy says."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from .influence import Breakdown, NextTier, Tier, next_tier, tier_for
from .privacy import Privacy, Viewer

BOARD_SIZE = 300
COMMUNITY_BOARD_SIZE = 10
COMMUNITY_FRIENDS = 3


@dataclass(frozen=True)
class Stats:
    sales_cents_30d: int
    visitors_30d: int


@dataclass(frozen=True)
class Contender:
    """One member as a board sees them."""

    member_id: str
    score: int
    nickname: str = ""
    privacy: Privacy = Privacy()
    stats: Stats = Stats(0, 0)


@dataclass(frozen=True)
class Placing:
    rank: int
    contender: Contender


def board_order(contender: Contender) -> tuple[int, str]:
    """Higher score first; equal scores by member id, so every reader lists them alike."""
    return (-contender.score, contender.member_id)


def rank(contenders: Iterable[Contender]) -> list[Placing]:
    """Competition ranking (1, 2, 2, 4): equal scores share a rank."""
    placings: list[Placing] = []
    for position, contender in enumerate(sorted(contenders, key=board_order), start=1):
        tied = placings and placings[-1].contender.score == contender.score
        placings.append(Placing(placings[-1].rank if tied else position, contender))
    return placings


def listed_publicly(privacy: Privacy, score: int) -> bool:
    """On the public board: members who let themselves be listed and have earned something.

    A score of 0 is no influence; listing every new member at the bottom would say nothing.
    """
    return privacy.show_in_leaderboards and score > 0


def public_board(contenders: Iterable[Contender], limit: int = BOARD_SIZE) -> list[Placing]:
    """The TOP 300: members who hide themselves are neither listed nor counted in a rank."""
    limit = max(0, min(limit, BOARD_SIZE))
    return rank(c for c in contenders if listed_publicly(c.privacy, c.score))[:limit]


def rank_on(board: Sequence[Placing], member_id: str) -> int | None:
    """A member's rank on a cut board; None when they are not on it."""
    return next((p.rank for p in board if p.contender.member_id == member_id), None)


def board_rank(position: int | None, higher_scores: int) -> int | None:
    """A listed member's rank from where a store keeps them: `position` in board order
    (0-based, None if not listed) and how many listed members score strictly more.
    Outside the TOP 300 a member has no rank, even when tied with the 300th."""
    if position is None or position >= BOARD_SIZE:
        return None
    return higher_scores + 1


@dataclass(frozen=True)
class BoardLine:
    """A line of a board shown to one viewer: stats only where the member allows it."""

    rank: int
    contender: Contender
    stats: Stats | None


def _line(viewer: Viewer, placing: Placing) -> BoardLine:
    c = placing.contender
    return BoardLine(placing.rank, c, c.stats if viewer.may_see_stats(c.member_id, c.privacy) else None)


def friend_board(viewer: Viewer, me: Contender, friends: Iterable[Contender]) -> list[BoardLine]:
    """The viewer and their friends by score; friends who hide from boards stay off it."""
    shown = [me] + [f for f in friends if f.member_id != me.member_id and f.privacy.show_in_leaderboards]
    return [_line(viewer, p) for p in rank(shown)]


def top_friends_by_sales(viewer: Viewer, friends: Iterable[Contender],
                         count: int = COMMUNITY_FRIENDS) -> list[BoardLine]:
    """The friends who sold most; only those whose sales the viewer may see are compared,
    since even an order among friends would tell something about a hidden figure."""
    comparable = [f for f in friends
                  if f.privacy.show_in_leaderboards and viewer.may_see_stats(f.member_id, f.privacy)]
    comparable.sort(key=lambda f: (-f.stats.sales_cents_30d, f.member_id))
    return [BoardLine(position, f, f.stats) for position, f in enumerate(comparable[:count], start=1)]


@dataclass(frozen=True)
class MyPlace:
    rank: int | None
    score: int


@dataclass(frozen=True)
class Community:
    friends: list[BoardLine]
    board: list[BoardLine]
    me: MyPlace


def community(viewer: Viewer, me: Contender, friends: Iterable[Contender],
              board: Sequence[Placing], my_rank: int | None) -> Community:
    """The community page: three friends by sales, the first ten of the TOP 300, my rank
    (None when I hide or am not in the TOP 300)."""
    return Community(
        friends=top_friends_by_sales(viewer, friends),
        board=[_line(viewer, p) for p in board[:COMMUNITY_BOARD_SIZE]],
        me=MyPlace(rank=my_rank, score=me.score),
    )


@dataclass(frozen=True)
class MemberInfluence:
    """A member's page: always score, tier, slots, rank, next tier; the rest if allowed."""

    member_id: str
    nickname: str
    score: int
    tier: Tier
    rank: int | None
    next_tier: NextTier | None
    breakdown: Breakdown | None
    stats: Stats | None


def member_page(viewer: Viewer, member_id: str, nickname: str, score: int, breakdown: Breakdown,
                privacy: Privacy, rank: int | None) -> MemberInfluence:
    """A member's page as `viewer` may see it: breakdown and stats only where allowed (the
    owner always sees their own)."""
    shown = viewer.may_see_stats(member_id, privacy)
    return MemberInfluence(
        member_id=member_id, nickname=nickname, score=score, tier=tier_for(score), rank=rank,
        next_tier=next_tier(score), breakdown=breakdown if shown else None,
        stats=Stats(sales_cents_30d=breakdown.sales_cents, visitors_30d=breakdown.unique_visitors) if shown else None)
