"""Shop pages, featured slots, candidates, visits and the owner's analytics."""
from __future__ import annotations

from dataclasses import asdict


from shared.auth import current_principal
from shared.http import Blueprint, page_of

from services.shop import schemas
from services.shop.api.common import BEARER, OPTIONAL_BEARER, me
from services.shop.context import context
from services.shop.domain import analytics
from services.shop.usecases import shops

blp = Blueprint("shop_shops", __name__, url_prefix="/api/shops", description="Personal shops.")


@blp.get("/<member_id>")
@blp.response(200, schemas.ShopPage)
@blp.alt_response(404, response="NOT_FOUND")
@blp.doc(security=OPTIONAL_BEARER)
def shop_page(member_id):
    """A member's shop as anyone sees it: never more products than its slots; delisted ones never."""
    if member_id == "me":
        member_id = me()
    page = shops.shop_page(context().db, member_id)
    return {**asdict(page.owner), "slots": page.influence.slots, "featured": page.featured,
            "influence": {"score": page.influence.score, "tier": page.influence.tier}}


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
    ctx = context()
    card, entry = shops.feature(ctx.db, ctx.owners, me(), body["product_id"])
    return {**asdict(card), "featured_at": entry.featured_at, "locked_until": entry.locked_until}


@blp.delete("/me/featured/<product_id>")
@blp.response(204)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.doc(security=BEARER)
def unfeature(product_id):
    """Take a product out of the shop; 409 with `locked_until` within 72 hours of featuring."""
    shops.unfeature(context().db, me(), product_id)


@blp.get("/me/candidates")
@blp.arguments(schemas.CandidateQuery, location="query")
@blp.response(200, schemas.CandidatePage)
@blp.doc(security=BEARER)
def candidates(query):
    """Listed products to feature: the whole library, or what you bought; each says if featured."""
    found, total = shops.candidates(context().db, me(), source=query["source"], q=query["q"],
                                    category=query["category"], page=query["page"], per_page=query["per_page"])
    items = [{**asdict(card), "featured": featured} for card, featured in found]
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
    ctx = context()
    counted = shops.visit(ctx.db, ctx.owners, shop_id, member_id=principal.member_id if principal else None,
                          visitor_key=body["visitor_key"], product_id=body["product_id"])
    return {"visit_id": counted.id if counted else None, "counted": counted is not None}


@blp.get("/me/analytics")
@blp.response(200, schemas.Analytics)
@blp.doc(security=BEARER)
def shop_analytics():
    """Your shop's visits, visitors (those who allow it), orders and sales, per product too."""
    ctx = context()
    figures, names = shops.shop_analytics(ctx.db, me(), timezone=ctx.config.timezone, now=ctx.clock.now())
    result = asdict(figures)
    result["recent_visitors"] = [{**r, "nickname": names.get(r["member_id"], "")} for r in result["recent_visitors"]]
    result["products"] = [_figures(entry) for entry in figures.products]
    return result


def _figures(entry: analytics.ProductFigures) -> dict:
    """A product's line; a withheld one has no orders, units or sales at all (not 0)."""
    line = {k: v for k, v in asdict(entry).items() if v is not None}
    line["figures_withheld"] = entry.withheld
    return line
