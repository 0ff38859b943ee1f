"""The gateway's route table (CONTRACT.md "Gateway routes"): one table for both gateways.

The embedded gateway (runtime.gateway) dispatches on it in-process; the nginx config in
deploy/ is generated from it (deploy/nginx/render.py) and a test checks they agree.
Services see the full path: the gateway picks a service by prefix and strips nothing.
"""
from __future__ import annotations

ROUTES: list[tuple[str, str]] = [
    ("/api/auth", "shop"),
    ("/api/members", "shop"),
    ("/api/shops", "shop"),
    ("/api/catalog", "catalog"),
    ("/api/orders", "order"),
    ("/api/commissions", "order"),
    ("/api/ranking", "ranking"),
    ("/openapi/catalog.json", "catalog"),
    ("/openapi/shop.json", "shop"),
    ("/openapi/order.json", "order"),
    ("/openapi/ranking.json", "ranking"),
    # Admin-only event history of each relational service (the ranking rebuild replays
    # it). The ranking keeps no history of its own: Redis is rebuilt from these.
    ("/internal/catalog", "catalog"),
    ("/internal/shop", "shop"),
    ("/internal/order", "order"),
]

# /health on the gateway itself reports every service's readiness.
GATEWAY_HEALTH = "/health"


def service_for(path: str) -> str | None:
    """The service a path belongs to: the longest prefix that matches on a segment boundary."""
    best: tuple[int, str] | None = None
    for prefix, service in ROUTES:
        if path == prefix or path.startswith(prefix + "/"):
            if best is None or len(prefix) > best[0]:
                best = (len(prefix), service)
    return best[1] if best else None
