"""`make cluster`'s launcher without starting anything: its settings, the supervisord and
nginx configs it writes, and how it refuses to start when a server is missing.
(tests/integration/cluster and tests/blackbox start it for real.)"""
from __future__ import annotations

import configparser
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from deploy.cluster import servers, supervisor
from deploy.cluster.launcher import ROOT, Cluster
from deploy.cluster.settings import Settings


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]   # nobody listens once the probe is closed


def test_settings_default_to_the_local_servers_and_two_workers(tmp_path):
    settings = Settings.from_env({}, root=tmp_path)
    assert settings.run_dir == (tmp_path / "run" / "cluster").resolve()
    assert settings.bus_url == "amqp://guest:guest@127.0.0.1:5672//"
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
    assert settings.database_urls == {s: f"postgresql://postgres@127.0.0.1:5432/gwh_{s}"
                                      for s in ("catalog", "shop", "order")}
    assert settings.api_workers == {"catalog": 2, "shop": 2, "order": 2, "ranking": 2}
    assert settings.ranking_workers == 2 and settings.gateway_url == "http://127.0.0.1:8000"


def test_scaling_and_server_variables_are_read(tmp_path):
    settings = Settings.from_env({"GWH_ORDER_API_WORKERS": "4", "GWH_RANKING_WORKERS": "3", "GWH_PORT": "9000",
                                  "GWH_POSTGRES_URL": "postgresql://u@db:5433/", "GWH_SHOP_DB_URL":
                                  "postgresql://s@other/shopdb", "GWH_RUN_DIR": str(tmp_path / "r")})
    assert settings.api_workers["order"] == 4 and settings.api_workers["catalog"] == 2
    assert settings.ranking_workers == 3 and settings.port == 9000
    assert settings.database_urls["catalog"] == "postgresql://u@db:5433/gwh_catalog"
    assert settings.database_urls["shop"] == "postgresql://s@other/shopdb"
    assert settings.run_dir == (tmp_path / "r").resolve()


@pytest.mark.parametrize("value", ["0", "two", "65"])
def test_a_worker_count_that_makes_no_sense_is_refused_by_name(value):
    with pytest.raises(ValueError, match="GWH_RANKING_WORKERS"):
        Settings.from_env({"GWH_RANKING_WORKERS": value})


def _programs(run_dir: Path):
    return supervisor.programs(python="/venv/python", nginx="/usr/sbin/nginx", run_dir=run_dir,
                               ports={"catalog": 1, "shop": 2, "order": 3, "ranking": 4, "health": 5},
                               api_workers={"catalog": 1, "shop": 2, "order": 3, "ranking": 1}, ranking_workers=3)


def test_every_process_of_the_topology_is_a_program_with_its_own_control_socket(tmp_path):
    conf = configparser.RawConfigParser()
    conf.read_string(supervisor.render(_programs(tmp_path), run_dir=tmp_path, directory=ROOT))
    programs = {name.split(":", 1)[1]: conf[name] for name in conf.sections() if name.startswith("program:")}
    assert set(programs) == {"catalog-api", "shop-api", "order-api", "ranking-api", "catalog-worker", "shop-worker",
                             "order-worker", "ranking-worker", "health", "nginx"}
    assert programs["ranking-worker"]["numprocs"] == "3"
    assert "--workers 3" in programs["order-api"]["command"]
    sockets = [program["command"].split("--control-socket ")[1].split()[0]
               for name, program in programs.items() if "gunicorn" in program["command"]]
    assert len(sockets) == 5 == len(set(sockets))          # one per gunicorn master, none shared
    assert all(socket.startswith(str(tmp_path)) for socket in sockets)
    for program in programs.values():
        assert program["autorestart"] == "true" and program["stopsignal"] == "TERM"
        assert program["stdout_logfile"].startswith(str(tmp_path / "logs"))
    assert conf["supervisord"]["pidfile"] == str(tmp_path / "supervisord.pid")


def test_nginx_keeps_its_pid_temp_paths_under_the_run_dir_and_listens_on_loopback(tmp_path):
    cluster = Cluster(Settings.from_env({"GWH_RUN_DIR": str(tmp_path), "GWH_PORT": "18080"}))
    conf = cluster._nginx_conf({"catalog": 1001, "shop": 1002, "order": 1003, "ranking": 1004, "health": 1005})
    assert f"pid {tmp_path}/nginx/nginx.pid;" in conf
    assert f"proxy_temp_path {tmp_path}/nginx/nginx-proxy;" in conf
    paths = [line.split()[1].rstrip(";") for line in conf.splitlines() if line.strip().startswith(("pid ", "client_body_temp",
                                                                                          "proxy_temp"))]
    assert len(paths) == 3 and all(path.startswith(f"{tmp_path}/nginx/") for path in paths)
    assert "listen 127.0.0.1:18080;" in conf
    assert "server 127.0.0.1:1003;" in conf and "server 127.0.0.1:1005;" in conf


def test_unreachable_servers_are_all_named_and_nothing_starts(tmp_path):
    port = closed_port()
    settings = Settings.from_env({"GWH_RUN_DIR": str(tmp_path / "run"),
                                  "GWH_BUS_URL": f"amqp://guest:secret@127.0.0.1:{port}//",
                                  "GWH_REDIS_URL": f"redis://127.0.0.1:{port}/0",
                                  "GWH_POSTGRES_URL": f"postgresql://postgres@127.0.0.1:{port}"})
    with pytest.raises(servers.Unreachable) as caught:
        servers.preflight(settings, install_nginx=False)
    message = str(caught.value)
    assert "nothing was started" in message
    assert f"RabbitMQ is not reachable at amqp://guest:***@127.0.0.1:{port}// (GWH_BUS_URL)" in message
    assert f"Redis is not reachable at redis://127.0.0.1:{port}/0 (GWH_REDIS_URL)" in message
    assert message.count("PostgreSQL is not reachable") == 1   # one server, named once
    assert "secret" not in message
    assert not (tmp_path / "run").exists()


def test_the_command_line_says_what_is_missing_and_fails(tmp_path):
    port = closed_port()
    env = {"PATH": "/usr/bin:/bin:/usr/sbin", "GWH_RUN_DIR": str(tmp_path / "run"),
           "GWH_BUS_URL": f"amqp://guest:guest@127.0.0.1:{port}//", "GWH_REDIS_URL": f"redis://127.0.0.1:{port}/0",
           "GWH_POSTGRES_URL": f"postgresql://postgres@127.0.0.1:{port}"}
    result = subprocess.run([sys.executable, "-m", "deploy.cluster", "start"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "RabbitMQ is not reachable" in result.stderr and "Redis is not reachable" in result.stderr
    stop = subprocess.run([sys.executable, "-m", "deploy.cluster", "stop"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert stop.returncode == 0 and "no cluster is running" in stop.stdout


def test_a_taken_gateway_port_is_named_before_anything_starts(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        settings = Settings.from_env({"GWH_RUN_DIR": str(tmp_path / "run"), "GWH_PORT": str(port)})
        assert "GWH_PORT" in servers.check_port_free(settings.host, settings.port)
    assert servers.check_port_free("127.0.0.1", port) is None
