"""Who may sign in and as what: usernames, password rules and roles.

Hashing and tokens are adapters (argon2, JWT) outside the domain; here are only the rules
a registration or a merchant account must satisfy.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from shared.domain_events import Outcome
from shared.failures import Unprocessable

from .events import MemberRegistered, TokensRevoked

from .profile import clean_nickname, nickname_error

MEMBER, MERCHANT, ADMIN = "member", "merchant", "admin"

USERNAME = re.compile(r"[a-z0-9][a-z0-9_.-]{2,31}")
PASSWORD_MIN, PASSWORD_MAX = 8, 128  # the upper bound keeps hashing a bounded cost


@dataclass(frozen=True)
class Account:
    member_id: str
    username: str
    roles: tuple[str, ...] = (MEMBER,)
    brand_id: str | None = None  # set only for a merchant: the one brand it acts for


def canonical_username(value: str) -> str:
    """Usernames are case-insensitive: "Li.Wei" and "li.wei" are one account."""
    return value.strip().lower()


def username_error(value: Any) -> str | None:
    if not isinstance(value, str):
        return "must be a string"
    if not USERNAME.fullmatch(canonical_username(value)):
        return "3 to 32 letters, digits, '.', '_' or '-', starting with a letter or digit"
    return None


def password_error(value: Any) -> str | None:
    if not isinstance(value, str):
        return "must be a string"
    if not PASSWORD_MIN <= len(value) <= PASSWORD_MAX:
        return f"must be {PASSWORD_MIN} to {PASSWORD_MAX} characters"
    return None


def validate_registration(username: Any, password: Any, nickname: Any) -> dict[str, str]:
    """The registration as it will be stored, or Unprocessable naming each bad field."""
    errors = {name: [message] for name, message in (
        ("username", username_error(username)),
        ("password", password_error(password)),
        ("nickname", nickname_error(nickname)),
    ) if message}
    if errors:
        raise Unprocessable("invalid registration", errors=errors)
    return {"username": canonical_username(username), "password": password,
            "nickname": clean_nickname(nickname)}


def roles_for(*, merchant_of: str | None = None, admin: bool = False) -> tuple[str, ...]:
    """Every account is a member (it has a shop); merchants and admins add their role."""
    roles = [MEMBER]
    if merchant_of is not None:
        roles.append(MERCHANT)
    if admin:
        roles.append(ADMIN)
    return tuple(roles)


def opened(account: Account, nickname: str) -> Outcome:
    """A new account is a new member with a shop: the other services learn its public card."""
    return Outcome([MemberRegistered(member_id=account.member_id, nickname=nickname, avatar_url=None)])


def logged_out(member_id: str, token_id: str, expires_at: int) -> TokensRevoked:
    """The token a member signed out with: refused everywhere from now on."""
    return TokensRevoked(member_id=member_id, token_id=token_id, not_before_us=None, expires_at=expires_at)


def password_changed(member_id: str, now_us: int, token_ttl_seconds: int) -> TokensRevoked:
    """Every token issued before the change (`now_us`) is refused from now on; all of them
    have expired one token lifetime later."""
    return TokensRevoked(member_id=member_id, token_id=None, not_before_us=now_us,
                         expires_at=int(now_us // 1_000_000) + token_ttl_seconds + 1)
