"""Accounts: opening them (members, merchants, the first admin), signing in and out,
passwords, and what the shop, the owner of accounts, says of a member's tokens. Hashing
happens outside any transaction, so a slow hash never holds a database lock."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from shared.auth import issue_token
from shared.db import Database, UnitOfWork
from shared.domain_events import Outcome
from shared.failures import Conflict, Forbidden, NotFound, Unauthorized, Unprocessable
from shared.owners import Owners
from shared.principal import Principal
from shared.sql import new_id
from shared.tokens import SqlTokenStore, Standing, now_us

from services.shop.domain import throttle
from services.shop.domain.accounts import (Account, canonical_username, logged_out, opened, password_changed,
                                           password_error, roles_for, validate_registration)
from services.shop.domain.profile import Profile
from services.shop.passwords import Passwords
from services.shop.store import accounts as account_store
from services.shop.store import members as member_store


def open_account(uow: UnitOfWork, password_hash: str, *, username: str, nickname: str,
                 roles: tuple[str, ...], brand_id: str | None = None) -> Account:
    """Store an account (already validated and hashed) with its member, privacy and shop."""
    if account_store.username_taken(uow.conn, username):
        raise Conflict(f"the username {username!r} is taken")
    account = Account(member_id=new_id(), username=username, roles=roles, brand_id=brand_id)
    account_store.insert_account(uow.conn, account, password_hash, uow.now())
    member_store.insert_member(uow.conn, Profile(member_id=account.member_id, nickname=nickname), uow.now())
    uow.track(opened(account, nickname))
    return account


def register(db: Database, passwords: Passwords, body: dict, *, roles: tuple[str, ...],
             brand_id: str | None = None) -> Account:
    clean = validate_registration(body.get("username"), body.get("password"), body.get("nickname"))
    password_hash = passwords.hash(clean["password"])
    try:
        with db.unit_of_work() as uow:
            return open_account(uow, password_hash, username=clean["username"], nickname=clean["nickname"],
                                roles=roles, brand_id=brand_id)
    except IntegrityError:
        # Two registrations of one username raced; the unique index let one through.
        raise Conflict(f"the username {clean['username']!r} is taken")


def register_merchant(db: Database, passwords: Passwords, owners: Owners, body: dict) -> Account:
    """A merchant account bound to one brand. The shop's list of brands is a copy that may
    lag behind the catalog: a brand it has not heard of is asked of the catalog before it is
    refused (docs/owners-decide.md), and the answer kept."""
    brand_id = body["brand_id"]
    with db.reading() as conn:
        known = account_store.brand_exists(conn, brand_id)
    if not known:
        brand = owners.brand(brand_id)   # Unavailable (503) if the catalog cannot say
        if brand is None:
            raise Unprocessable("unknown brand", errors={"brand_id": ["no such brand"]})
        with db.unit_of_work() as uow:
            account_store.record_brand(uow.conn, brand["id"], brand["name"])
    return register(db, passwords, body, roles=roles_for(merchant_of=brand_id), brand_id=brand_id)


def sign_in(db: Database, passwords: Passwords, username: str, password: str, now,
            address: str = "unknown") -> Account:
    """The account whose password this is; 429 while this username is throttled at this
    client address, or this address is (domain.throttle); 401 otherwise.

    An unknown username costs the same hash check and counts as a failure like a wrong
    password, so neither timing nor the throttle tells which usernames exist.
    """
    username = canonical_username(username)
    pair_key, address_key = throttle.throttle_keys(username, address)
    with db.reading() as conn:
        throttle.check_allowed(account_store.throttle_for(conn, pair_key), now)
        throttle.check_allowed(account_store.throttle_for(conn, address_key), now)
        found = account_store.account_by_username(conn, username)
    account, password_hash = found if found else (None, None)
    ok = passwords.verify(password_hash, password)
    with db.unit_of_work() as uow:
        # Locked (others may have failed meanwhile), always the pair first, then the
        # address, so two sign-ins never wait for each other in a circle.
        pair = account_store.throttle_for(uow.conn, pair_key, lock=True)
        at_address = account_store.throttle_for(uow.conn, address_key, lock=True)
        if ok:
            account_store.save_throttle(uow.conn, pair_key, throttle.record_success(pair, now))
            if passwords.needs_rehash(password_hash):
                account_store.set_password_hash(uow.conn, account.member_id, passwords.hash(password))
        else:
            account_store.save_throttle(uow.conn, pair_key, throttle.record_failure(pair, now))
            account_store.save_throttle(uow.conn, address_key, throttle.record_failure(
                at_address, now, max_failures=throttle.MAX_ADDRESS_FAILURES))
    if not ok:
        raise Unauthorized("wrong username or password")
    return account


def ensure_first_admin(db: Database, passwords: Passwords, username: str, password: str) -> Account | None:
    """The admin named by GWH_ADMIN_USERNAME / GWH_ADMIN_PASSWORD (or the CLI), created once.

    An existing account of that name is left alone: restarting with the variables still
    set must not reset a password the admin has since changed.
    """
    with db.reading() as conn:
        if account_store.username_taken(conn, canonical_username(username)):
            return None
    try:
        return register(db, passwords, {"username": username, "password": password, "nickname": username},
                        roles=roles_for(admin=True))
    except Conflict:
        return None  # another process created it first


def standing(db: Database, member_id: str) -> Standing | None:
    """What the shop, the owner of accounts, says of a member's tokens (None: no such member)."""
    with db.reading() as conn:
        if account_store.account_by_id(conn, member_id) is None:
            return None
    return SqlTokenStore(db).standing(member_id) or Standing(member_id, 0)


def log_out(db: Database, principal: Principal) -> None:
    """Revoke the token the caller signed in with: here at once, elsewhere by the event."""
    if principal.is_service or not principal.token_id:
        return
    revoked = logged_out(principal.member_id, principal.token_id, principal.expires_at)
    with db.unit_of_work() as uow:
        SqlTokenStore(db).revoke(uow.conn, revoked.data())
        uow.track(Outcome([revoked]))


def change_password(db: Database, passwords: Passwords, config, member_id: str, old: str, new: str,
                    now) -> Account:
    """Set a new password (the old one proves it is the member) and revoke every token
    issued before; the caller answers a fresh token. A wrong old password counts against
    the login throttle like a failed sign-in, so a stolen token cannot guess it."""
    with db.reading() as conn:
        account = account_store.account_by_id(conn, member_id)
    if account is None:
        raise NotFound(f"no member {member_id}")
    if message := password_error(new):
        raise Unprocessable("invalid new password", errors={"new_password": [message]})
    try:
        sign_in(db, passwords, account.username, old, now)
    except Unauthorized:
        raise Forbidden("the old password is not right")
    password_hash = passwords.hash(new)
    with db.unit_of_work() as uow:
        account_store.set_password_hash(uow.conn, member_id, password_hash)
        revoked = password_changed(member_id, now_us(), config.jwt_ttl_seconds)
        SqlTokenStore(db).revoke(uow.conn, revoked.data())
        uow.track(Outcome([revoked]))
    return account


def token_for(config, account: Account) -> str:
    principal = Principal(member_id=account.member_id, roles=account.roles, brand_id=account.brand_id)
    return issue_token(config.jwt_secret, principal, ttl_seconds=config.jwt_ttl_seconds)


def forget_throttles(db: Database, now: datetime, memory: timedelta = throttle.STRIKE_MEMORY) -> int:
    """The periodic job: forget usernames nobody has mistyped for a while (domain.throttle)."""
    with db.unit_of_work() as uow:
        return account_store.forget_throttles(uow.conn, now - memory, now)
