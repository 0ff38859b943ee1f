"""Bearer tokens: signed JWTs issued by the shop service and verified by every service.

Only HS256 is accepted, so a token with `alg: none` or any other algorithm is refused, as
is a bad signature, a missing claim or an expired one: each is a 401, whose detail never
quotes the JWT library. A well-signed token is then checked against the service's
revocation list and members (shared.tokens): revoked, or for a member the shop does not
know, it is a 401 too.

`iat` carries microseconds (a JSON number may have a fraction), so a password change
revokes the tokens issued before it and not the one it answers, even within one second.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Iterable

import jwt
from flask import current_app, g, request

from shared.clock import utcnow
from shared.failures import Forbidden, Refusal, Unauthorized
from shared.principal import MAX_SERVICE_TTL, ROLES, SERVICE_PREFIX, Principal

ALGORITHM = "HS256"
ISSUER = "gouwuhao"
def issue_token(secret: str, principal: Principal, *, ttl_seconds: int = 24 * 3600,
                now: datetime | None = None) -> str:
    now = now or utcnow()
    claims = {
        "iss": ISSUER,
        "sub": principal.member_id,
        "roles": list(principal.roles),
        "iat": round(now.timestamp(), 6),
        "exp": int((now + timedelta(seconds=ttl_seconds)).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    if principal.brand_id:
        claims["brand_id"] = principal.brand_id
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def issue_service_token(secret: str, service: str, *, ttl_seconds: int = 600, now: datetime | None = None) -> str:
    """A token for one of the platform's own jobs (never for a member)."""
    return issue_token(secret, Principal(SERVICE_PREFIX + service, roles=("admin",)),
                       ttl_seconds=min(ttl_seconds, MAX_SERVICE_TTL), now=now)


INVALID = "invalid token"


def verify_token(secret: str, token: str) -> Principal:
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], issuer=ISSUER,
                            options={"require": ["exp", "iat", "sub", "iss", "jti"]})
    except jwt.ExpiredSignatureError:
        raise Unauthorized("the token has expired")
    except jwt.PyJWTError:
        # The library's message quotes its internals ("Invalid header string: 'utf-8'
        # codec ..."): what a client may learn is only that the token is not accepted.
        raise Unauthorized(INVALID)
    roles = claims.get("roles") or []
    if not isinstance(roles, list) or not roles or any(r not in ROLES for r in roles):
        raise Unauthorized(INVALID)
    sub, jti, iat, exp = claims["sub"], claims["jti"], claims["iat"], claims["exp"]
    if not isinstance(sub, str) or not sub or len(sub) > 64:
        raise Unauthorized(INVALID)
    if not isinstance(jti, str) or not 1 <= len(jti) <= 64:
        raise Unauthorized(INVALID)
    if sub.startswith(SERVICE_PREFIX) and (roles != ["admin"] or exp - iat > MAX_SERVICE_TTL):
        raise Unauthorized(INVALID)
    brand_id = claims.get("brand_id")
    if brand_id is not None and not isinstance(brand_id, str):
        raise Unauthorized(INVALID)
    return Principal(member_id=sub, roles=tuple(roles), brand_id=brand_id, token_id=jti,
                     issued_at_us=round(float(iat) * 1_000_000), expires_at=int(exp))


# --- in a Flask request -------------------------------------------------------------------
def authenticate_early() -> None:
    """Check the request's token now, keeping a refusal for the view that asks (shared.http)."""
    try:
        current_principal()
    except Refusal as refusal:
        g.gwh_refusal = refusal


def current_principal() -> Principal | None:
    """The caller, or None when no token was sent; a bad token is a 401 even where optional."""
    if "gwh_refusal" in g:
        raise g.gwh_refusal
    if "gwh_principal" in g:
        return g.gwh_principal
    header = request.headers.get("Authorization", "")
    principal = None
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("use 'Authorization: Bearer <token>'")
        principal = verify_token(current_app.config["GWH_JWT_SECRET"], token.strip())
        guard = current_app.extensions.get("gwh_tokens")
        if guard is not None:
            guard.check(principal)  # revoked, or no such member: 401
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
