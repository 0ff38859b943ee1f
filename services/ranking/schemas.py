"""Request and response shapes of the ranking API; they also make its OpenAPI document.

Responses dump the domain's objects directly (dotted attributes reach into a placing's
contender). A member's breakdown and stats are left out, not nulled, where their privacy
hides them: the contract says they appear "only where" allowed.
"""
from __future__ import annotations

from marshmallow import Schema, fields, post_dump, validate

from shared.validation import Integer

from services.ranking.domain import BOARD_SIZE


class BoardQuery(Schema):
    limit = Integer(load_default=BOARD_SIZE, validate=validate.Range(min=1, max=BOARD_SIZE))


class BoardItem(Schema):
    rank = fields.Integer()
    member_id = fields.String(attribute="contender.member_id")
    nickname = fields.String(attribute="contender.nickname")
    score = fields.Integer(attribute="contender.score")


class Board(Schema):
    items = fields.List(fields.Nested(BoardItem))


class Stats(Schema):
    sales_cents_30d = fields.Integer()
    visitors_30d = fields.Integer()


class Breakdown(Schema):
    """Each term of the formula: what was counted and the points it earned."""

    sales_cents = fields.Integer()
    sales_points = fields.Integer()
    unique_visitors = fields.Integer()
    visitor_points = fields.Integer()
    distinct_buyers = fields.Integer()
    buyer_points = fields.Integer()
    active_days = fields.Integer()
    activity_points = fields.Integer()
    score = fields.Integer()


class NextTier(Schema):
    tier = fields.Integer(attribute="tier.level")
    slots = fields.Integer(attribute="tier.slots")
    score_needed = fields.Integer()
    points_missing = fields.Integer()


class _Private(Schema):
    """Drops the parts the viewer may not see instead of showing them as null."""

    hidden_when_none = ("stats", "breakdown")

    @post_dump
    def drop_hidden(self, data, **kwargs):
        return {k: v for k, v in data.items() if not (k in self.hidden_when_none and v is None)}


class MemberInfluence(_Private):
    member_id = fields.String()
    nickname = fields.String()
    score = fields.Integer()
    tier = fields.Integer(attribute="tier.level")
    slots = fields.Integer(attribute="tier.slots")
    rank = fields.Integer(allow_none=True)
    next_tier = fields.Nested(NextTier, allow_none=True)
    breakdown = fields.Nested(Breakdown, allow_none=True)
    stats = fields.Nested(Stats, allow_none=True)


class BoardLine(_Private, BoardItem):
    stats = fields.Nested(Stats, allow_none=True)


class FriendBoard(Schema):
    items = fields.List(fields.Nested(BoardLine))


class MyPlace(Schema):
    rank = fields.Integer(allow_none=True)
    score = fields.Integer()


class Community(Schema):
    friends = fields.List(fields.Nested(BoardLine))
    board = fields.List(fields.Nested(BoardLine))
    me = fields.Nested(MyPlace)
