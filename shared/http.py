"""The Flask side every service shares: the app factory, problem+json errors, pagination.

`create_service_app` builds a service's app with flask-smorest (OpenAPI 3 from the same
marshmallow schemas that validate requests, served at /openapi/<service>.json), the health
endpoints, correlation ids, the request size limit, JSON-only bodies with bounded numbers
(shared.bodies), the token check against the service's revocation list (shared.tokens),
and one error path: whatever goes wrong, the client gets application/problem+json with
the right status.
"""
from __future__ import annotations

import http
import logging
from typing import Any, Callable, Iterable

from flask import Flask, Response, json, request
from flask_smorest import Api, Blueprint as SmorestBlueprint
from flask_smorest.utils import prepare_response
from marshmallow import INCLUDE, Schema, fields, validate
from werkzeug.exceptions import HTTPException

from shared import correlation, metrics, outages
from shared.auth import authenticate_early
from shared.bodies import BoundedJSONProvider, check_request_body
from shared.dumps import fast_dump
from shared.errors import PROBLEM_JSON, describe, problem_body
from shared.failures import BadRequest, Refusal
from shared.health import Check, health_blueprint
from shared.validation import Integer

log = logging.getLogger("gwh.http")

_SLUGS = {400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found",
          405: "method-not-allowed", 409: "conflict", 413: "payload-too-large", 415: "unsupported-media-type",
          422: "validation-error", 429: "too-many-requests", 500: "internal-error", 503: "unavailable"}


def problem_response(status: int, title: str, detail: str, errors: dict | None = None,
                     extra: dict | None = None, headers: dict | None = None) -> Response:
    body = problem_body(status, title, detail, _SLUGS.get(status), errors, extra)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _flatten_validation(messages: Any) -> dict[str, list[str]]:
    """webargs nests errors by location and by field ({"json": {"items": {0: {...}}}});
    clients want one level: {"items.0.product_id": ["Missing data for required field."]}."""
    flat: dict[str, list[str]] = {}

    def walk(prefix: str, node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(f"{prefix}.{key}" if prefix else str(key), value)
        elif isinstance(node, list) and all(isinstance(m, str) for m in node):
            flat.setdefault(prefix or "_body", []).extend(node)
        elif isinstance(node, list):
            for value in node:
                walk(prefix, value)
        else:
            flat.setdefault(prefix or "_body", []).append(str(node))

    if not isinstance(messages, dict):
        walk("", messages)
        return flat
    for _location, errors in messages.items():  # the location (json, query) is not a field
        walk("", errors)
    return flat


class ProblemSchema(Schema):
    """The error body of every response (RFC 9457 problem details), for the OpenAPI document.

    A problem may carry extension members, e.g. `locked_until` on a locked featured
    product, `retry_after` on a throttled login."""

    class Meta:
        unknown = INCLUDE

    type = fields.String(metadata={"description": "a URI naming the kind of problem"})
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "on 422: each invalid field and its messages"})


