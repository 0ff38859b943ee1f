"""Shop pages, featured slots, candidates, visits and the owner's analytics."""
from __future__ import annotations

from dataclasses import asdict

from flask_smorest import Blueprint

from shared.auth import current_principal
from shared.failures import NotFound
from shared.http import page_of

from services.shop import schemas
from services.shop.api.common import BEARER, OPTIONAL_BEARER, me, require_member
from services.shop.domain import analytics, cards, orders, visits
from services.shop.domain.cards import ProductCard
from services.shop.domain.featured import Shop
from services.shop.store import activity, members, shops
from services.shop.store.common import new_id
from services.shop.context import context

blp = Blueprint("shop_shops", __name__, url_prefix="/api/shops", description="Personal shops.")


def _shop(conn, member_id: str) -> Shop:
    shop = shops.load_shop(conn, member_id)
    if shop is None:
        raise NotFound(f"no shop {member_id}")
    return shop


def _known_product(conn, product_id: str) -> ProductCard:
    """The shop's card of a product named in a request body; 404 when the catalog has none.

    Unknown is 404, as for a member named in a friend request (CONTRACT.md: "404 unknown"):
    the request is well formed, what it names does not exist. The shop's cards are a copy
    that may lag behind the catalog, so a product it has no card for is asked of the catalog
    first (docs/owners-decide.md), and the answer kept as the card. A known product that is
    not listed stays a 422."""
    card = shops.card_of(conn, product_id)
    if card is not None:
        return card
    found = context().owners.product(product_id)   # 503 if the catalog cannot say
    if found is None:
        raise NotFound(f"no product {product_id}")
    card = cards.card_from_owner(None, product_id, found)
    shops.save_card(conn, card)
    return card


@blp.get("/<member_id>")
@blp.response(200, schemas.ShopPage)
@blp.alt_response(404, response="NOT_FOUND")
@blp.doc(security=OPTIONAL_BEARER)
def shop_page(member_id):
    """A member's shop as anyone sees it: never more products than its slots; delisted ones never."""
    if member_id == "me":
        member_id = me()
    with context().db.reading() as conn:
        owner = members.profile_of(conn, member_id)
        influence = shops.influence_of(conn, member_id)
        if owner is None or influence is None:
            raise NotFound(f"no shop {member_id}")
        featured = shops.featured_page(conn, member_id, influence.slots)
    return {**asdict(owner), "slots": influence.slots, "featured": featured,
            "influence": {"score": influence.score, "tier": influence.tier}}


@blp.post("/me/featured")
@blp.arguments(schemas.FeatureBody)
@blp.response(201, schemas.FeaturedProduct)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.doc(security=BEARER)
def feature(body):
    """Feature a listed product in a free slot; it stays at least 72 hours.

    404 for a product the shop has never heard of, 422 for one that is not listed, 409 when
    it is featured already or every slot is taken."""
    product_id = body["product_id"]
    with context().db.unit_of_work() as uow:
        shop = _shop(uow.conn, me())
        card = _known_product(uow.conn, product_id)
        entry = shop.feature(card, product_id=product_id, now=uow.now())
        shops.add_featured(uow.conn, shop.member_id, entry)
        uow.emit("shop.featured.added", {"member_id": shop.member_id, "product_id": product_id})
    return {**asdict(card), "featured_at": entry.featured_at, "locked_until": entry.locked_until}


@blp.delete("/me/featured/<product_id>")
@blp.response(204)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.doc(security=BEARER)
def unfeature(product_id):
    """Take a product out of the shop; 409 with `locked_until` within 72 hours of featuring."""
    with context().db.unit_of_work() as uow:
        shop = _shop(uow.conn, me())
        shop.unfeature(product_id, now=uow.now())
        shops.remove_featured(uow.conn, shop.member_id, product_id)
        uow.emit("shop.featured.removed", {"member_id": shop.member_id, "product_id": product_id,
                                           "reason": "removed"})


