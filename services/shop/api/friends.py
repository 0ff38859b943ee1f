"""Friend requests and friendships of the caller."""
from __future__ import annotations

from dataclasses import asdict

from flask_smorest import Blueprint

from shared.failures import Conflict, NotFound
from shared.http import PageQuery, page_of

from services.shop import schemas
from services.shop.api.common import BEARER, me, require_member
from services.shop.domain import friendship
from services.shop.store import friends, members
from services.shop.store.common import new_id
from services.shop.context import context

blp = Blueprint("shop_friends", __name__, url_prefix="/api/members/me", description="Friends.")


@blp.post("/friend-requests")
@blp.arguments(schemas.FriendRequestBody)
@blp.response(201, schemas.FriendRequest)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.doc(security=BEARER)
def ask(body):
    """Ask a member to be friends."""
    with context().db.unit_of_work() as uow:
        requester = require_member(uow.conn, me())
        addressee = body["member_id"]
        request = friendship.ask(
            request_id=new_id(), requester_id=requester, addressee_id=addressee,
            addressee_exists=members.member_exists(uow.conn, addressee),
            already_friends=friends.are_friends(uow.conn, requester, addressee),
            pending=friends.open_requests_between(uow.conn, requester, addressee), now=uow.now())
        if not friends.insert_request(uow.conn, request):
            raise Conflict("a friend request between you two is already open")
    return asdict(request)


@blp.get("/friend-requests")
@blp.arguments(schemas.FriendRequestQuery, location="query")
@blp.response(200, schemas.FriendRequestPage)
@blp.doc(security=BEARER)
def open_requests(query):
    """Open requests, newest first: waiting for your answer (`direction=incoming`, the
    default) or sent by you (`direction=outgoing`)."""
    listing = friends.incoming_requests if query["direction"] == "incoming" else friends.outgoing_requests
    with context().db.reading() as conn:
        items, total = listing(conn, require_member(conn, me()), query["page"], query["per_page"])
    return page_of(items, query["page"], query["per_page"], total)


@blp.post("/friend-requests/<request_id>/decline")
@blp.response(200, schemas.FriendRequest)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.doc(security=BEARER)
def decline(request_id):
    """Decline a request addressed to you; the asker is not told, and may ask again."""
    return _close(request_id, friendship.decline)


@blp.delete("/friend-requests/<request_id>")
@blp.response(204)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.doc(security=BEARER)
def withdraw(request_id):
    """Withdraw a request you sent, while it is open."""
    _close(request_id, friendship.withdraw)


def _close(request_id: str, rule) -> dict:
    with context().db.unit_of_work() as uow:
        member_id = require_member(uow.conn, me())
        request = friends.request_by_id(uow.conn, request_id)
        if request is None:
            raise NotFound("no such friend request")
        closed = rule(request, member_id=member_id)
        if not friends.close_request(uow.conn, closed):
            raise Conflict("this request was answered meanwhile")
    return asdict(closed)


@blp.post("/friend-requests/<request_id>/accept")
@blp.response(200, schemas.FriendRequest)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.doc(security=BEARER)
def accept(request_id):
    """Accept a request addressed to you."""
    with context().db.unit_of_work() as uow:
        member_id = require_member(uow.conn, me())
        request = friends.request_by_id(uow.conn, request_id)
        if request is None:
            raise NotFound("no such friend request")
        accepted = friendship.accept(request, member_id=member_id, now=uow.now())
        if not friends.accept_request(uow.conn, accepted):
            raise Conflict("this request was already accepted")
        uow.emit("shop.friendship.created", {"member_ids": list(friendship.pair(request.requester_id,
                                                                                request.addressee_id))})
    return asdict(accepted)


@blp.get("/friends")
@blp.arguments(PageQuery, location="query")
@blp.response(200, schemas.FriendPage)
@blp.doc(security=BEARER)
def list_friends(query):
    with context().db.reading() as conn:
        items, total = friends.friends_of(conn, require_member(conn, me()), query["page"], query["per_page"])
    return page_of(items, query["page"], query["per_page"], total)


@blp.delete("/friends/<friend_id>")
@blp.response(204)
@blp.alt_response(404, response="NOT_FOUND")
@blp.doc(security=BEARER)
def unfriend(friend_id):
    """End a friendship; either friend may."""
    with context().db.unit_of_work() as uow:
        member_id = require_member(uow.conn, me())
        low, high = friendship.check_removal(member_id, friend_id,
                                             friends.are_friends(uow.conn, member_id, friend_id))
        friends.remove_friendship(uow.conn, low, high)
        uow.emit("shop.friendship.removed", {"member_ids": [low, high]})
