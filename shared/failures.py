"""Why an operation was refused, in plain Python: the domains and use cases raise these.

They say what went wrong (not found, a rule forbids it now, invalid fields), never how a
protocol reports it: the HTTP layer maps each kind to a status and a problem+json body
(shared/errors.py), and an event handler maps them to "drop" or "retry" as it needs.
"""
from __future__ import annotations

from typing import Any


class Refusal(Exception):
    """A failure the caller caused or a rule forbids. `errors` maps fields to messages;
    `extra` adds fields to what the caller is told (an order id, a `retry_after`)."""

    summary = "the request was refused"

    def __init__(self, detail: str = "", *, errors: dict[str, list[str]] | None = None, **extra: Any):
        super().__init__(detail or self.summary)
        self.detail = detail or self.summary
        self.errors = errors
        self.extra = extra


class BadRequest(Refusal):
    """The request itself cannot be read (a malformed query, a body that is not JSON)."""


class Unauthorized(Refusal):
    """No caller could be established (no token, a bad or revoked one, wrong password)."""


class Forbidden(Refusal):
    """The caller is known but may not do this."""


class NotFound(Refusal):
    """What the request names does not exist, or is not the caller's to see."""


class Conflict(Refusal):
    """A rule forbids this now: slots full, product locked, wrong order state."""


class Unprocessable(Refusal):
    """Invalid fields; `errors` maps each field to its messages."""


class TooManyRequests(Refusal):
    """The caller tried too often (logins, visits)."""


class UnsupportedMediaType(Refusal):
    """A body in a format the service does not read."""


class Unavailable(Refusal):
    """Something this answer needs (an owner service, a store) cannot answer now; the
    caller may try again (`retry_after` seconds)."""
