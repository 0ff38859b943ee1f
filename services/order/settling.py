"""The short wait of POST /api/orders for the owners' answers (docs/owners-decide.md).

A request that placed an order waits, bounded by GWH_ORDER_SETTLE_WAIT, until the order is
no longer pending, so the usual answer is 201 with the settled order instead of a 202 the
client must poll. It does not spin: in a process that also consumes the order queue (the
embedded mode, a worker) the consumer wakes the waiters after it committed an answer. A
cluster API process does not consume: on PostgreSQL the worker's transaction that settles
an order signals `settled` (a NOTIFY delivered at commit) and the API's listener wakes its
waiters (shared/listening.py). Before the listener is connected, or while it is not, the
waiter rereads the order at a short interval instead; while it listens, only at a long one,
as the net under a lost connection. In `make bench`'s cluster run the short rereads were a
large share of the order API's CPU, and each answer waited for the next one.
"""
from __future__ import annotations

import threading
import time
from typing import Callable, Protocol

# The events after which a pending order may have settled.
SAGA_ANSWERS = frozenset({"catalog.stock.reserved", "catalog.stock.rejected", "shop.attribution.answered"})
# The topic a unit of work signals when an owner's answer settled an order (payload: its id).
SETTLED_TOPIC = "settled"
# How often a waiter rereads when nothing woke it and no listener is connected.
POLL_INTERVAL = 0.05
# ... and while a listener is connected: only the net under a notification lost with it.
LISTENING_POLL_INTERVAL = 0.5


class Listener(Protocol):
    listening: bool

    def start(self) -> object: ...


class SettleWaiter:
    def __init__(self, poll_interval: float = POLL_INTERVAL):
        self.poll_interval = poll_interval
        self._changed = threading.Condition()
        self._generation = 0
        self._listener: Listener | None = None
        self._listener_started = False

    def hear(self, listener: Listener) -> None:
        """Wake the waiters on `listener`'s notifications (it calls `notify`); it is started
        by the first wait, so a process that never waits opens no connection for it."""
        self._listener = listener

    def _interval(self) -> float:
        listener = self._listener
        if listener is None:
            return self.poll_interval
        if not self._listener_started:
            with self._changed:
                if not self._listener_started:
                    self._listener_started = True
                    listener.start()
        return max(self.poll_interval, LISTENING_POLL_INTERVAL) if listener.listening else self.poll_interval

    def notify(self, _order_id: str = "") -> None:
        """An answer was committed: every waiter looks again (a sync gunicorn worker has one)."""
        with self._changed:
            self._generation += 1
            self._changed.notify_all()

    def wait_until(self, settled: Callable[[], bool], timeout: float) -> bool:
        """True as soon as `settled()` holds, False when `timeout` seconds passed first."""
        deadline = time.monotonic() + timeout
        interval = self._interval()
        while True:
            with self._changed:
                seen = self._generation
            if settled():
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            with self._changed:
                if self._generation == seen:       # nothing committed since we looked
                    self._changed.wait(min(remaining, interval))

    def wake_after(self, dispatch: Callable) -> Callable:
        """Wrap a consumer's dispatch: after a saga answer committed, wake the waiters."""
        def dispatch_and_wake(event) -> None:
            dispatch(event)
            if event.type in SAGA_ANSWERS:
                self.notify()
        return dispatch_and_wake

    def wake_after_batch(self, dispatch_batch: Callable) -> Callable:
        """The same for a batch applied in one transaction: after it committed."""
        def dispatch_and_wake(events) -> None:
            dispatch_batch(events)
            if any(event.type in SAGA_ANSWERS for event in events):
                self.notify()
        return dispatch_and_wake
