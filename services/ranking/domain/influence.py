"""The influence formula of CONTRACT.md, the tiers it buys, and when a change is news."""
from __future__ import annotations

from dataclasses import dataclass

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

