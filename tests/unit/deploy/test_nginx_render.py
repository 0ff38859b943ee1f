"""The rendered nginx gateway routes as the embedded gateway does (no nginx binary needed).

These tests read the config with a small parser (nginxconf.py) and route sample paths by
nginx's location rules; test_nginx_binary.py has nginx itself check the same config.
"""
from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from dataclasses import replace
from pathlib import Path

import pytest
from werkzeug.test import Client

from deploy.nginx import render
from runtime.gateway import Gateway
from shared.config import SERVICES, Config
from shared.routes import GATEWAY_HEALTH, ROUTES, service_for
from tests.unit.deploy import nginxconf

ROOT = Path(__file__).resolve().parents[3]
COMMITTED = ROOT / "deploy" / "nginx" / "gouwuhao.conf"
K8S_CONFIGMAP = ROOT / "deploy" / "k8s" / "30-gateway-nginx.yaml"

# Paths on both sides of every boundary: a route's exact path, below it, a longer word that
# starts like it, a near-miss spelling, and paths no route claims.
SAMPLE_PATHS = [
    "/api/orders", "/api/orders/", "/api/orders/o-1/pay", "/api/ordersx", "/api/orders-archive",
    "/api/commissions/me", "/api/commissionsx",
    "/api/catalog", "/api/catalog/products/p-1", "/api/catalogue", "/api/catalog-v2/products",
    "/api/auth/login", "/api/authx", "/api/members/me/privacy", "/api/member", "/api/shops/m-1/visits",
    "/api/shopsx/m-1", "/api/ranking/influence", "/api/rankings",
    "/openapi/catalog.json", "/openapi/shop.json", "/openapi/order.json", "/openapi/ranking.json",
    "/openapi/catalog.jsonx", "/openapi/catalog", "/openapi/payments.json", "/openapi",
    "/internal/catalog/events", "/internal/shop/events", "/internal/order/events", "/internal/ranking/events",
    "/internal/catalogue/events", "/internal/", "/internal",
    "/api", "/api/", "/apix", "/healthz", "/health/", "/health/live", "/favicon.ico", "/API/orders",
    # The web client: the page, a shared shop link, its files, a missing file, near misses.
    "/", "/s/m-1", "/s/", "/static/app.js", "/static/style.css", "/static/img/logo.svg",
    "/static/nope.js", "/sx/m-1", "/staticx/app.js",
]
WEB = ROOT / "web"


def parsed(text: str) -> nginxconf.Router:
    return nginxconf.router(nginxconf.server_of(nginxconf.parse(text)))


@pytest.fixture(scope="module")
def router() -> nginxconf.Router:
    return parsed(render.render(render.COMPOSE))


def test_the_committed_conf_is_a_fresh_render_of_the_route_table():
    # `make nginx` rewrites it; this fails while someone changed shared/routes.py without it.
    assert COMMITTED.read_text() == render.render(render.COMPOSE)


def test_the_committed_k8s_configmap_is_a_fresh_render_of_the_route_table():
    expected = render.configmap(render.render(render.K8S), "gateway-nginx", "gouwuhao")
    assert K8S_CONFIGMAP.read_text() == expected


def test_every_route_has_an_exact_and_a_segment_location_on_its_service_upstream(router):
    for prefix, service in ROUTES:
        assert router.exact[prefix].upstream == service, prefix
        assert router.prefix[prefix + "/"].upstream == service, prefix
        # The gateway strips nothing: the service sees the path the client sent.
        assert router.exact[prefix].uri is None and router.prefix[prefix + "/"].uri is None
    proxied = {r.location for r in [*router.exact.values(), *router.prefix.values()] if r.upstream}
    expected = {f"= {p}" for p, _ in ROUTES} | {p + "/" for p, _ in ROUTES} | {f"= {GATEWAY_HEALTH}"} \
        | {f"= /health/{s}/{probe}" for s in SERVICES for probe in ("live", "ready")}
    assert proxied == expected


