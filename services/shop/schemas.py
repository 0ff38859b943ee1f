"""Request and response shapes of the shop API; they also make its OpenAPI document.

The document is a promise to clients (and to the fuzzer in tests/api): each request field
states the rule the domain enforces (lengths, patterns, choices), with the domain's own
numbers and messages, so what the document calls valid is accepted and what it calls
invalid is refused. The domain still checks every rule for its other callers (the CLI,
the admin bootstrap).
"""
from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate

from shared.http import PageQuery, page_schema
from shared.text import FORBIDDEN_LINE, FORBIDDEN_MULTILINE, MESSAGE_MULTILINE, TRIMMABLE
from shared.validation import WHITE_SPACE, Moment, QueryText

from services.shop.domain.accounts import PASSWORD_MAX, PASSWORD_MIN
from services.shop.domain.fields import URL_MAX
from services.shop.domain.profile import BIO_MAX, NICKNAME_MAX
from services.shop.domain.visits import VISITOR_KEY

Id = lambda **kw: fields.String(validate=validate.Length(min=1, max=64), **kw)  # noqa: E731

# The characters str.strip() trims (str.isspace), spelled out: `\s` means three different
# things in Python, in ECMA-262 and in the Rust engine validators use, so a documented
# pattern cannot lean on it.


def _matching(pattern: str, error: str, **kwargs) -> fields.String:
    """A string the whole of which matches `pattern`, documented as `^pattern$`.

    Checked with fullmatch: Python's `$` also matches before a final newline, the
    document's (ECMA-262) `$` does not."""
    whole = re.compile(pattern)

    def check(value: str) -> None:
        if not whole.fullmatch(value):
            raise ValidationError(error)

    metadata = {"pattern": f"^{pattern}$", **kwargs.pop("metadata", {})}
    return fields.String(validate=[*kwargs.pop("validate", []), check], metadata=metadata, **kwargs)


# The domain trims a username and lowers its case before checking [a-z0-9][a-z0-9_.-]{2,31}
# (domain.accounts.USERNAME); said here of what the client sends. ASCII letters only: a
# look-alike that lowers to one (the Kelvin sign lowers to "k") is refused.
USERNAME_PATTERN = rf"[{WHITE_SPACE}]*[A-Za-z0-9][A-Za-z0-9_.-]{{2,31}}[{WHITE_SPACE}]*"
USERNAME_ERROR = "3 to 32 letters, digits, '.', '_' or '-', starting with a letter or digit"
# A nickname is trimmed, then 1..NICKNAME_MAX characters; no control or bidi formatting
# character anywhere (shared.text: others see it; NUL, which PostgreSQL text cannot hold, is
# one of them). As one pattern: white space, the kept text, white space.
NICKNAME_PATTERN = (rf"[{TRIMMABLE}]*[^{WHITE_SPACE}{FORBIDDEN_LINE}]"
                    rf"(?:[^{FORBIDDEN_LINE}]{{0,{NICKNAME_MAX - 2}}}[^{WHITE_SPACE}{FORBIDDEN_LINE}])?[{TRIMMABLE}]*")
NICKNAME_ERROR = (f"1 to {NICKNAME_MAX} characters once trimmed, not blank, "
                  "no control or bidirectional formatting characters")
BIO_PATTERN = rf"[^{FORBIDDEN_MULTILINE}]*"
# What web_url_error (domain.fields) accepts, narrowed to what a document can say: http(s),
# a host name, an optional port, then anything but white space and NUL.
WEB_URL_PATTERN = (r"https?://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?"
                   rf"(?:[/?#][^{WHITE_SPACE}\x00]*)?")


def WebUrl(**kwargs) -> fields.String:  # noqa: N802 (a field type, named like one)
    return _matching(WEB_URL_PATTERN, "must be an http(s) URL with a host name, e.g. https://cdn.example.com/a.png",
                     validate=[validate.Length(max=URL_MAX, error=f"must be at most {URL_MAX} characters")],
                     metadata={"format": "uri"}, **kwargs)


