"""The bounded wait of POST /api/orders: woken by a committed answer in-process, found by
rereading where nothing wakes it (a cluster API process), and given up at the timeout."""
import threading
import time

from services.order.settling import SettleWaiter


def test_a_committed_answer_wakes_the_waiter():
    waiter, settled = SettleWaiter(poll_interval=60), threading.Event()

    def answer():
        settled.set()
        waiter.notify()
    threading.Timer(0.05, answer).start()
    began = time.monotonic()
    assert waiter.wait_until(settled.is_set, timeout=30) is True
    assert time.monotonic() - began < 30   # woken: a 60 s poll would have looked only at the deadline


def test_without_a_wake_up_the_waiter_rereads():
    waiter, settled = SettleWaiter(poll_interval=0.01), threading.Event()
    threading.Timer(0.05, settled.set).start()                     # committed by another process
    assert waiter.wait_until(settled.is_set, timeout=30) is True


def test_the_wait_is_bounded():
    assert SettleWaiter(poll_interval=0.01).wait_until(lambda: False, timeout=0.05) is False


def test_only_saga_answers_wake_waiters():
    waiter, woken = SettleWaiter(), []
    waiter.notify = lambda: woken.append(True)
    dispatch = waiter.wake_after(lambda event: None)
    for event_type in ("catalog.product.updated", "catalog.stock.reserved", "shop.attribution.answered"):
        dispatch(type("E", (), {"type": event_type})())
    assert len(woken) == 2


class Listener:
    """Stands in for shared.listening.CommitListener: what the waiter asks of it."""

    def __init__(self):
        self.started = 0
        self.listening = False

    def start(self):
        self.started += 1
        return self


def test_a_listener_is_started_by_the_first_wait_only():
    waiter, listener = SettleWaiter(poll_interval=0.01), Listener()
    waiter.hear(listener)
    assert listener.started == 0                                   # a process that never waits opens nothing
    for _ in range(3):
        assert waiter.wait_until(lambda: True, timeout=1) is True
    assert listener.started == 1


def test_while_the_listener_listens_the_reread_is_only_a_net():
    from services.order.settling import LISTENING_POLL_INTERVAL
    waiter, listener = SettleWaiter(poll_interval=0.01), Listener()
    waiter.hear(listener)
    assert waiter._interval() == 0.01                              # not connected yet: reread often
    listener.listening = True
    assert waiter._interval() == LISTENING_POLL_INTERVAL
    listener.listening = False                                     # its connection dropped
    assert waiter._interval() == 0.01
