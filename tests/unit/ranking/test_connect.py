"""The Redis client a worker gets: a Redis that is gone or stuck fails the handler fast, with
an error the bus takes for "the store is down" (requeued, never dead-lettered)."""
from __future__ import annotations

import socket
import threading
import time

import pytest

from services.ranking import store
from shared.bus import transient_errors
from tests.conftest import make_config


@pytest.fixture
def silent_server():
    """A port that accepts connections and reads what comes, but never answers: a Redis
    stuck, or a network that swallows packets."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held = []

    def accept():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            held.append(conn)

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()[1]
    server.close()
    for conn in held:
        conn.close()


def a_closed_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def failure_of(ranking: store.RankingStore) -> tuple[BaseException | None, float]:
    """What a ping ends in, and how long it took; in a thread, so a hang fails the test."""
    outcome: list = [None]

    def ping():
        try:
            ranking.ping()
        except Exception as exc:
            outcome[0] = exc

    started = time.monotonic()
    pinging = threading.Thread(target=ping, daemon=True)
    pinging.start()
    pinging.join(10)
    assert not pinging.is_alive(), "the client hangs on a Redis that does not answer"
    return outcome[0], time.monotonic() - started


def test_a_redis_that_never_answers_times_out_as_a_transient_error(tmp_path, silent_server, monkeypatch):
    monkeypatch.setattr(store, "SOCKET_TIMEOUT", 0.3)
    client, close = store.connect(make_config(tmp_path, redis_url=f"redis://127.0.0.1:{silent_server}/0"))
    try:
        error, took = failure_of(store.RankingStore(client))
    finally:
        close()
    assert isinstance(error, transient_errors()), repr(error)
    assert took < 2.0          # the socket timeout, not retried into a longer wait


def test_a_refused_connection_is_retried_briefly_then_is_a_transient_error(tmp_path):
    client, close = store.connect(make_config(tmp_path, redis_url=f"redis://127.0.0.1:{a_closed_port()}/0"))
    try:
        error, took = failure_of(store.RankingStore(client))
    finally:
        close()
    assert isinstance(error, transient_errors()), repr(error)
    assert took < 3.0


def test_a_cluster_needs_the_address_of_one_of_its_nodes(tmp_path):
    with pytest.raises(ValueError, match="GWH_REDIS_URL"):
        store.connect(make_config(tmp_path, redis_cluster=True, redis_url=""))
