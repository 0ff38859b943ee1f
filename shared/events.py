"""The event envelope and the catalogue of event types (CONTRACT.md, "Events").

Each type is a small named, versioned schema of its `data`. Producers validate before the
event reaches the outbox, consumers validate again on arrival: a malformed message is a
bug somewhere, and it goes to the dead-letter queue instead of into a handler.

Schemas list what each event carries *at least*; unknown fields are kept (INCLUDE), so a
producer can add a field without breaking older consumers.
"""
from __future__ import annotations

import contextvars
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from typing import Any

from marshmallow import INCLUDE, Schema, ValidationError, fields, validate

from shared.clock import iso, utcnow
from shared.event_checks import compile_schema
from shared.contract import (AttributionOutcome, CancellationReason, DelistingReason, ProductStatus,
                             PurchasesAudience, RemovalReason, StatsAudience, StockRejection)

# The correlation id of the request or event being handled; events emitted meanwhile carry it.
correlation_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("gwh_correlation_id", default=None)


class EventData(Schema):
    class Meta:
        unknown = INCLUDE


Id = lambda **kw: fields.String(required=True, validate=validate.Length(min=1, max=64), **kw)  # noqa: E731
Cents = lambda **kw: fields.Integer(validate=validate.Range(min=0), **kw)  # noqa: E731


def OneOfEnum(enum: type[Enum], **kw) -> fields.String:  # noqa: N802 (a field factory)
    return fields.String(validate=validate.OneOf([member.value for member in enum]), **kw)


class BrandCreated(EventData):
    brand_id = Id()
    name = fields.String(required=True)


class ProductCard(EventData):
    """What another service needs to show or price a product without asking the catalog."""

    product_id = Id()
    brand_id = Id()
    name = fields.String(required=True)
    category = fields.String(required=True)
    image_url = fields.String(allow_none=True, load_default=None)
    list_price_cents = Cents(required=True)
    exclusive_price_cents = Cents(required=True)
    commission_rate_bp = fields.Integer(required=True, validate=validate.Range(min=0, max=5000))
    sensitive = fields.Boolean(required=True)
    lowest_price_30d_cents = Cents(required=True)
    status = OneOfEnum(ProductStatus, load_default=ProductStatus.LISTED.value)
    # A monotonic version per product, so a projection can ignore a stale card that
    # arrives after a newer one (the bus does not promise order).
    revision = fields.Integer(required=True, validate=validate.Range(min=1))


class ProductDelisted(EventData):
    """Who took the product off sale (`reason`), and what they wrote, if anything (`note`)."""

    product_id = Id()
    reason = OneOfEnum(DelistingReason, required=True)
    note = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=500))
    revision = fields.Integer(required=True, validate=validate.Range(min=1))


class StockItem(EventData):
    product_id = Id()
    quantity = fields.Integer(required=True, validate=validate.Range(min=1))


class ReservedItem(StockItem):
    """One reserved line, with the terms the catalog reserved it at: the order's price."""

    list_price_cents = Cents(required=True)
    exclusive_price_cents = Cents(required=True)
    commission_rate_bp = fields.Integer(required=True, validate=validate.Range(min=0, max=5000))
    revision = fields.Integer(required=True, validate=validate.Range(min=1))


class StockReserved(EventData):
    order_id = Id()
    items = fields.List(fields.Nested(ReservedItem), required=True)


class StockRejected(EventData):
    order_id = Id()
    items = fields.List(fields.Nested(StockItem), required=True)
    reason = OneOfEnum(StockRejection, required=True)
    product_id = fields.String(allow_none=True, load_default=None)


class AttributedItem(EventData):
    product_id = Id()
    featured = fields.Boolean(required=True)


class AttributionAnswered(EventData):
    """The shop's answer, in the order saga: is each product featured in the shop the
    order came through, at the moment the shop handled the order?"""

    order_id = Id()
    shop_id = Id()
    outcome = OneOfEnum(AttributionOutcome, required=True)
    items = fields.List(fields.Nested(AttributedItem), required=True)


class MemberCard(EventData):
    member_id = Id()
    nickname = fields.String(required=True)
    avatar_url = fields.String(allow_none=True, load_default=None)


class Friendship(EventData):
    member_ids = fields.List(Id(), required=True, validate=validate.Length(equal=2))


class FeaturedAdded(EventData):
    member_id = Id()
    product_id = Id()


class FeaturedRemoved(EventData):
    member_id = Id()
    product_id = Id()
    reason = OneOfEnum(RemovalReason, load_default=RemovalReason.REMOVED.value)


