"""The real RabbitMQ, PostgreSQL and Redis for integration tests.

Where a Docker engine answers, each is started with testcontainers. Where none does (this
project's CI machine), the tests use the servers named by GWH_TEST_AMQP_URL,
GWH_TEST_POSTGRES_URL and GWH_TEST_REDIS_URL, defaulting to the local ones. A server that
is reachable neither way fails the test under CI (CI=true) and skips it elsewhere, with
the reason, so a laptop without Docker can still run the unit suite.
"""
from __future__ import annotations

import os
import socket
import uuid
from urllib.parse import urlsplit

import pytest

DEFAULTS = {
    "amqp": "amqp://guest:guest@127.0.0.1:5672//",
    "postgres": "postgresql://postgres@127.0.0.1:5432/test",
    "redis": "redis://127.0.0.1:6379/0",
}


def _docker_available() -> bool:
    if os.environ.get("GWH_TEST_NO_DOCKER"):
        return False
    try:
        import docker
        docker.from_env(timeout=3).ping()
        return True
    except Exception:
        return False


def _reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=2):
            return True
    except OSError:
        return False


def _unavailable(what: str, url: str):
    message = f"{what} is not reachable at {url} and no Docker engine answers"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def docker_ok() -> bool:
    return _docker_available()


def _server(what: str, env_var: str, default: str, docker_ok: bool, start_container):
    """The URL of one server: GWH_TEST_* if set, else a container where Docker answers,
    else the local default."""
    url = os.environ.get(env_var)
    if not url and docker_ok:
        container, url = start_container()
        try:
            yield url
        finally:
            container.stop()
        return
    url = url or default
    if not _reachable(url):
        _unavailable(what, url)
    yield url


def _rabbitmq():
    from testcontainers.rabbitmq import RabbitMqContainer
    container = RabbitMqContainer("rabbitmq:3.13-management").start()
    params = container.get_connection_params()
    return container, f"amqp://guest:guest@{params.host}:{params.port}//"


def _postgres():
    from testcontainers.postgres import PostgresContainer
    container = PostgresContainer("postgres:16", driver=None).start()
    return container, container.get_connection_url()


def _redis():
    from testcontainers.redis import RedisContainer
    container = RedisContainer("redis:7").start()
    return container, f"redis://{container.get_container_host_ip()}:{container.get_exposed_port(6379)}/0"


@pytest.fixture(scope="session")
def amqp_base_url(docker_ok):
    yield from _server("RabbitMQ", "GWH_TEST_AMQP_URL", DEFAULTS["amqp"], docker_ok, _rabbitmq)


@pytest.fixture(scope="session")
def postgres_base_url(docker_ok):
    yield from _server("PostgreSQL", "GWH_TEST_POSTGRES_URL", DEFAULTS["postgres"], docker_ok, _postgres)


@pytest.fixture(scope="session")
def redis_base_url(docker_ok):
    yield from _server("Redis", "GWH_TEST_REDIS_URL", DEFAULTS["redis"], docker_ok, _redis)


@pytest.fixture
def amqp_url(amqp_base_url):
    """The broker; tests isolate themselves by using a private exchange name (make_config)."""
    return amqp_base_url


@pytest.fixture
def postgres_url(postgres_base_url, request):
    """A fresh database for this test, dropped afterwards."""
    return _fresh_db(postgres_base_url, request)


@pytest.fixture
def postgres_urls(postgres_base_url, request):
    """One fresh database per relational service: {"catalog": url, "shop": url, "order": url}."""
    return {service: _fresh_db(postgres_base_url, request) for service in ("catalog", "shop", "order")}


def _fresh_db(base_url, request):
    from sqlalchemy import create_engine, text
    admin_url = base_url.replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"gwh_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"))
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()
    request.addfinalizer(drop)
    return base_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture
def redis_url(redis_base_url):
    """The Redis server, on a database index of its own that is flushed before and after.

    GWH_TEST_REDIS_DB picks the index (default 9), so two checkouts can run their suites
    against one Redis at the same time without flushing each other's keys.
    """
    import redis
    url = redis_base_url.rsplit("/", 1)[0] + "/" + os.environ.get("GWH_TEST_REDIS_DB", "9")
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()
