"""The embedded gateway: one WSGI app that routes by path prefix to each service's app.

It reads the same route table (shared.routes) as the nginx config of deploy/. `/health`
reports every service's readiness (ok, degraded or unavailable: see `aggregate`); in the cluster mode `health_app` serves the same
report by asking each service over HTTP, and nginx routes /health to it.
"""
from __future__ import annotations

import json
import logging
from typing import Callable

from werkzeug.exceptions import NotFound
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from shared import correlation
from shared.errors import PROBLEM_JSON, problem_body
from shared.routes import GATEWAY_HEALTH, ROUTES, service_for

from runtime import web

log = logging.getLogger("gwh.gateway")

def _json(body: dict, status: int = 200, mimetype: str = "application/json") -> Response:
    return Response(json.dumps(body), status=status, mimetype=mimetype)


def aggregate(readiness: dict[str, tuple[int, dict]]) -> Response:
    """The platform's health from each service's readiness answer.

    "ok" (200): every service answers and everything behind it works. "degraded" (200):
    every service answers, but something it leans on is away (the broker, a worker, a
    ranking store being rebuilt); the failing checks say what. "unavailable" (503): at
    least one service cannot answer at all (its database or Redis is down, or it does not
    respond).
    """
    services = {}
    for name, (status, body) in readiness.items():
        body = body or {}
        state = body.get("status") or ("ok" if status == 200 else "unavailable")
        if status != 200:
            state = "unavailable"
        services[name] = {"ready": status == 200, "status": state,
                          **({"checks": body.get("checks")} if body.get("checks") else {})}
    states = {s["status"] for s in services.values()}
    overall = "unavailable" if "unavailable" in states else ("degraded" if "degraded" in states else "ok")
    return _json({"status": overall, "services": services}, 503 if overall == "unavailable" else 200)


# The gateway's own index (the routes it knows); `/` is the web client (runtime/web.py).
INDEX_PATH = "/api"


def index() -> dict:
    return {"name": "Gouwuhao", "routes": {p: s for p, s in ROUTES}, "health": GATEWAY_HEALTH, "web": "/"}


class Gateway:
    def __init__(self, apps: dict[str, Callable]):
        self.apps = apps

    def readiness(self) -> dict[str, tuple[int, dict]]:
        result = {}
        for name, app in self.apps.items():
            response = Client(app).get("/health/ready")
            result[name] = (response.status_code, json.loads(response.get_data() or b"{}"))
        return result

    def __call__(self, environ, start_response):
        # The request's id is chosen here, before routing, as nginx does (shared/correlation.py).
        return correlation.wsgi(self._route)(environ, start_response)

    def _route(self, environ, start_response):
        path = environ.get("PATH_INFO") or "/"
        if path in (GATEWAY_HEALTH, "/", INDEX_PATH) and environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD"):
            body = problem_body(405, "Method Not Allowed", f"{path} answers GET only", "method-not-allowed")
            response = _json(body, 405, PROBLEM_JSON)
            response.headers["Allow"] = "GET, HEAD"
            return response(environ, start_response)
        try:
            return self._dispatch(path, environ, start_response)
        except Exception:
            # A service's app answers its own errors; one that escapes it is the gateway's
            # to answer, like nginx's 502, and never as a server's HTML page.
            log.exception("the gateway could not route %s", path)
            body = problem_body(502, "Bad Gateway", "the service failed to answer; it has been logged", "bad-gateway")
            return _json(body, 502, PROBLEM_JSON)(environ, start_response)

    def _dispatch(self, path, environ, start_response):
        if path == GATEWAY_HEALTH:
            return aggregate(self.readiness())(environ, start_response)
        parts = path.strip("/").split("/")
        if len(parts) == 3 and parts[0] == "health" and parts[1] in self.apps and parts[2] in ("live", "ready"):
            # /health/<service>/live|ready: one service's own probe, through the gateway.
            environ = {**environ, "PATH_INFO": f"/health/{parts[2]}"}
            return self.apps[parts[1]](environ, start_response)
        if path == INDEX_PATH:
            return _json(index())(environ, start_response)
        if web.is_web_path(path):
            try:
                return web.serve(environ, start_response)
            except NotFound:
                pass  # answered below like any unknown path
        app = self.apps.get(service_for(path))
        if app is None:
            body = problem_body(404, "Not Found", f"no service serves {path}", "not-found")
            return _json(body, 404, PROBLEM_JSON)(environ, start_response)
        return app(environ, start_response)


def health_app(service_urls: dict[str, str], timeout: float = 2.0):
    """The cluster mode's /health: each service's /health/ready over HTTP."""
    import requests

    def app(environ, start_response):
        readiness = {}
        for name, url in service_urls.items():
            try:
                reply = requests.get(url.rstrip("/") + "/health/ready", timeout=timeout,
                                     headers=correlation.outgoing_headers())
                readiness[name] = (reply.status_code, reply.json())
            except Exception as exc:  # unreachable is simply not ready
                readiness[name] = (503, {"checks": {"http": {"ok": False, "detail": str(exc)[:200]}}})
        return aggregate(readiness)(environ, start_response)

    return correlation.wsgi(app)


def create_health_app():
    """`gunicorn 'runtime.gateway:create_health_app()'` behind nginx's /health."""
    from shared.config import load
    return health_app(load().service_urls)


__all__ = ["Gateway", "health_app", "create_health_app", "Request"]
