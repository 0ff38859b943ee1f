"""Request and response shapes of the shop API; they also make its OpenAPI document.

Requests are checked here for types and presence only; the rules (lengths, URLs, allowed
values) live in the domain, which reports them as 422 with the same {field: [messages]}.
"""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.http import PageQuery, page_schema
from shared.validation import Moment

Id = lambda **kw: fields.String(validate=validate.Length(min=1, max=64), **kw)  # noqa: E731


# --- accounts -----------------------------------------------------------------------------
class Registration(Schema):
    username = fields.String(required=True)
    password = fields.String(required=True)
    nickname = fields.String(required=True)


class MerchantRegistration(Registration):
    brand_id = Id(required=True)


class Login(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))


class Registered(Schema):
    member_id = fields.String()
    token = fields.String()


class SignedIn(Registered):
    roles = fields.List(fields.String())


class MerchantAccount(Schema):
    member_id = fields.String()
    username = fields.String()
    roles = fields.List(fields.String())
    brand_id = fields.String()


# --- members ------------------------------------------------------------------------------
class ProfilePatch(Schema):
    nickname = fields.String()
    avatar_url = fields.String(allow_none=True)
    banner_url = fields.String(allow_none=True)
    bio = fields.String(allow_none=True)


class Member(Schema):
    member_id = fields.String()
    username = fields.String()
    nickname = fields.String()
    avatar_url = fields.String(allow_none=True)
    banner_url = fields.String(allow_none=True)
    bio = fields.String(allow_none=True)
    roles = fields.List(fields.String())
    brand_id = fields.String(allow_none=True)


class Privacy(Schema):
    purchases_visible_to = fields.String(metadata={"enum": ["nobody", "friends"]})
    stats_visible_to = fields.String(metadata={"enum": ["everyone", "friends", "nobody"]})
    show_in_leaderboards = fields.Boolean()
    show_me_as_visitor = fields.Boolean()


class PrivacyChange(Schema):
    # Raw, so "false" or 0 reach the domain and are refused there, not coerced to False.
    purchases_visible_to = fields.Raw(metadata={"type": "string", "enum": ["nobody", "friends"]})
    stats_visible_to = fields.Raw(metadata={"type": "string", "enum": ["everyone", "friends", "nobody"]})
    show_in_leaderboards = fields.Raw(metadata={"type": "boolean"})
    show_me_as_visitor = fields.Raw(metadata={"type": "boolean"})


class Notification(Schema):
    id = fields.String()
    type = fields.String()
    product_id = fields.String(allow_none=True)
    message = fields.String()
    at = Moment()


class Purchase(Schema):
    product_id = fields.String()
    name = fields.String()
    category = fields.String(allow_none=True)
    image_url = fields.String(allow_none=True)
    list_price_cents = fields.Integer()
    exclusive_price_cents = fields.Integer()
    sensitive = fields.Boolean()


# --- friends ------------------------------------------------------------------------------
class FriendRequestBody(Schema):
    member_id = Id(required=True)


class FriendRequest(Schema):
    id = fields.String()
    requester_id = fields.String()
    addressee_id = fields.String()
    requester_nickname = fields.String()
    status = fields.String()
    created_at = Moment()
    accepted_at = Moment(allow_none=True)


class Friend(Schema):
    member_id = fields.String()
    nickname = fields.String()
    avatar_url = fields.String(allow_none=True)
    since = Moment()


# --- shops --------------------------------------------------------------------------------
class FeatureBody(Schema):
    product_id = Id(required=True)


class FeaturedProduct(Schema):
    product_id = fields.String()
    name = fields.String()
    image_url = fields.String(allow_none=True)
    list_price_cents = fields.Integer()
    exclusive_price_cents = fields.Integer()
    lowest_price_30d_cents = fields.Integer(allow_none=True)
    featured_at = Moment()
    locked_until = Moment()


class Influence(Schema):
    score = fields.Integer()
    tier = fields.Integer()


class ShopPage(Schema):
    member_id = fields.String()
    nickname = fields.String()
    avatar_url = fields.String(allow_none=True)
    banner_url = fields.String(allow_none=True)
    bio = fields.String(allow_none=True)
    slots = fields.Integer()
    featured = fields.List(fields.Nested(FeaturedProduct))
    influence = fields.Nested(Influence)


class CandidateQuery(PageQuery):
    source = fields.String(load_default="all", validate=validate.OneOf(["all", "purchased"]))
    q = fields.String(load_default=None, validate=validate.Length(max=100))
    category = fields.String(load_default=None, validate=validate.Length(max=40))


class Candidate(Schema):
    product_id = fields.String()
    brand_id = fields.String(allow_none=True)
    name = fields.String()
    category = fields.String(allow_none=True)
    image_url = fields.String(allow_none=True)
    list_price_cents = fields.Integer()
    exclusive_price_cents = fields.Integer()
    lowest_price_30d_cents = fields.Integer(allow_none=True)
    commission_rate_bp = fields.Integer()
    featured = fields.Boolean()


class VisitBody(Schema):
    product_id = Id(load_default=None, allow_none=True)
    visitor_key = fields.String(load_default=None, allow_none=True)


class Accepted(Schema):
    visit_id = fields.String(allow_none=True)
    counted = fields.Boolean()


class RecentVisitor(Schema):
    member_id = fields.String()
    nickname = fields.String()
    at = Moment()


class ProductFigures(Schema):
    product_id = fields.String()
    views = fields.Integer()
    orders = fields.Integer()
    units = fields.Integer()
    sales_cents = fields.Integer()


class Analytics(Schema):
    visits = fields.Integer()
    unique_visitors = fields.Integer()
    recent_visitors = fields.List(fields.Nested(RecentVisitor))
    orders = fields.Integer()
    sales_cents = fields.Integer()
    products = fields.List(fields.Nested(ProductFigures))


NotificationPage = page_schema(Notification, "NotificationPage")
PurchasePage = page_schema(Purchase, "PurchasePage")
FriendRequestPage = page_schema(FriendRequest, "FriendRequestPage")
FriendPage = page_schema(Friend, "FriendPage")
CandidatePage = page_schema(Candidate, "CandidatePage")
