"""How a refusal becomes application/problem+json: the HTTP layer's table of statuses.

The domains and use cases raise plain refusals (shared/failures.py) that carry no HTTP
status; `describe` maps each kind to its status, title and problem type, and
`register(app)` (in shared.http) answers them, and every HTTP error Werkzeug or
flask-smorest raises, as a problem document. A client never sees an HTML page or a 500 for
bad input.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PROBLEM_JSON = "application/problem+json"


from shared.failures import (BadRequest, Conflict, Forbidden, NotFound, Refusal, TooManyRequests, Unauthorized,
                             Unavailable, Unprocessable, UnsupportedMediaType)

@dataclass(frozen=True)
class ProblemKind:
    status: int
    title: str
    type_slug: str


PROBLEMS: dict[type, ProblemKind] = {
    BadRequest: ProblemKind(400, "Bad Request", "bad-request"),
    Unauthorized: ProblemKind(401, "Unauthorized", "unauthorized"),
    Forbidden: ProblemKind(403, "Forbidden", "forbidden"),
    NotFound: ProblemKind(404, "Not Found", "not-found"),
    Conflict: ProblemKind(409, "Conflict", "conflict"),
    UnsupportedMediaType: ProblemKind(415, "Unsupported Media Type", "unsupported-media-type"),
    Unprocessable: ProblemKind(422, "Unprocessable Entity", "validation-error"),
    TooManyRequests: ProblemKind(429, "Too Many Requests", "too-many-requests"),
    Unavailable: ProblemKind(503, "Service Unavailable", "unavailable"),
    Refusal: ProblemKind(400, "Bad Request", "bad-request"),
}


def kind_of(refusal: type | Refusal, status: int, title: str, type_slug: str) -> None:
    """Name the problem a refusal of a more specific kind is answered with (an owner that
    did not answer is a 503 of its own type)."""
    PROBLEMS[refusal if isinstance(refusal, type) else type(refusal)] = ProblemKind(status, title, type_slug)


def describe(refusal: Refusal) -> ProblemKind:
    """The status, title and type of the problem this refusal is answered with: the most
    specific kind in the table along its class's ancestry."""
    for cls in type(refusal).__mro__:
        kind = PROBLEMS.get(cls)
        if kind is not None:
            return kind
    return PROBLEMS[Refusal]


def problem_of(refusal: Refusal) -> dict[str, Any]:
    kind = describe(refusal)
    return problem_body(kind.status, kind.title, refusal.detail, kind.type_slug, refusal.errors, refusal.extra)


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
