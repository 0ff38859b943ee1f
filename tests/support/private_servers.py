"""Private PostgreSQL and RabbitMQ servers for tests that stop, restart or break them.

The machine's servers are shared with other people's test runs: a fault test must never
stop them. These start the machine's own binaries on free loopback ports, with every file
in a temp dir, and stop them (and delete nothing the test did not create) at the end.

    pg = PrivatePostgres.start(tmp_path / "pg")      # pg.url, pg.restart(), pg.stop()
    mq = PrivateRabbit.start(tmp_path / "mq")        # mq.url, mq.ctl("stop_app"), mq.stop()
    (Redis: tests/support/redis_servers.py)
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from tests.support.redis_servers import free_port


def _wait_port(port: int, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{what} did not listen on port {port} in {timeout:.0f}s")


def postgres_bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of its own (initdb), trust auth for `postgres` on 127.0.0.1."""

    directory: Path
    port: int
    bin_dir: Path
    user: str | None  # the OS user it runs as: PostgreSQL refuses to run as root

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}"

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)

    @classmethod
    def start(cls, directory: Path) -> "PrivatePostgres":
        bin_dir = postgres_bin_dir()
        if bin_dir is None:
            raise FileNotFoundError("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
        directory.mkdir(parents=True, exist_ok=True)
        user = None
        if os.geteuid() == 0:
            user = "postgres"
            entry = pwd.getpwnam(user)
            for path in (directory, *directory.parents):
                if str(path) in ("/", "/tmp"):
                    break
                os.chmod(path, os.stat(path).st_mode | 0o011)  # let it traverse to its data dir
            os.chown(directory, entry.pw_uid, entry.pw_gid)
        server = cls(directory, free_port(), bin_dir, user)
        server._run("initdb", "-D", str(directory / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                    "--no-sync")
        server._start()
        return server

    def _start(self) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} -c fsync=off "
                   f"-c max_connections=200")
        self._run("pg_ctl", "-D", str(self.directory / "data"), "-l", str(self.directory / "server.log"),
                  "-o", options, "-w", "-t", "60", "start")
        _wait_port(self.port, 30, "PostgreSQL")

    def restart(self) -> None:
        """A fast restart: every connection is cut, as a crash or failover would."""
        self._run("pg_ctl", "-D", str(self.directory / "data"), "-m", "fast", "-w", "-t", "60", "stop")
        self._start()

    def running(self) -> bool:
        try:
            self._run("pg_ctl", "-D", str(self.directory / "data"), "status")
            return True
        except subprocess.CalledProcessError:
            return False

    def stop(self) -> None:
        if self.running():
            self._run("pg_ctl", "-D", str(self.directory / "data"), "-m", "immediate", "-w", "stop")


RABBIT_BIN = Path("/usr/lib/rabbitmq/bin")  # Debian's /usr/sbin wrappers switch to the rabbitmq user


@dataclass
class PrivateRabbit:
    """A RabbitMQ node of its own: own node name, ports, data, logs and Erlang cookie."""

    directory: Path
    node: str
    port: int
    env: dict[str, str]

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    @classmethod
    def start(cls, directory: Path, timeout: float = 60) -> "PrivateRabbit":
        server_bin = RABBIT_BIN / "rabbitmq-server"
        if not server_bin.exists():
            found = shutil.which("rabbitmq-server")
            if not found:
                raise FileNotFoundError("no rabbitmq-server on this machine")
            server_bin = Path(found)
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "enabled_plugins").write_text("[].\n")
        port = free_port()
        dist_port = free_port()
        node = f"gwhtest{uuid.uuid4().hex[:8]}@localhost"
        env = {**os.environ,
               "HOME": str(directory),  # its own .erlang.cookie, shared by rabbitmqctl below
               "RABBITMQ_NODENAME": node, "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
               "RABBITMQ_NODE_PORT": str(port), "RABBITMQ_DIST_PORT": str(dist_port),
               "RABBITMQ_MNESIA_BASE": str(directory / "mnesia"), "RABBITMQ_LOG_BASE": str(directory / "log"),
               "RABBITMQ_PID_FILE": str(directory / "rabbit.pid"),
               "RABBITMQ_ENABLED_PLUGINS_FILE": str(directory / "enabled_plugins"),
               "RABBITMQ_CONFIG_FILE": str(directory / "rabbitmq"),
               "RABBITMQ_ADVANCED_CONFIG_FILE": str(directory / "advanced.config")}
        server = cls(directory, node, port, env)
        subprocess.run([str(server_bin), "-detached"], env=env, cwd=directory, check=True, timeout=30,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        server.ctl("wait", str(directory / "rabbit.pid"), "--timeout", str(int(timeout)), timeout=timeout + 10)
        _wait_port(port, timeout, "RabbitMQ")
        return server

    def ctl(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run([str(RABBIT_BIN / "rabbitmqctl"), "-n", self.node, *args], env=self.env,
                              cwd=self.directory, capture_output=True, text=True, timeout=timeout, check=True)

    def stop_app(self) -> None:
        self.ctl("stop_app")

    def start_app(self) -> None:
        self.ctl("start_app")
        _wait_port(self.port, 30, "RabbitMQ")

    def stop(self) -> None:
        try:
            self.ctl("stop", str(self.directory / "rabbit.pid"), timeout=60)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            try:
                pid = int((self.directory / "rabbit.pid").read_text().strip())
                os.kill(pid, 9)
            except (OSError, ValueError):
                pass