def test_upstreams_are_the_compose_and_k8s_service_names():
    for target in (render.COMPOSE, render.K8S):
        upstreams = nginxconf.upstreams_of(nginxconf.parse(render.render(target)))
        assert upstreams == {"catalog": ["catalog-api:8000"], "shop": ["shop-api:8000"],
                             "order": ["order-api:8000"], "ranking": ["ranking-api:8000"],
                             "gateway-health": ["health:8000"]}
        assert set(upstreams) == set(SERVICES) | {render.HEALTH_UPSTREAM}


@pytest.mark.parametrize("path", SAMPLE_PATHS)
def test_nginx_picks_the_service_that_service_for_picks(router, path):
    route = router.route(path)
    assert route is not None, "the catch-all location / must answer every path"
    if route.upstream is None:
        assert service_for(path) is None
        assert route.status in (200, 404) or route.root is not None  # an answer, or the web client
    else:
        assert route.upstream == service_for(path)


@pytest.mark.parametrize("path", [*SAMPLE_PATHS, GATEWAY_HEALTH, "/health/catalog/ready",
                                  "/health/ranking/live", "/health/payments/ready", "/health/shop/status"])
def test_nginx_answers_like_the_embedded_gateway(router, path):
    """Each service is an echo app here; whoever answers in the embedded mode must be the
    upstream nginx proxies to, with the same path, or nginx must give the same answer."""
    def echo(name):
        def app(environ, start_response):
            start_response("200 OK", [("Content-Type", "application/json")])
            return [json.dumps({"service": name, "path": environ["PATH_INFO"]}).encode()]
        return app

    embedded = Client(Gateway({name: echo(name) for name in SERVICES})).get(path)
    route = router.route(path)
    body = embedded.get_json(silent=True)
    if path == GATEWAY_HEALTH:
        assert route.upstream == render.HEALTH_UPSTREAM and set(body["services"]) == set(SERVICES)
    elif route.root is not None:
        # A static location: nginx serves the file the embedded gateway serves, or, when it
        # is missing, the same problem+json 404 through its error page.
        assert route.root == render.COMPOSE.web_root
        served = WEB / route.file_for(path).lstrip("/")
        if served.is_file():
            assert embedded.status_code == 200 and embedded.data == served.read_bytes()
        else:
            assert ("404", "@not_found") in route.error_pages and embedded.status_code == 404
            missing = router.named["@not_found"]
            assert (missing.status, missing.content_type) == (404, embedded.mimetype)
            assert {**json.loads(missing.body), "detail": None} == {**body, "detail": None}
    elif route.upstream is not None:
        assert body == {"service": route.upstream, "path": route.uri or path}
    else:
        assert (route.status, route.content_type) == (embedded.status_code, embedded.mimetype)
        mine = json.loads(route.body)
        if route.status == 404:
            # The embedded detail names the path; nginx cannot put a client's path in JSON safely.
            assert {**mine, "detail": None} == {**body, "detail": None}
        else:
            assert mine == body


def test_unrouted_paths_answer_a_problem_json_404(router):
    for path in ("/api/ordersx", "/nope", "/internal/wallet/events"):
        route = router.route(path)
        assert (route.status, route.content_type) == (404, "application/problem+json")
        problem = json.loads(route.body)
        assert problem["status"] == 404 and problem["title"] == "Not Found"


def test_nginx_refusals_are_problem_json_too(router):
    named = (("@forbidden", 403), ("@too_large", 413), ("@unavailable", 503), ("@not_allowed", 405),
             ("@headers_too_large", 431), ("@not_implemented", 501))
    # A request line nginx cannot parse has no URI to take to a named location: those
    # errors go to internal URI locations instead.
    for name, status in [*named, ("/_gwh_errors/400", 400), ("/_gwh_errors/414", 414)]:
        route = router.named[name] if name.startswith("@") else router.route(name)
        assert (route.status, route.content_type) == (status, "application/problem+json")
        assert json.loads(route.body)["status"] == status
    pages = {tuple(d.args) for d in nginxconf.server_of(nginxconf.parse(render.render())).children("error_page")}
    assert pages == {("400", "/_gwh_errors/400"), ("403", "@forbidden"), ("405", "@not_allowed"),
                     ("413", "@too_large"), ("414", "/_gwh_errors/414"), ("494", "=431", "@headers_too_large"),
                     ("501", "@not_implemented"), ("502", "503", "504", "=503", "@unavailable")}


