"""The read side: boards and standings as a viewer may see them.

Reads come from the settled standings (store.standings) and the public board; the rules of
what is listed, ranked and shown are the domain's.

The TOP 300 is the same for every reader (it shows no stats, and hidden members are left
out for everyone), and it is what every member opens first: reading it per request meant
300 standings from Redis and 300 schema dumps per read. So each process keeps the board it
last built, with the JSON of each limit rendered once, and builds it again from Redis at
most once per `refresh` seconds (GWH_BOARD_REFRESH, 0.25 s by default): a change shows on
the board no later than that. The per-viewer parts (stats on the community page, a
member's own rank) are still computed per request.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from shared.failures import NotFound

from services.ranking.domain import (
    BOARD_SIZE, COMMUNITY_BOARD_SIZE, Breakdown, BoardLine, Community, Contender, NextTier, Placing, Privacy, Stats,
    Tier,
    Viewer, board_rank, community, friend_board, next_tier, public_board, rank_on, tier_for,
)
from services.ranking.store import RankingStore, Standing


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


def contender(standing: Standing) -> Contender:
    return Contender(member_id=standing.member_id, score=standing.score, nickname=standing.nickname,
                     privacy=standing.privacy, stats=standing.stats)


@dataclass
class BuiltBoard:
    """The TOP 300 as built at `built_at`, and the answers rendered from it so far."""

    built_at: datetime
    placings: list[Placing]
    rendered: dict[int, bytes] = field(default_factory=dict)

    def fresh(self, now: datetime, refresh: float) -> bool:
        # A clock that went backwards does not keep an old board forever.
        return 0 <= (now - self.built_at).total_seconds() < refresh


class Boards:
    def __init__(self, store: RankingStore, *, refresh: float = 0.0, clock=None):
        self.store = store
        self.refresh = refresh
        self.clock = clock
        self._built: BuiltBoard | None = None
        # One reader rebuilds a stale board; the others wait for it rather than all
        # reading Redis at once.
        self._building = threading.Lock()

    def viewer(self, member_id: str | None) -> Viewer:
        if member_id is None:
            return Viewer()
        return Viewer(member_id, self.store.friends_of(member_id))

    def influence(self, limit: int) -> list[Placing]:
        """The first `limit` of the TOP 300, by the scores the board holds (at most
        `refresh` seconds old)."""
        return self._board().placings[:max(0, limit)]

    def rendered_influence(self, limit: int, render: Callable[[list[Placing]], bytes]) -> bytes:
        """The answer for the first `limit` of the TOP 300, rendered once per built board."""
        built = self._board()
        body = built.rendered.get(limit)
        if body is None:
            # Two readers may render the same limit at once: both get the same bytes.
            body = built.rendered[limit] = render(built.placings[:max(0, limit)])
        return body

    def _board(self) -> BuiltBoard:
        built = self._built
        now = self._now()
        if built is not None and built.fresh(now, self.refresh):
            return built
        with self._building:
            built = self._built
            if built is not None and built.fresh(now, self.refresh):
                return built  # another reader just built it
            now = self._now()
            built = BuiltBoard(now, self._read_board(BOARD_SIZE))
            self._built = built
            return built

    def _now(self) -> datetime:
        return self.clock.now() if self.clock is not None else datetime.now().astimezone()

    def _read_board(self, limit: int) -> list[Placing]:
        rows = self.store.board_slice(limit)
        standings = self.store.board_standings(member for member, _ in rows)
        contenders = []
        for member_id, score in rows:
            known = standings.get(member_id)
            contenders.append(Contender(member_id, score) if known is None else
                              Contender(member_id, score, known.nickname, known.privacy, known.stats))
        return public_board(contenders, limit)

    def rank_of(self, member_id: str) -> int | None:
        return board_rank(*self.store.board_position(member_id))

    def member(self, member_id: str, viewer: Viewer) -> MemberInfluence:
        standing = self.store.standings([member_id]).get(member_id)
        if standing is None:
            raise NotFound(f"the ranking knows no member {member_id}")
        shown = viewer.may_see_stats(member_id, standing.privacy)
        return MemberInfluence(
            member_id=member_id, nickname=standing.nickname, score=standing.score, tier=tier_for(standing.score),
            rank=self.rank_of(member_id), next_tier=next_tier(standing.score),
            breakdown=standing.breakdown if shown else None, stats=standing.stats if shown else None)

    def newcomer(self, member_id: str, nickname: str, viewer: Viewer) -> MemberInfluence:
        """A member the shop knows and the ranking has not heard of yet: nothing counted, so
        a score of zero at the first tier, unranked; the zero breakdown and stats shown as
        they would be at once (to the member themself, under the default privacy)."""
        shown = viewer.may_see_stats(member_id, Privacy())
        return MemberInfluence(member_id=member_id, nickname=nickname, score=0, tier=tier_for(0), rank=None,
                               next_tier=next_tier(0), breakdown=Breakdown() if shown else None,
                               stats=Stats(0, 0) if shown else None)

    def _me_and_friends(self, viewer: Viewer) -> tuple[Contender, list[Contender]]:
        standings = self.store.board_standings([viewer.member_id, *sorted(viewer.friends)])
        me = standings.pop(viewer.member_id, None)
        # A member the ranking has not heard of yet still sees themself, at zero.
        me_contender = contender(me) if me else Contender(viewer.member_id, 0)
        return me_contender, [contender(s) for s in standings.values()]

    def friends(self, viewer: Viewer) -> list[BoardLine]:
        me, friends = self._me_and_friends(viewer)
        return friend_board(viewer, me, friends)

    def community(self, viewer: Viewer) -> Community:
        me, friends = self._me_and_friends(viewer)
        # The viewer's rank from the same built TOP 300 as the ten lines shown with it, so
        # the page agrees with itself (and needs no more round trips to Redis).
        board = self._board().placings
        return community(viewer, me, friends, board[:COMMUNITY_BOARD_SIZE], rank_on(board, viewer.member_id))
