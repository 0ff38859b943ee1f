"""Friend requests and friendships (domain.friendship): asking, answering, ending."""
from __future__ import annotations

from typing import Callable

from shared.db import Database
from shared.failures import Conflict, NotFound
from shared.sql import new_id

from services.shop.domain import friendship
from services.shop.domain.friendship import FriendRequest
from services.shop.store import friends, members
from services.shop.usecases.members import require_member


def ask(db: Database, requester_id: str, addressee_id: str) -> FriendRequest:
    with db.unit_of_work() as uow:
        require_member(uow.conn, requester_id)
        request = friendship.ask(
            request_id=new_id(), requester_id=requester_id, addressee_id=addressee_id,
            addressee_exists=members.member_exists(uow.conn, addressee_id),
            already_friends=friends.are_friends(uow.conn, requester_id, addressee_id),
            pending=friends.open_requests_between(uow.conn, requester_id, addressee_id), now=uow.now())
        if not friends.insert_request(uow.conn, request):
            raise Conflict("a friend request between you two is already open")
    return request


def open_requests(db: Database, member_id: str, *, incoming: bool, page: int,
                  per_page: int) -> tuple[list[dict], int]:
    """Open requests, newest first: waiting for the member's answer, or sent by them."""
    listing = friends.incoming_requests if incoming else friends.outgoing_requests
    with db.reading() as conn:
        return listing(conn, require_member(conn, member_id), page, per_page)


def _close(db: Database, member_id: str, request_id: str,
           rule: Callable[..., FriendRequest]) -> FriendRequest:
    with db.unit_of_work() as uow:
        require_member(uow.conn, member_id)
        request = friends.request_by_id(uow.conn, request_id)
        if request is None:
            raise NotFound("no such friend request")
        closed = rule(request, member_id=member_id)
        if not friends.close_request(uow.conn, closed):
            raise Conflict("this request was answered meanwhile")
    return closed


def decline(db: Database, member_id: str, request_id: str) -> FriendRequest:
    """The member who was asked says no; the asker is not told, and may ask again."""
    return _close(db, member_id, request_id, friendship.decline)


def withdraw(db: Database, member_id: str, request_id: str) -> FriendRequest:
    """The member who asked takes it back, while it is open."""
    return _close(db, member_id, request_id, friendship.withdraw)


def accept(db: Database, member_id: str, request_id: str) -> FriendRequest:
    with db.unit_of_work() as uow:
        require_member(uow.conn, member_id)
        request = friends.request_by_id(uow.conn, request_id)
        if request is None:
            raise NotFound("no such friend request")
        accepted = friendship.accept(request, member_id=member_id, now=uow.now())
        if not friends.accept_request(uow.conn, accepted):
            raise Conflict("this request was already accepted")
        uow.track(friendship.befriended(accepted))
    return accepted


def friends_of(db: Database, member_id: str, page: int, per_page: int) -> tuple[list[dict], int]:
    with db.reading() as conn:
        return friends.friends_of(conn, require_member(conn, member_id), page, per_page)


def unfriend(db: Database, member_id: str, friend_id: str) -> None:
    """Either friend may end it."""
    with db.unit_of_work() as uow:
        require_member(uow.conn, member_id)
        low, high = friendship.check_removal(member_id, friend_id,
                                             friends.are_friends(uow.conn, member_id, friend_id))
        friends.remove_friendship(uow.conn, low, high)
        uow.track(friendship.unfriended(low, high))