class ShopVisited(EventData):
    visit_id = Id()
    shop_id = Id()
    visitor = fields.String(required=True, validate=validate.Length(min=1, max=128))
    product_id = fields.String(allow_none=True, load_default=None)


class PrivacyChanged(EventData):
    member_id = Id()
    purchases_visible_to = OneOfEnum(PurchasesAudience, required=True)
    stats_visible_to = OneOfEnum(StatsAudience, required=True)
    show_in_leaderboards = fields.Boolean(required=True)
    show_me_as_visitor = fields.Boolean(required=True)


class OrderItem(EventData):
    product_id = Id()
    quantity = fields.Integer(required=True, validate=validate.Range(min=1))
    unit_price_cents = Cents(required=True)


class OrderPlaced(EventData):
    """Asks the owners to decide: the catalog reserves and prices, the shop attributes.

    The items carry no price: the order service does not price from its projections."""

    order_id = Id()
    buyer_id = Id()
    shop_id = fields.String(allow_none=True, load_default=None)
    items = fields.List(fields.Nested(StockItem), required=True, validate=validate.Length(min=1))


class OrderSettled(EventData):
    """order.paid / order.refunded / order.cancelled all carry the whole order's money."""

    order_id = Id()
    buyer_id = Id()
    shop_id = fields.String(allow_none=True, load_default=None)
    items = fields.List(fields.Nested(OrderItem), required=True)
    total_cents = Cents(required=True)
    commission_cents = Cents(required=True)


class CancelledItem(OrderItem):
    # A line the owners never priced (the order ended before the catalog answered).
    unit_price_cents = Cents(required=True, allow_none=True)


class OrderCancelled(OrderSettled):
    """order.cancelled also says why; the buyer is told the same on the order."""

    items = fields.List(fields.Nested(CancelledItem), required=True)
    reason = OneOfEnum(CancellationReason, allow_none=True, load_default=None)


class CommissionSettled(EventData):
    order_id = Id()
    shop_id = Id()
    commission_cents = Cents(required=True)


class InfluenceChanged(EventData):
    member_id = Id()
    score = fields.Integer(required=True, validate=validate.Range(min=0))
    tier = fields.Integer(required=True, validate=validate.Range(min=1))
    slots = fields.Integer(required=True, validate=validate.Range(min=1))
    # Increases with every announcement of one member, whichever worker sends it, so the
    # shop can keep the newest even when two arrive out of order.
    version = fields.Integer(load_default=None, allow_none=True)


class TokensRevoked(EventData):
    """Tokens of a member no service may accept any more (shared.tokens): the one named by
    `token_id` (a logout), and every one issued before `not_before_us` (a password change).
    `expires_at` (epoch seconds): after it every token concerned has expired anyway."""

    member_id = Id()
    token_id = fields.String(allow_none=True, load_default=None, validate=validate.Length(min=1, max=64))
    not_before_us = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(min=0))
    expires_at = fields.Integer(required=True, validate=validate.Range(min=0))


# type -> (version, data schema). The catalogue of CONTRACT.md; add a type here first.
CATALOGUE: dict[str, tuple[int, type[EventData]]] = {
    "catalog.brand.created": (1, BrandCreated),
    "catalog.product.listed": (1, ProductCard),
    "catalog.product.updated": (1, ProductCard),
    "catalog.product.relisted": (1, ProductCard),
    "catalog.product.delisted": (1, ProductDelisted),
    "catalog.stock.reserved": (1, StockReserved),
    "catalog.stock.rejected": (1, StockRejected),
    "shop.attribution.answered": (1, AttributionAnswered),
    "shop.member.registered": (1, MemberCard),
    "shop.member.updated": (1, MemberCard),
    "shop.friendship.created": (1, Friendship),
    "shop.friendship.removed": (1, Friendship),
    "shop.featured.added": (1, FeaturedAdded),
    "shop.featured.removed": (1, FeaturedRemoved),
    "shop.visited": (1, ShopVisited),
    "shop.privacy.changed": (1, PrivacyChanged),
    "shop.tokens.revoked": (1, TokensRevoked),
    "order.placed": (1, OrderPlaced),
    "order.paid": (1, OrderSettled),
    "order.refunded": (1, OrderSettled),
    "order.cancelled": (1, OrderCancelled),
    "order.commission.settled": (1, CommissionSettled),
    "ranking.influence.changed": (1, InfluenceChanged),
}


