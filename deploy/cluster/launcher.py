"""Start, inspect and stop the local cluster: `Cluster(settings).start()` / `.stop()`.

start: check every server and create the databases (deploy.cluster.servers), pick a free
loopback port for each API and the health app, render nginx's config from the route table
(deploy/nginx/render.py) with its pid file and temp paths under the run directory, write
supervisord's config, start supervisord (it daemonizes), and wait until the gateway's
/health answers 200. stop: supervisord stops every program (SIGTERM, the workers drain),
then exits.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path

from deploy.cluster import servers, supervisor
from deploy.cluster.settings import Settings
from deploy.nginx import render as nginx_render
from shared.config import RELATIONAL_SERVICES, SERVICES

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT = 90.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class ClusterError(RuntimeError):
    pass


class Cluster:
    def __init__(self, settings: Settings, *, python: str | None = None):
        self.settings = settings
        self.python = python or sys.executable
        self.run_dir = settings.run_dir
        self.conf = self.run_dir / "supervisord.conf"
        self.state_file = self.run_dir / "cluster.json"

    # -- start -------------------------------------------------------------------------

    def start(self, *, timeout: float = READY_TIMEOUT) -> "Cluster":
        if self.running():
            raise ClusterError(f"the cluster of {self.run_dir} is already running (stop it: make cluster-stop)")
        nginx = servers.preflight(self.settings)
        for sub in ("logs", "nginx"):
            (self.run_dir / sub).mkdir(parents=True, exist_ok=True)
        ports = {name: free_port() for name in (*SERVICES, "health")}
        (self.run_dir / "nginx" / "nginx.conf").write_text(self._nginx_conf(ports))
        progs = supervisor.programs(python=self.python, nginx=nginx, run_dir=self.run_dir, ports=ports,
                                    api_workers=self.settings.api_workers,
                                    ranking_workers=self.settings.ranking_workers)
        self.conf.write_text(supervisor.render(progs, run_dir=self.run_dir, directory=ROOT))
        self.state_file.write_text(json.dumps({"ports": ports, "gateway": self.settings.gateway_url,
                                               "processes": [p for prog in progs for p in prog.process_names]},
                                              indent=2))
        subprocess.run([self.python, "-m", "supervisor.supervisord", "-c", str(self.conf)],
                       env=self.environment(ports), cwd=ROOT, check=True, timeout=30)
        try:
            self.wait_ready(timeout)
        except ClusterError:
            self.stop()
            raise
        return self

    def environment(self, ports: dict[str, int]) -> dict[str, str]:
        """What every process of the cluster is configured with (shared.config reads it)."""
        s = self.settings
        env = {k: v for k, v in os.environ.items() if not k.startswith("GWH_")}
        env.update(s.passthrough)
        env.update({
            "GWH_BUS_URL": s.bus_url,
            "GWH_REDIS_URL": s.redis_url,
            "GWH_JWT_SECRET": s.jwt_secret(),
            "GWH_GATEWAY_URL": s.gateway_url,
            "GWH_DATA_DIR": str(self.run_dir / "data"),
            "PYTHONUNBUFFERED": "1",
        })
        for service in RELATIONAL_SERVICES:
            env[f"GWH_{service.upper()}_DB_URL"] = s.database_urls[service]
        for service in SERVICES:
            # The health app asks each API directly, and so does the ranking rebuild.
            env[f"GWH_{service.upper()}_URL"] = f"http://127.0.0.1:{ports[service]}"
        return env

    def _nginx_conf(self, ports: dict[str, int]) -> str:
        hosts = {service: f"127.0.0.1:{ports[service]}" for service in SERVICES}
        hosts[nginx_render.HEALTH_UPSTREAM] = f"127.0.0.1:{ports['health']}"
        # /internal/ answers nobody through this gateway: every client of a local cluster
        # comes from 127.0.0.1, and the ranking rebuild asks the APIs directly.
        target = replace(nginx_render.COMPOSE, name="local", hosts=hosts, internal_allow=(), internal_deny=(),
                         listen=f"{self.settings.host}:{self.settings.port}",
                         runtime_dir=str(self.run_dir / "nginx"), web_root=str(ROOT / "web"))
        return nginx_render.render(target)

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.settings.gateway_url}/health", timeout=5) as answer:
                    if answer.status == 200:
                        return
            except urllib.error.HTTPError as exc:
                last = f"{exc.code} {exc.read()[:500].decode(errors='replace')}"
            except OSError as exc:
                last = str(exc)
            time.sleep(0.5)
        raise ClusterError(f"the cluster did not become healthy in {timeout:.0f}s: /health said {last}\n"
                           f"{self.status()}\nlogs: {self.run_dir / 'logs'}")

    # -- inspect and control -----------------------------------------------------------

    def supervisord_pid(self) -> int | None:
        try:
            pid = int((self.run_dir / "supervisord.pid").read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if _alive(pid) else None

    def running(self) -> bool:
        return self.supervisord_pid() is not None

    def ctl(self, *args: str, check: bool = False) -> subprocess.CompletedProcess:
        return subprocess.run([self.python, "-m", "supervisor.supervisorctl", "-c", str(self.conf), *args],
                              capture_output=True, text=True, timeout=90, check=check, cwd=ROOT)

    def status(self) -> str:
        if not self.running():
            return f"no cluster is running from {self.run_dir}"
        return self.ctl("status").stdout

    def pid(self, process: str) -> int:
        """The pid of one process (`order-api`, `ranking-worker:ranking-worker-0`); 0 while down."""
        out = self.ctl("pid", process).stdout.strip()
        return int(out) if out.isdigit() else 0

    def ports(self) -> dict[str, int]:
        return json.loads(self.state_file.read_text())["ports"]

    def log(self, name: str) -> Path:
        return self.run_dir / "logs" / f"{name}.log"

    # -- stop --------------------------------------------------------------------------

    def stop(self, timeout: float = 90.0) -> bool:
        """Stop every program, then supervisord; False when nothing was running."""
        pid = self.supervisord_pid()
        if pid is None:
            return False
        self.ctl("shutdown")
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if _alive(pid):  # it did not answer: it forwards SIGTERM to its programs
            os.kill(pid, signal.SIGTERM)
        return True
