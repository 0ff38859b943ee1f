"""The four services on this machine's RabbitMQ, PostgreSQL and Redis, the workers as threads,
for the ranking's tests on the real servers."""
from __future__ import annotations

import pytest
from flask import Response
from werkzeug.test import Client

from shared.clock import FixedClock
from tests.conftest import make_config
from tests.support.ranking_market import Market
from tests.support.topology import delete_topology


@pytest.fixture
def market(tmp_path, amqp_url, postgres_urls, redis_url, admin):
    from runtime.embedded import Platform
    from tests.conftest import trust_harness_tokens
    config = make_config(tmp_path / "data", bus_url=amqp_url, database_urls=postgres_urls, redis_url=redis_url)
    platform = trust_harness_tokens(Platform(config, clock=FixedClock()))
    yield Market(platform, Client(platform.gateway, Response), admin)
    platform.stop(drain=False)
    delete_topology(platform)
