"""The events the order service consumes: the owners' answers in the order saga (the
catalog's reservation, the shop's attribution), delistings, and the product cards. (It no
longer follows the shops' featured sets: the shop's attribution answer decides.) Each runs in one unit of work with its inbox row, so a redelivered
event changes nothing; reordering is handled by the domain (saga answers) and by revisions
and timestamps (projections).
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
    usecases.stock_reserved(uow, event.data["order_id"], event.data["items"])


@subscriptions.on("catalog.stock.rejected")
def stock_rejected(uow: UnitOfWork, event: Event) -> None:
    usecases.stock_rejected(uow, event.data["order_id"], event.data["reason"])


@subscriptions.on("shop.attribution.answered")
def attribution_answered(uow: UnitOfWork, event: Event) -> None:
    usecases.attribution_answered(uow, event.data["order_id"], event.data["outcome"], event.data["items"])


@subscriptions.on("catalog.product.listed", "catalog.product.updated", "catalog.product.relisted")
def product_card(uow: UnitOfWork, event: Event) -> None:
    usecases.card_changed(uow, event.data)


@subscriptions.on("catalog.product.delisted")
def product_delisted(uow: UnitOfWork, event: Event) -> None:
    # Unpaid orders of it are cancelled; paid ones stand; new ones the catalog rejects.
    usecases.product_delisted(uow, event.data["product_id"], event.data["revision"])
