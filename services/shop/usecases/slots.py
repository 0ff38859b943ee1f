"""Slots follow the tier both ways: the use cases behind the handler of
`ranking.influence.changed` and the periodic job "slot-departures", which releases products
over a shop's count (domain.featured.Shop.over_count).

A tier drop does not empty a shop at once: the products over the new count (the most
recently featured) each leave when their 72-hour lock ends. The owner is told which and
when as soon as the tier drops, and again when each one leaves; the order and ranking
services hear of each removal (`shop.featured.removed`, reason `slots_reduced`, which is
not the member's activity). If the tier rises again first, nothing leaves.
"""
from __future__ import annotations

from datetime import datetime

from shared.db import Database, UnitOfWork

from services.shop.domain import notifications
from services.shop.domain.featured import Shop
from services.shop.store import members, shops


def follow_influence(uow: UnitOfWork, member_id: str, *, score: int, tier: int, slots: int,
                     occurred_at: datetime) -> None:
    """The ranking's verdict reaches the shop; a late, older one is ignored (Influence.changed)."""
    shop = shops.load_shop(uow.conn, member_id)
    if shop is None:
        return  # not a member of this shop service (yet): nothing to size
    before = shop.influence
    shop.apply_influence(score=score, tier=tier, slots=slots, occurred_at=occurred_at)
    if shop.influence == before:
        return
    shops.save_influence(uow.conn, member_id, shop.influence)
    fit_to_slots(uow, shop)


def fit_to_slots(uow: UnitOfWork, shop: Shop) -> None:
    """Release what is over the count and unlocked; schedule the rest, telling the owner."""
    now = uow.now()
    names = _names(uow, [entry.product_id for entry in shop.featured])
    already_told = shops.scheduled_departures(uow.conn, shop.member_id)
    left = shop.release_over_count(now)
    waiting = shop.over_count()
    tier, slots = shop.influence.tier, shop.slots
    notes = [notifications.product_left_over_slots(shop.member_id, entry.product_id, names.get(entry.product_id, ""),
                                                   tier, slots, now) for entry in left]
    notes += [notifications.product_leaving(shop.member_id, entry.product_id, names.get(entry.product_id, ""),
                                            tier, slots, entry.locked_until, now)
              for entry in waiting if entry.product_id not in already_told]
    for entry in left:
        shops.remove_featured(uow.conn, shop.member_id, entry.product_id)
    uow.track(shop)   # one shop.featured.removed (slots_reduced) per product that left
    shops.schedule_departures(uow.conn, shop.member_id, waiting)
    members.add_notifications(uow.conn, notes)


def release_due(db: Database, now: datetime) -> int:
    """The periodic job: every shop with a departure due is fitted to its slots again."""
    with db.reading() as conn:
        due = shops.shops_with_departures_due(conn, now)
    for member_id in due:
        with db.unit_of_work() as uow:
            shop = shops.load_shop(uow.conn, member_id)
            if shop is not None:
                fit_to_slots(uow, shop)
    return len(due)


def _names(uow: UnitOfWork, product_ids: list[str]) -> dict[str, str]:
    return {product_id: card.name for product_id, card in shops.cards_by_ids(uow.conn, product_ids).items()}
