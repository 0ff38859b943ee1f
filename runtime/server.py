"""The embedded mode's HTTP server: Werkzeug's threaded server, speaking like the gateway.

Werkzeug answers a few errors itself, before any app sees the request: a request line
over 64 KiB (414), a malformed request line (400), too many or too long headers (431),
an HTTP version it does not speak (505). Python's http.server writes those as HTML pages,
and every response names the server as "Werkzeug/x.y Python/x.y". Here they are
problem+json like every other error, and the server is named without versions.
"""
from __future__ import annotations

import json
from http import HTTPStatus

from werkzeug.serving import WSGIRequestHandler, make_server

from shared.errors import PROBLEM_JSON, problem_body

SERVER_NAME = "Gouwuhao"

_SLUGS = {400: "bad-request", 414: "uri-too-long", 431: "request-header-fields-too-large"}


class GatewayRequestHandler(WSGIRequestHandler):
    sys_version = ""

    @property
    def server_version(self) -> str:  # also the WSGI SERVER_SOFTWARE
        return SERVER_NAME

    def version_string(self) -> str:
        return SERVER_NAME

    def send_error(self, code, message=None, explain=None):
        try:
            status = HTTPStatus(code)
            title, detail = status.phrase, status.description or status.phrase
        except ValueError:
            title = detail = "Error"
        self.log_error("code %d, message %s", code, message or title)
        self.send_response(code, message)
        self.send_header("Connection", "close")
        body = b""
        if code >= 200 and code not in (204, 205, 304):
            body = json.dumps(problem_body(code, title, detail, _SLUGS.get(code))).encode()
            self.send_header("Content-Type", PROBLEM_JSON)
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)


def gateway_server(host: str, port: int, app):
    return make_server(host, port, app, threaded=True, request_handler=GatewayRequestHandler)
