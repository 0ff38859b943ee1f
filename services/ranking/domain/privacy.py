"""Who may see a member's stats and breakdown (the defaults of CONTRACT.md)."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

class Audience(str, Enum):
    EVERYONE = "everyone"
    FRIENDS = "friends"
    NOBODY = "nobody"


@dataclass(frozen=True)
class Privacy:
    """The part of a member's privacy settings the ranking obeys (defaults of CONTRACT.md)."""

    stats_visible_to: Audience = Audience.FRIENDS
    show_in_leaderboards: bool = True

    def __post_init__(self):
        object.__setattr__(self, "stats_visible_to", Audience(self.stats_visible_to))


@dataclass(frozen=True)
class Viewer:
    """Who is looking: a member with their friends, or an anonymous caller (member_id None)."""

    member_id: str | None = None
    friends: frozenset[str] = frozenset()

    def is_friend_of(self, member_id: str) -> bool:
        return member_id in self.friends

    def may_see_stats(self, owner_id: str, privacy: Privacy) -> bool:
        """Stats and breakdown: the owner always, others as far as the owner allows."""
        if self.member_id is not None and self.member_id == owner_id:
            return True
        if privacy.stats_visible_to is Audience.EVERYONE:
            return True
        if privacy.stats_visible_to is Audience.FRIENDS:
            return self.member_id is not None and self.is_friend_of(owner_id)
        return False

