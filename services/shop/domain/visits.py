"""Visits to a shop: who came (a member, or an anonymous browser key) and what they looked at.

The article's first complaint was that an owner could not see any of this.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Callable, Iterable
from zoneinfo import ZoneInfo

from shared.failures import Unprocessable

from .events import ShopVisited

ANONYMOUS_PREFIX = "anon:"
VISITOR_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")
RECENT_VISITORS = 20


@dataclass(frozen=True)
class Visit:
    id: str
    shop_id: str
    visitor: str                 # the member id, or "anon:<key>" for a browser without a token
    member_id: str | None        # set only when the visitor signed in
    product_id: str | None
    at: datetime

    def event(self) -> ShopVisited:
        """What the ranking counts towards the shop's influence."""
        return ShopVisited(visit_id=self.id, shop_id=self.shop_id, visitor=self.visitor, product_id=self.product_id)


def visitor_identity(member_id: str | None, visitor_key: str | None) -> str:
    """A signed-in visitor is their member id; otherwise the browser's key, prefixed so it
    can never be mistaken for (or counted as) a member."""
    if member_id is not None:
        return member_id
    if visitor_key is None:
        raise Unprocessable("a visit needs a token or a visitor_key",
                            errors={"visitor_key": ["required without a token"]})
    if not isinstance(visitor_key, str) or not VISITOR_KEY.fullmatch(visitor_key):
        raise Unprocessable("invalid visitor_key",
                            errors={"visitor_key": ["8 to 64 letters, digits, '_' or '-'"]})
    return ANONYMOUS_PREFIX + visitor_key


def record_visit(*, visit_id: str, shop_id: str, member_id: str | None, visitor_key: str | None,
                 product_id: str | None, now: datetime) -> Visit | None:
    """The visit to count, or None for the owner browsing their own shop (it would only
    inflate their numbers and their influence)."""
    visitor = visitor_identity(member_id, visitor_key)
    if visitor == shop_id:
        return None
    return Visit(id=visit_id, shop_id=shop_id, visitor=visitor, member_id=member_id,
                 product_id=product_id, at=now)


@dataclass(frozen=True)
class VisitorTally:
    """One visitor's visits to one shop: how the store groups a shop's visits."""

    visitor: str
    member_id: str | None
    visits: int
    last_at: datetime


@dataclass(frozen=True)
class RecentVisitor:
    member_id: str
    at: datetime


def tally(visits: Iterable[Visit]) -> list[VisitorTally]:
    """Visits grouped by visitor, the grouping the store does in SQL."""
    grouped: dict[str, VisitorTally] = {}
    for visit in visits:
        before = grouped.get(visit.visitor)
        grouped[visit.visitor] = VisitorTally(
            visitor=visit.visitor, member_id=visit.member_id,
            visits=(before.visits if before else 0) + 1,
            last_at=max(before.last_at, visit.at) if before else visit.at)
    return list(grouped.values())


@dataclass(frozen=True)
class VisitCounts:
    visits: int            # every visit, signed in or not
    unique_visitors: int   # distinct signed-in members: the number the influence counts
    anonymous_visits: int  # visits without a token: shown, never counted as visitors


def count_visits(tallies: Iterable[VisitorTally]) -> VisitCounts:
    """A visitor who comes back adds a visit, not a visitor. Only a signed-in member is a
    visitor: an anonymous browser key costs nothing to make up, so anonymous visits are
    counted as visits apart (the influence breakdown counts the same members)."""
    total = unique = anonymous = 0
    for entry in tallies:
        total += entry.visits
        if entry.member_id is None:
            anonymous += entry.visits
        else:
            unique += 1
    return VisitCounts(total, unique, anonymous)


@dataclass(frozen=True)
class VisitWindow:
    """The days the visit figures cover: the influence window's, so the analytics'
    `unique_visitors` is the same number as the influence breakdown's. The last `days`
    calendar days in the platform's timezone, today included (as the ranking's
    InfluenceWindow; a test holds the two together)."""

    zone: str = "Asia/Shanghai"
    days: int = 30

    def starts_at(self, now: datetime) -> datetime:
        """The first instant that counts: local midnight `days - 1` days before today."""
        zone = ZoneInfo(self.zone)
        first_day = now.astimezone(zone).date() - timedelta(days=self.days - 1)
        return datetime.combine(first_day, time(0), tzinfo=zone).astimezone(timezone.utc)


def recent_visitors(tallies: Iterable[VisitorTally], shows_as_visitor: Callable[[str], bool],
                    limit: int = RECENT_VISITORS) -> list[RecentVisitor]:
    """Signed-in visitors, latest first, each at their last visit, leaving out those who
    chose not to be shown (anonymous browsers have no name to show)."""
    shown = [RecentVisitor(t.member_id, t.last_at) for t in tallies
             if t.member_id is not None and shows_as_visitor(t.member_id)]
    shown.sort(key=lambda r: (r.at, r.member_id), reverse=True)
    return shown[:limit]
