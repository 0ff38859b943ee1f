"""The worker's own probe (shared/probe.py), over HTTP, on a worker's parts.

Live fails only for what a restart cures (a thread died); ready also fails while the
consumer is not attached or the relay cannot reach the broker.
"""
import json
import urllib.error
import urllib.request

import pytest

from shared.bus import wait_for
from shared.probe import ProbeServer, WorkerHealth

SERVICES = ("catalog",)


def get(port: int, path: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def worker(platform):
    parts = platform["catalog"]
    parts.start_background()
    probe = ProbeServer(WorkerHealth(parts), 0, host="127.0.0.1").start()
    yield parts, probe.port
    probe.stop()


def test_a_working_worker_is_live_and_ready(worker):
    parts, port = worker
    assert wait_for(lambda: parts.consumer.attached, 5)
    status, body = get(port, "/health/ready")
    assert status == 200 and body["status"] == "ok", body
    assert {"threads", "consumer", "relay", "consumer_loop", "relay_loop"} <= set(body["checks"])
    assert get(port, "/health/live")[0] == 200


def test_a_relay_waiting_for_the_broker_is_unready_but_live(worker):
    parts, port = worker
    parts.relay.last_error = "BrokerUnavailable: cannot reach the broker"
    status, body = get(port, "/health/ready")
    assert status == 503
    assert "waits for the broker" in body["checks"]["relay"]["detail"]
    assert get(port, "/health/live")[0] == 200  # restarting would not bring the broker back


def test_a_dead_consumer_thread_fails_liveness(worker):
    parts, port = worker
    assert wait_for(lambda: parts.consumer.attached, 5)
    parts.consumer.stop()
    consumer_thread = next(t for t in parts._threads if t.name.endswith("consumer"))
    consumer_thread.join(5)
    status, body = get(port, "/health/live")
    assert status == 503
    assert "consumer" in body["checks"]["threads"]["detail"]


def test_a_stuck_loop_fails_liveness(worker):
    parts, port = worker
    assert wait_for(lambda: parts.relay.last_beat is not None, 5)
    parts.relay.last_beat -= 10_000  # as if the relay's loop had hung for hours
    status, body = get(port, "/health/live")
    assert status == 503 and "relay loop" in body["checks"]["relay_loop"]["detail"]


def test_unknown_paths_are_404(worker):
    _, port = worker
    assert get(port, "/nope")[0] == 404
