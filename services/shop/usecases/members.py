"""A member's own profile, privacy and notifications, and what others may see of their purchases."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Connection

from shared.db import Database
from shared.failures import Forbidden, NotFound

from services.shop.domain import orders, privacy, profile
from services.shop.domain.accounts import Account, canonical_username
from services.shop.domain.cards import ProductCard
from services.shop.domain.privacy import PrivacySettings
from services.shop.domain.profile import Profile
from services.shop.store import accounts as account_store
from services.shop.store import activity, friends, members, shops


def require_member(conn: Connection, member_id: str) -> str:
    """A token can name an account this service does not hold (an operator's token, a
    deleted member): every member use case answers 404 for it."""
    if not members.member_exists(conn, member_id):
        raise NotFound(f"no member {member_id}")
    return member_id


@dataclass(frozen=True)
class Member:
    account: Account
    profile: Profile


def _member(conn: Connection, member_id: str) -> Member:
    account = account_store.account_by_id(conn, member_id)
    found = members.profile_of(conn, member_id)
    if account is None or found is None:
        raise NotFound(f"no member {member_id}")
    return Member(account, found)


def find_member(db: Database, username: str) -> Profile | None:
    """The member with exactly this username (case-insensitive), or None."""
    with db.reading() as conn:
        found = account_store.member_id_by_username(conn, canonical_username(username))
        return members.profile_of(conn, found) if found else None


def member(db: Database, member_id: str) -> Member:
    with db.reading() as conn:
        return _member(conn, member_id)


def edit_profile(db: Database, member_id: str, changes: dict) -> Member:
    """Edit nickname, avatar, banner or bio; the other services hear of a change to the card."""
    with db.unit_of_work() as uow:
        before = members.profile_of(uow.conn, member_id)
        if before is None:
            raise NotFound(f"no member {member_id}")
        after, outcome = profile.edit_recorded(before, changes)
        if after != before:
            members.save_profile(uow.conn, after, uow.now())
        uow.track(outcome)
        return _member(uow.conn, member_id)


def privacy_of(db: Database, member_id: str) -> PrivacySettings:
    with db.reading() as conn:
        return members.privacy_of(conn, require_member(conn, member_id))


def change_privacy(db: Database, member_id: str, changes: dict) -> PrivacySettings:
    """Set who sees purchases and stats, and whether the member shows on boards and as a visitor."""
    with db.unit_of_work() as uow:
        require_member(uow.conn, member_id)
        before = members.privacy_of(uow.conn, member_id)
        after, outcome = privacy.change_recorded(member_id, before, changes)
        if after != before:
            members.save_privacy(uow.conn, member_id, after)
        uow.track(outcome)
        return after


def notifications(db: Database, member_id: str, page: int, per_page: int) -> tuple[list[dict], int]:
    """What happened to the member's shop, newest first."""
    with db.reading() as conn:
        return members.notifications_of(conn, require_member(conn, member_id), page, per_page)


def purchases(db: Database, owner: str, viewer: str | None, page: int, per_page: int) -> tuple[list[ProductCard], int]:
    """What `owner` bought, as `viewer` may see it (domain.privacy): one page, and the total."""
    with db.reading() as conn:
        require_member(conn, owner)
        are_friends = viewer is not None and friends.are_friends(conn, owner, viewer)
        if not privacy.can_see_purchases(owner, viewer, are_friends, members.privacy_of(conn, owner)):
            raise Forbidden("this member's purchases are private")
        bought = orders.purchased_product_ids(activity.orders_of_buyer(conn, owner), owner)
        known_cards = shops.cards_by_ids(conn, bought)
    # A product whose card has not arrived yet is left out: we cannot know it is not sensitive.
    known = [known_cards[p] for p in bought if p in known_cards]
    shown = privacy.purchases_shown(owner, viewer, known, lambda card: card.sensitive)
    start = (page - 1) * per_page
    return shown[start:start + per_page], len(shown)
