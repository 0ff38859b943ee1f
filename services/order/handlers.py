"""The events the order service consumes: the owners' answers in the order saga (the
catalog's reservation, the shop's attribution), delistings, and the product cards. (It no
longer follows the shops' featured sets: the shop's attribution answer decides.)

Each handler decodes the event's data into the domain's values and calls one use case
(services/order/usecases.py), in the unit of work the inbox opened with the event's inbox
row (shared/inbox.py): a redelivered event changes nothing, and the events the use case's
objects recorded are written with it. Reordering is handled by the domain (saga answers)
and by revisions (projections).
"""
from __future__ import annotations

from shared.bus import Subscriptions
from shared.db import UnitOfWork
from shared.events import Event
from shared.contract import AttributionOutcome
from shared.tokens import subscribe_revocations

from services.order import usecases
from services.order.domain import Attribution, CatalogTerms, ProductCard, RejectionReason

subscriptions = Subscriptions("order")
subscribe_revocations(subscriptions)  # the shop's shop.tokens.revoked (shared.tokens)


@subscriptions.on("catalog.stock.reserved")
def stock_reserved(uow: UnitOfWork, event: Event) -> None:
    terms = {i["product_id"]: CatalogTerms(i["product_id"], i["list_price_cents"], i["exclusive_price_cents"],
                                           i["commission_rate_bp"], i["revision"]) for i in event.data["items"]}
    usecases.stock_reserved(uow, event.data["order_id"], terms)


@subscriptions.on("catalog.stock.rejected")
def stock_rejected(uow: UnitOfWork, event: Event) -> None:
    usecases.stock_rejected(uow, event.data["order_id"], RejectionReason(event.data["reason"]))


@subscriptions.on("shop.attribution.answered")
def attribution_answered(uow: UnitOfWork, event: Event) -> None:
    attribution = Attribution(
        featured=frozenset(i["product_id"] for i in event.data["items"] if i["featured"]),
        unknown_shop=AttributionOutcome(event.data["outcome"]) is AttributionOutcome.UNKNOWN_SHOP)
    usecases.attribution_answered(uow, event.data["order_id"], attribution)


@subscriptions.on("catalog.product.listed", "catalog.product.updated", "catalog.product.relisted")
def product_card(uow: UnitOfWork, event: Event) -> None:
    data = event.data
    card = ProductCard(data["product_id"], data["list_price_cents"], data["exclusive_price_cents"],
                       data["commission_rate_bp"], data.get("status", "listed"))
    usecases.card_changed(uow, card, data.get("revision", 0))


@subscriptions.on("catalog.product.delisted")
def product_delisted(uow: UnitOfWork, event: Event) -> None:
    # Unpaid orders of it are cancelled; paid ones stand; new ones the catalog rejects.
    usecases.product_delisted(uow, event.data["product_id"], event.data["revision"])
