"""A real worker process answers its probe (GWH_WORKER_PROBE_PORT) on RabbitMQ and
PostgreSQL: ready once its consumer is attached, and it stops cleanly on SIGTERM."""
import json
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from shared.bus import Bus, wait_for

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def answer(port: int, path: str):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
    except OSError:
        return None, None


def test_the_worker_process_answers_live_and_ready(amqp_url, postgres_url, tmp_path):
    exchange = f"gwh.test.{uuid.uuid4().hex[:8]}"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GWH_")}
    env.update(GWH_BUS_URL=amqp_url, GWH_CATALOG_DB_URL=postgres_url, GWH_EXCHANGE=exchange,
               GWH_JWT_SECRET="worker-probe-test-secret-0000000000", GWH_DATA_DIR=str(tmp_path),
               GWH_WORKER_PROBE_PORT=str(port))
    worker = subprocess.Popen([sys.executable, "-m", "services.catalog.app", "worker"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    bus = Bus(amqp_url, exchange=exchange)
    try:
        assert wait_for(lambda: answer(port, "/health/ready")[0] == 200, 30), \
            worker.stderr.read() if worker.poll() is not None else answer(port, "/health/ready")
        status, body = answer(port, "/health/ready")
        assert body["service"] == "catalog" and body["role"] == "worker" and body["status"] == "ok"
        assert body["checks"]["consumer"]["ok"] is True
        assert answer(port, "/health/live")[0] == 200
        # The broker agrees: one consumer on the catalog queue.
        assert bus.queue_depth("catalog", [])[1] == 1
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(30) == 0
        assert answer(port, "/health/live") == (None, None)  # the probe went with the process
    finally:
        if worker.poll() is None:
            worker.kill()
        bus.delete(["catalog", "shop", "order", "ranking"])
        bus.close()
