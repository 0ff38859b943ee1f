"""The ranking's use cases: what its handlers, its periodic jobs and its views call.

The ranking keeps its state in Redis, not in a database, so a use case here does what the
others' do with the store and the unit of work the ranking has (services/ranking/
announcements.py): load (the APPLY script reads each member's totals in the step that
applies their facts), ask the domain (a `NewStanding` from the totals, which records the
`InfluenceChanged` it raises), save (`uow.track(standing)`: one SETTLE script per member
stores the standing with its announcement, the board is placed, and what waits is
published when the unit ends).

Write side (`Scorer`): `apply_effects` is what every event handler ends in (one event or a
batch of them), `refresh_due` what the periodic job runs (a score also falls by itself as
days leave the window), `start_over` and `announce_all` what a rebuild begins and ends
with (services/ranking/rebuild.py, watch.py replay the history through the handlers in
between), `revoke_tokens` what the token revocations come to. Read side (`Queries`): one
use case per view.

Several workers may settle one member at once: each standing carries the version its
totals were read at, and the store keeps the newest, so the end state is the same whether
one worker or four handled the events.
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable, Mapping

from shared.events import Event
from shared.failures import NotFound
from shared.tokens import RedisTokenStore

from services.ranking.announcements import Announcer
from services.ranking.boards import Boards
from services.ranking.domain import (
    COMMUNITY_BOARD_SIZE, Announce, BoardLine, Breakdown, Community, Contender, Effect, Influence, InfluenceWindow,
    MemberInfluence, NewStanding, Placing, Privacy, Viewer, board_rank, community, friend_board, member_page, rank_on,
    stamp,
)
from services.ranking.store import Change, RankingStore, Standing, Totals

# (member, event, effect): what a handler makes of an event for one member.
Record = tuple[str, Event, Effect]


class Scorer:
    """Keeping influence current: the write side's use cases."""

    def __init__(self, store: RankingStore, window: InfluenceWindow, clock, announcer: Announcer,
                 mode: str = "auto"):
        self.store = store
        self.window = window
        self.clock = clock
        self.announcer = announcer
        # "auto" announces every change; a rebuild replays history "quiet" and then
        # announces each final standing once. "replay" applies the facts only, without
        # settling a standing per event: the rebuild's final `announce_all` settles and
        # places every member once from their final totals, so the standings in between
        # were work thrown away (services/ranking/watch.py).
        self.mode = mode

    def quiet(self) -> "Scorer":
        """The same scorer announcing nothing (a rebuild's replay through the handlers)."""
        return Scorer(self.store, self.window, self.clock, self.announcer, mode="quiet")

    def replaying(self) -> "Scorer":
        """The same scorer applying facts only, settling no standing per event."""
        return Scorer(self.store, self.window, self.clock, self.announcer, mode="replay")

    # --- what handlers use to decode an event --------------------------------------------
    def moment_of(self, event: Event, now: datetime | None = None) -> datetime:
        """When an event counts: its time, or now if its producer's clock ran ahead of ours
        (a day that has not begun here is not in the window yet)."""
        now = now or self.clock.now()
        return min(event.occurred_at, now)

    def day_of(self, event: Event) -> str:
        """The local day an event counts on."""
        return self.window.day_of(self.moment_of(event))

    # --- use cases -----------------------------------------------------------------------
    def apply_effects(self, records: list[Record]) -> dict[str, Totals]:
        """Apply (member, event, effect) records, one event's or a whole batch's: one script
        per member for all of its events, then one standing per member from the totals
        after them, so a member that 20 events of a batch concern is settled, placed and
        announced once, not 20 times. The end state is the same as one by one: every fact
        is idempotent by event id and order-independent, and only the newest standing was
        ever kept."""
        now = self.clock.now()
        changes: dict[str, list[Change]] = {}
        for member_id, event, effect in records:
            day = self.window.day_of(self.moment_of(event, now))
            effect = effect.within(self.window, day, now)
            if not effect.is_empty:
                changes.setdefault(member_id, []).append(
                    Change(event.id, day, effect, stamp(event.occurred_at, event.id)))
        if not changes:
            return {}
        totals = self.store.apply_many(changes, self.window, now)
        if self.mode != "replay":
            self._settle(totals, self._announce)
        return totals

    def refresh_due(self) -> int:
        """Re-score members whose window rolled past their oldest day; publish what waits."""
        now = self.clock.now()
        due = self.store.due_for_refresh(now)
        for member_id in due:
            self._settle({member_id: self.store.refresh(member_id, self.window, now)}, self._announce)
        self.announcer.drain_flagged()
        return len(due)

    def announce_all(self) -> int:
        """Re-score every member and announce each standing once (after a rebuild)."""
        now = self.clock.now()
        members = self.store.known_members()
        for member_id in members:
            self._settle({member_id: self.store.refresh(member_id, self.window, now)}, Announce.FORCE)
        return len(members)

    def start_over(self) -> int:
        """Delete every ranking key: a rebuild replays the history into an empty store
        (services/ranking/rebuild.py, services/ranking/watch.py). Returns how many went."""
        return self.store.reset()

    def revoke_tokens(self, revocation: Mapping) -> None:
        """The ranking's own revocation list (shared.tokens); setting it twice changes nothing."""
        RedisTokenStore(self.store.redis).revoke(revocation)

    # --- the domain and the unit of work -------------------------------------------------
    @property
    def _announce(self) -> Announce:
        return Announce.QUIET if self.mode == "quiet" else Announce.AUTO

    def _settle(self, totals: dict[str, Totals], announce: Announce) -> dict[str, Influence]:
        """Each member's standing from their totals, saved with what it announces."""
        influences = {}
        with self.announcer.unit_of_work() as uow:
            for member_id, t in totals.items():
                standing = uow.track(NewStanding.settle(member_id, t.version, t.breakdown, t.show_in_leaderboards,
                                                        t.oldest_day, self.window, announce))
                influences[member_id] = standing.influence
        return influences


