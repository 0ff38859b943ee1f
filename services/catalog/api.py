"""The catalog's HTTP API (CONTRACT.md "Catalog"): parse, check the rule, store, emit."""
from __future__ import annotations

import unicodedata

from flask_smorest import Blueprint
from sqlalchemy.exc import IntegrityError

from shared.auth import require_principal
from shared.failures import Conflict, NotFound, Unprocessable
from shared.http import page_of

from services.catalog import domain, schemas, store
from services.catalog.cards import card, with_lowest
from services.catalog.context import context

blp = Blueprint("catalog", __name__, url_prefix="/api/catalog", description="Brands and products.")
BEARER = [{"bearer": []}]


def load_product(conn, product_id: str) -> dict:
    product = store.product_by_id(conn, product_id, for_update=True)
    if product is None:
        raise NotFound(f"no product {product_id}")
    return product


# --- brands -------------------------------------------------------------------------------
@blp.post("/brands")
@blp.arguments(schemas.BrandCreate)
@blp.response(201, schemas.Brand)
@blp.doc(security=BEARER)
def create_brand(body):
    """Invite a brand (admin)."""
    domain.ensure_can_create_brand(require_principal())
    ctx = context()
    name = unicodedata.normalize("NFC", body["name"])
    try:
        with ctx.db.unit_of_work() as uow:
            if store.brand_name_taken(uow.conn, name):
                raise Conflict(f"a brand named {name!r} exists")
            brand = store.insert_brand(uow.conn, {**body, "name": name, "created_at": uow.now()})
            uow.emit("catalog.brand.created", {"brand_id": brand["id"], "name": brand["name"]})
    except IntegrityError:
        # The same name from another request that committed first: the same 409.
        raise Conflict(f"a brand named {name!r} exists")
    return brand


@blp.get("/brands")
@blp.arguments(schemas.PageQuery, location="query")
@blp.response(200, schemas.BrandPage)
def list_brands(query):
    """The brand library."""
    with context().db.reading() as conn:
        items, total = store.list_brands(conn, query["page"], query["per_page"])
    return page_of(items, query["page"], query["per_page"], total)


@blp.get("/brands/<brand_id>")
@blp.response(200, schemas.Brand)
def get_brand(brand_id):
    with context().db.reading() as conn:
        brand = store.brand_by_id(conn, brand_id)
    if brand is None:
        raise NotFound(f"no brand {brand_id}")
    return brand


# --- products -----------------------------------------------------------------------------
@blp.post("/products")
@blp.arguments(schemas.ProductCreate)
@blp.response(201, schemas.Product)
@blp.doc(security=BEARER)
def create_product(body):
    """List a product of a brand (its merchant, or an admin)."""
    principal = require_principal()
    domain.ensure_can_manage(principal, body["brand_id"])
    domain.check_prices(body["list_price_cents"], body["exclusive_price_cents"], body["commission_rate_bp"])
    ctx = context()
    with ctx.db.unit_of_work() as uow:
        if store.brand_by_id(uow.conn, body["brand_id"]) is None:
            raise Unprocessable("unknown brand", errors={"brand_id": ["no such brand"]})
        if store.sku_taken(uow.conn, body["brand_id"], body["sku"]):
            raise Conflict(f"the brand already has a product with sku {body['sku']!r}")
        product = store.insert_product(uow.conn, body, uow.now())
        product["lowest_price_30d_cents"] = product["exclusive_price_cents"]
        uow.emit("catalog.product.listed", card(product, product["exclusive_price_cents"]))
    return product


@blp.get("/products")
@blp.arguments(schemas.ProductQuery, location="query")
@blp.response(200, schemas.ProductPage)
def search_products(query):
    """Search by text, category and brand; `status` defaults to listed."""
    ctx = context()
    with ctx.db.reading() as conn:
        items, total = store.search_products(conn, q=query["q"], category=query["category"],
                                             brand_id=query["brand_id"], status=query["status"],
                                             page=query["page"], per_page=query["per_page"])
        with_lowest(conn, items, ctx.clock.now())
    return page_of(items, query["page"], query["per_page"], total)


@blp.get("/products/<product_id>")
@blp.response(200, schemas.Product)
def get_product(product_id):
    ctx = context()
    with ctx.db.reading() as conn:
        product = store.product_by_id(conn, product_id)
        if product is None:
            raise NotFound(f"no product {product_id}")
        return with_lowest(conn, [product], ctx.clock.now())[0]


@blp.patch("/products/<product_id>")
@blp.arguments(schemas.ProductPatch)
@blp.response(200, schemas.Product)
@blp.doc(security=BEARER)
def change_product(changes, product_id):
    """Change prices, stock or text (its brand's merchant, or an admin)."""
    principal = require_principal()
    ctx = context()
    with ctx.db.unit_of_work() as uow:
        product = load_product(uow.conn, product_id)
        domain.ensure_can_manage(principal, product["brand_id"])
        after = {**product, **changes}
        domain.check_prices(after["list_price_cents"], after["exclusive_price_cents"], after["commission_rate_bp"])
        if changes:
            store.update_product(uow.conn, product_id, changes, uow.now())
            if domain.price_changed(product, after):
                store.record_price(uow.conn, product_id, after["list_price_cents"], after["exclusive_price_cents"],
                                   uow.now())
            product = with_lowest(uow.conn, [store.product_by_id(uow.conn, product_id)], uow.now())[0]
            uow.emit("catalog.product.updated", card(product, product["lowest_price_30d_cents"]))
        else:
            product = with_lowest(uow.conn, [product], uow.now())[0]
    return product


@blp.post("/products/<product_id>/delist")
@blp.arguments(schemas.Delist)
@blp.response(200, schemas.Product)
@blp.doc(security=BEARER)
def delist_product(body, product_id):
    """Take a product off sale: it leaves every shop, and new orders for it are rejected."""
    return _set_listing(product_id, domain.delist, body["reason"])


@blp.post("/products/<product_id>/relist")
@blp.response(200, schemas.Product)
@blp.doc(security=BEARER)
def relist_product(product_id):
    """Put a delisted product back on sale (shops may feature it again)."""
    return _set_listing(product_id, domain.relist, None)


def _set_listing(product_id: str, transition, reason: str | None) -> dict:
    principal = require_principal()
    ctx = context()
    with ctx.db.unit_of_work() as uow:
        product = load_product(uow.conn, product_id)
        domain.ensure_can_manage(principal, product["brand_id"])
        status = transition(product["status"])
        store.update_product(uow.conn, product_id, {"status": status, "delist_reason": reason}, uow.now())
        product = with_lowest(uow.conn, [store.product_by_id(uow.conn, product_id)], uow.now())[0]
        if status == domain.DELISTED:
            uow.emit("catalog.product.delisted", {"product_id": product_id, "reason": reason or "delisted by the brand",
                                                  "revision": product["revision"]})
        else:
            uow.emit("catalog.product.relisted", card(product, product["lowest_price_30d_cents"]))
    return product
