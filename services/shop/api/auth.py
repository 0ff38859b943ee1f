"""Registration, sign-in and merchant accounts."""
from __future__ import annotations

from shared.auth import require_principal, require_role
from shared.clients import client_address
from shared.http import Blueprint

from services.shop import schemas
from services.shop.api.common import BEARER
from services.shop.context import context
from services.shop.domain.accounts import roles_for
from services.shop.usecases import accounts

blp = Blueprint("shop_auth", __name__, url_prefix="/api/auth", description="Accounts and tokens.")


@blp.post("/register")
@blp.arguments(schemas.Registration)
@blp.response(201, schemas.Registered)
@blp.alt_response(409, response="CONFLICT")
def register(body):
    """Open a member account, with its shop; answers a token."""
    ctx = context()
    account = accounts.register(ctx.db, ctx.passwords, body, roles=roles_for())
    return {"member_id": account.member_id, "token": accounts.token_for(ctx.config, account)}


@blp.post("/login")
@blp.arguments(schemas.Login)
@blp.response(200, schemas.SignedIn)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def login(body):
    """Sign in; 401 on a wrong password, 429 (Retry-After) after repeated ones from your address."""
    ctx = context()
    account = accounts.sign_in(ctx.db, ctx.passwords, body["username"], body["password"],
                               ctx.clock.now(), address=client_address())
    return {"member_id": account.member_id, "token": accounts.token_for(ctx.config, account),
            "roles": list(account.roles)}


@blp.post("/logout")
@blp.response(204)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.doc(security=BEARER)
def logout():
    """Revoke the token this request carries: refused here from this answer on, by every
    other service as soon as it hears of it (docs/tokens.md)."""
    ctx = context()
    accounts.log_out(ctx.db, require_principal())
    return None


@blp.post("/merchants")
@blp.arguments(schemas.MerchantRegistration)
@blp.response(201, schemas.MerchantAccount)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(409, response="CONFLICT")
@blp.doc(security=BEARER)
def create_merchant(body):
    """A merchant account bound to one brand (admin only)."""
    require_role("admin")
    ctx = context()
    account = accounts.register_merchant(ctx.db, ctx.passwords, ctx.owners, body)
    return {"member_id": account.member_id, "username": account.username, "roles": list(account.roles),
            "brand_id": account.brand_id}
