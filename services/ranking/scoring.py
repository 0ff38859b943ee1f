"""Keeping influence current: the ranking's use cases on the write side.

`record` is what every event handler ends in: apply the event's effect to one member (once,
atomically), settle the member's standing from the totals read in the same step, place it on
the public board, and announce a change. `refresh_due` does the same without an event for
members whose oldest counted day has just left the window, since a score also falls by
itself as days go by.

Several workers may do this for one member at once: each standing carries the version its
totals were read at, and the store keeps the newest, so the end state is the same whether
one worker or four handled the events.
"""
from __future__ import annotations

from datetime import datetime

from shared.events import Event

from services.ranking.announcements import Announcer
from services.ranking.domain import Effect, Influence, InfluenceWindow, Privacy, listed_publicly, stamp
from services.ranking.store import RankingStore, Totals


class Scorer:
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

    def moment_of(self, event: Event, now: datetime | None = None) -> datetime:
        """When an event counts: its time, or now if its producer's clock ran ahead of ours
        (a day that has not begun here is not in the window yet)."""
        now = now or self.clock.now()
        return min(event.occurred_at, now)

    def record(self, member_id: str, event: Event, effect: Effect) -> Totals | None:
        now = self.clock.now()
        day = self.window.day_of(self.moment_of(event, now))
        effect = effect.within(self.window, day, now)
        if effect.is_empty:
            return None
        totals = self.store.apply(member_id, event.id, day, effect, self.window, now,
                                  stamp=stamp(event.occurred_at, event.id))
        if self.mode != "replay":
            self.settle(member_id, totals)
        return totals

    def settle(self, member_id: str, totals: Totals, mode: str | None = None) -> Influence:
        influence = Influence(member_id, totals.breakdown)
        listed = listed_publicly(Privacy(show_in_leaderboards=totals.show_in_leaderboards), influence.score)
        rolls_at = self.window.closes_at(totals.oldest_day) if totals.oldest_day else None
        _, waiting = self.store.settle(member_id, totals.version, influence, mode or self.mode)
        self.store.place(member_id, totals.version, influence.score, listed, rolls_at)
        if waiting:
            self.store.flag_announcements(member_id)
            self.announcer.drain(member_id)
        return influence

    def refresh_due(self) -> int:
        """Re-score members whose window rolled past their oldest day; publish what waits."""
        now = self.clock.now()
        due = self.store.due_for_refresh(now)
        for member_id in due:
            self.settle(member_id, self.store.refresh(member_id, self.window, now))
        self.announcer.drain_flagged()
        return len(due)

    def announce_all(self) -> int:
        """Re-score every member and announce each standing once (after a rebuild)."""
        now = self.clock.now()
        members = self.store.known_members()
        for member_id in members:
            self.settle(member_id, self.store.refresh(member_id, self.window, now), mode="force")
        return len(members)
