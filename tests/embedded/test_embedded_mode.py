"""The embedded mode is self-contained: no RabbitMQ, PostgreSQL or Redis server is touched.

An audit hook sees every socket.connect the process makes while the whole platform starts
with no GWH_* URL set, seeds its demo data through every service and stops.
"""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from shared.config import load

SERVER_PORTS = {5672, 5432, 6379}
_connections: list = []
_recording = False


def _audit(event, args):
    if _recording and event == "socket.connect":
        _connections.append(args[1])


sys.addaudithook(_audit)


def test_the_embedded_platform_opens_no_connection_to_server_ports(tmp_path):
    global _recording
    from runtime.demo import SMALL, seed
    from runtime.embedded import Platform, wait_settled
    config = load({"GWH_DATA_DIR": str(tmp_path / "data"), "GWH_DEMO_DATA": "1"})
    assert config.bus_url == "memory://" and config.redis_url == "" and config.database_urls == {}
    _connections.clear()
    _recording = True
    try:
        platform = Platform(config).start()
        try:
            assert seed(platform, scale=SMALL) is True
            wait_settled(platform)
            from flask import Response
            from werkzeug.test import Client
            client = Client(platform.gateway, Response)
            # Every demo product, less the three the demo's brand delisted.
            assert client.get("/api/catalog/products").json["total"] == SMALL.brands * SMALL.products_per_brand - 3
            assert client.get("/health").status_code == 200
        finally:
            platform.stop()
    finally:
        _recording = False
    ports = {addr[1] for addr in _connections if isinstance(addr, tuple) and len(addr) >= 2}
    assert not ports & SERVER_PORTS, f"connected to {_connections}"
    # The data lives in the data dir: SQLite files and the embedded Redis.
    names = {p.name for p in (tmp_path / "data").iterdir()}
    assert {"catalog.db", "shop.db", "order.db"} <= names


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_make_run_serves_on_its_port_and_drains_on_sigterm(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GWH_")}
    env.update(GWH_PORT=str(port), GWH_DATA_DIR=str(tmp_path / "data"), GWH_DEMO_DATA="1", GWH_DEMO_SCALE="small")
    root = Path(__file__).resolve().parents[2]
    # The output goes to a file, read at the end: an unread pipe fills up (a line per request
    # and per event) and would stop the server mid-test.
    log_path = tmp_path / "run.log"
    with log_path.open("w") as log_file:
        process = subprocess.Popen([sys.executable, "-m", "runtime"], cwd=root, env=env,
                                   stdout=log_file, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        health = None
        while time.monotonic() < deadline:
            try:
                health = requests.get(f"{base}/health", timeout=2)
                if health.status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.3)
        assert health is not None and health.status_code == 200, health and health.text
        assert set(health.json()["services"]) == {"catalog", "shop", "order", "ranking"}
        from runtime.demo import SMALL
        assert requests.get(f"{base}/api/catalog/products", timeout=5).json()["total"] == \
            SMALL.brands * SMALL.products_per_brand - 3
        page = requests.get(f"{base}/s/anyone", timeout=5)  # the web client, at a shared shop link
        assert page.status_code == 200 and '<script type="module" src="/static/app.js">' in page.text
        assert requests.get(f"{base}/openapi/shop.json", timeout=5).status_code == 200
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        output = log_path.read_text()
        assert process.returncode == 0, output
        assert "drained" in output
        # make run logs readable text lines, each naming its request id.
        assert any(" INFO gwh.access [" in line for line in output.splitlines())
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
