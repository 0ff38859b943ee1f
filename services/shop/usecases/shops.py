"""Shop pages, featured slots, candidates, visits and the owner's analytics."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Connection

from shared.db import Database
from shared.domain_events import Outcome
from shared.failures import NotFound
from shared.owners import Owners
from shared.sql import new_id

from services.shop.domain import analytics, cards, orders, visits
from services.shop.domain.cards import ProductCard
from services.shop.domain.featured import FeaturedProduct, Influence, Shop
from services.shop.domain.profile import Profile
from services.shop.store import activity, members, shops
from services.shop.usecases.members import require_member


def _shop(conn: Connection, member_id: str) -> Shop:
    shop = shops.load_shop(conn, member_id)
    if shop is None:
        raise NotFound(f"no shop {member_id}")
    return shop


def _known_product(conn: Connection, owners: Owners, product_id: str) -> ProductCard:
    """The shop's card of a product named in a request body; 404 when the catalog has none.

    Unknown is 404, as for a member named in a friend request (CONTRACT.md: "404 unknown"):
    the request is well formed, what it names does not exist. The shop's cards are a copy
    that may lag behind the catalog, so a product it has no card for is asked of the catalog
    first (docs/owners-decide.md), and the answer kept as the card. A known product that is
    not listed stays a 422."""
    card = shops.card_of(conn, product_id)
    if card is not None:
        return card
    found = owners.product(product_id)   # 503 if the catalog cannot say
    if found is None:
        raise NotFound(f"no product {product_id}")
    card = cards.card_from_owner(None, product_id, found)
    shops.save_card(conn, card)
    return card


# --- the shop page ------------------------------------------------------------------------
@dataclass(frozen=True)
class ShopPage:
    owner: Profile
    influence: Influence
    featured: list[dict]        # the cards on the page, each with featured_at and locked_until


def shop_page(db: Database, member_id: str) -> ShopPage:
    """A member's shop as anyone sees it: never more products than its slots; delisted ones never."""
    with db.reading() as conn:
        owner = members.profile_of(conn, member_id)
        influence = shops.influence_of(conn, member_id)
        if owner is None or influence is None:
            raise NotFound(f"no shop {member_id}")
        return ShopPage(owner, influence, shops.featured_page(conn, member_id, influence.slots))


# --- featured slots -----------------------------------------------------------------------
def feature(db: Database, owners: Owners, member_id: str, product_id: str) -> tuple[ProductCard, FeaturedProduct]:
    """Feature a listed product in a free slot of the member's shop (domain.featured.Shop.feature)."""
    with db.unit_of_work() as uow:
        shop = uow.track(_shop(uow.conn, member_id))
        card = _known_product(uow.conn, owners, product_id)
        entry = shop.feature(card, product_id=product_id, now=uow.now())
        shops.add_featured(uow.conn, shop.member_id, entry)
    return card, entry


def unfeature(db: Database, member_id: str, product_id: str) -> None:
    """The owner takes a product out, once its lock has ended."""
    with db.unit_of_work() as uow:
        shop = uow.track(_shop(uow.conn, member_id))
        shop.unfeature(product_id, now=uow.now())
        shops.remove_featured(uow.conn, shop.member_id, product_id)


def candidates(db: Database, member_id: str, *, source: str, q: str | None, category: str | None,
               page: int, per_page: int) -> tuple[list[tuple[ProductCard, bool]], int]:
    """Listed products to feature (the library, or `source="purchased"`: what the member
    bought), each with whether it is featured already; and their total."""
    with db.reading() as conn:
        require_member(conn, member_id)
        among = None
        if source == "purchased":
            among = orders.purchased_product_ids(activity.orders_of_buyer(conn, member_id), member_id)
        found, total = shops.search_listed(conn, q=q, category=category, among=among, page=page, per_page=per_page)
        featured = shops.featured_ids(conn, member_id)
    return [(card, card.product_id in featured) for card in found], total


# --- visits and analytics -----------------------------------------------------------------
def visit(db: Database, owners: Owners, shop_id: str, *, member_id: str | None, visitor_key: str | None,
          product_id: str | None) -> visits.Visit | None:
    """Record a visit; the counted visit, or None for the owner in their own shop."""
    with db.unit_of_work() as uow:
        if not members.member_exists(uow.conn, shop_id):
            raise NotFound(f"no shop {shop_id}")
        if product_id is not None:
            _known_product(uow.conn, owners, product_id)
        counted = visits.record_visit(visit_id=new_id(), shop_id=shop_id, member_id=member_id,
                                      visitor_key=visitor_key, product_id=product_id, now=uow.now())
        if counted is not None:
            activity.add_visit(uow.conn, counted)
            uow.track(Outcome([counted.event()]))
    return counted


def shop_analytics(db: Database, member_id: str, *, timezone: str,
                   now: datetime) -> tuple[analytics.ShopAnalytics, dict[str, str]]:
    """The owner's figures over the influence window, and the nicknames of the recent visitors."""
    since = visits.VisitWindow(timezone).starts_at(now)
    with db.reading() as conn:
        shop_id = require_member(conn, member_id)
        hidden = members.hidden_visitors(conn, shop_id)
        through = activity.orders_through(conn, shop_id)
        featured = shops.featured_ids(conn, shop_id)
        known = shops.cards_by_ids(conn, featured | {line.product_id for o in through for line in o.lines})
        figures = analytics.shop_analytics(shop_id, activity.visitor_tallies(conn, shop_id, since),
                                           activity.views_by_product(conn, shop_id, since), through,
                                           lambda visitor: visitor not in hidden, featured=featured,
                                           # A product whose card has not arrived yet may be
                                           # sensitive: it is protected until we know.
                                           is_sensitive=lambda p: p not in known or known[p].sensitive)
        names = members.nicknames(conn, [r.member_id for r in figures.recent_visitors])
    return figures, names
