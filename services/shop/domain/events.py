"""What the shop says happened: one named event per contract type it emits (CONTRACT.md
"Events"). The domain records them (a Shop on itself, the other rules in an Outcome the use
case tracks); the unit of work writes them to the outbox with the state that raised them.

Enumerated fields are enums shared with the event schemas (shared/events.py), so a value
the contract does not know fails here, not in another service.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from shared.domain_events import DomainEvent
from shared.contract import AttributionOutcome, PurchasesAudience, RemovalReason, StatsAudience

__all__ = ["AttributedItem", "AttributionAnswered", "AttributionOutcome", "FeaturedAdded", "FeaturedRemoved",
           "FriendshipCreated", "FriendshipRemoved", "MemberRegistered", "MemberUpdated", "PrivacyChanged",
           "PurchasesAudience", "RemovalReason", "ShopVisited", "StatsAudience", "TokensRevoked"]


# --- members --------------------------------------------------------------------------------
@dataclass(frozen=True)
class MemberRegistered(DomainEvent):
    TYPE: ClassVar[str] = "shop.member.registered"
    member_id: str
    nickname: str
    avatar_url: str | None = None


@dataclass(frozen=True)
class MemberUpdated(DomainEvent):
    TYPE: ClassVar[str] = "shop.member.updated"
    member_id: str
    nickname: str
    avatar_url: str | None = None


@dataclass(frozen=True)
class PrivacyChanged(DomainEvent):
    TYPE: ClassVar[str] = "shop.privacy.changed"
    member_id: str
    purchases_visible_to: PurchasesAudience
    stats_visible_to: StatsAudience
    show_in_leaderboards: bool
    show_me_as_visitor: bool


@dataclass(frozen=True)
class TokensRevoked(DomainEvent):
    """A logout (`token_id`) or a password change (`not_before_us`): no service may accept
    those tokens any more. `expires_at` (epoch seconds): after it they expired anyway."""

    TYPE: ClassVar[str] = "shop.tokens.revoked"   # shared.tokens.REVOKED_EVENT
    member_id: str
    token_id: str | None
    not_before_us: int | None
    expires_at: int


# --- friends --------------------------------------------------------------------------------
@dataclass(frozen=True)
class FriendshipCreated(DomainEvent):
    TYPE: ClassVar[str] = "shop.friendship.created"
    member_ids: tuple[str, str]


@dataclass(frozen=True)
class FriendshipRemoved(DomainEvent):
    TYPE: ClassVar[str] = "shop.friendship.removed"
    member_ids: tuple[str, str]


# --- shops ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class FeaturedAdded(DomainEvent):
    TYPE: ClassVar[str] = "shop.featured.added"
    member_id: str
    product_id: str


@dataclass(frozen=True)
class FeaturedRemoved(DomainEvent):
    TYPE: ClassVar[str] = "shop.featured.removed"
    member_id: str
    product_id: str
    reason: RemovalReason = RemovalReason.REMOVED


@dataclass(frozen=True)
class ShopVisited(DomainEvent):
    TYPE: ClassVar[str] = "shop.visited"
    visit_id: str
    shop_id: str
    visitor: str
    product_id: str | None


# --- the order saga -------------------------------------------------------------------------
@dataclass(frozen=True)
class AttributedItem:
    product_id: str
    featured: bool


@dataclass(frozen=True)
class AttributionAnswered(DomainEvent):
    TYPE: ClassVar[str] = "shop.attribution.answered"
    order_id: str
    shop_id: str
    outcome: AttributionOutcome
    items: tuple[AttributedItem, ...]
