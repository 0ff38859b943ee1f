"""A commit in one process wakes the relay of another on PostgreSQL (LISTEN/NOTIFY).

In the cluster mode the API commits events and the worker relays them. Here the two sides
are two Database objects on one PostgreSQL database (what two processes have): the
producer's commit wakes no relay in its own process, so only the notification can make
the worker's relay, which polls every POLL seconds, send the events well before that.
"""
import threading

import pytest

from shared.bus import wait_for
from tests.support.buses import private_bus
from tests.support.notes_service import build

POLL = 120.0  # longer than any wait below: a poll cannot be what sent the events


@pytest.fixture
def sides(postgres_url):
    bus = private_bus()
    api = build(postgres_url, bus)
    worker = build(postgres_url, bus)
    worker["relay"].interval = POLL
    yield api, worker
    worker["relay"].stop()
    for side in (api, worker):
        side["db"].dispose()


def start(relay) -> threading.Thread:
    thread = threading.Thread(target=relay.run, daemon=True)
    thread.start()
    return thread


def delivered(worker, count: int) -> bool:
    worker["consumer"].pump()
    return worker["count"]() >= count


def test_a_commit_in_another_process_wakes_the_relay_at_once(sides):
    api, worker = sides
    thread = start(worker["relay"])
    assert wait_for(lambda: worker["relay"].listening, 15)
    first = api["emit_visits"](3)
    assert wait_for(lambda: delivered(worker, 3), 15)
    second = api["emit_visits"](2)
    assert wait_for(lambda: delivered(worker, 5), 15)
    assert worker["recorded"]() == first + second
    assert worker["relay"].pending() == 0
    worker["relay"].stop()
    thread.join(10)


def test_events_committed_before_the_relay_listened_go_out_when_it_starts(sides):
    api, worker = sides
    waiting = api["emit_visits"](4)  # nobody listens yet: this notification is lost
    thread = start(worker["relay"])
    assert wait_for(lambda: delivered(worker, 4), 15)
    assert worker["recorded"]() == waiting
    worker["relay"].stop()
    thread.join(10)


def test_without_notifications_the_relay_still_polls(sides):
    api, worker = sides
    # The listening connection cannot be made (nothing listens on port 1): only the poll is left.
    worker["relay"].listen_url = lambda: "postgresql://postgres@127.0.0.1:1/nothing"
    worker["relay"].interval = 0.05
    thread = start(worker["relay"])
    ids = api["emit_visits"](3)
    assert wait_for(lambda: delivered(worker, 3), 15)
    assert worker["recorded"]() == ids and not worker["relay"].listening
    worker["relay"].stop()
    thread.join(10)
