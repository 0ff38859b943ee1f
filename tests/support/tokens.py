"""Signing up, probing every service with a token, and waiting for a revocation to reach them all:
the token tests on the embedded platform and on the real servers share these."""
from __future__ import annotations

import time


PASSWORD = "a-long-password"


# One endpoint per service that a plain member's valid token gets past authentication on
# (the catalog's answers 403: a member may not create a brand; a refused token is 401).
PROBES = {
    "shop": ("GET", "/api/members/me", None, 200),
    "order": ("GET", "/api/orders", None, 200),
    "ranking": ("GET", "/api/ranking/friends", None, 200),
    "catalog": ("POST", "/api/catalog/brands", {"name": "Not mine"}, 403),
}


PROPAGATION_DEADLINE = 10.0


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def probe(client, service, token):
    method, path, body, _ = PROBES[service]
    return client.open(path, method=method, json=body, headers=bearer(token))


def register(client, username="dora"):
    response = client.post("/api/auth/register", json={"username": username, "password": PASSWORD,
                                                        "nickname": username.title()})
    assert response.status_code == 201, response.json
    return response.json


def assert_refused_everywhere_soon(client, token, services):
    """Each service refuses the token as soon as the revocation reached it (bounded wait)."""
    pending = set(services)
    deadline = time.monotonic() + PROPAGATION_DEADLINE
    while pending and time.monotonic() < deadline:
        for service in sorted(pending):
            response = probe(client, service, token)
            if response.status_code == 401:
                assert response.headers["Content-Type"] == "application/problem+json"
                pending.discard(service)
            else:
                assert response.status_code == PROBES[service][3], (service, response.status_code)
        time.sleep(0.01)
    assert not pending, f"still accepted after {PROPAGATION_DEADLINE}s by {pending}"
