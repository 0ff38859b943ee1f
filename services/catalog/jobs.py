"""The catalog's periodic job: re-announce cards whose 30-day lowest price changed because
an old price left the window.

Nothing happens to a product on the day its lowest price ages out, yet its lowest price
changes (a price cut 30 days ago stops counting). The catalog answers that correctly
when asked, but shops show the cards they were sent; this sweep sends them the new one.
"""
from __future__ import annotations

from datetime import datetime

from shared.db import Database

from services.catalog import domain, store
from services.catalog.cards import card, with_lowest

SWEEP = "lowest-price-window"
INTERVAL_SECONDS = 3600.0


def announce_aged_prices(db: Database, now: datetime) -> int:
    """Send a fresh card for every listed product whose lowest price may have changed since
    the last sweep; returns how many. A price stops counting 30 days after the next price
    replaced it, so the products to look at are those with a price set 30 days before the
    span since the last sweep."""
    with db.unit_of_work() as uow:
        # The first sweep looks back a whole window: at worst a card is sent twice.
        since = store.sweep_mark(uow.conn, SWEEP) or now - domain.PRICE_WINDOW
        if now <= since:
            return 0
        aged = store.products_with_prices_set_between(uow.conn, since - domain.PRICE_WINDOW,
                                                      now - domain.PRICE_WINDOW)
        sent = 0
        for product in store.products_by_ids(uow.conn, aged).values():
            if product["status"] != domain.LISTED:
                continue  # a delisted product is on no shop page; relisting sends a fresh card
            store.update_product(uow.conn, product["id"], {}, now)  # a new revision for projections
            fresh = with_lowest(uow.conn, [store.product_by_id(uow.conn, product["id"])], now)[0]
            uow.emit("catalog.product.updated", card(fresh, fresh["lowest_price_30d_cents"]))
            sent += 1
        store.set_sweep_mark(uow.conn, SWEEP, now)
        return sent
