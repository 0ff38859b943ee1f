"""Influence: what a member's shop earns, the tier and slots it buys, and who may see it.

Pure rules over plain data: no Flask, no Redis, no broker. Time is always injected as an
aware `now`; the calendar that decides which days count is an `InfluenceWindow`.

The store keeps per-day buckets and per-order facts; this module says what those mean:
- an order counts once, on the local day it was paid, and only while it is paid and not
  refunded (`OrderFacts`); facts only accumulate, so payment and refund commute;
- a day bucket counts while it is one of the window's 30 local calendar days;
- the score, tier and next tier follow from the four window totals (`Breakdown`);
- boards and stats are cut and hidden as each member's privacy says.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone as dt_timezone, tzinfo
from enum import Enum
from typing import Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

# --- the formula of CONTRACT.md -------------------------------------------------------

CENTS_PER_SALES_POINT = 100
POINTS_PER_VISITOR = 2
POINTS_PER_BUYER = 20
POINTS_PER_ACTIVE_DAY = 10


@dataclass(frozen=True)
class Breakdown:
    """The four window totals of one member and the points each earns."""

    sales_cents: int = 0
    unique_visitors: int = 0
    distinct_buyers: int = 0
    active_days: int = 0

    @property
    def sales_points(self) -> int:
        return self.sales_cents // CENTS_PER_SALES_POINT  # floor, as the contract says

    @property
    def visitor_points(self) -> int:
        return POINTS_PER_VISITOR * self.unique_visitors

    @property
    def buyer_points(self) -> int:
        return POINTS_PER_BUYER * self.distinct_buyers

    @property
    def activity_points(self) -> int:
        return POINTS_PER_ACTIVE_DAY * self.active_days

    @property
    def score(self) -> int:
        return self.sales_points + self.visitor_points + self.buyer_points + self.activity_points


# --- tiers ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Tier:
    level: int
    min_score: int
    slots: int


TIERS: tuple[Tier, ...] = (
    Tier(level=1, min_score=0, slots=4),
    Tier(level=2, min_score=1000, slots=6),
    Tier(level=3, min_score=3000, slots=8),
    Tier(level=4, min_score=10000, slots=12),
)


@dataclass(frozen=True)
class NextTier:
    tier: Tier
    points_missing: int

    @property
    def score_needed(self) -> int:
        return self.tier.min_score


def tier_for(score: int) -> Tier:
    reached = [tier for tier in TIERS if score >= tier.min_score]
    return reached[-1] if reached else TIERS[0]


def next_tier(score: int) -> NextTier | None:
    """The first tier above the member's, and how far away it is; None at the top."""
    for tier in TIERS:
        if tier.min_score > score:
            return NextTier(tier=tier, points_missing=tier.min_score - score)
    return None


@dataclass(frozen=True)
class Influence:
    """A member's standing: the score, its tier and what the next tier needs."""

    member_id: str
    breakdown: Breakdown

    @property
    def score(self) -> int:
        return self.breakdown.score

    @property
    def tier(self) -> Tier:
        return tier_for(self.score)

    @property
    def next_tier(self) -> NextTier | None:
        return next_tier(self.score)


def influence_changed(before_score: int | None, after_score: int) -> bool:
    """Whether `ranking.influence.changed` is due: the score moved (a tier moves only with it).

    A member never scored before (None) is announced once they have a positive score, so
    a brand-new member at 0 (tier 1, the shop's default slots) costs no event.
    """
    if before_score is None:
        return after_score > 0
    return before_score != after_score


# --- the rolling window ----------------------------------------------------------------

WINDOW_DAYS = 30
DEFAULT_TIMEZONE = "Asia/Shanghai"
DAY_FORMAT = "%Y%m%d"


def _aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return moment


