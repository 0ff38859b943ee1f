"""What the ranking announces: one named class per event type it emits (CATALOGUE in
shared/events.py lists one for the ranking: `ranking.influence.changed`).

Plain values, not the envelope: the id, the time and the version of an announcement are
fixed by the store when it keeps the announcement with the standing (services/ranking/
scripts.py SETTLE), and the Announcer puts it on the bus (services/ranking/announcements.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from shared.domain_events import DomainEvent


@dataclass(frozen=True)
class InfluenceChanged(DomainEvent):
    """A member's score moved (their tier and slots with it, if they did): the shop sets
    the member's featured slots from it and keeps the newest by `version`."""

    TYPE: ClassVar[str] = "ranking.influence.changed"

    member_id: str
    score: int
    tier: int
    slots: int
    # Increases with every standing of one member, whichever worker settles it.
    version: int | None = None
