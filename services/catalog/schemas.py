"""Request and response shapes of the catalog API; they also make its OpenAPI document."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.http import PageQuery, page_schema
from shared.validation import Boolean, FreeText, HttpUrl, Integer, Moment, QueryText, Text

MAX_PRICE = 100_000_000  # one million yuan in fen: a typo guard, not a business rule
MAX_STOCK = 10_000_000


class BrandCreate(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=80))
    description = FreeText(load_default="", validate=validate.Length(max=2000))
    logo_url = HttpUrl(load_default=None, allow_none=True)


class Brand(Schema):
    id = fields.String()
    name = fields.String()
    description = fields.String()
    logo_url = fields.String(allow_none=True)
    created_at = Moment()


class ProductFields(Schema):
    name = Text(validate=validate.Length(min=1, max=120))
    description = FreeText(validate=validate.Length(max=4000))
    category = Text(validate=validate.Length(min=1, max=40))
    image_url = HttpUrl(allow_none=True)
    list_price_cents = Integer(strict=True, validate=validate.Range(min=1, max=MAX_PRICE))
    exclusive_price_cents = Integer(strict=True, validate=validate.Range(min=1, max=MAX_PRICE))
    commission_rate_bp = Integer(strict=True, validate=validate.Range(min=0, max=5000))
    stock = Integer(strict=True, validate=validate.Range(min=0, max=MAX_STOCK))
    sensitive = Boolean()


class ProductCreate(ProductFields):
    brand_id = fields.String(required=True, validate=validate.Length(min=1, max=32))
    sku = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
                                                                  error="1-64 letters, digits, '.', '_' or '-'"))
    name = Text(required=True, validate=validate.Length(min=1, max=120))
    category = Text(required=True, validate=validate.Length(min=1, max=40))
    list_price_cents = Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_PRICE))
    exclusive_price_cents = Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_PRICE))
    commission_rate_bp = Integer(required=True, strict=True, validate=validate.Range(min=0, max=5000))
    stock = Integer(required=True, strict=True, validate=validate.Range(min=0, max=MAX_STOCK))
    description = FreeText(load_default="", validate=validate.Length(max=4000))
    image_url = HttpUrl(load_default=None, allow_none=True)
    sensitive = Boolean(load_default=False)


class ProductPatch(ProductFields):
    pass


class Delist(Schema):
    reason = FreeText(load_default="", validate=validate.Length(max=300))


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
    revision = fields.Integer(metadata={"description": "increases at every change of the product; "
                                                       "events carry it too"})
    created_at = Moment()
    updated_at = Moment()


class ProductQuery(PageQuery):
    q = QueryText(load_default=None, validate=validate.Length(max=100))
    category = QueryText(load_default=None, validate=validate.Length(max=40))
    brand_id = QueryText(load_default=None, validate=validate.Length(max=32))
    status = fields.String(load_default="listed", validate=validate.OneOf(["listed", "delisted", "all"]))


BrandPage = page_schema(Brand, "BrandPage")
ProductPage = page_schema(Product, "ProductPage")
