"""The read side: boards and standings as a viewer may see them.

Reads come from the settled standings (store.standings) and the public board; the rules of
what is listed, ranked and shown are the domain's.
"""
from __future__ import annotations

from dataclasses import dataclass

from shared.errors import NotFound

from services.ranking.domain import (
    COMMUNITY_BOARD_SIZE, Breakdown, BoardLine, Community, Contender, NextTier, Placing, Stats, Tier, Viewer, board_rank, community,
    friend_board, next_tier, public_board, tier_for,
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


class Boards:
    def __init__(self, store: RankingStore):
        self.store = store

    def viewer(self, member_id: str | None) -> Viewer:
        if member_id is None:
            return Viewer()
        return Viewer(member_id, self.store.friends_of(member_id))

    def influence(self, limit: int) -> list[Placing]:
        """The first `limit` of the TOP 300, by the scores the board holds."""
        rows = self.store.board_slice(limit)
        standings = self.store.standings(member for member, _ in rows)
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
        a score of zero at the first tier, unranked."""
        return MemberInfluence(member_id=member_id, nickname=nickname, score=0, tier=tier_for(0), rank=None,
                               next_tier=next_tier(0), breakdown=None, stats=None)

    def _me_and_friends(self, viewer: Viewer) -> tuple[Contender, list[Contender]]:
        standings = self.store.standings([viewer.member_id, *sorted(viewer.friends)])
        me = standings.pop(viewer.member_id, None)
        # A member the ranking has not heard of yet still sees themself, at zero.
        me_contender = contender(me) if me else Contender(viewer.member_id, 0)
        return me_contender, [contender(s) for s in standings.values()]

    def friends(self, viewer: Viewer) -> list[BoardLine]:
        me, friends = self._me_and_friends(viewer)
        return friend_board(viewer, me, friends)

    def community(self, viewer: Viewer) -> Community:
        me, friends = self._me_and_friends(viewer)
        board = self.influence(COMMUNITY_BOARD_SIZE)
        return community(viewer, me, friends, board, self.rank_of(viewer.member_id))
