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

from shared.auth import Principal, issue_token
from shared.clock import FixedClock
from shared.config import SERVICES, Config

JWT_SECRET = "test-secret-not-for-production-000000"


def make_config(data_dir: Path, **overrides) -> Config:
    values = dict(
        data_dir=data_dir,
        jwt_secret=JWT_SECRET,
        demo_data=False,
        exchange=f"gwh.test.{uuid.uuid4().hex[:10]}",
        relay_interval=0.05,
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
    platform = Platform(config, clock=clock, services=services)
    yield platform
    platform.stop(drain=False)


@pytest.fixture
def client(platform) -> Client:
    return Client(platform.gateway, Response)


def token_for(member_id: str, roles=("member",), brand_id: str | None = None, secret: str = JWT_SECRET) -> str:
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
