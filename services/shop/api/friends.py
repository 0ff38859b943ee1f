"""Friend requests and friendships of the caller."""
from __future__ import annotations

from dataclasses import asdict


from shared.http import Blueprint, PageQuery, page_of

from services.shop import schemas
from services.shop.api.common import BEARER, me
from services.shop.context import context
from services.shop.usecases import friends

blp = Blueprint("shop_friends", __name__, url_prefix="/api/members/me", description="Friends.")


@blp.post("/friend-requests")
@blp.arguments(schemas.FriendRequestBody)
@blp.response(201, schemas.FriendRequest)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.doc(security=BEARER)
def ask(body):
    """Ask a member to be friends."""
    return asdict(friends.ask(context().db, me(), body["member_id"]))


@blp.get("/friend-requests")
@blp.arguments(schemas.FriendRequestQuery, location="query")
@blp.response(200, schemas.FriendRequestPage)
@blp.doc(security=BEARER)
def open_requests(query):
    """Open requests, newest first: waiting for your answer (`direction=incoming`, the
    default) or sent by you (`direction=outgoing`)."""
    items, total = friends.open_requests(context().db, me(), incoming=query["direction"] == "incoming",
                                         page=query["page"], per_page=query["per_page"])
    return page_of(items, query["page"], query["per_page"], total)


@blp.post("/friend-requests/<request_id>/decline")
@blp.response(200, schemas.FriendRequest)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.doc(security=BEARER)
def decline(request_id):
    """Decline a request addressed to you; the asker is not told, and may ask again."""
    return asdict(friends.decline(context().db, me(), request_id))


@blp.delete("/friend-requests/<request_id>")
@blp.response(204)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.doc(security=BEARER)
def withdraw(request_id):
    """Withdraw a request you sent, while it is open."""
    friends.withdraw(context().db, me(), request_id)


@blp.post("/friend-requests/<request_id>/accept")
@blp.response(200, schemas.FriendRequest)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.doc(security=BEARER)
def accept(request_id):
    """Accept a request addressed to you."""
    return asdict(friends.accept(context().db, me(), request_id))


@blp.get("/friends")
@blp.arguments(PageQuery, location="query")
@blp.response(200, schemas.FriendPage)
@blp.doc(security=BEARER)
def list_friends(query):
    items, total = friends.friends_of(context().db, me(), query["page"], query["per_page"])
    return page_of(items, query["page"], query["per_page"], total)


@blp.delete("/friends/<friend_id>")
@blp.response(204)
@blp.alt_response(404, response="NOT_FOUND")
@blp.doc(security=BEARER)
def unfriend(friend_id):
    """End a friendship; either friend may."""
    friends.unfriend(context().db, me(), friend_id)