# --- accounts -----------------------------------------------------------------------------
class Registration(Schema):
    username = _matching(USERNAME_PATTERN, USERNAME_ERROR, required=True,
                         metadata={"description": "case-insensitive; surrounding spaces are trimmed"})
    password = fields.String(required=True, validate=validate.Length(
        min=PASSWORD_MIN, max=PASSWORD_MAX, error=f"must be {PASSWORD_MIN} to {PASSWORD_MAX} characters"))
    nickname = _matching(NICKNAME_PATTERN, NICKNAME_ERROR, required=True,
                         metadata={"description": "surrounding spaces are trimmed"})


class MerchantRegistration(Registration):
    brand_id = Id(required=True)


class Login(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))


class PasswordChange(Schema):
    old_password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    new_password = fields.String(required=True, validate=validate.Length(
        min=PASSWORD_MIN, max=PASSWORD_MAX, error=f"must be {PASSWORD_MIN} to {PASSWORD_MAX} characters"))


class Standing(Schema):
    member_id = fields.String()
    not_before_us = fields.Integer(metadata={
        "description": "tokens issued before this moment (microseconds since the epoch) are revoked"})


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
    """Each field optional; null clears an image or the bio (a nickname cannot be cleared)."""

    nickname = _matching(NICKNAME_PATTERN, NICKNAME_ERROR)
    avatar_url = WebUrl(allow_none=True)
    banner_url = WebUrl(allow_none=True)
    bio = _matching(BIO_PATTERN, MESSAGE_MULTILINE, allow_none=True, validate=[
        validate.Length(max=BIO_MAX, error=f"must be at most {BIO_MAX} characters")])


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
class FriendRequestQuery(PageQuery):
    direction = fields.String(load_default="incoming", validate=validate.OneOf(["incoming", "outgoing"]),
                              metadata={"description": "requests to you (incoming) or from you (outgoing)"})


class FriendRequestBody(Schema):
    member_id = Id(required=True)


class MemberQuery(Schema):
    username = QueryText(required=True, validate=validate.Length(min=1, max=64),
                             metadata={"description": "the exact username (case-insensitive)"})


class FoundMember(Schema):
    member_id = fields.String()
    nickname = fields.String()
    avatar_url = fields.String(allow_none=True)


class FoundMembers(Schema):
    items = fields.List(fields.Nested(FoundMember))


class FriendRequest(Schema):
    id = fields.String()
    requester_id = fields.String()
    addressee_id = fields.String()
    requester_nickname = fields.String()
    addressee_nickname = fields.String()
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
    q = QueryText(load_default=None, validate=validate.Length(max=100))
    category = QueryText(load_default=None, validate=validate.Length(max=40))


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
    # Required without a token (the domain says so: a document cannot make a field depend on
    # the caller); its shape is checked with or without one.
    visitor_key = _matching(VISITOR_KEY.pattern, "8 to 64 letters, digits, '_' or '-'",
                            load_default=None, allow_none=True,
                            metadata={"description": "the anonymous browser's key; required without a token"})


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
    orders = fields.Integer(metadata={"description": "omitted for a sensitive product with fewer than 5 distinct buyers"})
    units = fields.Integer(metadata={"description": "omitted like orders"})
    sales_cents = fields.Integer(metadata={"description": "omitted like orders"})
    figures_withheld = fields.Boolean(metadata={"description": "true when orders, units and sales are omitted"})


class Analytics(Schema):
    visits = fields.Integer(metadata={"description": "visits in the 30-day influence window, anonymous ones too"})
    unique_visitors = fields.Integer(metadata={
        "description": "distinct signed-in members in the window, exactly: the influence breakdown's number"})
    anonymous_visits = fields.Integer(metadata={"description": "visits without a token in the window (no points)"})
    recent_visitors = fields.List(fields.Nested(RecentVisitor))
    recent_visitors_withheld = fields.Boolean(metadata={
        "description": "true (and recent_visitors empty) while a sensitive product the shop features or sold "
                       "has fewer than 5 distinct buyers"})
    orders = fields.Integer(metadata={"description": "withheld products' orders are left out"})
    sales_cents = fields.Integer(metadata={"description": "withheld products' sales are left out"})
    products = fields.List(fields.Nested(ProductFigures))


NotificationPage = page_schema(Notification, "NotificationPage")
PurchasePage = page_schema(Purchase, "PurchasePage")
FriendRequestPage = page_schema(FriendRequest, "FriendRequestPage")
FriendPage = page_schema(Friend, "FriendPage")
CandidatePage = page_schema(Candidate, "CandidatePage")
