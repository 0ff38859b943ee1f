"""A member's new standing: what their window totals come to, whether the public board
lists them, when it must be settled again, and the announcement it raises.

The standing records `InfluenceChanged` as the domain's other entities record their events
(shared.domain_events.EventRecorder); the ranking's unit of work (services/ranking/
announcements.py) saves the standing and what it recorded in one step. Whether the
announcement is news is decided there, against the standing it replaces, by the same rule
as `influence_changed` (only the store sees the score before, atomically, when several
workers settle one member): a standing records what it would announce; "auto" keeps it
only if the score moved, "force" always (every final standing after a rebuild), and a
"quiet" standing records nothing (a rebuild's replay).
"""
from __future__ import annotations

from datetime import datetime
from enum import Enum

from shared.domain_events import EventRecorder

from .boards import listed_publicly
from .events import InfluenceChanged
from .influence import Breakdown, Influence, tier_for
from .privacy import Privacy
from .window import InfluenceWindow


class Announce(str, Enum):
    AUTO = "auto"      # announce the standing if the score moved
    QUIET = "quiet"    # never (a rebuild replaying history)
    FORCE = "force"    # always (each final standing after a rebuild)


class NewStanding(EventRecorder):
    """A standing to store and place, settled from the totals read at `version`."""

    def __init__(self, member_id: str, version: int, influence: Influence, listed: bool,
                 rolls_at: datetime | None, announce: Announce = Announce.AUTO):
        self.member_id = member_id
        self.version = version
        self.influence = influence
        self.listed = listed
        self.rolls_at = rolls_at
        self.announce = Announce(announce)
        self.score = influence.score
        super().__init__()
        if self.announce is not Announce.QUIET:
            tier = tier_for(self.score)
            self.record(InfluenceChanged(member_id, self.score, tier.level, tier.slots, version))

    @classmethod
    def settle(cls, member_id: str, version: int, breakdown: Breakdown, show_in_leaderboards: bool,
               oldest_day: str | None, window: InfluenceWindow,
               announce: Announce = Announce.AUTO) -> "NewStanding":
        """The standing of a member's totals: listed publicly if they let themselves be and
        have earned something; settled again when their oldest counted day leaves the window."""
        influence = Influence(member_id, breakdown)
        listed = listed_publicly(Privacy(show_in_leaderboards=show_in_leaderboards), influence.score)
        return cls(member_id, version, influence, listed,
                   window.closes_at(oldest_day) if oldest_day else None, announce)

    @property
    def mode(self) -> str:
        """How the store keeps the announcement: as the standing asks, and never when it
        recorded none."""
        return self.announce.value if self.events else Announce.QUIET.value

    def __repr__(self) -> str:
        return (f"NewStanding({self.member_id!r}, v{self.version}, score={self.influence.score}, "
                f"listed={self.listed}, {self.announce.value})")