class InfluenceWindow:
    """The last 30 calendar days in the platform's timezone, today included.

    Days are named by their local date, 'YYYYMMDD', so a day bucket is a key suffix and a
    member in Shanghai sees their day end at local midnight, not at UTC midnight.
    """

    def __init__(self, timezone: str | tzinfo = DEFAULT_TIMEZONE, days: int = WINDOW_DAYS):
        if days < 1:
            raise ValueError("a window has at least one day")
        self.tz = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
        self.length = days

    def day_of(self, moment: datetime) -> str:
        """The bucket an event at `moment` falls in: its local calendar date."""
        return _aware(moment, "moment").astimezone(self.tz).strftime(DAY_FORMAT)

    def today(self, now: datetime) -> date:
        return _aware(now, "now").astimezone(self.tz).date()

    def days(self, now: datetime) -> list[str]:
        """The buckets that count at `now`, newest first; the 31st day back is not among them."""
        today = self.today(now)
        return [(today - timedelta(days=back)).strftime(DAY_FORMAT) for back in range(self.length)]

    def contains(self, day: str, now: datetime) -> bool:
        age = (self.today(now) - parse_day(day)).days
        return 0 <= age < self.length

    def closes_at(self, day: str) -> datetime:
        """The first instant at which `day` no longer counts: local midnight `length` days later.

        A store can let a bucket expire then (plus a margin for late events).
        """
        end = datetime.combine(parse_day(day) + timedelta(days=self.length), time(0), tzinfo=self.tz)
        return end.astimezone(dt_timezone.utc)


def parse_day(day: str) -> date:
    return datetime.strptime(day, DAY_FORMAT).date()


# --- what counts -----------------------------------------------------------------------

class OrderEvent(str, Enum):
    PAID = "order.paid"
    REFUNDED = "order.refunded"


@dataclass(frozen=True)
class Contribution:
    """What one live order adds to its shop: sales on its paid day, and one live order of its buyer."""

    day: str
    sales_cents: int
    buyer_id: str


@dataclass(frozen=True)
class OrderFacts:
    """What the ranking knows about one order through a shop.

    Facts only accumulate (paid, refunded), and merging is a union, so the end state does
    not depend on arrival order: a refund that arrives first just waits for its payment.
    The paid day comes from the payment, because that is the day the sale belongs to; a
    refund takes the sale back out of that same day, never out of another.
    """

    order_id: str
    shop_id: str | None
    buyer_id: str
    total_cents: int = 0
    paid_day: str | None = None
    paid: bool = False
    refunded: bool = False

    @property
    def through_someone_elses_shop(self) -> bool:
        # Buying through your own shop earns you nothing: no sales, no buyer.
        return bool(self.shop_id) and self.shop_id != self.buyer_id

    @property
    def live(self) -> bool:
        return self.paid and not self.refunded and self.through_someone_elses_shop

    def contribution(self) -> Contribution | None:
        if not self.live:
            return None
        return Contribution(day=self.paid_day, sales_cents=self.total_cents, buyer_id=self.buyer_id)

    def merge(self, other: "OrderFacts") -> "OrderFacts":
        if other.order_id != self.order_id:
            raise ValueError("facts of two different orders")
        return replace(
            self,
            paid=self.paid or other.paid,
            refunded=self.refunded or other.refunded,
            # The payment is the authority on the day and the amount.
            paid_day=self.paid_day if self.paid else other.paid_day,
            total_cents=self.total_cents if self.paid else other.total_cents,
        )

    @classmethod
    def from_event(cls, kind: OrderEvent | str, data: Mapping, occurred_at: datetime,
                   window: InfluenceWindow) -> "OrderFacts":
        kind = OrderEvent(kind)
        paid = kind is OrderEvent.PAID
        return cls(
            order_id=data["order_id"],
            shop_id=data.get("shop_id"),
            buyer_id=data["buyer_id"],
            total_cents=int(data["total_cents"]) if paid else 0,
            paid_day=window.day_of(occurred_at) if paid else None,
            paid=paid,
            refunded=not paid,
        )


@dataclass(frozen=True)
class ContributionChange:
    """How a shop's buckets move when an order's facts grow: the delta to apply, signed."""

    day: str
    sales_cents: int
    buyer_id: str
    live_orders: int


def contribution_change(before: OrderFacts | None, after: OrderFacts) -> ContributionChange | None:
    """The bucket delta between two states of one order; None when nothing moves."""
    old = before.contribution() if before else None
    new = after.contribution()
    if old == new:
        return None
    if new is not None:
        return ContributionChange(new.day, new.sales_cents, new.buyer_id, +1)
    return ContributionChange(old.day, -old.sales_cents, old.buyer_id, -1)


# The shop names an anonymous visitor `anon:<browser key>`; a member is their member id.
ANONYMOUS_PREFIX = "anon:"


