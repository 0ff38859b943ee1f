"""Small builders for the order domain tests: one buyer, one friend's shop, one clock."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from services.order.domain import (CommissionEntry, ItemRequest, Order, ProductCard, RejectionReason,
                                   book_commission, place, quote)

T0 = datetime(2026, 11, 1, 4, 0, tzinfo=timezone.utc)
BUYER = "m-buyer"
FRIEND = "m-friend"          # owns the shop the buyer orders through

TEA = ProductCard("p-tea", list_price_cents=5000, exclusive_price_cents=4500, commission_rate_bp=1000)
CUP = ProductCard("p-cup", list_price_cents=1999, exclusive_price_cents=1799, commission_rate_bp=333)
CARDS = {c.product_id: c for c in (TEA, CUP)}


def placed_order(order_id: str = "o-1", items=(("p-tea", 2),), shop_id: str | None = FRIEND,
                 featured=frozenset({"p-tea", "p-cup"}), buyer_id: str = BUYER,
                 now: datetime = T0) -> Order:
    q = quote([ItemRequest(pid, n) for pid, n in items], CARDS, featured, buyer_id, shop_id)
    return place(order_id, buyer_id, shop_id, q, now)


def awaiting_payment(now: datetime = T0, **kwargs) -> Order:
    order = placed_order(now=now, **kwargs)
    order.stock_reserved(now)
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
