"""The events the order service consumes: the catalog's answers to the stock saga, and the
product cards and featured sets it prices from. Each runs in one unit of work with its
inbox row, so a redelivered event changes nothing; reordering is handled by the domain
(saga answers) and by revisions and timestamps (projections).
"""
from __future__ import annotations

from shared.bus import Subscriptions
from shared.db import UnitOfWork
from shared.events import Event
from shared.tokens import subscribe_revocations

from services.order import usecases

subscriptions = Subscriptions("order")
subscribe_revocations(subscriptions)  # the shop's shop.tokens.revoked (shared.tokens)


@subscriptions.on("catalog.stock.reserved")
def stock_reserved(uow: UnitOfWork, event: Event) -> None:
    usecases.stock_reserved(uow, event.data["order_id"])


@subscriptions.on("catalog.stock.rejected")
def stock_rejected(uow: UnitOfWork, event: Event) -> None:
    usecases.stock_rejected(uow, event.data["order_id"], event.data["reason"])


@subscriptions.on("catalog.product.listed", "catalog.product.updated", "catalog.product.relisted")
def product_card(uow: UnitOfWork, event: Event) -> None:
    usecases.card_changed(uow, event.data)


@subscriptions.on("catalog.product.delisted")
def product_delisted(uow: UnitOfWork, event: Event) -> None:
    # New orders for it are rejected at once; orders already placed keep their prices.
    usecases.card_delisted(uow, event.data["product_id"], event.data["revision"])


@subscriptions.on("shop.featured.added")
def featured_added(uow: UnitOfWork, event: Event) -> None:
    usecases.featured_changed(uow, event.data["member_id"], event.data["product_id"], True, event.occurred_at)


@subscriptions.on("shop.featured.removed")
def featured_removed(uow: UnitOfWork, event: Event) -> None:
    usecases.featured_changed(uow, event.data["member_id"], event.data["product_id"], False, event.occurred_at)
