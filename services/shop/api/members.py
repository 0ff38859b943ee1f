"""A member's own profile, privacy and notifications, and what others may see of their purchases."""
from __future__ import annotations

from dataclasses import asdict


from shared.auth import current_principal
from shared.http import Blueprint, PageQuery, page_of

from services.shop import schemas
from services.shop.api.common import BEARER, me
from services.shop.context import context
from services.shop.usecases import accounts, members

blp = Blueprint("shop_members", __name__, url_prefix="/api/members", description="Members: profile, privacy.")


def _member(found: members.Member) -> dict:
    return {**asdict(found.profile), "username": found.account.username, "roles": list(found.account.roles),
            "brand_id": found.account.brand_id}


@blp.get("")
@blp.arguments(schemas.MemberQuery, location="query")
@blp.response(200, schemas.FoundMembers)
@blp.doc(security=BEARER)
def find_member(query):
    """The member with exactly this username, to ask them as a friend (empty when none).

    Only what their public shop page shows (id, nickname, avatar): never stats or purchases.
    Exact names only, for members only: nobody can list members by a prefix."""
    me()
    found = members.find_member(context().db, query["username"])
    items = [] if found is None else [
        {"member_id": found.member_id, "nickname": found.nickname, "avatar_url": found.avatar_url}]
    return {"items": items}


@blp.get("/me")
@blp.response(200, schemas.Member)
@blp.doc(security=BEARER)
def get_me():
    return _member(members.member(context().db, me()))


@blp.patch("/me")
@blp.arguments(schemas.ProfilePatch)
@blp.response(200, schemas.Member)
@blp.doc(security=BEARER)
def edit_me(changes):
    """Edit nickname, avatar, banner or bio; null clears an optional field."""
    return _member(members.edit_profile(context().db, me(), changes))


@blp.put("/me/password")
@blp.arguments(schemas.PasswordChange)
@blp.response(200, schemas.Registered)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@blp.doc(security=BEARER)
def change_password(body):
    """Change your password (the old one proves it is you): every token issued before is
    revoked, this one included; the answer carries a new token. A wrong old password is a
    403 and counts against the sign-in throttle (429)."""
    ctx = context()
    account = accounts.change_password(ctx.db, ctx.passwords, ctx.config, me(), body["old_password"],
                                       body["new_password"], ctx.clock.now())
    return {"member_id": account.member_id, "token": accounts.token_for(ctx.config, account)}


@blp.get("/me/privacy")
@blp.response(200, schemas.Privacy)
@blp.doc(security=BEARER)
def get_privacy():
    return members.privacy_of(context().db, me()).as_dict()


@blp.put("/me/privacy")
@blp.arguments(schemas.PrivacyChange)
@blp.response(200, schemas.Privacy)
@blp.doc(security=BEARER)
def put_privacy(changes):
    """Set who sees your purchases and stats, and whether you appear on boards and as a visitor."""
    return members.change_privacy(context().db, me(), changes).as_dict()


@blp.get("/me/notifications")
@blp.arguments(PageQuery, location="query")
@blp.response(200, schemas.NotificationPage)
@blp.doc(security=BEARER)
def get_notifications(query):
    """What happened to your shop, newest first (e.g. a featured product was delisted)."""
    items, total = members.notifications(context().db, me(), query["page"], query["per_page"])
    return page_of(items, query["page"], query["per_page"], total)


@blp.get("/<member_id>/purchases")
@blp.arguments(PageQuery, location="query")
@blp.response(200, schemas.PurchasePage)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.doc(security=BEARER)
def get_purchases(query, member_id):
    """What a member bought, if their privacy lets you see it; sensitive products only to them."""
    principal = current_principal()
    viewer = principal.member_id if principal else None
    owner = viewer if member_id == "me" and viewer else member_id
    shown, total = members.purchases(context().db, owner, viewer, query["page"], query["per_page"])
    return page_of([asdict(card) for card in shown], query["page"], query["per_page"], total)
