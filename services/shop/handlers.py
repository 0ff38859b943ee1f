"""The events the shop consumes. Each runs in one unit of work with its inbox row, so a
redelivery changes nothing; reordering is handled by the revisions and times the domain
compares (domain.cards, domain.featured.Influence, domain.orders).
"""
from __future__ import annotations

from shared.bus import Subscriptions
from shared.db import UnitOfWork
from shared.events import Event
from shared.tokens import subscribe_revocations

from services.shop import slots
from services.shop.domain import attribution, cards, notifications, orders
from services.shop.store import accounts as account_store
from services.shop.store import activity, members, shops

subscriptions = Subscriptions("shop")
subscribe_revocations(subscriptions)  # the shop's shop.tokens.revoked (shared.tokens)


@subscriptions.on("catalog.product.listed", "catalog.product.relisted")
def product_listed(uow: UnitOfWork, event: Event) -> None:
    data = event.data
    card = cards.card_listed(shops.card_of(uow.conn, data["product_id"]), data["product_id"], data, data["revision"])
    shops.save_card(uow.conn, card)


@subscriptions.on("catalog.product.updated")
def product_updated(uow: UnitOfWork, event: Event) -> None:
    """New prices reach every shop page at once: pages join the one card row, so an
    update costs the same however many shops feature the product."""
    data = event.data
    card = cards.card_updated(shops.card_of(uow.conn, data["product_id"]), data["product_id"], data, data["revision"])
    shops.save_card(uow.conn, card)


@subscriptions.on("catalog.product.delisted")
def product_delisted(uow: UnitOfWork, event: Event) -> None:
    """The product leaves every shop featuring it, lock or not; each owner is told which
    product and why, and the order and ranking services hear of each removal."""
    product_id, reason = event.data["product_id"], event.data["reason"]
    card = cards.card_delisted(shops.card_of(uow.conn, product_id), product_id, event.data["revision"])
    shops.save_card(uow.conn, card)
    owners = shops.drop_delisted(uow.conn, product_id, cards.delisting_cutoff(card, event.occurred_at))
    members.add_notifications(uow.conn, [
        notifications.product_delisted(owner, product_id, card.name, reason, uow.now()) for owner in owners])
    uow.emit_many("shop.featured.removed", [{"member_id": owner, "product_id": product_id, "reason": "delisted"}
                                            for owner in owners])


@subscriptions.on("order.placed")
def attribute_order(uow: UnitOfWork, event: Event) -> None:
    """The order saga asks the owner of shops: does shop `shop_id` exist, and which of the
    order's products does it feature now? (The order is priced from this answer.)"""
    shop_id = event.data["shop_id"]
    if shop_id is None:
        return  # bought outside any shop: nothing to attribute, nobody waits for it
    product_ids = [item["product_id"] for item in event.data["items"]]
    answer = attribution.attribute(event.data["order_id"], shop_id, product_ids,
                                   shop_exists=shops.influence_of(uow.conn, shop_id) is not None,
                                   featured_in_shop=shops.featured_ids(uow.conn, shop_id))
    uow.emit("shop.attribution.answered", answer.as_event())


@subscriptions.on("catalog.brand.created")
def brand_created(uow: UnitOfWork, event: Event) -> None:
    account_store.record_brand(uow.conn, event.data["brand_id"], event.data["name"])


@subscriptions.on("ranking.influence.changed")
def influence_changed(uow: UnitOfWork, event: Event) -> None:
    """The tier's slot count, both ways: over a lower count, the newest products leave as
    their locks end (services.shop.slots); a late, older verdict is ignored."""
    data = event.data
    slots.follow_influence(uow, data["member_id"], score=data["score"], tier=data["tier"], slots=data["slots"],
                           occurred_at=event.occurred_at)


@subscriptions.on("order.paid", "order.refunded")
def order_settled(uow: UnitOfWork, event: Event) -> None:
    """Purchases and shop sales. A refund may overtake its payment; the order remembers
    both facts and counts only when paid and not refunded."""
    announced = _order(event.data)
    known = activity.order_of(uow.conn, announced.order_id)
    apply = orders.order_paid if event.type == "order.paid" else orders.order_refunded
    activity.save_order(uow.conn, apply(known, announced), known=known is not None, now=uow.now())


def _order(data: dict) -> orders.ShopOrder:
    return orders.ShopOrder(
        order_id=data["order_id"], buyer_id=data["buyer_id"], shop_id=data["shop_id"],
        lines=tuple(orders.OrderLine(i["product_id"], i["quantity"], i["unit_price_cents"]) for i in data["items"]))

