"""Fixtures for black-box tests: the same tests against every way the platform runs.

- `gateway`: a `Gateway` (HTTP client of one base URL), once for the embedded platform
  served for real (werkzeug's threaded server, consumers, relays and jobs as threads: what
  `make run` runs) and once for the cluster (`make cluster`'s launcher, nginx in front).
  GWH_TEST_GATEWAY_URL points the cluster case at a platform already running instead
  (with GWH_TEST_ADMIN_USERNAME / GWH_TEST_ADMIN_PASSWORD for its admin).
- `cluster_under_test`: the session's cluster on private servers, for the fault tests.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.cluster import (ADMIN_PASSWORD, ADMIN_USERNAME, Gateway, PrivateServers, cluster_environment,
                                   free_gateway_port, start_private_servers)


@dataclass
class ClusterUnderTest:
    cluster: object  # deploy.cluster.launcher.Cluster
    servers: PrivateServers
    gateway: Gateway
    environment: dict[str, str]


def _missing(message: str):
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def cluster_under_test():
    from deploy.cluster.launcher import ROOT, Cluster
    from deploy.cluster.servers import nginx_binary
    from deploy.cluster.settings import Settings
    from tests.support.private_servers import RABBIT_BIN, postgres_bin_dir
    if postgres_bin_dir() is None or not (RABBIT_BIN / "rabbitmq-server").exists() or not nginx_binary(False):
        _missing("the cluster tests need PostgreSQL's server binaries, rabbitmq-server and nginx on this machine")
    # Not pytest's tmp dir: PostgreSQL runs as its own user and must reach its data dir.
    directory = Path(tempfile.mkdtemp(prefix="gwh-cluster-"))
    servers = start_private_servers(directory)
    cluster = None
    try:
        environment = cluster_environment(servers, directory / "run", free_gateway_port())
        cluster = Cluster(Settings.from_env(environment))
        # Exactly what `make cluster` runs, with the private servers' URLs in GWH_*.
        started = subprocess.run([sys.executable, "-m", "deploy.cluster", "start"], cwd=ROOT, env=environment,
                                 capture_output=True, text=True, timeout=180)
        assert started.returncode == 0, f"{started.stdout}\n{started.stderr}\n{cluster.status()}"
        assert f"Gouwuhao cluster is up on {cluster.settings.gateway_url}" in started.stdout
        yield ClusterUnderTest(cluster, servers, Gateway(cluster.settings.gateway_url), environment)
    finally:
        if cluster is not None:
            stopped = subprocess.run([sys.executable, "-m", "deploy.cluster", "stop"], cwd=ROOT, env=environment,
                                     capture_output=True, text=True, timeout=180)
            if cluster.running():  # make cluster-stop did not stop it: do not leave it behind
                cluster.stop()
                pytest.fail(f"`python -m deploy.cluster stop` left the cluster running: {stopped.stdout}"
                            f"{stopped.stderr}")
        servers.stop()
        shutil.rmtree(directory, ignore_errors=True)


def _quiet_handler():
    from werkzeug.serving import WSGIRequestHandler

    class Quiet(WSGIRequestHandler):
        def log_request(self, *args, **kwargs):  # one line per request would bury a failure's output
            pass
    return Quiet


_QuietHandler = _quiet_handler()


@pytest.fixture(scope="module")
def embedded_gateway(tmp_path_factory):
    from werkzeug.serving import make_server

    from runtime.embedded import Platform
    from tests.conftest import make_config
    from tests.support.redis_servers import free_port
    config = make_config(tmp_path_factory.mktemp("embedded") / "data", admin_username=ADMIN_USERNAME,
                         admin_password=ADMIN_PASSWORD)
    platform = Platform(config).start()
    server = make_server("127.0.0.1", free_port(), platform.gateway, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Gateway(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        platform.stop(drain=False)


@pytest.fixture(params=["embedded", pytest.param("cluster", marks=pytest.mark.integration)])
def gateway(request) -> Gateway:
    if request.param == "embedded":
        return request.getfixturevalue("embedded_gateway")
    url = os.environ.get("GWH_TEST_GATEWAY_URL")
    if url:
        return Gateway(url, os.environ.get("GWH_TEST_ADMIN_USERNAME", ADMIN_USERNAME),
                       os.environ.get("GWH_TEST_ADMIN_PASSWORD", ADMIN_PASSWORD))
    return request.getfixturevalue("cluster_under_test").gateway
