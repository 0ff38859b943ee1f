"""CPU of the embedded platform at rest: `python -m runtime` (with its demo data) started in
a subprocess, left alone once it serves and has settled, and its CPU time (user + system,
from /proc/<pid>/stat, the platform and its embedded Redis together) read over a window of
IDLE_SECONDS. The baseline is a bare Flask process on werkzeug's threaded server, idle
over the same window. The figure is the share of one core: CPU seconds / wall seconds.
"""
from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.measure import discard, scratch
from bench.memory import BARE_FLASK, embedded_redis, free_port, stop, wait_serving

IDLE_SECONDS = float(os.environ.get("GWH_BENCH_IDLE_SECONDS", "10"))
# After it first serves, the platform still seeds the demo and relays its events.
SETTLE_SECONDS = 3.0
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def idle_share(command: list[str], env: dict, port: int, ready_path: str, data_dir: Path | None = None,
               seconds: float = IDLE_SECONDS) -> float:
    process = subprocess.Popen(command, env=env, cwd=Path(__file__).resolve().parent.parent,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_serving(lambda: http.client.HTTPConnection("127.0.0.1", port, timeout=5), process, ready_path)
        time.sleep(SETTLE_SECONDS)
        pids = [process.pid, *(embedded_redis(data_dir) if data_dir else [])]
        before, began = sum(cpu_seconds(p) for p in pids), time.monotonic()
        time.sleep(seconds)
        used, wall = sum(cpu_seconds(p) for p in pids) - before, time.monotonic() - began
        return used / wall
    finally:
        stop(process)


def idle_cpu() -> tuple[float, float]:
    """(bare Flask, the embedded platform): share of one core, in percent, at rest."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GWH_")}
    port = free_port()
    bare = idle_share([sys.executable, "-c", BARE_FLASK, str(port)], env, port, "/ready")
    port = free_port()
    data_dir = scratch("idle")
    try:
        platform_env = {**env, "GWH_PORT": str(port), "GWH_DATA_DIR": str(data_dir), "GWH_DEMO_DATA": "1"}
        platform = idle_share([sys.executable, "-m", "runtime"], platform_env, port, "/health", data_dir)
    finally:
        discard(data_dir)
    return bare * 100, platform * 100
