"""Liveness and readiness for every service: /health/live and /health/ready.

What each answer means is what Kubernetes reads from it:

- live (200 while the process answers at all): failing it gets the process restarted.
- ready (200 while the service can answer requests): failing it takes the process out of
  its Service's endpoints. Only what the API needs to answer counts: its own database, or
  Redis for the ranking. Everything else a service leans on (the broker, a worker consuming
  its queue, a ranking store being rebuilt) is *advisory*: when it fails, ready still
  answers 200, with `status: "degraded"` and the failing check's detail. The outbox exists
  so that writes go on while the broker is away; pulling every API out of service because
  RabbitMQ restarted would turn a 30-second pause of events into an outage.

Body: {"service", "status": "ok" | "degraded" | "unavailable", "checks": {name: {"ok",
"required", "detail"?}}}; 503 only with "unavailable" (a required check failed).
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Callable

from flask import Blueprint, jsonify

Check = Callable[[], None]  # raises when failing; its message becomes the detail


class Advisory:
    """A check whose failure degrades the service without making it unready.

    It is also given at most `timeout` seconds: a broker behind a network partition does not
    refuse, it hangs until the connect timeout, and a readiness answer that waits for it
    would miss Kubernetes' probe timeout and make the API unready after all. A check that
    has not answered in time counts as failed ("degraded"); it finishes in the background.
    """

    def __init__(self, check: Check, timeout: float = 1.0):
        self.check = check
        self.timeout = timeout

    def __call__(self) -> None:
        future = _pool().submit(self.check)
        try:
            future.result(timeout=self.timeout)
        except FutureTimeout:
            raise TimeoutError(f"did not answer within {self.timeout:g}s") from None


_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="gwh-health")
        return _executor


def is_required(check) -> bool:
    return not isinstance(check, Advisory)


def run_checks(checks: dict[str, Check]) -> tuple[str, dict[str, dict]]:
    """("ok" | "degraded" | "unavailable", each check's result)."""
    results: dict[str, dict] = {}
    status = "ok"
    for name, check in checks.items():
        required = is_required(check)
        try:
            check()
            results[name] = {"ok": True, "required": required}
        except Exception as exc:  # any failure counts; say which and why
            results[name] = {"ok": False, "required": required, "detail": f"{type(exc).__name__}: {exc}"[:300]}
            status = "unavailable" if required else ("degraded" if status == "ok" else status)
    return status, results


def health_blueprint(service: str, checks: dict[str, Check]) -> Blueprint:
    bp = Blueprint(f"{service}_health", __name__)

    @bp.get("/health/live")
    def live():
        return jsonify(service=service, status="ok")

    @bp.get("/health/ready")
    def ready():
        status, results = run_checks(checks)
        return jsonify(service=service, status=status, checks=results), (503 if status == "unavailable" else 200)

    return bp
