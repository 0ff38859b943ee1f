"""Render the nginx gateway config from the route table: `python -m deploy.nginx.render`.

The embedded gateway (runtime.gateway) and nginx route by the same table (shared.routes),
so a route added there reaches both; `make nginx` rewrites deploy/nginx/gouwuhao.conf and
a unit test fails while the committed file lags behind.

nginx must pick the service exactly as `service_for` does: a prefix matches on a segment
boundary only. A plain `location /api/orders` would also take /api/ordersx, so every
prefix becomes an exact location (`= /api/orders`) plus a prefix location ending in a slash
(`/api/orders/`); nginx's longest-prefix rule then equals service_for's.

Usage:
    python -m deploy.nginx.render                      # Docker Compose (the committed file)
    python -m deploy.nginx.render --target k8s --configmap gateway-nginx --namespace gouwuhao
    python -m deploy.nginx.render --host catalog=10.0.0.5:8000 --internal-allow 10.0.0.0/8
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, replace

from shared.correlation import ACCEPTABLE_REQUEST_ID
from shared.errors import PROBLEM_JSON, problem_body
from shared.outages import RETRY_AFTER_SECONDS
from shared.routes import GATEWAY_HEALTH, ROUTES

from runtime import gateway, web

HEALTH_UPSTREAM = "gateway-health"
INTERNAL_PREFIX = "/internal"
MAX_BODY = "64k"  # the services' own limit (GWH_MAX_BODY_BYTES): refuse bigger bodies at the edge
PORT = 8000
PROBES = ("live", "ready")

# Route prefixes and host names are pasted into nginx syntax: keep them to characters that
# need no quoting there, so a typo in the route table cannot inject a directive.
_SAFE_PATH = re.compile(r"^/[A-Za-z0-9._~/-]*$")
_SAFE_HOST = re.compile(r"^[A-Za-z0-9.-]+:[0-9]{1,5}$")
_SAFE_ADDRESS = re.compile(r"^[0-9A-Fa-f.:]+(/[0-9]{1,3})?$")
_SAFE_ROOT = re.compile(r"^/[A-Za-z0-9._/-]*$")


@dataclass(frozen=True)
class Target:
    """Where one deployment's gateway finds each upstream, and who may call /internal/.

    `hosts` maps an upstream (a service name, or gateway-health) to the `host:port` of its
    compose service or Kubernetes Service. `/internal/` (admin event history) answers only
    clients in `internal_allow`; `internal_deny` comes first and carves out addresses inside
    that network which stand for outside clients (Docker's bridge gateway, through which a
    port published on the host arrives).
    """

    name: str
    hosts: dict[str, str]
    internal_allow: tuple[str, ...]
    internal_deny: tuple[str, ...] = ()
    listen: int | str = PORT  # a port, or address:port (the local cluster listens on loopback)
    # The web client's folder (the repository's web/): compose mounts it, Kubernetes copies
    # it from the application image into a shared volume.
    web_root: str = "/usr/share/gouwuhao/web"
    # Pid file and request-body buffers: somewhere writable when nginx runs as non-root
    # on a read-only root filesystem.
    runtime_dir: str = "/tmp"


def _service_hosts(suffix: str = "") -> dict[str, str]:
    services = sorted({service for _, service in ROUTES})
    hosts = {service: f"{service}-api{suffix}:{PORT}" for service in services}
    hosts[HEALTH_UPSTREAM] = f"health{suffix}:{PORT}"
    return hosts


# deploy/docker-compose.yml: service names catalog-api, ..., health on the project's default
# network, whose subnet is pinned to 172.28.0.0/16 so that it can be named here.
COMPOSE = Target(
    name="compose",
    hosts=_service_hosts(),
    internal_allow=("172.28.0.0/16",),
    internal_deny=("172.28.0.1",),
)

# deploy/k8s: Services of the same names in the gouwuhao namespace. 10.0.0.0/8 stands for
# the pod network; set it to your cluster's pod CIDR (deploy/README.md says why).
K8S = Target(
    name="k8s",
    hosts=_service_hosts(),
    internal_allow=("10.0.0.0/8",),
)

TARGETS = {target.name: target for target in (COMPOSE, K8S)}


@dataclass(frozen=True)
class Location:
    """One nginx location: `exact` is `location = path`, otherwise a prefix location.

    `uri` replaces the request's path on the way upstream; None passes it unchanged (the
    services see the full path: the gateway strips nothing).
    """

    path: str
    upstream: str
    exact: bool
    internal: bool
    uri: str | None = None


def is_internal(prefix: str) -> bool:
    return prefix == INTERNAL_PREFIX or prefix.startswith(INTERNAL_PREFIX + "/")


def locations(routes: list[tuple[str, str]] = ROUTES) -> list[Location]:
    """Two locations per route, so that a prefix matches on a segment boundary only."""
    result = []
    for prefix, service in routes:
        if not _SAFE_PATH.match(prefix) or prefix.endswith("/"):
            raise ValueError(f"route prefix {prefix!r} cannot be written as an nginx location")
        internal = is_internal(prefix)
        result.append(Location(prefix, service, exact=True, internal=internal))
        result.append(Location(prefix + "/", service, exact=False, internal=internal))
    result.append(Location(GATEWAY_HEALTH, HEALTH_UPSTREAM, exact=True, internal=False))
    # /health/<service>/live|ready: one service's own probe, as the embedded gateway answers it.
    for service in sorted({service for _, service in routes}):
        for probe in PROBES:
            result.append(Location(f"{GATEWAY_HEALTH}/{service}/{probe}", service, exact=True, internal=False,
                                   uri=f"{GATEWAY_HEALTH}/{probe}"))
    return result


def _quoted(text: str) -> str:
    """An nginx single-quoted string; `$` would start a variable, so none may appear."""
    if any(ch in text for ch in "'\\$\n"):
        raise ValueError(f"cannot quote {text!r} for nginx")
    return f"'{text}'"


def _double_quoted(text: str) -> str:
    """An nginx double-quoted string, for text that holds single quotes (a CSP)."""
    if any(ch in text for ch in '"\\$\n'):
        raise ValueError(f"cannot quote {text!r} for nginx")
    return f'"{text}"'


def _problem(status: int, title: str, detail: str, slug: str) -> str:
    return _quoted(json.dumps(problem_body(status, title, detail, slug), separators=(",", ":")))


# The answers nginx gives itself are problem+json, like every service's errors, and carry
# the request id the request would have been proxied with.
NOT_FOUND = (404, _problem(404, "Not Found", "no service serves this path", "not-found"))
FORBIDDEN = (403, _problem(403, "Forbidden", "this path is served to the cluster network only", "forbidden"))
TOO_LARGE = (413, _problem(413, "Payload Too Large", f"request bodies are limited to {MAX_BODY}",
                           "payload-too-large"))
# A service that is down, refuses or is too slow: come back in RETRY_AFTER seconds, as a
# service says itself when its own database or Redis is down (shared/outages.py).
RETRY_AFTER = RETRY_AFTER_SECONDS
UNAVAILABLE = (503, _quoted(json.dumps(problem_body(503, "Service Unavailable",
                                                    "the service did not answer; try again later", "unavailable",
                                                    extra={"retry_after": RETRY_AFTER}), separators=(",", ":"))))
# What nginx refuses before any route: a broken request, a method it does not take on a
# route of its own, a request line or headers too long (494 is nginx's own code for the
# latter; the client sees 431), a method it does not know.
BAD_REQUEST = (400, _problem(400, "Bad Request", "the request is not valid HTTP", "bad-request"))
NOT_ALLOWED = (405, _problem(405, "Method Not Allowed", "this path does not take this method",
                             "method-not-allowed"))
URI_TOO_LONG = (414, _problem(414, "URI Too Long", "the request line is too long", "uri-too-long"))
HEADERS_TOO_LARGE = (431, _problem(431, "Request Header Fields Too Large", "the request headers are too large",
                                   "request-header-fields-too-large"))
NOT_IMPLEMENTED = (501, _problem(501, "Not Implemented", "this method is not supported", "not-implemented"))


def _answer(answer: tuple[int, str], retry_after: int | None = None) -> str:
    status, body = answer
    retry = f"add_header Retry-After {int(retry_after)} always; " if retry_after is not None else ""
    return (f"default_type {PROBLEM_JSON}; add_header X-Request-ID $correlation_id always; "
            f"add_header X-Correlation-ID $correlation_id always; {retry}return {status} {body};")


def _request_id_maps() -> list[str]:
    """nginx maps choosing $correlation_id as shared.correlation.choose does."""
    token = f'"~{ACCEPTABLE_REQUEST_ID}"'
    return [
        "    map $http_x_request_id $client_request_id {",
        f"        {token} $http_x_request_id;",
        "        default \"\";",
        "    }",
        "    map $http_x_correlation_id $client_correlation_id {",
        f"        {token} $http_x_correlation_id;",
        "        default \"\";",
        "    }",
        "    map $client_correlation_id $fallback_request_id {",
        "        \"\" $request_id;",
        "        default $client_correlation_id;",
        "    }",
        "    map $client_request_id $correlation_id {",
        "        \"\" $fallback_request_id;",
        "        default $client_request_id;",
        "    }",
    ]


def _index() -> str:
    """The same document the embedded gateway answers at /api."""
    return _quoted(json.dumps(gateway.index(), separators=(",", ":")))


# What the web client's files are served as (the config includes no mime.types file).
WEB_TYPES = {"text/html": "html", "text/css": "css", "text/javascript": "js mjs", "image/svg+xml": "svg",
             "image/png": "png", "application/json": "json", "image/x-icon": "ico"}


def _web_locations(target: Target) -> list[str]:
    """The web client, as runtime/web.py serves it: the page at / and at /s/<id>, its
    files under /static/; a missing file is the same problem+json 404 as any unrouted path."""
    root = target.web_root.rstrip("/")
    # Only here: in the http block, `types` would also name the answers nginx gives itself
    # by the path's extension (a 404 for /openapi/x.json would become application/json).
    types = "types { " + " ".join(f"{mime} {exts};" for mime, exts in WEB_TYPES.items()) + " }"
    # An error_page in a location replaces every one of the server's, so these locations name
    # the 405 again (a POST to a page), or nginx would answer it with its own HTML.
    # A method other than GET/HEAD is refused before the static handler, whose own 405
    # would skip the error pages.
    errors = ("if ($request_method !~ ^(GET|HEAD)$) { return 405; } "
              "error_page 404 @not_found; error_page 405 @not_allowed;")
    page = (f"root {root}; {types} try_files /{web.INDEX} =404; {errors} add_header Cache-Control no-cache; "
            f"add_header X-Content-Type-Options nosniff; add_header Content-Security-Policy {_double_quoted(web.CSP)};")
    return [
        f"        location = / {{ {page} }}",
        f"        location {web.SHOP_PREFIX} {{ {page} }}",
        f"        location {web.STATIC_PREFIX} {{ root {root}; {types} default_type application/octet-stream; "
        f"{errors} "
        "add_header Cache-Control no-cache; add_header X-Content-Type-Options nosniff; }",
    ]


def _check(target: Target) -> None:
    needed = {service for _, service in ROUTES} | {HEALTH_UPSTREAM}
    missing = needed - set(target.hosts)
    if missing:
        raise ValueError(f"no host for {sorted(missing)}")
    for upstream, host in target.hosts.items():
        if not _SAFE_HOST.match(host):
            raise ValueError(f"host {host!r} of {upstream} must be host:port")
    if not _SAFE_ROOT.match(target.web_root) or ".." in target.web_root:
        raise ValueError(f"web root {target.web_root!r} must be an absolute path")
    for address in (*target.internal_allow, *target.internal_deny):
        if not _SAFE_ADDRESS.match(address):
            raise ValueError(f"{address!r} is not an address or CIDR")


def _access(target: Target) -> str:
    rules = [f"deny {a};" for a in target.internal_deny] + [f"allow {a};" for a in target.internal_allow]
    return " ".join([*rules, "deny all;"])


def _location_line(location: Location, target: Target) -> str:
    match = f"= {location.path}" if location.exact else location.path
    access = _access(target) + " " if location.internal else ""
    return f"        location {match} {{ {access}proxy_pass http://{location.upstream}{location.uri or ''}; }}"


def render(target: Target = COMPOSE, routes: list[tuple[str, str]] = ROUTES) -> str:
    _check(target)
    run = target.runtime_dir.rstrip("/")
    upstreams = sorted({service for _, service in routes}) + [HEALTH_UPSTREAM]
    lines = [
        "# Generated by `python -m deploy.nginx.render` from shared/routes.py: do not edit.",
        f"# Target: {target.name}; deploy/README.md says how to regenerate each target.",
        "daemon off;  # the container's main process",
        "worker_processes auto;",
        f"pid {run}/nginx.pid;",
        "error_log stderr warn;",
        "",
        "events {",
        "    worker_connections 1024;",
        "}",
        "",
        "http {",
        "    server_tokens off;",
        f"    client_max_body_size {MAX_BODY};",
        f"    client_body_buffer_size {MAX_BODY};",
        f"    client_body_temp_path {run}/nginx-client-body;",
        f"    proxy_temp_path {run}/nginx-proxy;",
        "",
        "    # One id per request (shared/correlation.py): the client's X-Request-ID (or the older",
        "    # X-Correlation-ID) when it is a sane token, else nginx's own $request_id; every service",
        "    # and the access log share it.",
        *_request_id_maps(),
        "    log_format gwh escape=json '{\"time\":\"$time_iso8601\",\"client\":\"$remote_addr\",'",
        "                               '\"request\":\"$request\",\"status\":$status,\"bytes\":$body_bytes_sent,'",
        "                               '\"seconds\":$request_time,\"upstream\":\"$upstream_addr\",'",
        "                               '\"request_id\":\"$correlation_id\"}';",
        "    access_log /dev/stdout gwh;",
        "",
    ]
    for upstream in upstreams:
        lines += [f"    upstream {upstream} {{", f"        server {target.hosts[upstream]};", "    }"]
    lines += [
        "",
        "    server {",
        f"        listen {target.listen};",
        "",
        "        proxy_http_version 1.1;",
        "        proxy_set_header Connection \"\";",
        "        proxy_set_header Host $host;",
        "        proxy_set_header X-Request-ID $correlation_id;",
        "        proxy_set_header X-Correlation-ID $correlation_id;",
        "        proxy_set_header X-Real-IP $remote_addr;",
        "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "        proxy_set_header X-Forwarded-Proto $scheme;",
        "        proxy_set_header X-Forwarded-Host $host;",
        "        proxy_set_header X-Forwarded-Port $server_port;",
        "        proxy_connect_timeout 5s;",
        "        proxy_read_timeout 30s;",
        "        proxy_send_timeout 30s;",
        "",
        "        error_page 400 /_gwh_errors/400;",
        "        error_page 403 @forbidden;",
        "        error_page 405 @not_allowed;",
        "        error_page 413 @too_large;",
        "        error_page 414 /_gwh_errors/414;",
        "        error_page 494 =431 @headers_too_large;",
        "        error_page 501 @not_implemented;",
        "        error_page 502 503 504 =503 @unavailable;  # one answer for: down, refused, too slow",
        "",
        "        # One exact and one slash-ended location per route: a prefix matches on a segment",
        "        # boundary only (shared.routes.service_for), so /api/ordersx is not the order service.",
    ]
    public = [loc for loc in locations(routes) if not loc.internal]
    internal = [loc for loc in locations(routes) if loc.internal]
    lines += [_location_line(loc, target) for loc in public]
    lines += [
        "",
        "        # Admin event history: from the cluster network only, whatever the token says.",
        *[_location_line(loc, target) for loc in internal],
        f"        location = {INTERNAL_PREFIX} {{ {_access(target)} {_answer(NOT_FOUND)} }}",
        f"        location {INTERNAL_PREFIX}/ {{ {_access(target)} {_answer(NOT_FOUND)} }}",
        "",
        "        # The web client (runtime/web.py), the gateway's index, and a 404 for anything unrouted.",
        *_web_locations(target),
        f"        location = {gateway.INDEX_PATH} {{ if ($request_method !~ ^(GET|HEAD)$) {{ return 405; }} "
        f"default_type application/json; add_header X-Request-ID $correlation_id always; "
        f"return 200 {_index()}; }}",
        f"        location / {{ {_answer(NOT_FOUND)} }}",
        f"        location @not_found {{ {_answer(NOT_FOUND)} }}",
        f"        location @forbidden {{ {_answer(FORBIDDEN)} }}",
        f"        location @too_large {{ {_answer(TOO_LARGE)} }}",
        f"        location @unavailable {{ {_answer(UNAVAILABLE, RETRY_AFTER)} }}",
        f"        location = /_gwh_errors/400 {{ internal; {_answer(BAD_REQUEST)} }}",
        f"        location @not_allowed {{ {_answer(NOT_ALLOWED)} }}",
        f"        location = /_gwh_errors/414 {{ internal; {_answer(URI_TOO_LONG)} }}",
        f"        location @headers_too_large {{ {_answer(HEADERS_TOO_LARGE)} }}",
        f"        location @not_implemented {{ {_answer(NOT_IMPLEMENTED)} }}",
        "    }",
        "}",
    ]
    return "\n".join(lines) + "\n"


def configmap(conf: str, name: str, namespace: str, key: str = "gouwuhao.conf") -> str:
    """The rendered config as a Kubernetes ConfigMap (a literal block keeps it byte for byte)."""
    if "\t" in conf or any(line != line.rstrip() for line in conf.splitlines()):
        raise ValueError("a YAML literal block keeps neither tabs nor trailing spaces reliably")
    body = "\n".join(("    " + line) if line else "" for line in conf.rstrip("\n").splitlines())
    return (
        "# Generated by `python -m deploy.nginx.render --target k8s --configmap "
        f"{name} --namespace {namespace}`: do not edit.\n"
        "apiVersion: v1\n"
        "kind: ConfigMap\n"
        "metadata:\n"
        f"  name: {name}\n"
        f"  namespace: {namespace}\n"
        "  labels:\n"
        "    app.kubernetes.io/part-of: gouwuhao\n"
        "    app.kubernetes.io/component: gateway\n"
        "data:\n"
        f"  {key}: |\n"
        f"{body}\n"
    )


def _host_override(value: str) -> tuple[str, str]:
    upstream, sep, host = value.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError("expected UPSTREAM=HOST:PORT")
    return upstream, host


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m deploy.nginx.render", description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", choices=sorted(TARGETS), default=COMPOSE.name,
                        help="preset of host names and cluster network (default: compose)")
    parser.add_argument("--host", action="append", type=_host_override, default=[], metavar="UPSTREAM=HOST:PORT",
                        help="override one upstream's address (catalog, shop, order, ranking, gateway-health)")
    parser.add_argument("--internal-allow", action="append", metavar="CIDR",
                        help="networks allowed to reach /internal/ (replaces the preset's)")
    parser.add_argument("--internal-deny", action="append", metavar="CIDR",
                        help="addresses refused /internal/ before the allow list (replaces the preset's)")
    parser.add_argument("--listen", type=int, help="the port nginx listens on (default 8000)")
    parser.add_argument("--web-root", help="the folder holding the web client (default /usr/share/gouwuhao/web)")
    parser.add_argument("--configmap", metavar="NAME", help="wrap the config in a Kubernetes ConfigMap")
    parser.add_argument("--namespace", default="gouwuhao", help="the ConfigMap's namespace")
    args = parser.parse_args(argv)

    target = TARGETS[args.target]
    changes: dict = {}
    if args.host:
        changes["hosts"] = {**target.hosts, **dict(args.host)}
    if args.internal_allow is not None:
        changes["internal_allow"] = tuple(args.internal_allow)
    if args.internal_deny is not None:
        changes["internal_deny"] = tuple(args.internal_deny)
    if args.listen is not None:
        changes["listen"] = args.listen
    if args.web_root is not None:
        changes["web_root"] = args.web_root
    target = replace(target, **changes)
    conf = render(target)
    sys.stdout.write(configmap(conf, args.configmap, args.namespace) if args.configmap else conf)


if __name__ == "__main__":
    main()
