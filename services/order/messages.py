"""What the order domain raised, as the contract's events (CONTRACT.md "Events").

The domain speaks in OrderPaid or CommissionSettled; this module names their routing keys
and shapes their data, so the wire format lives in one place.
"""
from __future__ import annotations

from typing import Iterable

from shared.db import UnitOfWork

from services.order.domain import (CommissionSettled, OrderCancelled, OrderEvent, OrderPaid, OrderPlaced,
                                   OrderRefunded)

EVENT_TYPES = {
    OrderPlaced: "order.placed",
    OrderPaid: "order.paid",
    OrderCancelled: "order.cancelled",
    OrderRefunded: "order.refunded",
    CommissionSettled: "order.commission.settled",
}


def emit_all(uow: UnitOfWork, events: Iterable) -> None:
    """Write each event to the outbox, in the unit of work that changed the state."""
    for event in events:
        uow.emit(EVENT_TYPES[type(event)], data_of(event))


def data_of(event) -> dict:
    if isinstance(event, CommissionSettled):
        return {"order_id": event.order_id, "shop_id": event.shop_id, "commission_cents": event.commission_cents}
    assert isinstance(event, OrderEvent)
    if isinstance(event, OrderPlaced):
        # No price: the catalog decides it in its answer (docs/owners-decide.md).
        return {"order_id": event.order_id, "buyer_id": event.buyer_id, "shop_id": event.shop_id,
                "items": [{"product_id": line.product_id, "quantity": line.quantity} for line in event.lines]}
    data = {
        "order_id": event.order_id, "buyer_id": event.buyer_id, "shop_id": event.shop_id,
        "items": [{"product_id": line.product_id, "quantity": line.quantity,
                   "unit_price_cents": line.unit_price_cents, "commission_cents": line.commission_cents}
                  for line in event.lines],
        "total_cents": event.total_cents, "commission_cents": event.commission_cents,
    }
    if isinstance(event, OrderCancelled):
        data["reason"] = event.reason
    return data
