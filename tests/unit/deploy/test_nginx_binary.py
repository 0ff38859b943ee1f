"""nginx itself on the rendered config, where an nginx binary is installed.

The config is rendered with every upstream on 127.0.0.1 (nginx resolves upstream host
names when it loads the config, and compose/k8s names do not resolve here) and its pid and
buffers in a temp dir; everything else is what the committed file says
(test_nginx_render.py checks the committed file equals a render).
Debian's `nginx-light` package is enough; nothing here installs it.
"""
from __future__ import annotations

import http.client
import json
import mimetypes
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from deploy.nginx import render
from tests.unit.deploy import nginxconf

WEB = Path(__file__).resolve().parents[3] / "web"
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.path.exists(p)), None)


@pytest.fixture
def runtime_dir():
    # Not pytest's tmp_path: nginx's workers run as an unprivileged user and must reach the
    # body buffers, and pytest's base temp dir is private to its owner.
    path = Path(tempfile.mkdtemp(prefix="gwh-nginx-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def local_target(target: render.Target, runtime_dir: Path, ports: dict[str, int], **changes) -> render.Target:
    return replace(target, hosts={name: f"127.0.0.1:{ports[name]}" for name in target.hosts},
                   runtime_dir=str(runtime_dir), **changes)


def test_config_syntax_by_nginx_t_when_installed_else_by_the_python_parser_only(runtime_dir):
    """Both targets' configs parse (balanced braces, every directive ended); where an nginx
    binary exists, `nginx -t` accepts them too. Without nginx only the parser's checks run."""
    ports = {name: 18000 + i for i, name in enumerate(render.COMPOSE.hosts)}
    for target in (render.COMPOSE, render.K8S):
        conf = render.render(local_target(target, runtime_dir, ports))
        root = nginxconf.parse(conf)
        assert [d.name for d in root.block if d.block is not None] == ["events", "http"]
        assert root.child("pid").args == [f"{runtime_dir}/nginx.pid"]
        if NGINX is None:
            continue
        path = runtime_dir / f"{target.name}.conf"
        path.write_text(conf)
        result = subprocess.run([NGINX, "-t", "-p", str(runtime_dir), "-c", str(path), "-e", "stderr"],
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr
        assert "test is successful" in result.stderr


# --- a live nginx in front of echo upstreams ----------------------------------------------

class Echo(BaseHTTPRequestHandler):
    """Answers any request with its upstream's name, the path and the headers it received."""

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = json.dumps({"upstream": self.server.name, "path": self.path,
                           "headers": {k.lower(): v for k, v in self.headers.items()}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

    def log_message(self, *args):
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_gateway(runtime_dir):
    """nginx on a free port; every upstream an echo server, except ranking, which is down."""
    servers, ports = [], {}
    for name in render.COMPOSE.hosts:
        if name == "ranking":
            ports[name] = free_port()  # nothing listens there
            continue
        server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
        server.name = name
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        ports[name] = server.server_address[1]
    listen = free_port()
    # Like compose: the cluster network is allowed, one address inside it (there the bridge
    # gateway, here 127.0.0.2) stands for the outside.
    target = local_target(render.COMPOSE, runtime_dir, ports, listen=listen,
                          internal_allow=("127.0.0.0/8",), internal_deny=("127.0.0.2",), web_root=str(WEB))
    conf = runtime_dir / "gouwuhao.conf"
    conf.write_text(render.render(target))
    access_log = runtime_dir / "access.log"
    with open(access_log, "w") as out, open(runtime_dir / "error.log", "w") as err:
        nginx = subprocess.Popen([NGINX, "-p", str(runtime_dir), "-c", str(conf), "-e", "stderr"],
                                 stdout=out, stderr=err)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", listen), timeout=0.2).close()
                break
            except OSError:
                if nginx.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError((runtime_dir / "error.log").read_text())
                time.sleep(0.05)
        yield listen, access_log
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        for server in servers:
            server.shutdown()
            server.server_close()


def request(port, method, path, body=None, headers=None, source="127.0.0.1"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5, source_address=(source, 0))
    try:
        conn.request(method, path, body=body, headers=headers or {})
        reply = conn.getresponse()
        return reply.status, reply.getheader("Content-Type"), dict(reply.getheaders()), reply.read()
    finally:
        conn.close()


@pytest.mark.skipif(NGINX is None, reason="no nginx binary (Debian: apt-get install nginx-light); "
                                          "test_nginx_render.py still checks the same routing by parsing")
def test_a_live_nginx_routes_the_way_the_parsed_config_says(live_gateway):
    port, access_log = live_gateway
    router = nginxconf.router(nginxconf.server_of(nginxconf.parse(render.render())))
    from tests.unit.deploy.test_nginx_render import SAMPLE_PATHS
    for path in [*SAMPLE_PATHS, "/health", "/health/catalog/ready"]:
        route = router.route(path)
        if route.upstream == "ranking" or route.access:
            continue  # ranking is down here, and /internal is checked below
        status, ctype, headers, body = request(port, "GET", path)
        if route.root is not None:
            # The web client's files, with the type a browser needs to run a module.
            served = WEB / route.file_for(path).lstrip("/")
            if served.is_file():
                assert (status, body) == (200, served.read_bytes()), path
                assert ctype.split(";")[0] == mimetypes.guess_type(served.name)[0].replace(
                    "application/javascript", "text/javascript"), path
                assert headers["X-Content-Type-Options"] == "nosniff"
            else:
                assert (status, ctype, json.loads(body)["status"]) == (404, "application/problem+json", 404), path
        elif route.upstream is not None:
            assert status == 200, path
            echoed = json.loads(body)
            assert (echoed["upstream"], echoed["path"]) == (route.upstream, route.uri or path)
        else:
            assert (status, ctype) == (route.status, route.content_type), path
            assert json.loads(body) == json.loads(route.body)


@pytest.mark.skipif(NGINX is None, reason="no nginx binary (Debian: apt-get install nginx-light)")
def test_a_live_nginx_guards_internal_limits_bodies_and_forwards_the_request_id(live_gateway):
    port, access_log = live_gateway
    # /internal/: the cluster network passes, the outside gets a problem+json 403.
    status, _, _, body = request(port, "GET", "/internal/order/events?after=0")
    assert status == 200 and json.loads(body)["path"] == "/internal/order/events?after=0"
    status, ctype, _, body = request(port, "GET", "/internal/order/events", source="127.0.0.2")
    assert (status, ctype, json.loads(body)["status"]) == (403, "application/problem+json", 403)
    status, _, _, _ = request(port, "GET", "/api/orders/o-1", source="127.0.0.2")
    assert status == 200

    # 64k passes, one byte more is refused before it reaches the service.
    status, _, _, _ = request(port, "POST", "/api/orders", body=b"x" * 64 * 1024,
                              headers={"Content-Type": "application/json"})
    assert status == 200
    status, ctype, _, body = request(port, "POST", "/api/orders", body=b"x" * (64 * 1024 + 1),
                                     headers={"Content-Type": "application/json"})
    assert (status, ctype, json.loads(body)["status"]) == (413, "application/problem+json", 413)

    # The client's request id reaches the service; without one nginx starts one; a header
    # that is no sane token is replaced; the older X-Correlation-ID is still read.
    _, _, _, body = request(port, "GET", "/api/catalog/products", headers={"X-Request-ID": "cid-42"})
    seen = json.loads(body)["headers"]
    assert seen["x-request-id"] == "cid-42" and seen["x-correlation-id"] == "cid-42"
    assert seen["x-forwarded-for"] == "127.0.0.1" and seen["x-forwarded-proto"] == "http"
    _, _, _, body = request(port, "GET", "/api/catalog/products")
    started = json.loads(body)["headers"]["x-request-id"]
    assert len(started) == 32 and started != "cid-42"
    _, _, _, body = request(port, "GET", "/api/catalog/products", headers={"X-Request-ID": "a b\"c" + "x" * 200})
    replaced = json.loads(body)["headers"]["x-request-id"]
    assert len(replaced) == 32 and '"' not in replaced
    _, _, _, body = request(port, "GET", "/api/catalog/products", headers={"X-Correlation-ID": "old-7"})
    assert json.loads(body)["headers"]["x-request-id"] == "old-7"
    _, _, _, body = request(port, "GET", "/api/catalog/products",
                            headers={"X-Request-ID": "new-8", "X-Correlation-ID": "old-8"})
    assert json.loads(body)["headers"]["x-request-id"] == "new-8"
    status, _, headers, _ = request(port, "GET", "/api/ordersx", headers={"X-Request-ID": "cid-43"})
    assert status == 404 and headers["X-Request-ID"] == "cid-43" and headers["X-Correlation-ID"] == "cid-43"
    # /metrics is served on each service's own port to the cluster network, never by the gateway.
    status, ctype, _, _ = request(port, "GET", "/metrics")
    assert (status, ctype) == (404, "application/problem+json")

    # A service that does not answer is a problem+json 503, not nginx's HTML 502.
    status, ctype, headers, body = request(port, "GET", "/api/ranking/influence")
    assert (status, ctype, json.loads(body)["status"]) == (503, "application/problem+json", 503)
    # ...that says when to come back, in the header and in the body.
    assert headers["Retry-After"] == str(render.RETRY_AFTER)
    assert json.loads(body)["retry_after"] == render.RETRY_AFTER

    # The access log is one JSON object a line, with the request id.
    deadline = time.monotonic() + 5
    while "cid-42" not in access_log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    entries = [json.loads(line) for line in access_log.read_text().splitlines()]
    assert any(e["request_id"] == "cid-42" and e["status"] == 200 for e in entries)


@pytest.mark.skipif(NGINX is None, reason="no nginx binary (Debian: apt-get install nginx-light)")
def test_a_live_nginx_answers_its_own_errors_as_problem_json_without_its_version(live_gateway):
    port, _ = live_gateway
    # A request line past large_client_header_buffers (8k): nginx's 414, not its HTML page.
    status, ctype, headers, body = request(port, "GET", "/api/catalog/products?q=" + "x" * 20_000)
    assert (status, ctype, json.loads(body)["status"]) == (414, "application/problem+json", 414)
    assert headers["Server"] == "nginx"  # server_tokens off: no version
    # Headers too large: nginx's 494, answered as 431.
    status, ctype, _, body = request(port, "GET", "/api/catalog/products", headers={"X-Big": "y" * 20_000})
    assert (status, ctype, json.loads(body)["status"]) == (431, "application/problem+json", 431)
    # A method nginx does not take on its own index.
    status, ctype, _, body = request(port, "POST", "/", body=b"{}", headers={"Content-Type": "application/json"})
    assert ctype == "application/problem+json" and json.loads(body)["status"] == status and status in (405, 404)
    # A request that is not HTTP.
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        raw.sendall(b"GET /a b c\r\n\r\n")
        reply = b""
        while chunk := raw.recv(65536):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    assert b" 400 " in head.split(b"\r\n")[0] and b"application/problem+json" in head, reply[:300]
    assert json.loads(body)["status"] == 400
