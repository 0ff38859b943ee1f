"""A member's own profile, privacy and notifications, and what others may see of their purchases."""
from __future__ import annotations

from dataclasses import asdict

from flask_smorest import Blueprint

from shared.auth import current_principal
from shared.failures import Forbidden, NotFound
from shared.http import PageQuery, page_of

from services.shop import accounts, schemas
from services.shop.api.common import BEARER, me, page_slice, require_member
from services.shop.domain import orders, privacy, profile
from services.shop.domain.accounts import canonical_username
from services.shop.store import accounts as account_store
from services.shop.store import activity, friends, members, shops
from services.shop.context import context

blp = Blueprint("shop_members", __name__, url_prefix="/api/members", description="Members: profile, privacy.")


def _member(conn, member_id: str) -> dict:
    account = account_store.account_by_id(conn, member_id)
    found = members.profile_of(conn, member_id)
    if account is None or found is None:
        raise NotFound(f"no member {member_id}")
    return {**asdict(found), "username": account.username, "roles": list(account.roles),
            "brand_id": account.brand_id}


@blp.get("")
@blp.arguments(schemas.MemberQuery, location="query")
@blp.response(200, schemas.FoundMembers)
@blp.doc(security=BEARER)
def find_member(query):
    """The member with exactly this username, to ask them as a friend (empty when none).

    Only what their public shop page shows (id, nickname, avatar): never stats or purchases.
    Exact names only, for members only: nobody can list members by a prefix."""
    me()
    username = canonical_username(query["username"])
    with context().db.reading() as conn:
        found = account_store.member_id_by_username(conn, username)
        profile_found = members.profile_of(conn, found) if found else None
    items = [] if profile_found is None else [
        {"member_id": profile_found.member_id, "nickname": profile_found.nickname,
         "avatar_url": profile_found.avatar_url}]
    return {"items": items}


@blp.get("/me")
@blp.response(200, schemas.Member)
@blp.doc(security=BEARER)
def get_me():
    with context().db.reading() as conn:
        return _member(conn, me())


@blp.patch("/me")
@blp.arguments(schemas.ProfilePatch)
@blp.response(200, schemas.Member)
@blp.doc(security=BEARER)
def edit_me(changes):
    """Edit nickname, avatar, banner or bio; null clears an optional field."""
    member_id = me()
    with context().db.unit_of_work() as uow:
        before = members.profile_of(uow.conn, member_id)
        if before is None:
            raise NotFound(f"no member {member_id}")
        after = profile.edit(before, changes)
        if after != before:
            members.save_profile(uow.conn, after, uow.now())
            uow.emit("shop.member.updated", {"member_id": member_id, "nickname": after.nickname,
                                             "avatar_url": after.avatar_url})
        return _member(uow.conn, member_id)


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
    with context().db.reading() as conn:
        return members.privacy_of(conn, require_member(conn, me())).as_dict()


@blp.put("/me/privacy")
@blp.arguments(schemas.PrivacyChange)
@blp.response(200, schemas.Privacy)
@blp.doc(security=BEARER)
def put_privacy(changes):
    """Set who sees your purchases and stats, and whether you appear on boards and as a visitor."""
    with context().db.unit_of_work() as uow:
        member_id = require_member(uow.conn, me())
        before = members.privacy_of(uow.conn, member_id)
        after = privacy.change(before, changes)
        if after != before:
            members.save_privacy(uow.conn, member_id, after)
            uow.emit("shop.privacy.changed", {"member_id": member_id, **after.as_dict()})
        return after.as_dict()


@blp.get("/me/notifications")
@blp.arguments(PageQuery, location="query")
@blp.response(200, schemas.NotificationPage)
@blp.doc(security=BEARER)
def get_notifications(query):
    """What happened to your shop, newest first (e.g. a featured product was delisted)."""
    with context().db.reading() as conn:
        items, total = members.notifications_of(conn, require_member(conn, me()), query["page"], query["per_page"])
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
    with context().db.reading() as conn:
        require_member(conn, owner)
        are_friends = viewer is not None and friends.are_friends(conn, owner, viewer)
        if not privacy.can_see_purchases(owner, viewer, are_friends, members.privacy_of(conn, owner)):
            raise Forbidden("this member's purchases are private")
        bought = orders.purchased_product_ids(activity.orders_of_buyer(conn, owner), owner)
        cards = shops.cards_by_ids(conn, bought)
    # A product whose card has not arrived yet is left out: we cannot know it is not sensitive.
    known = [cards[p] for p in bought if p in cards]
    shown = privacy.purchases_shown(owner, viewer, known, lambda card: card.sensitive)
    items = [asdict(card) for card in page_slice(shown, query["page"], query["per_page"])]
    return page_of(items, query["page"], query["per_page"], len(shown))
