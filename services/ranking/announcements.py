"""The ranking's unit of work for events, and publishing `ranking.influence.changed`.

The ranking has no database and no outbox table: its state is in Redis, and each member's
announcement list (`rk:{m:ID}:announce`) is its outbox. The honest equivalent of the other
services' unit of work (shared/db.py: track the objects saved, write what they recorded to
the outbox in the same transaction) is therefore `UnitOfWork` here: a use case tracks each
`NewStanding` it settled (the domain entity that records `InfluenceChanged`, services/
ranking/domain/standing.py); when the unit ends, one SETTLE script per member writes the
standing and the announcement it recorded together (kept only if it is news, decided
against the standing it replaces), the board is placed in the same round trip, and the
Announcer, the relay, publishes what waits. No use case publishes by hand, so none can
forget an announcement or send one twice.

A standing and its announcement are written by one script (SETTLE), so a change is never
stored without its announcement; publishing comes after, and an announcement leaves its
list only once the broker confirmed it. A worker that dies in between leaves it there
for the next change of that member or the periodic sweep: delivery is at least once, and
the shop keeps the newest by `occurred_at`, which the script stamped in standing order.
"""
from __future__ import annotations

import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Iterator

from shared.bus import Bus
from shared.events import CATALOGUE, Event, correlation_id_var

from services.ranking.domain import InfluenceChanged, NewStanding
from services.ranking.store import RankingStore

PRODUCER = "ranking"
TYPE = InfluenceChanged.TYPE
VERSION = CATALOGUE[TYPE][0]


class UnitOfWork:
    """The standings a use case settled, saved with the announcements they recorded when
    the unit ends (see the module's docstring)."""

    def __init__(self, announcer: "Announcer"):
        self.announcer = announcer
        self._tracked: list[NewStanding] = []

    def track(self, standing: NewStanding) -> NewStanding:
        self._tracked.append(standing)
        return standing

    def commit(self) -> int:
        """Store and place every tracked standing with its announcement, then publish
        every announcement waiting for their members; returns how many went out."""
        if not self._tracked:
            return 0
        standings, self._tracked = self._tracked, []
        return self.announcer.publish(self.announcer.store.settle_and_place(standings))


class Announcer:
    def __init__(self, store: RankingStore, bus: Bus):
        self.store = store
        self.bus = bus

    @contextmanager
    def unit_of_work(self) -> Iterator[UnitOfWork]:
        """`with announcer.unit_of_work() as uow: uow.track(standing)`: saved and announced
        at the end, unless the block raised (a redelivery does it again: every script is
        idempotent)."""
        uow = UnitOfWork(self)
        yield uow
        uow.commit()

    def publish(self, waiting: dict[str, list[dict]]) -> int:
        """Publish the announcements waiting for each member (member -> entries, oldest
        first), then pop what the broker took, in one round trip; unflag the members left
        with none. Returns how many went out."""
        published: dict[str, list[str]] = {}
        try:
            for member_id, entries in waiting.items():
                for entry in entries:
                    self.bus.publish(envelope(entry))
                    published.setdefault(member_id, []).append(entry["id"])
        finally:
            # What the broker confirmed leaves its list even if a later publish failed.
            left = self.store.announced(published)
        self.store.unflag_announcements([m for m in waiting if not left.get(m, 0)])
        return sum(len(ids) for ids in published.values())

    def drain(self, member_id: str) -> int:
        """Publish a member's waiting announcements in order; returns how many went out."""
        return self.drain_many([member_id])

    def drain_many(self, member_ids: list[str]) -> int:
        return self.publish(self.store.waiting_announcements(member_ids)) if member_ids else 0

    def drain_flagged(self) -> int:
        return self.drain_many(self.store.flagged_announcements())


def envelope(entry: dict) -> dict:
    """The event of one stored announcement; its id was fixed when it was stored, so a
    second publication of it is a duplicate the shop's inbox drops.

    Built without make_event's validation: the entry's fields are the numbers and the id
    SETTLE stored from a standing, and validating them cost more than the rest of
    publishing on the in-memory bus (`make bench`, profile in docs/speed.md). The entry is
what SETTLE stored of the standing's recorded `InfluenceChanged` (the same fields, with the
id, version and time the script gave it)."""
    at = datetime.fromtimestamp(int(entry["at"]) / 1_000_000, tz=timezone.utc)
    # The fields of InfluenceChanged.data(), without building the event object once more.
    data = {"member_id": entry["member_id"], "score": int(entry["score"]), "tier": int(entry["tier"]),
            "slots": int(entry["slots"]), "version": int(entry["version"])}
    return Event(id=entry["id"], type=TYPE, version=VERSION, occurred_at=at, producer=PRODUCER,
                 correlation_id=correlation_id_var.get() or str(uuid.uuid4()), data=data).to_dict()
