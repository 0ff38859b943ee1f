"""Field checks the profile and account rules share; each returns an error message or None."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

URL_MAX = 500


def text_error(value: Any, *, max_len: int, min_len: int = 0, blank_ok: bool = True) -> str | None:
    if not isinstance(value, str):
        return "must be a string"
    if not blank_ok and not value.strip():
        return "must not be blank"
    if len(value) < min_len:
        return f"must be at least {min_len} characters"
    if len(value) > max_len:
        return f"must be at most {max_len} characters"
    return None


def web_url_error(value: Any) -> str | None:
    """A real http(s) address: a scheme, a host, no spaces; the browser will fetch it."""
    if not isinstance(value, str):
        return "must be a string"
    if len(value) > URL_MAX:
        return f"must be at most {URL_MAX} characters"
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return "must be an http(s) URL"
    if parts.scheme not in ("http", "https") or not host or any(c.isspace() for c in value):
        return "must be an http(s) URL"
    return None
