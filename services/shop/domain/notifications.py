"""What a shop owner is told, and in which words."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.contract import DelistingReason

PRODUCT_DELISTED = "product_delisted"
# A tier drop left the shop over its slot count: which product will leave, and when.
PRODUCT_LEAVING = "product_leaving"
# ... and when it has left.
PRODUCT_LEFT_OVER_SLOTS = "product_left_over_slots"


@dataclass(frozen=True)
class Notification:
    member_id: str
    type: str
    product_id: str | None
    message: str
    at: datetime


def delisting_message(product_name: str, reason: DelistingReason, note: str | None) -> str:
    """Says which product, who withdrew it and why in their words, and that the slot is free
    again (the article's shops kept withdrawn products without a word)."""
    name = f"“{product_name}”" if product_name else "A product"
    who = "withdrawn by the platform" if reason is DelistingReason.PLATFORM else "delisted by its brand"
    why = f": {note}" if note else ""
    return f"{name} was {who}{why}. It has left your shop and its slot is free."


def product_delisted(member_id: str, product_id: str, product_name: str, reason: DelistingReason,
                     note: str | None, now: datetime) -> Notification:
    return Notification(member_id=member_id, type=PRODUCT_DELISTED, product_id=product_id,
                        message=delisting_message(product_name, reason, note), at=now)


def _tier_reason(name: str, tier: int, slots: int) -> str:
    return (f"{name}: your influence fell to tier {tier}, which has {slots} featured slots, and it is "
            f"among your most recently featured products over that count")


def product_leaving(member_id: str, product_id: str, product_name: str, tier: int, slots: int,
                    leaves_at: datetime, now: datetime) -> Notification:
    name = f"“{product_name}”" if product_name else "A product"
    when = leaves_at.strftime("%Y-%m-%d %H:%M UTC")
    return Notification(member_id=member_id, type=PRODUCT_LEAVING, product_id=product_id,
                        message=f"{_tier_reason(name, tier, slots)}. It leaves your shop when its "
                                f"72-hour lock ends ({when}), unless your tier rises again first.",
                        at=now)


def product_left_over_slots(member_id: str, product_id: str, product_name: str, tier: int, slots: int,
                            now: datetime) -> Notification:
    name = f"“{product_name}”" if product_name else "A product"
    return Notification(member_id=member_id, type=PRODUCT_LEFT_OVER_SLOTS, product_id=product_id,
                        message=f"{_tier_reason(name, tier, slots)}. Its lock has ended and it has left your shop.",
                        at=now)
