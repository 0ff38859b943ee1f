"""What the shop, the owner of accounts, tells the other services about a member's tokens.

A service meeting a member it has no record of (one who registered a moment ago) asks
here before accepting the token (shared.tokens); admin and service tokens only.
"""
from __future__ import annotations

from shared.auth import require_role
from shared.failures import NotFound
from shared.http import Blueprint

from services.shop import schemas
from services.shop.api.common import BEARER
from services.shop.context import context
from services.shop.usecases import accounts

blp = Blueprint("shop_internal", __name__, url_prefix="/internal/shop/members",
                description="Members' standing for the other services (admin).")


@blp.get("/<member_id>/standing")
@blp.response(200, schemas.Standing)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.doc(security=BEARER)
def standing(member_id):
    """Whether a member exists, and before when their tokens are revoked."""
    require_role("admin")
    found = accounts.standing(context().db, member_id)
    if found is None:
        raise NotFound(f"no member {member_id}")
    return {"member_id": found.member_id, "not_before_us": found.not_before_us}