def counts_as_visitor(shop_id: str, visitor: str | None) -> bool:
    """Only what cannot be forged earns influence: a signed-in member other than the owner.

    An anonymous browser key costs nothing to make up (500 fresh keys once bought a new
    member tier 2), so anonymous visits show in the shop's analytics but earn no points;
    the owner's own visits would only inflate their score.
    """
    return bool(visitor) and visitor != shop_id and not visitor.startswith(ANONYMOUS_PREFIX)


# A removal the platform made (a delisting, a product leaving a shop whose tier dropped)
# is not something the member did.
SYSTEM_REMOVAL_REASONS = frozenset({"delisted", "slots_reduced"})
ACTIVITY_EVENTS = frozenset({"shop.featured.added", "shop.featured.removed", "shop.member.updated"})


def is_member_activity(event_type: str, data: Mapping) -> bool:
    """Whether the event marks its day as an active day: the member featured, removed or edited."""
    if event_type not in ACTIVITY_EVENTS:
        return False
    if event_type == "shop.featured.removed":
        return data.get("reason", "removed") not in SYSTEM_REMOVAL_REASONS
    return True


def stamp(occurred_at: datetime, event_id: str) -> str:
    """The order of last-writer-wins facts (privacy, nickname, friendship): by time, then id.

    The bus does not promise order, so a late, older privacy change must not undo a newer
    one. Fixed-width microseconds make the stamps compare as plain strings.
    """
    micros = int(_aware(occurred_at, "occurred_at").timestamp() * 1_000_000)
    return f"{micros:020d}.{event_id}"


@dataclass(frozen=True)
class Effect:
    """What one event changes in one member's records; the store applies it atomically.

    `order`, `visitor` and `active_day` are windowed: they fall on the event's day and are
    dropped when that day is already outside the window. The rest are last-writer-wins.
    """

    order: OrderFacts | None = None
    visitor: str | None = None
    active_day: str | None = None
    nickname: str | None = None
    privacy: Privacy | None = None
    friend: tuple[str, bool] | None = None  # (the other member, friends from now on?)

    @property
    def is_empty(self) -> bool:
        return self == Effect()

    def within(self, window: InfluenceWindow, day: str, now: datetime) -> Effect:
        """This effect as it counts at `now`: the windowed parts of an out-of-window day drop."""
        if window.contains(day, now):
            return self
        return replace(self, order=None, visitor=None, active_day=None)


@dataclass
class InfluenceLedger:
    """A member's facts kept in plain memory, the whole rule in one place.

    The Redis store keeps the same facts in buckets for speed and scale-out; this ledger is
    the statement it must agree with, and what `breakdown` means for any state of them.
    """

    member_id: str
    orders: dict[str, OrderFacts] = field(default_factory=dict)
    visitors: dict[str, str] = field(default_factory=dict)  # visitor -> the last day they came
    active: set[str] = field(default_factory=set)

    def record_order(self, facts: OrderFacts) -> ContributionChange | None:
        before = self.orders.get(facts.order_id)
        after = before.merge(facts) if before else facts
        self.orders[facts.order_id] = after
        return contribution_change(before, after)

    def record_visit(self, visitor: str | None, day: str) -> bool:
        if not counts_as_visitor(self.member_id, visitor):
            return False
        # One member is one visitor however often they come: what moves is their last day,
        # which decides until when they count.
        self.visitors[visitor] = max(day, self.visitors.get(visitor, day))
        return True

    def record_activity(self, day: str) -> None:
        self.active.add(day)

    def breakdown(self, window: InfluenceWindow, now: datetime) -> Breakdown:
        days = set(window.days(now))
        live = [c for c in (o.contribution() for o in self.orders.values()) if c and c.day in days]
        visitors = {visitor for visitor, last in self.visitors.items() if last in days}
        return Breakdown(
            sales_cents=sum(c.sales_cents for c in live),
            unique_visitors=len(visitors),
            distinct_buyers=len({c.buyer_id for c in live}),
            active_days=len(self.active & days),
        )


# --- privacy ---------------------------------------------------------------------------

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


# --- boards ----------------------------------------------------------------------------

BOARD_SIZE = 300
COMMUNITY_BOARD_SIZE = 10
COMMUNITY_FRIENDS = 3


