"""What an event means for influence: an order's facts, who counts as a visitor, what
marks an active day, and the stamp that orders last-writer-wins facts.

An order counts once, on the local day it was paid, and only while it is paid and not
refunded (`OrderFacts`); facts only accumulate, so payment and refund commute.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum
from typing import Mapping

from shared.contract import RemovalReason

from .window import InfluenceWindow, aware


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
SYSTEM_REMOVAL_REASONS = frozenset({RemovalReason.DELISTED.value, RemovalReason.SLOTS_REDUCED.value})
ACTIVITY_EVENTS = frozenset({"shop.featured.added", "shop.featured.removed", "shop.member.updated"})


def is_member_activity(event_type: str, data: Mapping) -> bool:
    """Whether the event marks its day as an active day: the member featured, removed or edited."""
    if event_type not in ACTIVITY_EVENTS:
        return False
    if event_type == "shop.featured.removed":
        return data.get("reason", RemovalReason.REMOVED.value) not in SYSTEM_REMOVAL_REASONS
    return True


def stamp(occurred_at: datetime, event_id: str) -> str:
    """The order of last-writer-wins facts (privacy, nickname, friendship): by time, then id.

    The bus does not promise order, so a late, older privacy change must not undo a newer
    one. Fixed-width microseconds make the stamps compare as plain strings.
    """
    micros = int(aware(occurred_at, "occurred_at").timestamp() * 1_000_000)
    return f"{micros:020d}.{event_id}"

