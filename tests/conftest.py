"""Fixtures every test can use: an in-process platform on the in-memory bus, and tokens.

`platform` builds the services named by the test module's `SERVICES` (all four by default)
on a private exchange, SQLite files in a temp dir, and a fixed clock. Nothing runs in the
background: a test calls `platform.settle()` to deliver every event, which makes event
flows deterministic.
"""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from flask import Response
from werkzeug.test import Client

from shared.auth import issue_token
from shared.principal import Principal
from shared.clock import FixedClock
from shared.config import SERVICES, Config
from shared.tokens import Standing

JWT_SECRET = "test-secret-not-for-production-000000"

# `gateway` (black-box tests against the embedded platform and the cluster) and the
# session's `cluster_under_test` on private servers.
pytest_plugins = ["tests.support.gateways"]
# Members the tests' tokens name without registering them ("admin-1", "m-buyer"): the
# harness stands in for the shop that would have registered them, the way FixedClock
# stands in for time. Every other id still goes through the real check: a token for an
# id no test minted through token_for (tests/api/test_tokens.py) is refused.
HARNESS_MEMBERS: set[str] = set()


def trust_harness_tokens(platform):
    """Let `platform` accept the members token_for minted, as if the shop knew them."""
    for parts in platform.parts.values():
        guard = parts.context.token_guard
        if guard is not None:
            guard.lookup = _vouching(guard.lookup)
    return platform


def _vouching(lookup):
    def ask(member_id: str):
        if member_id in HARNESS_MEMBERS:
            return Standing(member_id, 0)
        return lookup(member_id) if lookup is not None else None
    return ask


def make_config(data_dir: Path, **overrides) -> Config:
    values = dict(
        data_dir=data_dir,
        jwt_secret=JWT_SECRET,
        demo_data=False,
        exchange=f"gwh.test.{uuid.uuid4().hex[:10]}",
        relay_interval=0.05,
        # Unit tests step the platform with settle(): POST /api/orders answers 202 at once.
        # Tests of the running platform set the wait (GWH_ORDER_SETTLE_WAIT) back.
        order_settle_wait=0.0,
        retry_backoff=0.0,
        memory_polling_interval=0.005,
        # Tests read the board right after a change; the refresh bound has tests of its own.
        board_refresh=0.0,
    )
    values.update(overrides)
    return Config(**values)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def config(tmp_path) -> Config:
    return make_config(tmp_path / "data")


@pytest.fixture
def platform(request, config, clock):
    from runtime.embedded import Platform
    services = getattr(request.module, "SERVICES", SERVICES)
    # A module's fakes go to the services' `build` (ADAPTERS = {"order": {"payments": fake}}).
    adapters = getattr(request.module, "ADAPTERS", None)
    platform = trust_harness_tokens(Platform(config, clock=clock, services=services, adapters=adapters))
    yield platform
    platform.stop(drain=False)


@pytest.fixture
def client(platform) -> Client:
    return Client(platform.gateway, Response)


def token_for(member_id: str, roles=("member",), brand_id: str | None = None, secret: str = JWT_SECRET) -> str:
    HARNESS_MEMBERS.add(member_id)
    return issue_token(secret, Principal(member_id=member_id, roles=tuple(roles), brand_id=brand_id))


def bearer(member_id: str, roles=("member",), brand_id: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(member_id, roles, brand_id)}"}


@pytest.fixture
def admin() -> dict[str, str]:
    return bearer("admin-1", roles=("admin",))


def pytest_collection_modifyitems(config, items):
    # Everything under tests/integration talks to a real server: mark it so `make unit`
    # can leave it out.
    for item in items:
        if "/tests/integration/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.integration)
    # The tests on a served platform share session-scoped servers (the embedded platform's
    # threads, the cluster's processes): run them last and together, so those servers are
    # up for those minutes only and do not compete with the rest of the suite for the CPU.
    served = {"gateway", "embedded_gateway", "cluster_under_test"}
    items.sort(key=lambda item: bool(served & set(getattr(item, "fixturenames", ()))))