class Queries:
    """What the views ask: boards and standings as a viewer may see them (the read side).

    Reads come from the settled standings (store.standings) and the TOP 300 as last built
    (`Boards`, services/ranking/boards.py); the rules of what is listed, ranked and shown
    are the domain's."""

    def __init__(self, store: RankingStore, boards: Boards, owners=None):
        self.store = store
        self.boards = boards
        self.owners = owners

    def influence_board(self, limit: int, render: Callable[[list[Placing]], bytes]) -> bytes:
        """The first `limit` of the TOP 300, rendered once per built board."""
        return self.boards.rendered_influence(limit, render)

    def member_influence(self, member_id: str, viewer_id: str | None) -> MemberInfluence:
        """A member's page as the viewer may see it. The ranking's members are a copy of the
        shop's, which may lag (a member just registered): the shop is asked before the
        answer is that there is no such member (docs/owners-decide.md). Such a newcomer has
        nothing counted yet: zero at the first tier, unranked, their zero breakdown and
        stats shown as they would be at once (to themself, under the default privacy)."""
        viewer = self._viewer(viewer_id)
        standing = self.store.standings([member_id]).get(member_id)
        if standing is not None:
            return member_page(viewer, member_id, standing.nickname, standing.score, standing.breakdown,
                               standing.privacy, board_rank(*self.store.board_position(member_id)))
        shop = self.owners.shop(member_id) if self.owners is not None else None
        if shop is None:
            raise NotFound(f"the ranking knows no member {member_id}")
        return member_page(viewer, member_id, shop.get("nickname") or "", 0, Breakdown(), Privacy(), None)

    def friend_board(self, viewer_id: str) -> list[BoardLine]:
        """The viewer and their friends by score, with stats where each allows."""
        viewer = self._viewer(viewer_id)
        return friend_board(viewer, *self._me_and_friends(viewer))

    def community(self, viewer_id: str) -> Community:
        """Three friends by sales, the first ten of the TOP 300, and the viewer's rank."""
        viewer = self._viewer(viewer_id)
        me, friends = self._me_and_friends(viewer)
        # The viewer's rank from the same built TOP 300 as the ten lines shown with it, so
        # the page agrees with itself (and needs no more round trips to Redis).
        board = self.boards.placings()
        return community(viewer, me, friends, board[:COMMUNITY_BOARD_SIZE], rank_on(board, viewer.member_id))

    def _viewer(self, member_id: str | None) -> Viewer:
        if member_id is None:
            return Viewer()
        return Viewer(member_id, self.store.friends_of(member_id))

    def _me_and_friends(self, viewer: Viewer) -> tuple[Contender, list[Contender]]:
        standings = self.store.board_standings([viewer.member_id, *sorted(viewer.friends)])
        me = standings.pop(viewer.member_id, None)
        # A member the ranking has not heard of yet still sees themself, at zero.
        return (_contender(me) if me else Contender(viewer.member_id, 0)), [_contender(s) for s in standings.values()]


def _contender(standing: Standing) -> Contender:
    return Contender(member_id=standing.member_id, score=standing.score, nickname=standing.nickname,
                     privacy=standing.privacy, stats=standing.stats)