@blp.get("/me/candidates")
@blp.arguments(schemas.CandidateQuery, location="query")
@blp.response(200, schemas.CandidatePage)
@blp.doc(security=BEARER)
def candidates(query):
    """Listed products to feature: the whole library, or what you bought; each says if featured."""
    with context().db.reading() as conn:
        member_id = require_member(conn, me())
        among = None
        if query["source"] == "purchased":
            among = orders.purchased_product_ids(activity.orders_of_buyer(conn, member_id), member_id)
        cards, total = shops.search_listed(conn, q=query["q"], category=query["category"], among=among,
                                           page=query["page"], per_page=query["per_page"])
        featured = shops.featured_ids(conn, member_id)
    items = [{**asdict(card), "featured": card.product_id in featured} for card in cards]
    return page_of(items, query["page"], query["per_page"], total)


@blp.post("/<shop_id>/visits")
@blp.arguments(schemas.VisitBody)
@blp.response(202, schemas.Accepted)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@blp.doc(security=OPTIONAL_BEARER)
def visit(body, shop_id):
    """Record a visit: the caller's token, else the anonymous `visitor_key`, with an optional product.

    Only a signed-in member other than the owner earns the shop influence (once, however
    often they come); anonymous visits show in the analytics only. 429 with Retry-After
    beyond the visits allowed per member and per client address (services/shop/api/limits.py)."""
    principal = current_principal()
    with context().db.unit_of_work() as uow:
        if not members.member_exists(uow.conn, shop_id):
            raise NotFound(f"no shop {shop_id}")
        product_id = body["product_id"]
        if product_id is not None:
            _known_product(uow.conn, product_id)
        counted = visits.record_visit(visit_id=new_id(), shop_id=shop_id,
                                      member_id=principal.member_id if principal else None,
                                      visitor_key=body["visitor_key"], product_id=product_id, now=uow.now())
        if counted is not None:
            activity.add_visit(uow.conn, counted)
            uow.emit("shop.visited", {"visit_id": counted.id, "shop_id": shop_id, "visitor": counted.visitor,
                                      "product_id": product_id})
    return {"visit_id": counted.id if counted else None, "counted": counted is not None}


@blp.get("/me/analytics")
@blp.response(200, schemas.Analytics)
@blp.doc(security=BEARER)
def shop_analytics():
    """Your shop's visits, visitors (those who allow it), orders and sales, per product too."""
    ctx = context()
    since = visits.VisitWindow(ctx.config.timezone).starts_at(ctx.clock.now())
    with ctx.db.reading() as conn:
        shop_id = require_member(conn, me())
        hidden = members.hidden_visitors(conn, shop_id)
        through = activity.orders_through(conn, shop_id)
        featured = shops.featured_ids(conn, shop_id)
        cards = shops.cards_by_ids(conn, featured | {line.product_id for o in through for line in o.lines})
        figures = analytics.shop_analytics(shop_id, activity.visitor_tallies(conn, shop_id, since),
                                           activity.views_by_product(conn, shop_id, since), through,
                                           lambda member_id: member_id not in hidden, featured=featured,
                                           # A product whose card has not arrived yet may be
                                           # sensitive: it is protected until we know.
                                           is_sensitive=lambda p: p not in cards or cards[p].sensitive)
        names = members.nicknames(conn, [r.member_id for r in figures.recent_visitors])
    result = asdict(figures)
    result["recent_visitors"] = [{**r, "nickname": names.get(r["member_id"], "")} for r in result["recent_visitors"]]
    result["products"] = [_figures(entry) for entry in figures.products]
    return result


def _figures(entry: analytics.ProductFigures) -> dict:
    """A product's line; a withheld one has no orders, units or sales at all (not 0)."""
    line = {k: v for k, v in asdict(entry).items() if v is not None}
    line["figures_withheld"] = entry.withheld
    return line
