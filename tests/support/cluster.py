"""The cluster under test: `make cluster`'s launcher on private servers, and a plain HTTP
client for any gateway (the cluster's nginx, or the embedded platform served for real).

The cluster runs on a PostgreSQL, a RabbitMQ node and a Redis of its own (free ports, a
temp dir), never on the machine's shared servers: the fault tests stop and restart them.
Passing their URLs through GWH_* also proves the launcher takes its servers from there.
One cluster serves the whole session (a RabbitMQ node takes seconds to boot); tests keep
out of each other's way by their own members and products.
"""
from __future__ import annotations

import os
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.support.private_servers import PrivatePostgres, PrivateRabbit
from tests.support.redis_servers import RedisServer, free_port, start_server

ADMIN_USERNAME = "gwh-test-admin"
ADMIN_PASSWORD = "a-long-admin-password-1"
JWT_SECRET = "cluster-test-secret-not-for-production-0000"
EXCHANGE = "gwh.cluster"
REQUEST_TIMEOUT = 30


class Gateway:
    """A client's view of the platform: one base URL, HTTP only, a session per thread."""

    def __init__(self, base_url: str, admin_username: str = ADMIN_USERNAME, admin_password: str = ADMIN_PASSWORD):
        self.base_url = base_url.rstrip("/")
        self._local = threading.local()
        self._admin = (admin_username, admin_password)
        self._admin_token: str | None = None

    @property
    def http(self) -> requests.Session:
        if not hasattr(self._local, "session"):
            self._local.session = requests.Session()
        return self._local.session

    def request(self, method: str, path: str, *, token: str | None = None, headers=None, **kwargs):
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        kwargs.setdefault("timeout", REQUEST_TIMEOUT)
        return self.http.request(method, self.base_url + path, headers=headers, **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def admin_token(self) -> str:
        if self._admin_token is None:
            username, password = self._admin
            answer = self.post("/api/auth/login", json={"username": username, "password": password})
            assert answer.status_code == 200, answer.text
            self._admin_token = answer.json()["token"]
        return self._admin_token


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def eventually(probe, timeout: float = 30.0, interval: float = 0.1, what: str = "the condition"):
    """Poll `probe` until it returns something truthy; for effects the contract says are
    eventual (an event crossing services), never between two synchronous requests."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"{what} did not happen in {timeout:.0f}s (last: {last!r})")


@dataclass
class PrivateServers:
    postgres: PrivatePostgres
    rabbit: PrivateRabbit
    redis: RedisServer

    def stop(self) -> None:
        for stop in (self.redis.stop, self.rabbit.stop, self.postgres.stop):
            try:
                stop()
            except Exception as exc:  # stop the others anyway
                print(f"stopping a private server: {exc}")


def start_private_servers(directory: Path) -> PrivateServers:
    postgres = PrivatePostgres.start(directory / "postgres")
    try:
        rabbit = PrivateRabbit.start(directory / "rabbitmq")
    except BaseException:
        postgres.stop()
        raise
    try:
        redis = start_server(directory / "redis")
    except BaseException:
        rabbit.stop()
        postgres.stop()
        raise
    return PrivateServers(postgres, rabbit, redis)


def cluster_environment(servers: PrivateServers, run_dir: Path, port: int) -> dict[str, str]:
    """What `make cluster` would be started with: the servers, the port, small worker counts."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GWH_")}
    env.update({
        "GWH_RUN_DIR": str(run_dir),
        "GWH_PORT": str(port),
        "GWH_BUS_URL": servers.rabbit.url,
        "GWH_POSTGRES_URL": servers.postgres.url,
        "GWH_REDIS_URL": servers.redis.url,
        "GWH_EXCHANGE": EXCHANGE,
        "GWH_JWT_SECRET": JWT_SECRET,
        "GWH_ADMIN_USERNAME": ADMIN_USERNAME,
        "GWH_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "GWH_RELAY_INTERVAL": "0.2",
        "GWH_MAX_ATTEMPTS": "3",
        "GWH_CATALOG_API_WORKERS": "1",
        "GWH_SHOP_API_WORKERS": "2",
        "GWH_ORDER_API_WORKERS": "2",
        "GWH_RANKING_API_WORKERS": "1",
        "GWH_RANKING_WORKERS": "2",
    })
    return env


def free_gateway_port() -> int:
    return free_port()
