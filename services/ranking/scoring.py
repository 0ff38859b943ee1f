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
from services.ranking.store import Change, NewStanding, RankingStore, Totals


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
        return self.record_many([(member_id, event, effect)]).get(member_id)

    def record_many(self, records: list[tuple[str, Event, Effect]]) -> dict[str, Totals]:
        """Apply a batch of (member, event, effect): one script per member for all of its
        events, then one standing per member from the totals after them, so a member that 20
        events of the batch concern is settled, placed and announced once, not 20 times.
        The end state is the same as one by one: every fact is idempotent by event id and
        order-independent, and only the newest standing was ever kept."""
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
            self.settle_many(totals)
        return totals

    def settle(self, member_id: str, totals: Totals, mode: str | None = None) -> Influence:
        return self.settle_many({member_id: totals}, mode)[member_id]

    def settle_many(self, totals: dict[str, Totals], mode: str | None = None) -> dict[str, Influence]:
        """Store, place and announce each member's standing from their totals."""
        influences, standings = {}, []
        for member_id, member_totals in totals.items():
            influence = influences[member_id] = Influence(member_id, member_totals.breakdown)
            listed = listed_publicly(Privacy(show_in_leaderboards=member_totals.show_in_leaderboards),
                                     influence.score)
            rolls_at = self.window.closes_at(member_totals.oldest_day) if member_totals.oldest_day else None
            standings.append(NewStanding(member_id, member_totals.version, influence, listed, rolls_at,
                                         mode or self.mode))
        self.announcer.publish(self.store.settle_and_place(standings))
        return influences

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