class EnvelopeSchema(Schema):
    id = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.OneOf(list(CATALOGUE)))
    version = fields.Integer(required=True, validate=validate.Range(min=1))
    occurred_at = fields.AwareDateTime(required=True, default_timezone=None)
    producer = fields.String(required=True, validate=validate.Length(min=1))
    correlation_id = fields.String(allow_none=True, load_default=None)
    data = fields.Dict(required=True)


class InvalidEvent(Exception):
    """A message that is not a valid envelope of a known type: never retried."""


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    version: int
    occurred_at: datetime
    producer: str
    correlation_id: str | None
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "version": self.version,
            "occurred_at": iso(self.occurred_at),
            "producer": self.producer,
            "correlation_id": self.correlation_id,
            "data": self.data,
        }


# One schema instance per type, made once: building a marshmallow Schema costs more than
# validating a small event with it (seen in `make bench`), and load() keeps no state.
_SCHEMAS: dict[str, EventData] = {event_type: schema() for event_type, (_, schema) in CATALOGUE.items()}
_ENVELOPE = EnvelopeSchema()


# The same schemas as plain checks (shared/event_checks.py): the answer for the plain JSON
# every producer here sends, without marshmallow's machinery; None sends the data on to it.
_CHECKS = {event_type: compile_schema(schema) for event_type, schema in _SCHEMAS.items()}


def validate_data(event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """The data of one event type, validated and with defaults filled; raises InvalidEvent."""
    schema = _SCHEMAS.get(event_type)
    if schema is None:
        raise InvalidEvent(f"unknown event type {event_type!r}")
    check = _CHECKS[event_type]
    loaded = check(data) if check is not None else None
    if loaded is not None:
        return loaded
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise InvalidEvent(f"{event_type}: {exc.messages}") from exc


def make_event(event_type: str, data: dict[str, Any], producer: str, *,
               occurred_at: datetime | None = None, correlation_id: str | None = None) -> Event:
    """A new event, its data validated now so a bad one never reaches the outbox."""
    version, _ = CATALOGUE.get(event_type, (None, None))
    clean = validate_data(event_type, data)
    return Event(
        id=str(uuid.uuid4()),
        type=event_type,
        version=version,
        occurred_at=occurred_at or utcnow(),
        producer=producer,
        correlation_id=correlation_id or correlation_id_var.get() or str(uuid.uuid4()),
        data=clean,
    )


_ENVELOPE_FIELDS = frozenset(("id", "type", "version", "occurred_at", "producer", "correlation_id", "data"))
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_ISO_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})")


def _plain_envelope(body: dict) -> dict | None:
    """The envelope as EnvelopeSchema loads it, for the envelope every producer here sends
    (canonical id, known type, ISO time with an offset), checked by hand: the schema cost as
    much as the ranking's whole batch apply (`make bench`, docs/speed.md). None for anything
    else, which the schema then judges, with its error messages."""
    try:
        if not (body.keys() <= _ENVELOPE_FIELDS and type(body["id"]) is str and _CANONICAL_UUID.fullmatch(body["id"])
                and body["type"] in CATALOGUE and type(body["version"]) is int and body["version"] >= 1
                and type(body["producer"]) is str and body["producer"]
                and type(body.get("correlation_id")) in (str, type(None)) and type(body["data"]) is dict
                and type(body["occurred_at"]) is str and _ISO_UTC.fullmatch(body["occurred_at"])):
            return None
        occurred_at = datetime.fromisoformat(body["occurred_at"])
    except (KeyError, ValueError):
        return None
    return {"id": body["id"], "type": body["type"], "version": body["version"], "occurred_at": occurred_at,
            "producer": body["producer"], "correlation_id": body.get("correlation_id"), "data": body["data"]}


def parse_event(body: Any) -> Event:
    """An envelope off the wire, validated; raises InvalidEvent."""
    if not isinstance(body, dict):
        raise InvalidEvent("the message body is not a JSON object")
    envelope = _plain_envelope(body)
    if envelope is None:
        try:
            envelope = _ENVELOPE.load(body)
        except ValidationError as exc:
            raise InvalidEvent(f"bad envelope: {exc.messages}") from exc
    data = validate_data(envelope["type"], envelope["data"])
    return Event(
        id=str(envelope["id"]),
        type=envelope["type"],
        version=envelope["version"],
        occurred_at=envelope["occurred_at"],
        producer=envelope["producer"],
        correlation_id=envelope["correlation_id"],
        data=data,
    )
