"""Errors every service raises, and how they become application/problem+json.

The exception classes are plain Python so domain modules can raise them without importing
Flask; `register(app)` (in shared.http) maps them, and every HTTP error Werkzeug or
flask-smorest raises, to a problem document. A client never sees an HTML page or a 500 for
bad input.
"""
from __future__ import annotations

from typing import Any

PROBLEM_JSON = "application/problem+json"


class Problem(Exception):
    """A failure the client caused or a rule forbids; carries its HTTP status."""

    status = 400
    title = "Bad Request"
    type_slug = "bad-request"

    def __init__(self, detail: str = "", *, errors: dict[str, list[str]] | None = None, **extra: Any):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors
        self.extra = extra

    def to_dict(self) -> dict[str, Any]:
        return problem_body(self.status, self.title, self.detail, self.type_slug, self.errors, self.extra)


class BadRequest(Problem):
    status, title, type_slug = 400, "Bad Request", "bad-request"


class Unauthorized(Problem):
    status, title, type_slug = 401, "Unauthorized", "unauthorized"


class Forbidden(Problem):
    status, title, type_slug = 403, "Forbidden", "forbidden"


class NotFound(Problem):
    status, title, type_slug = 404, "Not Found", "not-found"


class Conflict(Problem):
    """A rule forbids this now: slots full, product locked, wrong order state."""

    status, title, type_slug = 409, "Conflict", "conflict"


class Unprocessable(Problem):
    """Invalid fields; `errors` maps each field to its messages."""

    status, title, type_slug = 422, "Unprocessable Entity", "validation-error"


class TooManyRequests(Problem):
    status, title, type_slug = 429, "Too Many Requests", "too-many-requests"


def problem_body(status: int, title: str, detail: str, type_slug: str | None = None,
                 errors: dict | None = None, extra: dict | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"https://gouwuhao.dev/problems/{type_slug or status}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    if extra:
        # Extra fields add to the problem; they never replace what the contract promises.
        body.update({k: v for k, v in extra.items() if k not in body and k != "errors"})
    return body
