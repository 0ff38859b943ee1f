"""The catalog's HTTP API (CONTRACT.md "Catalog"): parse, call the use case, present."""
from __future__ import annotations


from shared.auth import require_principal
from shared.http import Blueprint, page_of

from services.catalog import schemas, usecases
from services.catalog.context import context
from services.catalog.domain import Brand, Product

blp = Blueprint("catalog", __name__, url_prefix="/api/catalog", description="Brands and products.")
BEARER = [{"bearer": []}]


# --- presenting ---------------------------------------------------------------------------
def brand_view(brand: Brand) -> dict:
    return {"id": brand.id, "name": brand.name, "description": brand.description, "logo_url": brand.logo_url,
            "created_at": brand.created_at}


def product_view(product: Product) -> dict:
    return {
        "id": product.id, "brand_id": product.brand_id, "sku": product.sku, "name": product.name,
        "description": product.description, "category": product.category, "image_url": product.image_url,
        "list_price_cents": product.list_price_cents, "exclusive_price_cents": product.exclusive_price_cents,
        "lowest_price_30d_cents": product.lowest_price_30d_cents, "commission_rate_bp": product.commission_rate_bp,
        "stock": product.stock, "sensitive": product.sensitive, "status": product.status.value,
        "delist_reason": product.delist_reason, "revision": product.revision,
        "created_at": product.created_at, "updated_at": product.updated_at,
    }


# --- brands -------------------------------------------------------------------------------
@blp.post("/brands")
@blp.arguments(schemas.BrandCreate)
@blp.response(201, schemas.Brand)
@blp.doc(security=BEARER)
def create_brand(body):
    """Invite a brand (admin)."""
    actor = require_principal()
    return brand_view(usecases.create_brand(context().db, actor, body["name"], description=body["description"],
                                            logo_url=body["logo_url"]))


@blp.get("/brands")
@blp.arguments(schemas.PageQuery, location="query")
@blp.response(200, schemas.BrandPage)
def list_brands(query):
    """The brand library."""
    items, total = usecases.list_brands(context().db, query["page"], query["per_page"])
    return page_of([brand_view(b) for b in items], query["page"], query["per_page"], total)


@blp.get("/brands/<brand_id>")
@blp.response(200, schemas.Brand)
def get_brand(brand_id):
    return brand_view(usecases.get_brand(context().db, brand_id))


# --- products -----------------------------------------------------------------------------
@blp.post("/products")
@blp.arguments(schemas.ProductCreate)
@blp.response(201, schemas.Product)
@blp.doc(security=BEARER)
def create_product(body):
    """List a product of a brand (its merchant, or an admin)."""
    actor = require_principal()
    return product_view(usecases.create_product(context().db, actor, usecases.NewProduct(**body)))


@blp.get("/products")
@blp.arguments(schemas.ProductQuery, location="query")
@blp.response(200, schemas.ProductPage)
def search_products(query):
    """Search by text, category and brand; `status` defaults to listed."""
    ctx = context()
    items, total = usecases.search_products(ctx.db, ctx.clock.now(), q=query["q"], category=query["category"],
                                            brand_id=query["brand_id"], status=query["status"],
                                            page=query["page"], per_page=query["per_page"])
    return page_of([product_view(p) for p in items], query["page"], query["per_page"], total)


@blp.get("/products/<product_id>")
@blp.response(200, schemas.Product)
def get_product(product_id):
    ctx = context()
    return product_view(usecases.get_product(ctx.db, product_id, ctx.clock.now()))


@blp.patch("/products/<product_id>")
@blp.arguments(schemas.ProductPatch)
@blp.response(200, schemas.Product)
@blp.doc(security=BEARER)
def change_product(changes, product_id):
    """Change prices, stock or text (its brand's merchant, or an admin)."""
    actor = require_principal()
    return product_view(usecases.update_product(context().db, actor, product_id, changes))


@blp.post("/products/<product_id>/delist")
@blp.arguments(schemas.Delist)
@blp.response(200, schemas.Product)
@blp.doc(security=BEARER)
def delist_product(body, product_id):
    """Take a product off sale: it leaves every shop, and new orders for it are rejected.

    `reason` is the delisting's note (shown to the shops' owners); the event's `reason`
    says who delisted it: `brand` (a merchant of its brand) or `platform` (an admin)."""
    actor = require_principal()
    return product_view(usecases.delist_product(context().db, actor, product_id, body["reason"]))


@blp.post("/products/<product_id>/relist")
@blp.response(200, schemas.Product)
@blp.doc(security=BEARER)
def relist_product(product_id):
    """Put a delisted product back on sale (shops may feature it again)."""
    actor = require_principal()
    return product_view(usecases.relist_product(context().db, actor, product_id))
