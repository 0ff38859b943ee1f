"""Bearer tokens: signed JWTs issued by the shop service and verified by every service.

Only HS256 is accepted, so a token with `alg: none` or any other algorithm is refused, as
is a bad signature, a missing claim or an expired one: each is a 401.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable

import jwt
from flask import current_app, g, request

from shared.clock import utcnow
from shared.errors import Forbidden, Unauthorized

ALGORITHM = "HS256"
ISSUER = "gouwuhao"
ROLES = ("member", "merchant", "admin")


@dataclass(frozen=True)
class Principal:
    member_id: str
    roles: tuple[str, ...] = ("member",)
    brand_id: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    def is_merchant_of(self, brand_id: str) -> bool:
        return "merchant" in self.roles and self.brand_id == brand_id


def issue_token(secret: str, principal: Principal, *, ttl_seconds: int = 24 * 3600,
                now: datetime | None = None) -> str:
    now = now or utcnow()
    claims = {
        "iss": ISSUER,
        "sub": principal.member_id,
        "roles": list(principal.roles),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=ttl_seconds)).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    if principal.brand_id:
        claims["brand_id"] = principal.brand_id
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_token(secret: str, token: str) -> Principal:
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], issuer=ISSUER,
                            options={"require": ["exp", "iat", "sub", "iss"]})
    except jwt.ExpiredSignatureError:
        raise Unauthorized("the token has expired")
    except jwt.PyJWTError as exc:
        raise Unauthorized(f"the token is not valid: {exc}")
    roles = claims.get("roles") or []
    if not isinstance(roles, list) or not roles or any(r not in ROLES for r in roles):
        raise Unauthorized("the token carries no valid roles")
    if not isinstance(claims["sub"], str) or not claims["sub"]:
        raise Unauthorized("the token names no member")
    return Principal(member_id=claims["sub"], roles=tuple(roles), brand_id=claims.get("brand_id"))


# --- in a Flask request -------------------------------------------------------------------
def current_principal() -> Principal | None:
    """The caller, or None when no token was sent; a bad token is a 401 even where optional."""
    if "gwh_principal" in g:
        return g.gwh_principal
    header = request.headers.get("Authorization", "")
    principal = None
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("use 'Authorization: Bearer <token>'")
        principal = verify_token(current_app.config["GWH_JWT_SECRET"], token.strip())
    g.gwh_principal = principal
    return principal


def require_principal() -> Principal:
    principal = current_principal()
    if principal is None:
        raise Unauthorized("this needs a bearer token")
    return principal


def require_role(*roles: Iterable[str]) -> Principal:
    principal = require_principal()
    if not any(role in principal.roles for role in roles):
        raise Forbidden(f"this needs the role {' or '.join(roles)}")
    return principal
