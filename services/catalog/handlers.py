"""The catalog's side of the order saga: reserve stock on order.placed, give it back on
order.cancelled / order.refunded. Each runs in one unit of work with its inbox row.

The catalog owns prices and availability (docs/owners-decide.md): its reservation answer
says, per line, the terms it reserved at (list and exclusive price, commission rate, the
product's revision), and the order is priced from that answer, not from a projection.
"""
from __future__ import annotations

from shared.bus import Subscriptions
from shared.db import UnitOfWork
from shared.events import Event
from shared.tokens import subscribe_revocations

from services.catalog import domain, store

subscriptions = Subscriptions("catalog")
subscribe_revocations(subscriptions)  # the shop's shop.tokens.revoked (shared.tokens)


@subscriptions.on("order.placed")
def reserve_stock(uow: UnitOfWork, event: Event) -> None:
    order_id = event.data["order_id"]
    if store.reservation(uow.conn, order_id) is not None:
        return  # already decided for this order (or it was cancelled before it got here)
    wanted = domain.merge_items(event.data["items"])
    items = [{"product_id": pid, "quantity": qty} for pid, qty in sorted(wanted.items())]
    rejection = domain.check_reservation(wanted, store.products_by_ids(uow.conn, wanted))
    if rejection is None and not store.take_stock(uow.conn, wanted):
        # Someone took the stock between the check and the take.
        rejection = domain.Rejection("out_of_stock", next(iter(sorted(wanted))))
    if rejection is not None:
        store.record_reservation(uow.conn, order_id, wanted, "rejected", rejection.reason, uow.now())
        uow.emit("catalog.stock.rejected", {"order_id": order_id, "items": items, "reason": rejection.reason,
                                            "product_id": rejection.product_id})
        return
    store.record_reservation(uow.conn, order_id, wanted, "reserved", None, uow.now())
    # Read after the take: the rows are ours now (locked on PostgreSQL), so the terms are
    # the ones in force at the moment the stock was reserved.
    uow.emit("catalog.stock.reserved", {"order_id": order_id, "items": domain.reserved_terms(
        wanted, store.products_by_ids(uow.conn, wanted))})


@subscriptions.on("order.cancelled", "order.refunded")
def release_stock(uow: UnitOfWork, event: Event) -> None:
    order_id = event.data["order_id"]
    held = store.reservation(uow.conn, order_id)
    if held is None:
        # The cancellation overtook the placement: leave a tombstone so the late
        # order.placed reserves nothing.
        store.record_reservation(uow.conn, order_id, domain.merge_items(event.data["items"]), "cancelled",
                                 None, uow.now())
        return
    if store.mark_released(uow.conn, order_id, uow.now()):
        store.give_back_stock(uow.conn, held["items"])
