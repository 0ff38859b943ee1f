"""Reads that wait for the bus (never a settle()): the trust flows on the embedded platform and
on the real servers share these."""
from __future__ import annotations

import time


WAIT = 30.0  # seconds a read may wait for the bus to deliver; never reached when it works


def eventually(read, expected, timeout: float = WAIT):
    """`read()` once it equals `expected`, waiting for the bus at most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if value == expected or time.monotonic() > deadline:
            return value
        time.sleep(0.02)


def breakdown(client, member):
    reply = client.get(f"/api/ranking/members/{member.id}", headers=member.headers)
    return reply.json.get("breakdown") if reply.status_code == 200 else None


def analytics(client, member):
    return client.get("/api/shops/me/analytics", headers=member.headers).json
