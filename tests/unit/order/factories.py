"""Small builders for the order domain tests: one buyer, one friend's shop, one clock, and
the owners' answers (the catalog's terms, the shop's attribution) as they would give them."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from services.order.domain import (Attribution, CatalogTerms, CommissionEntry, ItemRequest, Order,
                                   RejectionReason, book_commission, place)

T0 = datetime(2026, 11, 1, 4, 0, tzinfo=timezone.utc)
BUYER = "m-buyer"
FRIEND = "m-friend"          # owns the shop the buyer orders through

TEA = CatalogTerms("p-tea", list_price_cents=5000, exclusive_price_cents=4500, commission_rate_bp=1000, revision=1)
CUP = CatalogTerms("p-cup", list_price_cents=1999, exclusive_price_cents=1799, commission_rate_bp=333, revision=1)
TERMS = {t.product_id: t for t in (TEA, CUP)}
EVERYTHING = frozenset({"p-tea", "p-cup"})


def unanswered_order(order_id: str = "o-1", items=(("p-tea", 2),), shop_id: str | None = FRIEND,
                     buyer_id: str = BUYER, now: datetime = T0, expected_total_cents: int | None = None) -> Order:
    """Placed, and no owner has answered yet."""
    return place(order_id, buyer_id, shop_id, [ItemRequest(pid, n) for pid, n in items], now,
                 expected_total_cents=expected_total_cents)


def placed_order(featured=EVERYTHING, now: datetime = T0, **kwargs) -> Order:
    """Placed, and the shop has answered (featuring `featured`): the catalog's turn."""
    order = unanswered_order(now=now, **kwargs)
    if order.shop_id is not None:
        order.attribution_answered(Attribution(frozenset(featured)), now)
    return order


def reserve(order: Order, now: datetime = T0, terms=None) -> None:
    """The catalog's answer: every line reserved at its terms."""
    terms = terms or TERMS
    order.stock_reserved(now, {line.product_id: terms[line.product_id] for line in order.lines})


def awaiting_payment(now: datetime = T0, **kwargs) -> Order:
    order = placed_order(now=now, **kwargs)
    reserve(order, now)
    order.events.clear()
    return order


def paid_order(paid_at: datetime = T0, **kwargs) -> Order:
    order = awaiting_payment(now=paid_at, **kwargs)
    order.pay(paid_at, "charge-1")
    order.events.clear()
    return order


def rejected_order(**kwargs) -> Order:
    order = placed_order(**kwargs)
    order.stock_rejected(RejectionReason.OUT_OF_STOCK, T0)
    order.events.clear()
    return order


def cancelled_order(**kwargs) -> Order:
    order = awaiting_payment(**kwargs)
    order.cancel(T0)
    order.events.clear()
    return order


def refunded_order(**kwargs) -> Order:
    order = paid_order(**kwargs)
    order.refund(T0, "refund-1")
    order.events.clear()
    return order


def commission_entry(order_id: str = "o-1", paid_at: datetime = T0, **kwargs) -> CommissionEntry:
    """The pending entry a paid order through FRIEND's shop books: 900 cents by default."""
    return book_commission(paid_order(order_id=order_id, paid_at=paid_at, **kwargs), f"c-{order_id}")


SETTLES_AT = T0 + timedelta(days=7)
