"""Liveness and readiness for every service: /health/live and /health/ready.

Live says the process answers. Ready runs the service's checks (its database, its bus,
its consumer attached, Redis) and answers 503 naming each failing one, so an orchestrator
keeps traffic away until they pass.
"""
from __future__ import annotations

from typing import Callable

from flask import Blueprint, jsonify

Check = Callable[[], None]  # raises when not ready; its message becomes the detail


def run_checks(checks: dict[str, Check]) -> tuple[bool, dict[str, dict]]:
    results: dict[str, dict] = {}
    ok = True
    for name, check in checks.items():
        try:
            check()
            results[name] = {"ok": True}
        except Exception as exc:  # any failure means not ready; say which and why
            ok = False
            results[name] = {"ok": False, "detail": f"{type(exc).__name__}: {exc}"[:300]}
    return ok, results


def health_blueprint(service: str, checks: dict[str, Check]) -> Blueprint:
    bp = Blueprint(f"{service}_health", __name__)

    @bp.get("/health/live")
    def live():
        return jsonify(service=service, status="ok")

    @bp.get("/health/ready")
    def ready():
        ok, results = run_checks(checks)
        return jsonify(service=service, status="ok" if ok else "unavailable", checks=results), (200 if ok else 503)

    return bp
