"""The short wait of POST /api/orders for the owners' answers (docs/owners-decide.md).

A request that placed an order waits, bounded by GWH_ORDER_SETTLE_WAIT, until the order is
no longer pending, so the usual answer is 201 with the settled order instead of a 202 the
client must poll. It does not spin: in a process that also consumes the order queue (the
embedded mode, a worker) the consumer wakes the waiters after it committed an answer; in a
cluster API process, which hears nothing of the worker's commits, the waiter rereads the
order at a short interval instead.
"""
from __future__ import annotations

import threading
import time
from typing import Callable

# The events after which a pending order may have settled.
SAGA_ANSWERS = frozenset({"catalog.stock.reserved", "catalog.stock.rejected", "shop.attribution.answered"})
# How often a waiter rereads when nothing woke it (the cluster mode's only signal).
POLL_INTERVAL = 0.05


class SettleWaiter:
    def __init__(self, poll_interval: float = POLL_INTERVAL):
        self.poll_interval = poll_interval
        self._changed = threading.Condition()
        self._generation = 0

    def notify(self) -> None:
        """An answer was committed: every waiter looks again."""
        with self._changed:
            self._generation += 1
            self._changed.notify_all()

    def wait_until(self, settled: Callable[[], bool], timeout: float) -> bool:
        """True as soon as `settled()` holds, False when `timeout` seconds passed first."""
        deadline = time.monotonic() + timeout
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
                    self._changed.wait(min(remaining, self.poll_interval))

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
