"""Who sees what a member bought and how their shop does.

The article's fifth complaint: purchases leaked to friends. Here purchases are visible to
nobody by default, a product flagged `sensitive` is never shown to anyone but its buyer,
and stats visibility and leaderboard presence are the member's choice.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Iterable, TypeVar

from shared.domain_events import Outcome
from shared.failures import Unprocessable

from .events import PrivacyChanged, PurchasesAudience, StatsAudience

NOBODY, FRIENDS, EVERYONE = "nobody", "friends", "everyone"
PURCHASE_AUDIENCES = (NOBODY, FRIENDS)
STATS_AUDIENCES = (EVERYONE, FRIENDS, NOBODY)


@dataclass(frozen=True)
class PrivacySettings:
    purchases_visible_to: str = NOBODY
    stats_visible_to: str = FRIENDS
    show_in_leaderboards: bool = True
    show_me_as_visitor: bool = True

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


_CHOICES: dict[str, tuple] = {
    "purchases_visible_to": PURCHASE_AUDIENCES,
    "stats_visible_to": STATS_AUDIENCES,
}
_FLAGS = ("show_in_leaderboards", "show_me_as_visitor")


def _error(name: str, value: Any) -> str | None:
    if name in _CHOICES:
        choices = _CHOICES[name]
        return None if isinstance(value, str) and value in choices else f"must be one of {', '.join(choices)}"
    if name in _FLAGS:
        # bool only: 0, 1 or "false" would be a guess at what the member meant.
        return None if isinstance(value, bool) else "must be true or false"
    return "unknown field"


def change(current: PrivacySettings, changes: dict[str, Any]) -> PrivacySettings:
    """The settings after `changes` (fields left out keep their value), or Unprocessable."""
    errors = {name: [msg] for name, value in changes.items() if (msg := _error(name, value))}
    if errors:
        raise Unprocessable("invalid privacy settings", errors=errors)
    return PrivacySettings(**{**current.as_dict(), **changes})


def change_recorded(member_id: str, current: PrivacySettings,
                    changes: dict[str, Any]) -> tuple[PrivacySettings, Outcome]:
    """The settings after `changes`, and the whole new set for the other services (the
    ranking hides stats and board entries by it), only when something changed."""
    after = change(current, changes)
    if after == current:
        return after, Outcome()
    return after, Outcome([PrivacyChanged(
        member_id=member_id, purchases_visible_to=PurchasesAudience(after.purchases_visible_to),
        stats_visible_to=StatsAudience(after.stats_visible_to), show_in_leaderboards=after.show_in_leaderboards,
        show_me_as_visitor=after.show_me_as_visitor)])


def can_see_purchases(owner_id: str, viewer_id: str | None, are_friends: bool,
                      settings: PrivacySettings) -> bool:
    if viewer_id == owner_id:
        return True
    return settings.purchases_visible_to == FRIENDS and viewer_id is not None and are_friends


def can_see_stats(owner_id: str, viewer_id: str | None, are_friends: bool,
                  settings: PrivacySettings) -> bool:
    if viewer_id == owner_id:
        return True
    audience = settings.stats_visible_to
    if audience == EVERYONE:
        return True
    return audience == FRIENDS and viewer_id is not None and are_friends


P = TypeVar("P")


def purchases_shown(owner_id: str, viewer_id: str | None, purchases: Iterable[P],
                    is_sensitive) -> list[P]:
    """The purchases a permitted viewer may see: a sensitive product only by its buyer,
    whatever the settings say. `is_sensitive(purchase)` answers for one purchase."""
    if viewer_id == owner_id:
        return list(purchases)
    return [p for p in purchases if not is_sensitive(p)]
