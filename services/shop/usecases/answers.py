"""What other services' events ask of the shop: keep its copies (product cards, brands,
orders) and answer in the order saga. Each runs in the unit of work the inbox opened for the
event (services/shop/handlers.py decodes it), so its effects and the inbox row commit
together and a redelivery changes nothing; reordering is handled by the revisions and times
the domain compares (domain.cards, domain.featured.Influence, domain.orders).
"""
from __future__ import annotations

from datetime import datetime

from shared.db import UnitOfWork
from shared.domain_events import Outcome
from shared.contract import DelistingReason

from services.shop.domain import attribution, cards, notifications, orders
from services.shop.domain.featured import delisted_everywhere
from services.shop.store import accounts as account_store
from services.shop.store import activity, members, shops


def product_listed(uow: UnitOfWork, product_id: str, data: dict, revision: int) -> None:
    """A listing or relisting: the card shows the product again (unless a newer change says otherwise)."""
    shops.save_card(uow.conn, cards.card_listed(shops.card_of(uow.conn, product_id), product_id, data, revision))


def product_updated(uow: UnitOfWork, product_id: str, data: dict, revision: int) -> None:
    """New prices reach every shop page at once: pages join the one card row, so an
    update costs the same however many shops feature the product."""
    shops.save_card(uow.conn, cards.card_updated(shops.card_of(uow.conn, product_id), product_id, data, revision))


def product_delisted(uow: UnitOfWork, product_id: str, reason: DelistingReason, note: str | None, *,
                     revision: int, delisted_at: datetime) -> None:
    """The product leaves every shop featuring it, lock or not; each owner is told which
    product, who withdrew it and why (`note`: the delister's words), and the order and ranking services hear
    of each removal. One statement removes it everywhere, one writes the notes, one the
    events, however many shops featured it."""
    card = cards.card_delisted(shops.card_of(uow.conn, product_id), product_id, revision)
    shops.save_card(uow.conn, card)
    owners = shops.drop_delisted(uow.conn, product_id, cards.delisting_cutoff(card, delisted_at))
    members.add_notifications(uow.conn, [
        notifications.product_delisted(owner, product_id, card.name, reason, note, uow.now()) for owner in owners])
    uow.track(delisted_everywhere(product_id, owners))


def attribute_order(uow: UnitOfWork, order_id: str, shop_id: str | None, product_ids: list[str]) -> None:
    """The order saga asks the owner of shops: does shop `shop_id` exist, and which of the
    order's products does it feature now? (The order is priced from this answer.)"""
    if shop_id is None:
        return  # bought outside any shop: nothing to attribute, nobody waits for it
    answer = attribution.attribute(order_id, shop_id, product_ids,
                                   shop_exists=shops.influence_of(uow.conn, shop_id) is not None,
                                   featured_in_shop=shops.featured_ids(uow.conn, shop_id))
    uow.track(Outcome([answer]))


def brand_created(uow: UnitOfWork, brand_id: str, name: str) -> None:
    """A brand a merchant account can be bound to."""
    account_store.record_brand(uow.conn, brand_id, name)


def order_settled(uow: UnitOfWork, announced: orders.ShopOrder, *, paid: bool) -> None:
    """Purchases and shop sales. A refund may overtake its payment; the order remembers
    both facts and counts only when paid and not refunded."""
    known = activity.order_of(uow.conn, announced.order_id)
    apply = orders.order_paid if paid else orders.order_refunded
    activity.save_order(uow.conn, apply(known, announced), known=known is not None, now=uow.now())
