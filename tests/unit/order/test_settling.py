"""The bounded wait of POST /api/orders: woken by a committed answer in-process, found by
rereading where nothing wakes it (a cluster API process), and given up at the timeout."""
import threading

from services.order.settling import SettleWaiter


def test_a_committed_answer_wakes_the_waiter():
    waiter, settled = SettleWaiter(poll_interval=60), threading.Event()

    def answer():
        settled.set()
        waiter.notify()
    threading.Timer(0.05, answer).start()
    assert waiter.wait_until(settled.is_set, timeout=30) is True   # a 60 s poll would not have seen it


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
