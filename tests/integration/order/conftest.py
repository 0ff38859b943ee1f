"""The catalog and order services on this machine's RabbitMQ and PostgreSQL, with their
workers running as threads: the cluster mode's moving parts, in one test process."""
from __future__ import annotations

import pytest
from flask import Response
from werkzeug.test import Client

from shared.clock import FixedClock
from tests.conftest import make_config


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def cluster(tmp_path, amqp_url, postgres_urls, clock):
    from runtime.embedded import Platform
    from tests.conftest import trust_harness_tokens
    config = make_config(tmp_path / "data", bus_url=amqp_url, database_urls=postgres_urls)
    platform = trust_harness_tokens(Platform(config, clock=clock, services=("catalog", "order")))
    yield platform
    platform.stop(drain=False)
    delete_topology(platform)


@pytest.fixture
def client(cluster) -> Client:
    return Client(cluster.gateway, Response)


def delete_topology(platform) -> None:
    """Each test has its own exchange; leave no durable queue of it behind on the broker."""
    platform.bus.delete(platform.parts)
