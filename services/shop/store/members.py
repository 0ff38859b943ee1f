"""Members' profiles, privacy settings and notifications."""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from shared import sql
from shared.sql import aware, new_id

from services.shop.domain.featured import BASE_SLOTS, BASE_TIER
from services.shop.domain.notifications import Notification
from services.shop.domain.privacy import PrivacySettings
from services.shop.domain.profile import Profile

from .tables import members, notifications, privacy_settings, shops, visits

PROFILE_COLUMNS = (members.c.member_id, members.c.nickname, members.c.avatar_url, members.c.banner_url,
                   members.c.bio)


def insert_member(conn: Connection, profile: Profile, now: datetime) -> None:
    """A member with the default privacy settings and a base-tier shop: one shop each."""
    conn.execute(insert(members).values(member_id=profile.member_id, nickname=profile.nickname,
                                        avatar_url=profile.avatar_url, banner_url=profile.banner_url,
                                        bio=profile.bio, created_at=now, updated_at=now))
    conn.execute(insert(privacy_settings).values(member_id=profile.member_id, **PrivacySettings().as_dict()))
    conn.execute(insert(shops).values(member_id=profile.member_id, score=0, tier=BASE_TIER, slots=BASE_SLOTS,
                                      influence_as_of=None))


def profile_of(conn: Connection, member_id: str) -> Profile | None:
    row = conn.execute(select(*PROFILE_COLUMNS).where(members.c.member_id == member_id)).mappings().first()
    return Profile(**row) if row else None


def member_exists(conn: Connection, member_id: str) -> bool:
    return conn.execute(select(members.c.member_id).where(members.c.member_id == member_id)).first() is not None


def save_profile(conn: Connection, profile: Profile, now: datetime) -> None:
    conn.execute(update(members).where(members.c.member_id == profile.member_id)
                 .values(nickname=profile.nickname, avatar_url=profile.avatar_url,
                         banner_url=profile.banner_url, bio=profile.bio, updated_at=now))


def nicknames(conn: Connection, member_ids: Iterable[str]) -> dict[str, str]:
    ids = list(set(member_ids))
    if not ids:
        return {}
    rows = conn.execute(select(members.c.member_id, members.c.nickname).where(members.c.member_id.in_(ids)))
    return dict(rows.all())


# --- privacy ------------------------------------------------------------------------------
def privacy_of(conn: Connection, member_id: str) -> PrivacySettings:
    row = conn.execute(select(privacy_settings).where(privacy_settings.c.member_id == member_id)).mappings().first()
    if row is None:
        return PrivacySettings()
    return PrivacySettings(**{k: v for k, v in row.items() if k != "member_id"})


def save_privacy(conn: Connection, member_id: str, settings: PrivacySettings) -> None:
    conn.execute(update(privacy_settings).where(privacy_settings.c.member_id == member_id)
                 .values(**settings.as_dict()))


def hidden_visitors(conn: Connection, shop_id: str) -> set[str]:
    """The members who visited this shop and chose not to appear among its visitors."""
    rows = conn.execute(
        select(privacy_settings.c.member_id).distinct()
        .join(visits, visits.c.member_id == privacy_settings.c.member_id)
        .where(visits.c.shop_id == shop_id, privacy_settings.c.show_me_as_visitor.is_(False)))
    return set(rows.scalars())


# --- notifications ------------------------------------------------------------------------
def add_notifications(conn: Connection, notes: list[Notification]) -> None:
    if notes:
        conn.execute(insert(notifications), [
            {"id": new_id(), "member_id": n.member_id, "type": n.type, "product_id": n.product_id,
             "message": n.message, "at": n.at} for n in notes])


def notifications_of(conn: Connection, member_id: str, page: int, per_page: int) -> tuple[list[dict], int]:
    where = notifications.c.member_id == member_id
    total = conn.execute(select(func.count()).select_from(notifications).where(where)).scalar_one()
    rows = conn.execute(sql.page(select(notifications).where(where)
                        .order_by(notifications.c.at.desc(), notifications.c.id), page, per_page)).mappings()
    return [{**row, "at": aware(row["at"])} for row in rows], total
