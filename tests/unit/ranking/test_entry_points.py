"""The worker entry point of the cluster mode: `python -m services.ranking.app worker`
starts on its own, and stops cleanly on SIGTERM, taking its embedded Redis with it."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from services.ranking.app import main

ROOT = Path(__file__).resolve().parents[3]


def test_the_worker_starts_and_stops_on_sigterm(tmp_path):
    env = {**os.environ, "GWH_DATA_DIR": str(tmp_path / "data"), "GWH_JWT_SECRET": "x" * 40,
           "PYTHONPATH": str(ROOT)}
    worker = subprocess.Popen([sys.executable, "-m", "services.ranking.app", "worker"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline, log = time.monotonic() + 30, []
        while time.monotonic() < deadline:
            line = worker.stdout.readline()
            log.append(line)
            if "ranking worker started" in line or not line:
                break
        assert any("ranking worker started" in line for line in log), "".join(log)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    # The embedded Redis saved its data and stopped with the worker: no process is left
    # working in the data directory (redis-server runs with its data dir as cwd).
    data = (tmp_path / "data").resolve()
    assert (data / "ranking.rdb").exists()
    assert [pid for pid, cwd in _working_dirs() if cwd == data] == []


def _working_dirs():
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            yield entry.name, (entry / "cwd").resolve(strict=True)
        except OSError:
            continue


def test_an_unknown_command_says_how_to_use_it():
    with pytest.raises(SystemExit) as stopped:
        main(["serve"])
    assert "worker|rebuild" in str(stopped.value)
