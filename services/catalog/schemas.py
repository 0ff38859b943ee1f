"""Request and response shapes of the catalog API; they also make its OpenAPI document."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.http import PageQuery, page_schema
from shared.validation import HttpUrl, Moment, Text

MAX_PRICE = 100_000_000  # one million yuan in fen: a typo guard, not a business rule
MAX_STOCK = 10_000_000


class BrandCreate(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=80))
    description = fields.String(load_default="", validate=validate.Length(max=2000))
    logo_url = HttpUrl(load_default=None, allow_none=True)


class Brand(Schema):
    id = fields.String()
    name = fields.String()
    description = fields.String()
    logo_url = fields.String(allow_none=True)
    created_at = Moment()


class ProductFields(Schema):
    name = Text(validate=validate.Length(min=1, max=120))
    description = fields.String(validate=validate.Length(max=4000))
    category = Text(validate=validate.Length(min=1, max=40))
    image_url = HttpUrl(allow_none=True)
    list_price_cents = fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_PRICE))
    exclusive_price_cents = fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_PRICE))
    commission_rate_bp = fields.Integer(strict=True, validate=validate.Range(min=0, max=5000))
    stock = fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_STOCK))
    sensitive = fields.Boolean()


class ProductCreate(ProductFields):
    brand_id = fields.String(required=True, validate=validate.Length(min=1, max=32))
    sku = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
                                                                  error="1-64 letters, digits, '.', '_' or '-'"))
    name = Text(required=True, validate=validate.Length(min=1, max=120))
    category = Text(required=True, validate=validate.Length(min=1, max=40))
    list_price_cents = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_PRICE))
    exclusive_price_cents = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_PRICE))
    commission_rate_bp = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=5000))
    stock = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=MAX_STOCK))
    description = fields.String(load_default="", validate=validate.Length(max=4000))
    image_url = HttpUrl(load_default=None, allow_none=True)
    sensitive = fields.Boolean(load_default=False)


class ProductPatch(ProductFields):
    pass


class Delist(Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=300))


class Product(Schema):
    id = fields.String()
    brand_id = fields.String()
    sku = fields.String()
    name = fields.String()
    description = fields.String()
    category = fields.String()
    image_url = fields.String(allow_none=True)
    list_price_cents = fields.Integer()
    exclusive_price_cents = fields.Integer()
    lowest_price_30d_cents = fields.Integer()
    commission_rate_bp = fields.Integer()
    stock = fields.Integer()
    sensitive = fields.Boolean()
    status = fields.String()
    delist_reason = fields.String(allow_none=True)
    created_at = Moment()
    updated_at = Moment()


# A query the gateway refuses with 400 when it holds a NUL (shared.http), documented so a
# client or a fuzzer does not take one for a valid value.
NO_NUL_QUERY = {"pattern": "^[^\\x00]*$"}


class ProductQuery(PageQuery):
    q = fields.String(load_default=None, validate=validate.Length(max=100), metadata=NO_NUL_QUERY)
    category = fields.String(load_default=None, validate=validate.Length(max=40), metadata=NO_NUL_QUERY)
    brand_id = fields.String(load_default=None, validate=validate.Length(max=32), metadata=NO_NUL_QUERY)
    status = fields.String(load_default="listed", validate=validate.OneOf(["listed", "delisted", "all"]))


BrandPage = page_schema(Brand, "BrandPage")
ProductPage = page_schema(Product, "ProductPage")
