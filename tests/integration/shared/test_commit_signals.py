"""A unit of work's signal reaches a listener in another process at commit, and only then
(shared.listening, UnitOfWork.signal): how a cluster API process hears its worker settle an
order. The two sides are two Database objects on one PostgreSQL database, as two processes
have them."""
import threading
import time

import pytest
from sqlalchemy import MetaData

from services.order.settling import SETTLED_TOPIC, SettleWaiter
from shared.db import Database
from shared.listening import CommitListener, listen_url

LONG = 60.0  # longer than any wait below: no reread or poll can be what answered


@pytest.fixture
def sides(postgres_url):
    api = Database(postgres_url, MetaData(), producer="order")
    worker = Database(postgres_url, MetaData(), producer="order")
    api.create_all()
    yield api, worker
    for side in (api, worker):
        side.dispose()


def listening(api: Database, on_notify) -> CommitListener:
    connected = threading.Event()
    listener = CommitListener(listen_url(api.engine), api.channel(SETTLED_TOPIC), on_notify,
                              on_connected=connected.set).start()
    assert connected.wait(15)
    return listener


def test_a_signal_is_heard_at_commit_and_a_rolled_back_one_never(sides):
    api, worker = sides
    heard, second = [], threading.Event()

    def on_notify(payload):
        heard.append(payload)
        if payload == "o-2":
            second.set()
    listener = listening(api, on_notify)
    try:
        with pytest.raises(RuntimeError):
            with worker.unit_of_work() as uow:
                uow.signal(SETTLED_TOPIC, "o-1")
                raise RuntimeError("the handler failed: nothing was settled")
        with worker.unit_of_work() as uow:
            uow.signal(SETTLED_TOPIC, "o-2")
        assert second.wait(15)
        # PostgreSQL delivers in commit order: had the rollback been heard, it came first.
        assert heard == ["o-2"]
    finally:
        listener.stop()


def test_the_worker_settling_an_order_wakes_the_api_waiting_for_it(sides):
    api, worker = sides
    waiter, settled, connected = SettleWaiter(poll_interval=LONG), threading.Event(), threading.Event()
    listener = CommitListener(listen_url(api.engine), api.channel(SETTLED_TOPIC), waiter.notify,
                              on_connected=connected.set)
    waiter.hear(listener)
    try:
        assert waiter.wait_until(lambda: True, timeout=1)     # the first wait starts the listener
        assert connected.wait(15)

        def settle():
            settled.set()                       # what the waiter rereads: the order's status
            with worker.unit_of_work() as uow:
                uow.signal(SETTLED_TOPIC, "o-1")
        threading.Timer(0.2, settle).start()
        began = time.monotonic()
        assert waiter.wait_until(settled.is_set, timeout=LONG / 2) is True
        # Woken, not answered by the last look at the deadline (the reread is LONG apart).
        assert time.monotonic() - began < LONG / 2
    finally:
        listener.stop()
