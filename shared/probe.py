"""The worker's own probe: a tiny HTTP server in the worker process (GWH_WORKER_PROBE_PORT).

A worker serves no API, so the API's /health says nothing about it. Kubernetes (and
compose) ask the worker itself:

- `/health/live`: every background thread (consumer, relay, periodic jobs) is alive, and
  the consumer's and relay's loops went round recently. Failing it gets the worker
  restarted: a dead or stuck thread is a fault a restart cures. A broker outage is not
  (the loops keep going round, waiting), so it never fails liveness.
- `/health/ready`: the consumer is attached to its queue and the relay's last flush
  reached the broker. It fails while the broker is away; a worker has no Service, so this
  only holds up a rollout until the new worker really works.

The answers have the shape of a service's (shared/health.py): 200 or 503, with
`status` and each check's detail. Port 0 (the default) starts no server: several workers
on one host (`make cluster`) would otherwise fight over one port.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from shared.health import run_checks

log = logging.getLogger("gwh.probe")

# A loop that has not gone round for this long is stuck. The consumer goes round at least
# every 0.5 s plus one message's handling; the relay at least every 10 s plus one flush.
STALL_SECONDS = 120.0


class WorkerHealth:
    """What the probe reports about one worker's ServiceParts."""

    def __init__(self, parts, stall_seconds: float = STALL_SECONDS):
        self.parts = parts
        self.stall_seconds = stall_seconds

    def _threads(self) -> None:
        dead = [t.name for t in self.parts._threads if not t.is_alive()]
        if not self.parts._threads:
            raise RuntimeError("the worker's threads have not started")
        if dead:
            raise RuntimeError(f"threads stopped: {', '.join(dead)}")

    def _loop_fresh(self, what: str, beat: float | None) -> None:
        if beat is not None and time.monotonic() - beat > self.stall_seconds:
            raise RuntimeError(f"the {what} loop has not gone round for {time.monotonic() - beat:.0f}s")

    def live_checks(self) -> dict:
        checks = {"threads": self._threads}
        if self.parts.consumer is not None:
            checks["consumer_loop"] = lambda: self._loop_fresh("consumer", self.parts.consumer.last_beat)
        if self.parts.relay is not None:
            checks["relay_loop"] = lambda: self._loop_fresh("relay", self.parts.relay.last_beat)
        return checks

    def ready_checks(self) -> dict:
        checks = dict(self.live_checks())
        if self.parts.consumer is not None:
            checks["consumer"] = self._consumer_attached
        if self.parts.relay is not None:
            checks["relay"] = self._relay_publishing
        return checks

    def _consumer_attached(self) -> None:
        if not self.parts.consumer.attached:
            raise RuntimeError("the consumer is not attached to its queue")

    def _relay_publishing(self) -> None:
        if self.parts.relay.last_error:
            raise RuntimeError(f"the outbox relay waits for the broker: {self.parts.relay.last_error}")

    def answer(self, path: str) -> tuple[int, dict]:
        if path == "/health/live":
            checks = self.live_checks()
        elif path == "/health/ready":
            checks = self.ready_checks()
        else:
            return 404, {"status": 404, "title": "Not Found", "detail": "the probe answers /health/live and /health/ready"}
        status, results = run_checks(checks)
        return (503 if status == "unavailable" else 200), {"service": self.parts.name, "role": "worker",
                                                            "status": status, "checks": results}


class ProbeServer:
    def __init__(self, health: WorkerHealth, port: int, host: str = "0.0.0.0"):
        handler = _handler(health)
        self.server = ThreadingHTTPServer((host, port), handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, name="worker-probe", daemon=True)

    def start(self) -> "ProbeServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _handler(health: WorkerHealth):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            status, body = health.answer(self.path.split("?", 1)[0])
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json" if status != 404 else "application/problem+json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):  # probes every few seconds: not worth a log line each
            pass

    return Handler
