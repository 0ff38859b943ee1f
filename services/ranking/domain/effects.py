"""What one event changes in one member's records (`Effect`), and the same facts kept in
plain memory (`InfluenceLedger`): the statement the Redis store and its scripts must agree
with (tests/unit/ranking/test_scripts_contract.py)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from .facts import ContributionChange, OrderFacts, contribution_change, counts_as_visitor
from .influence import Breakdown
from .privacy import Privacy
from .window import InfluenceWindow

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

