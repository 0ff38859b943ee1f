"""Rate limits on visits: a visit earns its shop influence, so it is cheap to abuse.

Per signed-in member (GWH_VISIT_LIMIT_PER_MEMBER) and per client address
(GWH_VISIT_LIMIT_PER_ADDRESS, which is all an anonymous visit has). Beyond either, a 429
problem+json with Retry-After; nothing is recorded.
"""
from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter

from shared.auth import current_principal
from shared.failures import Refusal

VISIT_ENDPOINT = "shop_shops.visit"


def _signed_in_member() -> str | None:
    # A bad token is the view's to refuse (401); here it is simply not a member.
    try:
        principal = current_principal()
    except Refusal:
        return None
    return principal.member_id if principal else None


def limit_visits(app: Flask, limiter: Limiter, config) -> None:
    per_address = limiter.limit(
        lambda: config.visit_limit_per_address, scope="visits-per-address",
        error_message="too many visits from this address; wait as Retry-After says")
    per_member = limiter.limit(
        lambda: config.visit_limit_per_member, scope="visits-per-member",
        key_func=lambda: _signed_in_member() or "", exempt_when=lambda: _signed_in_member() is None,
        error_message="too many visits from this member; wait as Retry-After says")
    app.view_functions[VISIT_ENDPOINT] = per_member(per_address(app.view_functions[VISIT_ENDPOINT]))
