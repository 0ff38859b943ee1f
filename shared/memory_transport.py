"""kombu's in-memory transport, with consumers that sleep until a message arrives.

kombu's own memory transport has no way to wait for a message: an idle consumer looks at
its queues every `polling_interval` (10 ms here), so the four consumers of the embedded
platform woke 400 times a second doing nothing (py-spy of an idle `make run`: the samples
that were not sleeping were the consumers' FairCycle.get and QoS checks). Here every put
bumps a counter under a condition, and a consumer that found its queues empty waits on
the condition until something was put since it looked, or its timeout passes: it wakes
when there is work, and at most every `polling_interval` otherwise (a safety net only).
"""
from __future__ import annotations

import socket
import threading
from queue import Empty
from time import monotonic

from kombu.transport import memory


class Arrivals:
    """A count of the messages put, and a wait for the next one."""

    def __init__(self):
        self.count = 0
        self._condition = threading.Condition()

    def arrived(self) -> None:
        with self._condition:
            self.count += 1
            self._condition.notify_all()

    def wait_after(self, seen: int, timeout: float) -> None:
        """Return once a message was put after the count was `seen`, or after `timeout`."""
        with self._condition:
            self._condition.wait_for(lambda: self.count != seen, timeout)


ARRIVALS = Arrivals()


class Channel(memory.Channel):
    def _put(self, queue, message, **kwargs):
        super()._put(queue, message, **kwargs)
        ARRIVALS.arrived()

    def _put_fanout(self, exchange, message, routing_key=None, **kwargs):
        super()._put_fanout(exchange, message, routing_key, **kwargs)
        ARRIVALS.arrived()


class Transport(memory.Transport):
    Channel = Channel
    # Without a timeout, look at the queues at least this often anyway.
    polling_interval = 1.0

    def drain_events(self, connection, timeout=None):
        began = monotonic()
        while True:
            # Read the count before looking: a put after this moment ends the wait below.
            seen = ARRIVALS.count
            try:
                self.cycle.get(self._deliver, timeout=timeout)
                return
            except Empty:
                waited = monotonic() - began
                if timeout is not None and waited >= timeout:
                    raise socket.timeout()
                left = self.polling_interval if timeout is None else min(timeout - waited, self.polling_interval)
                ARRIVALS.wait_after(seen, left)
