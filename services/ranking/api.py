"""The ranking's HTTP API (CONTRACT.md "Ranking"): each view parses the request, calls one
use case (services/ranking/usecases.py `Queries`) and shapes the answer."""
from __future__ import annotations

from flask import Response, current_app

from shared.auth import current_principal, require_principal
from shared.http import Blueprint

from services.ranking import schemas
from services.ranking.context import context
from services.ranking.usecases import Queries

blp = Blueprint("ranking", __name__, url_prefix="/api/ranking",
                description="Influence, the TOP 300 board, friend boards and the community.")
BEARER = [{"bearer": []}]


def queries() -> Queries:
    return context().queries


@blp.get("/influence")
@blp.arguments(schemas.BoardQuery, location="query")
@blp.response(200, schemas.Board)
def influence_board(query):
    """The TOP 300 by influence; members who hide themselves are not listed. The board is
    rebuilt at most every GWH_BOARD_REFRESH seconds (0.25 by default)."""
    body = queries().influence_board(query["limit"], render_board)
    # The same bytes for every reader until the board is rebuilt: no schema dump per read.
    return Response(body, mimetype="application/json")


def render_board(placings) -> bytes:
    return current_app.json.dumps(schemas.Board().dump({"items": placings})).encode() + b"\n"


@blp.get("/members/<member_id>")
@blp.response(200, schemas.MemberInfluence)
@blp.alt_response(404, response="NOT_FOUND")
@blp.doc(security=[{}, {"bearer": []}])
def member_influence(member_id):
    """A member's score, tier, slots, rank and next tier; breakdown and stats where allowed."""
    principal = current_principal()
    return queries().member_influence(member_id, principal.member_id if principal else None)


@blp.get("/friends")
@blp.response(200, schemas.FriendBoard)
@blp.doc(security=BEARER)
def friend_board():
    """The caller and their friends by score, with stats where each allows."""
    return {"items": queries().friend_board(require_principal().member_id)}


@blp.get("/community")
@blp.response(200, schemas.Community)
@blp.doc(security=BEARER)
def community():
    """Three friends by sales, the first ten of the TOP 300, and the caller's rank."""
    return queries().community(require_principal().member_id)