def test_internal_history_is_served_to_the_compose_network_only(router):
    internal = [r for r in [*router.exact.values(), *router.prefix.values()] if r.location.lstrip("= ").startswith("/internal")]
    assert len(internal) == 2 * len([p for p, _ in ROUTES if p.startswith("/internal/")]) + 2
    for route in internal:
        assert route.admits("172.28.0.7"), route.location            # another container
        assert not route.admits("172.28.0.1"), route.location        # the host, through a published port
        assert not route.admits("203.0.113.9"), route.location       # the internet
    for prefix, _ in ROUTES:
        if not prefix.startswith("/internal/"):
            assert router.route(prefix + "/x").admits("203.0.113.9")


def test_internal_history_is_served_to_the_pod_network_only_on_k8s():
    route = parsed(render.render(render.K8S)).route("/internal/order/events")
    assert route.admits("10.42.3.17")
    assert not route.admits("192.168.1.20")


def test_the_body_limit_equals_the_services_and_every_location_keeps_the_forwarded_headers():
    root = nginxconf.parse(render.render())
    size = root.child("http").child("client_max_body_size").args[0]
    assert size.endswith("k") and int(size[:-1]) * 1024 == Config().max_body_bytes
    server = nginxconf.server_of(root)
    headers = {d.args[0] for d in server.children("proxy_set_header")}
    assert {"X-Request-ID", "X-Correlation-ID", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Real-IP"} <= headers
    # A proxy_set_header inside a location would silently drop all of the server's.
    for location in server.children("location"):
        assert not location.children("proxy_set_header"), location.args


def test_a_route_added_to_the_table_gets_its_two_locations():
    routes = [*ROUTES, ("/api/wallet", "order")]
    router = parsed(render.render(render.COMPOSE, routes))
    assert router.route("/api/wallet").upstream == "order"
    assert router.route("/api/wallet/w-1").upstream == "order"
    assert router.route("/api/walletx").status == 404


@pytest.mark.parametrize("routes, target", [
    ([("/api/orders; deny all", "order")], render.COMPOSE),
    ([("/api/orders/", "order")], render.COMPOSE),
    ([("api/orders", "order")], render.COMPOSE),
    (ROUTES, replace(render.COMPOSE, hosts={**render.COMPOSE.hosts, "order": "order-api"})),
    (ROUTES, replace(render.COMPOSE, hosts={k: v for k, v in render.COMPOSE.hosts.items() if k != "shop"})),
    (ROUTES, replace(render.COMPOSE, internal_allow=("all; allow 0.0.0.0/0",))),
])
def test_the_renderer_refuses_what_it_cannot_write_safely(routes, target):
    with pytest.raises(ValueError):
        render.render(target, routes)


def test_the_command_line_overrides_hosts_and_the_cluster_network():
    out = io.StringIO()
    with redirect_stdout(out):
        render.main(["--target", "k8s", "--host", "catalog=10.0.0.5:9000", "--internal-allow", "192.168.0.0/16",
                     "--listen", "8080"])
    root = nginxconf.parse(out.getvalue())
    assert nginxconf.upstreams_of(root)["catalog"] == ["10.0.0.5:9000"]
    assert nginxconf.upstreams_of(root)["shop"] == ["shop-api:8000"]
    assert nginxconf.server_of(root).child("listen").args == ["8080"]
    route = nginxconf.router(nginxconf.server_of(root)).route("/internal/catalog/events")
    assert route.admits("192.168.4.4") and not route.admits("10.1.1.1")


def test_the_parser_rejects_broken_configs():
    for broken in ("http { server { listen 80; }", "http { listen 80 }", "}", "events { worker_connections 1 }",
                   "return 404 'unterminated;"):
        with pytest.raises(nginxconf.ConfigSyntaxError):
            nginxconf.parse(broken)