class ServiceApi(Api):
    """flask-smorest's Api, answering every HTTP error as problem+json, and saying so in
    the OpenAPI document (its own default documents errors as application/json)."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)

    def handle_http_exception(self, error: HTTPException):
        status = error.code or 500
        data = getattr(error, "data", None) or {}
        if status == 422:
            return problem_response(422, "Unprocessable Entity", "some fields are invalid",
                                    errors=_flatten_validation(data.get("messages", {})))
        detail = data.get("message") or error.description or error.name
        if status == 400 and data.get("messages"):
            detail = "the body is not valid JSON"
        # Keep what the error says in its headers (Allow on a 405, WWW-Authenticate, ...).
        headers = {k: v for k, v in error.get_headers() if k.lower() not in ("content-type", "content-length")}
        return problem_response(status, error.name, str(detail), headers=headers)


class Blueprint(SmorestBlueprint):
    """flask-smorest's Blueprint, parsing each request with one schema instance per view,
    and presenting each answer through the fast path of shared.dumps.

    Given a schema class, webargs builds a new instance on every request: the profile of a
    board read showed it as 7% of the request. An instance made once when the view is
    declared does the same validation (the schemas keep no state between loads) and the
    OpenAPI document is unchanged. The response schema's instance gets its `dump` from
    shared.dumps (marshmallow's dump was a fifth of a page of products); the document is
    drawn from the same instance, so it is unchanged too."""

    def arguments(self, schema, **kwargs):
        return super().arguments(schema() if isinstance(schema, type) else schema, **kwargs)

    def response(self, status_code, schema=None, **kwargs):
        if isinstance(schema, type) and issubclass(schema, Schema):
            schema = schema()
        if isinstance(schema, Schema):
            schema.dump = fast_dump(schema)
        return super().response(status_code, schema, **kwargs)


def _handle_problem(error: Refusal):
    headers = {}
    if "retry_after" in error.extra:
        headers["Retry-After"] = str(int(error.extra["retry_after"]))
    kind = describe(error)
    return problem_response(kind.status, kind.title, error.detail, error.errors, error.extra, headers)


def _handle_unexpected(error: Exception):
    log.exception("unhandled error on %s %s", request.method, request.path)
    return problem_response(500, "Internal Server Error", "something went wrong on our side; it has been logged")


def create_service_app(service: str, *, config, blueprints: Iterable[Blueprint],
                       checks: dict[str, Check], description: str = "",
                       extra_setup: Callable[[Flask], None] | None = None, token_guard=None) -> Flask:
    app = Flask(f"gwh_{service}")
    app.json = BoundedJSONProvider(app)
    app.config.update(
        API_TITLE=f"Gouwuhao {service} service",
        API_VERSION="1.0",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/openapi",
        OPENAPI_JSON_PATH=f"{service}.json",
        MAX_CONTENT_LENGTH=config.max_body_bytes,
        GWH_JWT_SECRET=config.jwt_secret,
        GWH_JWT_TTL_SECONDS=config.jwt_ttl_seconds,
        GWH_SERVICE=service,
        JSON_SORT_KEYS=False,
    )
    # First: every request, even one refused by the hooks below, has its id, is counted and logged.
    _correlate(app)
    app.extensions["gwh_backlog"] = backlog = metrics.Backlog()
    metrics.instrument(app, service, backlog)
    api = ServiceApi(app, spec_kwargs={"info": {"description": description or f"The {service} service of Gouwuhao."}})
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    app.register_blueprint(health_blueprint(service, checks))
    if token_guard is not None:
        app.extensions["gwh_tokens"] = token_guard  # shared.auth checks every token with it
    app.register_error_handler(Refusal, _handle_problem)
    app.register_error_handler(Exception, _handle_unexpected)
    outages.register(app, service)  # its database, Redis or broker down: 503 + Retry-After

    @app.before_request
    def _admit():
        # What every request passes before its view, in one hook: Flask calls each hook
        # through ensure_sync, and the nine hooks a request used to pass were a third of
        # the app's time in the profile of a board read.
        # PostgreSQL text cannot hold NUL: an id like %00 would fail in the driver as a 500.
        if "\x00" in request.path or b"%00" in request.query_string or b"\x00" in request.query_string:
            raise BadRequest("the path or query contains a NUL character")
        # Whatever the view: a body is JSON with numbers a column can hold, or a 4xx here.
        check_request_body(request)
        # A token is checked before the view opens a transaction: meeting a new member
        # writes to the service's own list (shared.tokens), and SQLite has one writer. The
        # verdict waits for the view: one that never asks who calls ignores the token.
        if token_guard is not None and request.headers.get("Authorization"):
            authenticate_early()

    if extra_setup:
        extra_setup(app)
    return app


def _correlate(app: Flask) -> None:
    """Serve each request under its id (shared/correlation.py) and answer it in X-Request-ID:
    the same WSGI wrapper as the embedded gateway's, so an answer Flask never shapes (a 413
    from werkzeug) names its id too, and no Flask hook runs for it."""
    app.wsgi_app = correlation.wsgi(app.wsgi_app)


# --- pagination (CONTRACT.md "Lists") ----------------------------------------------------
class PageQuery(Schema):
    page = Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = Integer(load_default=20, validate=validate.Range(min=1, max=100))


def page_of(items: list, page: int, per_page: int, total: int) -> dict[str, Any]:
    return {"items": items, "page": page, "per_page": per_page, "total": total}


def page_schema(item_schema: type[Schema], name: str) -> type[Schema]:
    """The OpenAPI shape of a page of `item_schema`."""
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item_schema)),
        "page": fields.Integer(),
        "per_page": fields.Integer(),
        "total": fields.Integer(),
    }, name=name)
