"""What a shop owner is told, and in which words."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

PRODUCT_DELISTED = "product_delisted"


@dataclass(frozen=True)
class Notification:
    member_id: str
    type: str
    product_id: str | None
    message: str
    at: datetime


def delisting_message(product_name: str, reason: str | None) -> str:
    """Says which product and why, and that the slot is free again (the article's shops
    kept withdrawn products without a word)."""
    name = f"“{product_name}”" if product_name else "A product"
    why = f": {reason}" if reason else ""
    return f"{name} was delisted by its brand{why}. It has left your shop and its slot is free."


def product_delisted(member_id: str, product_id: str, product_name: str, reason: str | None,
                     now: datetime) -> Notification:
    return Notification(member_id=member_id, type=PRODUCT_DELISTED, product_id=product_id,
                        message=delisting_message(product_name, reason), at=now)
