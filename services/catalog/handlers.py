"""The catalog's side of the order saga: reserve stock on order.placed, give it back on
order.cancelled / order.refunded. Each decodes the event and calls one use case, in the
unit of work the inbox opened (so its effects and its inbox row commit together).

The catalog owns prices and availability (docs/owners-decide.md): its reservation answer
says, per line, the terms it reserved at (list and exclusive price, commission rate, the
product's revision), and the order is priced from that answer, not from a projection.
"""
from __future__ import annotations

from shared.bus import Subscriptions
from shared.db import UnitOfWork
from shared.events import Event
from shared.tokens import subscribe_revocations

from services.catalog import usecases

subscriptions = Subscriptions("catalog")
subscribe_revocations(subscriptions)  # the shop's shop.tokens.revoked (shared.tokens)


@subscriptions.on("order.placed")
def reserve_stock(uow: UnitOfWork, event: Event) -> None:
    usecases.reserve_stock(uow, event.data["order_id"], event.data["items"])


@subscriptions.on("order.cancelled", "order.refunded")
def release_stock(uow: UnitOfWork, event: Event) -> None:
    usecases.release_stock(uow, event.data["order_id"], event.data["items"])
