"""The in-memory transport's consumers wait for a put instead of polling their queues."""
import socket
import threading

import pytest

from shared.events import make_event
from shared.memory_transport import Arrivals
from tests.support.buses import private_bus

LONG = 60.0  # a wait no test here may sit out: only a put can end it early


def test_a_put_since_the_count_was_read_ends_the_wait_at_once():
    arrivals = Arrivals()
    seen = arrivals.count
    arrivals.arrived()             # between looking at the queues and starting to wait
    done = threading.Event()
    threading.Thread(target=lambda: (arrivals.wait_after(seen, LONG), done.set()), daemon=True).start()
    assert done.wait(10)


def test_a_waiting_consumer_wakes_when_an_event_is_published():
    bus = private_bus()
    bus.declare({"notes": ["shop.visited"]})
    got = []
    with bus.connect() as conn:
        conn.transport.polling_interval = LONG
        consumer = conn.Consumer(bus.queue_for("notes", ["shop.visited"]), accept=["json"],
                                 callbacks=[lambda body, message: (got.append(body["id"]), message.ack())])
        with consumer:
            waiter = threading.Thread(target=conn.drain_events, kwargs={"timeout": LONG}, daemon=True)
            waiter.start()
            event = make_event("shop.visited", {"visit_id": "v1", "shop_id": "s", "visitor": "x"}, "t").to_dict()
            bus.publish(event)
            waiter.join(10)
            assert not waiter.is_alive() and got == [event["id"]]


def test_an_empty_queue_still_times_out():
    bus = private_bus()
    bus.declare({"notes": ["shop.visited"]})
    with bus.connect() as conn:
        with conn.Consumer(bus.queue_for("notes", ["shop.visited"]), accept=["json"], callbacks=[]):
            with pytest.raises(socket.timeout):
                conn.drain_events(timeout=0.05)
