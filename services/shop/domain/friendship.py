"""Friendships: asked by one member, accepted or declined by the other (or withdrawn by
the one who asked), removable by either.

Friends matter to the rest of the product: they may see each other's stats and (if the
member allows) purchases, and the ranking service builds friend boards from
`shop.friendship.*` events.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from shared.domain_events import Outcome
from shared.failures import Conflict, Forbidden, NotFound, Unprocessable

from .events import FriendshipCreated, FriendshipRemoved

PENDING, ACCEPTED, DECLINED, WITHDRAWN = "pending", "accepted", "declined", "withdrawn"


@dataclass(frozen=True)
class FriendRequest:
    id: str
    requester_id: str
    addressee_id: str
    created_at: datetime
    status: str = PENDING
    accepted_at: datetime | None = None

    def between(self, a: str, b: str) -> bool:
        return {self.requester_id, self.addressee_id} == {a, b}


def pair(a: str, b: str) -> tuple[str, str]:
    """A friendship has no direction: one stored key for both members."""
    return (a, b) if a < b else (b, a)


def ask(*, request_id: str, requester_id: str, addressee_id: str, addressee_exists: bool,
        already_friends: bool, pending: list[FriendRequest], now: datetime) -> FriendRequest:
    """A new friend request, after the rules; `pending` holds the open requests between the two."""
    if requester_id == addressee_id:
        raise Unprocessable("you cannot befriend yourself",
                            errors={"member_id": ["cannot be your own id"]})
    if not addressee_exists:
        raise NotFound("no such member")
    if already_friends:
        raise Conflict("you are already friends", member_id=addressee_id)
    for request in pending:
        if request.status != PENDING or not request.between(requester_id, addressee_id):
            continue
        if request.requester_id == requester_id:
            raise Conflict("you already asked this member", request_id=request.id)
        # They asked first: a second request would leave two open; point at the one to accept.
        raise Conflict("this member already asked you; accept their request", request_id=request.id)
    return FriendRequest(id=request_id, requester_id=requester_id, addressee_id=addressee_id,
                         created_at=now)


def accept(request: FriendRequest, *, member_id: str, now: datetime) -> FriendRequest:
    """Only the member who was asked can accept, and only once."""
    if member_id not in (request.requester_id, request.addressee_id):
        # A stranger does not learn that two other members are becoming friends.
        raise NotFound("no such friend request")
    if request.addressee_id != member_id:
        raise Forbidden("only the member who was asked can accept this request")
    if request.status != PENDING:
        raise Conflict("this request was already accepted")
    return replace(request, status=ACCEPTED, accepted_at=now)


def befriended(accepted: FriendRequest) -> Outcome:
    """An accepted request is a friendship: the ranking's friend boards hear of it."""
    return Outcome([FriendshipCreated(member_ids=pair(accepted.requester_id, accepted.addressee_id))])


def _answerable(request: FriendRequest, member_id: str, *, by: str, action: str) -> None:
    if member_id not in (request.requester_id, request.addressee_id):
        # A stranger does not learn that two other members are becoming friends.
        raise NotFound("no such friend request")
    if by != member_id:
        who = "the member who was asked" if by == request.addressee_id else "the member who asked"
        raise Forbidden(f"only {who} can {action} this request")
    if request.status != PENDING:
        raise Conflict(f"this request was already {request.status}", status=request.status)


def decline(request: FriendRequest, *, member_id: str) -> FriendRequest:
    """The member who was asked says no. The asker is not told; the request simply leaves
    both lists, and they may ask again later."""
    _answerable(request, member_id, by=request.addressee_id, action="decline")
    return replace(request, status=DECLINED)


def withdraw(request: FriendRequest, *, member_id: str) -> FriendRequest:
    """The member who asked takes it back, while it is still open."""
    _answerable(request, member_id, by=request.requester_id, action="withdraw")
    return replace(request, status=WITHDRAWN)


def check_removal(member_id: str, friend_id: str, are_friends: bool) -> tuple[str, str]:
    """The friendship to remove; either member may end it."""
    if not are_friends:
        raise NotFound("you are not friends with this member")
    return pair(member_id, friend_id)


def unfriended(low: str, high: str) -> Outcome:
    """A removed friendship (check_removal's pair), as the other services hear of it."""
    return Outcome([FriendshipRemoved(member_ids=(low, high))])
