"""The events the shop consumes: each handler decodes its event and calls one use case
(services/shop/usecases/answers.py, slots.py) in the unit of work the inbox opened, so a
redelivery changes nothing.
"""
from __future__ import annotations

from shared.bus import Subscriptions
from shared.db import UnitOfWork
from shared.events import Event
from shared.contract import DelistingReason
from shared.tokens import subscribe_revocations

from services.shop.domain import orders
from services.shop.usecases import answers, slots

subscriptions = Subscriptions("shop")
subscribe_revocations(subscriptions)  # the shop's shop.tokens.revoked (shared.tokens)


@subscriptions.on("catalog.product.listed", "catalog.product.relisted")
def product_listed(uow: UnitOfWork, event: Event) -> None:
    data = event.data
    answers.product_listed(uow, data["product_id"], data, data["revision"])


@subscriptions.on("catalog.product.updated")
def product_updated(uow: UnitOfWork, event: Event) -> None:
    data = event.data
    answers.product_updated(uow, data["product_id"], data, data["revision"])


@subscriptions.on("catalog.product.delisted")
def product_delisted(uow: UnitOfWork, event: Event) -> None:
    data = event.data
    answers.product_delisted(uow, data["product_id"], DelistingReason(data["reason"]), data.get("note"),
                             revision=data["revision"], delisted_at=event.occurred_at)


@subscriptions.on("order.placed")
def attribute_order(uow: UnitOfWork, event: Event) -> None:
    data = event.data
    answers.attribute_order(uow, data["order_id"], data["shop_id"], [item["product_id"] for item in data["items"]])


@subscriptions.on("catalog.brand.created")
def brand_created(uow: UnitOfWork, event: Event) -> None:
    answers.brand_created(uow, event.data["brand_id"], event.data["name"])


@subscriptions.on("ranking.influence.changed")
def influence_changed(uow: UnitOfWork, event: Event) -> None:
    data = event.data
    slots.follow_influence(uow, data["member_id"], score=data["score"], tier=data["tier"], slots=data["slots"],
                           occurred_at=event.occurred_at)


@subscriptions.on("order.paid", "order.refunded")
def order_settled(uow: UnitOfWork, event: Event) -> None:
    answers.order_settled(uow, _order(event.data), paid=event.type == "order.paid")


def _order(data: dict) -> orders.ShopOrder:
    return orders.ShopOrder(
        order_id=data["order_id"], buyer_id=data["buyer_id"], shop_id=data["shop_id"],
        lines=tuple(orders.OrderLine(i["product_id"], i["quantity"], i["unit_price_cents"]) for i in data["items"]))