@dataclass(frozen=True)
class Stats:
    sales_cents_30d: int
    visitors_30d: int


@dataclass(frozen=True)
class Contender:
    """One member as a board sees them."""

    member_id: str
    score: int
    nickname: str = ""
    privacy: Privacy = Privacy()
    stats: Stats = Stats(0, 0)


@dataclass(frozen=True)
class Placing:
    rank: int
    contender: Contender


def board_order(contender: Contender) -> tuple[int, str]:
    """Higher score first; equal scores by member id, so every reader lists them alike."""
    return (-contender.score, contender.member_id)


def rank(contenders: Iterable[Contender]) -> list[Placing]:
    """Competition ranking (1, 2, 2, 4): equal scores share a rank."""
    placings: list[Placing] = []
    for position, contender in enumerate(sorted(contenders, key=board_order), start=1):
        tied = placings and placings[-1].contender.score == contender.score
        placings.append(Placing(placings[-1].rank if tied else position, contender))
    return placings


def listed_publicly(privacy: Privacy, score: int) -> bool:
    """On the public board: members who let themselves be listed and have earned something.

    A score of 0 is no influence; listing every new member at the bottom would say nothing.
    """
    return privacy.show_in_leaderboards and score > 0


def public_board(contenders: Iterable[Contender], limit: int = BOARD_SIZE) -> list[Placing]:
    """The TOP 300: members who hide themselves are neither listed nor counted in a rank."""
    limit = max(0, min(limit, BOARD_SIZE))
    return rank(c for c in contenders if listed_publicly(c.privacy, c.score))[:limit]


def rank_on(board: Sequence[Placing], member_id: str) -> int | None:
    """A member's rank on a cut board; None when they are not on it."""
    return next((p.rank for p in board if p.contender.member_id == member_id), None)


def board_rank(position: int | None, higher_scores: int) -> int | None:
    """A listed member's rank from where a store keeps them: `position` in board order
    (0-based, None if not listed) and how many listed members score strictly more.
    Outside the TOP 300 a member has no rank, even when tied with the 300th."""
    if position is None or position >= BOARD_SIZE:
        return None
    return higher_scores + 1


@dataclass(frozen=True)
class BoardLine:
    """A line of a board shown to one viewer: stats only where the member allows it."""

    rank: int
    contender: Contender
    stats: Stats | None


def _line(viewer: Viewer, placing: Placing) -> BoardLine:
    c = placing.contender
    return BoardLine(placing.rank, c, c.stats if viewer.may_see_stats(c.member_id, c.privacy) else None)


def friend_board(viewer: Viewer, me: Contender, friends: Iterable[Contender]) -> list[BoardLine]:
    """The viewer and their friends by score; friends who hide from boards stay off it."""
    shown = [me] + [f for f in friends if f.member_id != me.member_id and f.privacy.show_in_leaderboards]
    return [_line(viewer, p) for p in rank(shown)]


def top_friends_by_sales(viewer: Viewer, friends: Iterable[Contender],
                         count: int = COMMUNITY_FRIENDS) -> list[BoardLine]:
    """The friends who sold most; only those whose sales the viewer may see are compared,
    since even an order among friends would tell something about a hidden figure."""
    comparable = [f for f in friends
                  if f.privacy.show_in_leaderboards and viewer.may_see_stats(f.member_id, f.privacy)]
    comparable.sort(key=lambda f: (-f.stats.sales_cents_30d, f.member_id))
    return [BoardLine(position, f, f.stats) for position, f in enumerate(comparable[:count], start=1)]


@dataclass(frozen=True)
class MyPlace:
    rank: int | None
    score: int


@dataclass(frozen=True)
class Community:
    friends: list[BoardLine]
    board: list[BoardLine]
    me: MyPlace


def community(viewer: Viewer, me: Contender, friends: Iterable[Contender],
              board: Sequence[Placing], my_rank: int | None) -> Community:
    """The community page: three friends by sales, the first ten of the TOP 300, my rank
    (None when I hide or am not in the TOP 300)."""
    return Community(
        friends=top_friends_by_sales(viewer, friends),
        board=[_line(viewer, p) for p in board[:COMMUNITY_BOARD_SIZE]],
        me=MyPlace(rank=my_rank, score=me.score),
    )
