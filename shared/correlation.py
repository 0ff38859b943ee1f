"""One id per client request, followed across every process it reaches.

The gateway (nginx's `$request_id`, or the embedded gateway) keeps the client's
`X-Request-ID` when it is a sane token and starts one otherwise; each service keeps the id
it was given (or starts one when called directly), answers it in `X-Request-ID`, and holds
it in `correlation_id_var` while it serves the request. Everything done meanwhile carries
it: log lines (shared/logs.py), events written to the outbox (their envelope's
`correlation_id`, shared/events.py `make_event`), and a consumer sets it again from the
event it handles, so the events a handler emits and its log lines carry it further.

`X-Correlation-ID`, the header this platform used first, is still read and answered.
"""
from __future__ import annotations

import re
import uuid
from typing import Any, Callable, Iterable

from shared.events import correlation_id_var

HEADER = "X-Request-ID"
LEGACY_HEADER = "X-Correlation-ID"
# What a client may choose: a UUID, nginx's 32 hex digits, a trace id. Anything else (too
# long, spaces, quotes, control characters) would end up in every log line; it is replaced.
# The same pattern goes into nginx's config (deploy/nginx/render.py).
ACCEPTABLE_REQUEST_ID = r"^[A-Za-z0-9._:-]{1,128}$"
_ACCEPTABLE = re.compile(ACCEPTABLE_REQUEST_ID)


def new_id() -> str:
    return uuid.uuid4().hex


def acceptable(value: str | None) -> str | None:
    return value if value and _ACCEPTABLE.match(value) else None


def choose(request_id: str | None, correlation_id: str | None = None) -> str:
    """The id a request goes by: the client's, if acceptable, else a new one."""
    return acceptable(request_id) or acceptable(correlation_id) or new_id()


def current() -> str | None:
    return correlation_id_var.get()


def outgoing_headers() -> dict[str, str]:
    """Headers for an HTTP call made while serving a request or an event: the same id."""
    request_id = current()
    return {HEADER: request_id} if request_id else {}


def event_headers(envelope: dict[str, Any]) -> dict[str, str]:
    """AMQP headers of a published event: its correlation id, readable without the body."""
    correlation_id = envelope.get("correlation_id")
    return {"x-request-id": correlation_id} if correlation_id else {}


def wsgi(app: Callable) -> Callable:
    """Wrap a WSGI app (the embedded gateway, the health app) so that every request has an
    id before it is routed, the services behind it see that id, and the answer names it."""
    def correlated(environ: dict, start_response: Callable) -> Iterable[bytes]:
        request_id = choose(environ.get("HTTP_X_REQUEST_ID"), environ.get("HTTP_X_CORRELATION_ID"))
        environ = {**environ, "HTTP_X_REQUEST_ID": request_id}

        def start(status: str, headers: list, exc_info=None):
            present = {name.lower() for name, _ in headers}
            headers = list(headers)
            if HEADER.lower() not in present:
                headers.append((HEADER, request_id))
            if LEGACY_HEADER.lower() not in present:
                headers.append((LEGACY_HEADER, request_id))
            return start_response(status, headers, exc_info)

        token = correlation_id_var.set(request_id)
        try:
            return app(environ, start)
        finally:
            correlation_id_var.reset(token)

    return correlated
