"""Friend requests and friendships. A friendship is stored once, its pair in id order."""
from __future__ import annotations

from sqlalchemy import and_, delete, func, insert, select, union_all, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from shared import sql
from shared.sql import aware

from services.shop.domain.friendship import PENDING, FriendRequest, pair

from .tables import friend_requests, friendships, members


def _request(row) -> FriendRequest:
    return FriendRequest(id=row["id"], requester_id=row["requester_id"], addressee_id=row["addressee_id"],
                         created_at=aware(row["created_at"]), status=row["status"],
                         accepted_at=aware(row["accepted_at"]))


def are_friends(conn: Connection, a: str, b: str) -> bool:
    low, high = pair(a, b)
    query = select(friendships.c.member_low).where(friendships.c.member_low == low,
                                                   friendships.c.member_high == high)
    return conn.execute(query).first() is not None


def open_requests_between(conn: Connection, a: str, b: str) -> list[FriendRequest]:
    low, high = pair(a, b)
    rows = conn.execute(select(friend_requests).where(
        friend_requests.c.member_low == low, friend_requests.c.member_high == high,
        friend_requests.c.status == PENDING)).mappings()
    return [_request(r) for r in rows]


def insert_request(conn: Connection, request: FriendRequest) -> bool:
    """False when an open request between the two was inserted meanwhile."""
    low, high = pair(request.requester_id, request.addressee_id)
    savepoint = conn.begin_nested()
    try:
        conn.execute(insert(friend_requests).values(
            id=request.id, requester_id=request.requester_id, addressee_id=request.addressee_id,
            member_low=low, member_high=high, status=request.status, created_at=request.created_at))
    except IntegrityError:
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


def request_by_id(conn: Connection, request_id: str) -> FriendRequest | None:
    row = conn.execute(select(friend_requests).where(friend_requests.c.id == request_id)).mappings().first()
    return _request(row) if row else None


def incoming_requests(conn: Connection, member_id: str, page: int, per_page: int) -> tuple[list[dict], int]:
    """Open requests addressed to the member, newest first, with who asked."""
    where = and_(friend_requests.c.addressee_id == member_id, friend_requests.c.status == PENDING)
    total = conn.execute(select(func.count()).select_from(friend_requests).where(where)).scalar_one()
    rows = conn.execute(sql.page(
        select(friend_requests.c.id, friend_requests.c.requester_id, friend_requests.c.addressee_id,
               friend_requests.c.status, friend_requests.c.created_at, members.c.nickname.label("requester_nickname"))
        .join(members, members.c.member_id == friend_requests.c.requester_id)
        .where(where).order_by(friend_requests.c.created_at.desc(), friend_requests.c.id), page, per_page)).mappings()
    return [{**r, "created_at": aware(r["created_at"])} for r in rows], total


def outgoing_requests(conn: Connection, member_id: str, page: int, per_page: int) -> tuple[list[dict], int]:
    """Requests the member sent that are still open, newest first, with whom they asked."""
    where = and_(friend_requests.c.requester_id == member_id, friend_requests.c.status == PENDING)
    total = conn.execute(select(func.count()).select_from(friend_requests).where(where)).scalar_one()
    rows = conn.execute(sql.page(
        select(friend_requests.c.id, friend_requests.c.requester_id, friend_requests.c.addressee_id,
               friend_requests.c.status, friend_requests.c.created_at,
               members.c.nickname.label("addressee_nickname"))
        .join(members, members.c.member_id == friend_requests.c.addressee_id)
        .where(where).order_by(friend_requests.c.created_at.desc(), friend_requests.c.id), page, per_page)).mappings()
    return [{**r, "created_at": aware(r["created_at"])} for r in rows], total


def close_request(conn: Connection, request: FriendRequest) -> bool:
    """Store a decline or a withdrawal; False if the request was answered meanwhile."""
    return conn.execute(update(friend_requests)
                        .where(friend_requests.c.id == request.id, friend_requests.c.status == PENDING)
                        .values(status=request.status)).rowcount == 1


def accept_request(conn: Connection, request: FriendRequest) -> bool:
    """Mark it accepted and store the friendship; False if someone else accepted it first."""
    accepted = conn.execute(update(friend_requests)
                            .where(friend_requests.c.id == request.id, friend_requests.c.status == PENDING)
                            .values(status=request.status, accepted_at=request.accepted_at)).rowcount
    if not accepted:
        return False
    low, high = pair(request.requester_id, request.addressee_id)
    conn.execute(insert(friendships).values(member_low=low, member_high=high, created_at=request.accepted_at))
    return True


def remove_friendship(conn: Connection, low: str, high: str) -> bool:
    return conn.execute(delete(friendships).where(friendships.c.member_low == low,
                                                  friendships.c.member_high == high)).rowcount == 1


def friends_of(conn: Connection, member_id: str, page: int, per_page: int) -> tuple[list[dict], int]:
    mine = union_all(
        select(friendships.c.member_high.label("friend_id"), friendships.c.created_at)
        .where(friendships.c.member_low == member_id),
        select(friendships.c.member_low.label("friend_id"), friendships.c.created_at)
        .where(friendships.c.member_high == member_id),
    ).subquery()
    total = conn.execute(select(func.count()).select_from(mine)).scalar_one()
    rows = conn.execute(sql.page(
        select(mine.c.friend_id.label("member_id"), members.c.nickname, members.c.avatar_url,
               mine.c.created_at.label("since"))
        .join(members, members.c.member_id == mine.c.friend_id)
        .order_by(members.c.nickname, mine.c.friend_id), page, per_page)).mappings()
    return [{**r, "since": aware(r["since"])} for r in rows], total

