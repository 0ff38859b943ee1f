"""Accounts, the login throttle's memory, and the brands a merchant can be bound to."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.engine import Connection

from shared.sql import aware, locking, upsert

from services.shop.domain.accounts import Account
from services.shop.domain.throttle import LoginThrottle

from .tables import accounts, brands, login_throttles


def _account(row) -> Account:
    return Account(member_id=row["member_id"], username=row["username"],
                   roles=tuple(row["roles"].split(",")), brand_id=row["brand_id"])


def insert_account(conn: Connection, account: Account, password_hash: str, now: datetime) -> None:
    conn.execute(insert(accounts).values(member_id=account.member_id, username=account.username,
                                         password_hash=password_hash, roles=",".join(account.roles),
                                         brand_id=account.brand_id, created_at=now))


def username_taken(conn: Connection, username: str) -> bool:
    return conn.execute(select(accounts.c.member_id).where(accounts.c.username == username)).first() is not None


def account_by_username(conn: Connection, username: str) -> tuple[Account, str] | None:
    """The account and its password hash."""
    row = conn.execute(select(accounts).where(accounts.c.username == username)).mappings().first()
    return (_account(row), row["password_hash"]) if row else None


def member_id_by_username(conn: Connection, username: str) -> str | None:
    return conn.execute(select(accounts.c.member_id).where(accounts.c.username == username)).scalar_one_or_none()


def account_by_id(conn: Connection, member_id: str) -> Account | None:
    row = conn.execute(select(accounts).where(accounts.c.member_id == member_id)).mappings().first()
    return _account(row) if row else None


def set_password_hash(conn: Connection, member_id: str, password_hash: str) -> None:
    conn.execute(update(accounts).where(accounts.c.member_id == member_id).values(password_hash=password_hash))


def any_admin(conn: Connection) -> bool:
    query = select(accounts.c.member_id).where(accounts.c.roles.like("%admin%")).limit(1)
    return conn.execute(query).first() is not None


# --- login throttle -----------------------------------------------------------------------
def throttle_for(conn: Connection, username: str, *, lock: bool = False) -> LoginThrottle:
    """The throttle state; with `lock`, the row is created if missing and locked (on
    PostgreSQL), so concurrent wrong passwords are counted one after the other. Without a
    row to lock, simultaneous first failures would each read "none yet" and one would count."""
    if lock:
        upsert(conn, login_throttles, {"username": username, "failures": "[]", "strikes": 0,
                                       "blocked_until": None, "last_failure_at": None}, ["username"])
    query = select(login_throttles).where(login_throttles.c.username == username)
    row = conn.execute(locking(conn, query) if lock else query).mappings().first()
    if row is None:
        return LoginThrottle()
    return LoginThrottle(failures=tuple(aware(datetime.fromisoformat(t)) for t in json.loads(row["failures"])),
                         strikes=row["strikes"], blocked_until=aware(row["blocked_until"]),
                         last_failure_at=aware(row["last_failure_at"]))


def save_throttle(conn: Connection, username: str, state: LoginThrottle) -> None:
    if state.is_clear:
        conn.execute(delete(login_throttles).where(login_throttles.c.username == username))
        return
    values = {"failures": json.dumps([t.isoformat() for t in state.failures]), "strikes": state.strikes,
              "blocked_until": state.blocked_until, "last_failure_at": state.last_failure_at}
    upsert(conn, login_throttles, {"username": username, **values}, ["username"], values)


def forget_throttles(conn: Connection, older_than: datetime, now: datetime) -> int:
    """Drop the memory of usernames nobody has mistyped for a while and that are not
    blocked: guesses at random usernames must not grow the table for ever."""
    return conn.execute(delete(login_throttles).where(
        login_throttles.c.last_failure_at < older_than,
        or_(login_throttles.c.blocked_until.is_(None), login_throttles.c.blocked_until < now),
    )).rowcount


# --- brands (projection of catalog.brand.created) ----------------------------------------
def record_brand(conn: Connection, brand_id: str, name: str) -> None:
    upsert(conn, brands, {"brand_id": brand_id, "name": name}, ["brand_id"])


def brand_exists(conn: Connection, brand_id: str) -> bool:
    return conn.execute(select(brands.c.brand_id).where(brands.c.brand_id == brand_id)).first() is not None
