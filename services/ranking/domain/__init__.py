"""The ranking's domain: pure rules over plain data, no Flask, no Redis, no broker.

By subject:
- influence.py  the formula of CONTRACT.md, tiers, when a change is news
- window.py     the rolling 30 local calendar days
- facts.py      what an order, a visit, an activity event means; last-writer-wins stamps
- effects.py    what one event changes in one member's records; the plain-memory ledger
- privacy.py    who may see a member's stats and breakdown
- boards.py     the TOP 300, the friend board, the community page, a member's page
- standing.py   a member's new standing, which records the announcement it raises
- events.py     the events the ranking emits (`InfluenceChanged`)

Everything is re-exported here, so `from services.ranking.domain import X` works for any X.
"""
from .boards import (
    BOARD_SIZE, COMMUNITY_BOARD_SIZE, COMMUNITY_FRIENDS, BoardLine, Community, Contender, MemberInfluence, MyPlace,
    Placing, Stats, board_order, board_rank, community, friend_board, listed_publicly, member_page, public_board,
    rank, rank_on, top_friends_by_sales,
)
from .effects import Effect, InfluenceLedger
from .events import InfluenceChanged
from .facts import (
    ACTIVITY_EVENTS, ANONYMOUS_PREFIX, SYSTEM_REMOVAL_REASONS, Contribution, ContributionChange, OrderEvent,
    OrderFacts, contribution_change, counts_as_visitor, is_member_activity, stamp,
)
from .influence import (
    CENTS_PER_SALES_POINT, POINTS_PER_ACTIVE_DAY, POINTS_PER_BUYER, POINTS_PER_VISITOR, TIERS, Breakdown, Influence,
    NextTier, Tier, influence_changed, next_tier, tier_for,
)
from .privacy import Audience, Privacy, Viewer
from .standing import Announce, NewStanding
from .window import DAY_FORMAT, DEFAULT_TIMEZONE, WINDOW_DAYS, InfluenceWindow, parse_day

__all__ = [
    "ACTIVITY_EVENTS", "ANONYMOUS_PREFIX", "BOARD_SIZE", "CENTS_PER_SALES_POINT", "COMMUNITY_BOARD_SIZE",
    "COMMUNITY_FRIENDS", "DAY_FORMAT", "DEFAULT_TIMEZONE", "POINTS_PER_ACTIVE_DAY", "POINTS_PER_BUYER",
    "POINTS_PER_VISITOR", "SYSTEM_REMOVAL_REASONS", "TIERS", "WINDOW_DAYS",
    "Announce", "Audience", "BoardLine", "Breakdown", "Community", "Contender", "Contribution",
    "ContributionChange", "Effect", "Influence", "InfluenceChanged", "InfluenceLedger", "InfluenceWindow", "MemberInfluence", "MyPlace",
    "NewStanding", "NextTier", "OrderEvent", "OrderFacts", "Placing", "Privacy", "Stats", "Tier", "Viewer",
    "board_order", "board_rank", "community", "contribution_change", "counts_as_visitor", "friend_board",
    "influence_changed", "is_member_activity", "listed_publicly", "member_page", "next_tier", "parse_day", "public_board", "rank",
    "rank_on", "stamp", "tier_for", "top_friends_by_sales",
]
