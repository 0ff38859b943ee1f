"""The cluster mode's processes, started as they are deployed: a gunicorn API with two
worker processes adds up every worker's counters on /metrics (multiprocess mode) and writes
JSON log lines with the request id; a service's event worker serves its metrics on
GWH_METRICS_PORT and logs in JSON."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.support.observe import sample

ROOT = Path(__file__).resolve().parents[2]
ROUTE = "/api/catalog/products"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(tmp_path, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GWH_", "PROMETHEUS_"))}
    env.update(GWH_DATA_DIR=str(tmp_path / "data"), GWH_JWT_SECRET="test-secret-not-for-production-000000",
               GWH_LOG_FORMAT="json", GWH_DEMO_DATA="0", **extra)
    return env


def _wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the process exited"
        try:
            if requests.get(url, timeout=5).status_code < 500:
                return
        except requests.RequestException:  # refused, or accepted by a worker still booting
            pass
        time.sleep(0.2)
    raise TimeoutError(url)


def _stop(process: subprocess.Popen) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def _json_lines(path: Path) -> list[dict]:
    lines = []
    for line in path.read_text().splitlines():
        assert line.startswith("{"), f"not a JSON log line: {line!r}"
        lines.append(json.loads(line))
    return lines


def test_gunicorn_adds_up_its_workers_counters_and_logs_json(tmp_path):
    port = _free_port()
    log_path = tmp_path / "gunicorn.log"
    # Started from the repository root without -c: gunicorn reads ./gunicorn.conf.py, as in the image.
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-k", "sync", "-w", "2", "-b", f"127.0.0.1:{port}",
             "--timeout", "30", "services.catalog.app:create_app()"],
            cwd=ROOT, env=_env(tmp_path), stdout=log_file, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{base}/health/live", process)
        # Hold one sync worker on a request it has not finished reading: the next requests
        # all go to the other worker. Then finish it, so each worker has answered some.
        # (Generous timeouts: the other worker may still be booting on a busy machine.)
        held = socket.create_connection(("127.0.0.1", port), timeout=60)
        held.sendall(f"GET {ROUTE} HTTP/1.1\r\nHost: x\r\nX-Request-ID: held-1\r\n".encode())
        time.sleep(0.5)
        for i in range(10):
            reply = requests.get(base + ROUTE, headers={"X-Request-ID": f"gun-{i}"}, timeout=60)
            assert reply.status_code == 200 and reply.headers["X-Request-ID"] == f"gun-{i}"
        held.sendall(b"Connection: close\r\n\r\n")
        assert held.recv(4096).startswith(b"HTTP/1.1 200")
        held.close()
        # No single worker answered 11 requests: a scrape that says 11 added both up.
        for _ in range(6):
            text = requests.get(f"{base}/metrics", timeout=60).text
            assert sample(text, "gwh_http_requests_total", service="catalog", route=ROUTE, status="200") == 11
            assert sample(text, "gwh_http_request_duration_seconds_count", service="catalog", route=ROUTE) == 11
            assert sample(text, "gwh_outbox_pending", service="catalog") == 0
    finally:
        assert _stop(process) == 0
    lines = _json_lines(log_path)
    [access] = [e for e in lines if e.get("request_id") == "gun-3"]
    assert (access["logger"], access["route"], access["status"]) == ("gwh.access", ROUTE, 200)
    assert any(e["logger"] == "gwh.access" and e["request_id"] == "held-1" for e in lines)
    # gunicorn's own lines take the same form.
    assert any(e["logger"] == "gunicorn.error" and "Booting worker" in e["message"] for e in lines)


def test_a_service_worker_serves_metrics_on_its_port_and_logs_json(tmp_path):
    port = _free_port()
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log_file:
        process = subprocess.Popen([sys.executable, "-m", "services.catalog.app", "worker"], cwd=ROOT,
                                   env=_env(tmp_path, GWH_METRICS_PORT=str(port)),
                                   stdout=log_file, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/metrics", process)
        text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
        assert sample(text, "gwh_outbox_pending", service="catalog") == 0
        assert sample(text, "gwh_queue_messages", service="catalog", queue="main") == 0
        assert sample(text, "gwh_queue_consumers", service="catalog") is not None
    finally:
        assert _stop(process) == 0
    lines = _json_lines(log_path)
    assert any(e["logger"] == "gwh.service" and e["message"] == "catalog worker started" for e in lines)
