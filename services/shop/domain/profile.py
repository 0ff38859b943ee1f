"""A member's public face: nickname, avatar, banner and bio, all editable (the article's
second complaint was that none of it could be changed)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from shared.domain_events import Outcome
from shared.failures import Unprocessable
from shared.text import display_error, normalized

from .events import MemberUpdated
from .fields import text_error, web_url_error

NICKNAME_MAX = 40
BIO_MAX = 280
EDITABLE = ("nickname", "avatar_url", "banner_url", "bio")


@dataclass(frozen=True)
class Profile:
    member_id: str
    nickname: str
    avatar_url: str | None = None
    banner_url: str | None = None
    bio: str | None = None


def nickname_error(value: Any) -> str | None:
    # Others see it: no control or bidi formatting character (shared.text). Checked as it
    # will be stored: trimmed (surrounding spaces not counted) and in NFC.
    if isinstance(value, str):
        if error := display_error(value):
            return error
        value = clean_nickname(value)
    return text_error(value, min_len=1, max_len=NICKNAME_MAX, blank_ok=False)


def clean_nickname(value: str) -> str:
    return normalized(value.strip())


def _field_error(name: str, value: Any) -> str | None:
    if name == "nickname":
        return nickname_error(value)
    if value is None:  # null clears an optional field
        return None
    if name == "bio":
        if isinstance(value, str) and (error := display_error(value, multiline=True)):
            return error
        return text_error(normalized(value) if isinstance(value, str) else value, max_len=BIO_MAX)
    return web_url_error(value)


def validate_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """The edit as it will be stored (nickname trimmed), or Unprocessable naming each bad field."""
    errors: dict[str, list[str]] = {}
    for name, value in changes.items():
        message = "unknown field" if name not in EDITABLE else _field_error(name, value)
        if message:
            errors[name] = [message]
    if errors:
        raise Unprocessable("invalid profile fields", errors=errors)
    cleaned = dict(changes)
    if "nickname" in cleaned:
        cleaned["nickname"] = clean_nickname(cleaned["nickname"])
    if cleaned.get("bio") is not None:
        cleaned["bio"] = normalized(cleaned["bio"])
    return cleaned


def edit(profile: Profile, changes: dict[str, Any]) -> Profile:
    return replace(profile, **validate_changes(changes))


def edit_recorded(profile: Profile, changes: dict[str, Any]) -> tuple[Profile, Outcome]:
    """The edited profile, and what the other services hear of it: its public card, only
    when something changed."""
    after = edit(profile, changes)
    if after == profile:
        return after, Outcome()
    return after, Outcome([MemberUpdated(member_id=after.member_id, nickname=after.nickname,
                                         avatar_url=after.avatar_url)])
