"""A consumer that hands its handler the messages already prefetched, as one batch.

The plain Consumer (shared/bus.py) handles and acks message by message. A service whose
handler costs a round trip to its store per call (the ranking: a Lua script per event)
gains most by taking what the broker has already sent it (up to `batch_size`, which is
also its prefetch) and handling it together: one `dispatch_batch(events)` and one ack for
the batch.

What a message may go through stays what the plain Consumer does, message by message:
- an envelope that does not parse is dead-lettered on its own, and the batch goes on;
- the store or the broker down: the whole batch is put back after the back-off (every
  handler is idempotent, so a batch half-applied before the outage is applied again whole);
- any other failure: the batch is handled again one message at a time through `dispatch`,
  so only the guilty message is retried and dead-lettered, as with the plain Consumer.
"""
from __future__ import annotations

import logging
import socket
from dataclasses import dataclass, field
from typing import Any, Callable

from shared import metrics
from shared.bus import BrokerUnavailable, Consumer
from shared.events import Event, InvalidEvent, correlation_id_var, parse_event

log = logging.getLogger("gwh.bus")


@dataclass
class BatchConsumer(Consumer):
    """A Consumer whose `run` and `pump` handle prefetched messages in batches of up to
    `batch_size`: the plain Consumer's loop (its reconnects, heartbeats, liveness beat) with
    the turn, the message callback and what is taken at once overridden."""

    dispatch_batch: Callable[[list[Event]], None] | None = None
    batch_size: int = 64
    # How many batches went through whole (tests, the bench).
    batches: int = 0
    _waiting: list = field(default_factory=list, repr=False)

    # --- a batch --------------------------------------------------------------------------
    def handle_batch(self, deliveries: list[tuple[Any, Any]]) -> None:
        """Handle (body, message) pairs together; every message ends acked, put back,
        republished for a retry or dead-lettered, as with `handle`."""
        self.in_flight += len(deliveries)
        try:
            self._handle_batch(deliveries)
        finally:
            self.in_flight -= len(deliveries)

    def _handle_batch(self, deliveries: list[tuple[Any, Any]]) -> None:
        if self.dispatch_batch is None or len(deliveries) == 1:
            for body, message in deliveries:
                self._handle(body, message)
            return
        parsed: list[tuple[Event, Any, Any]] = []
        for body, message in deliveries:
            try:
                parsed.append((parse_event(body), body, message))
            except InvalidEvent:
                self._handle(body, message)  # dead-letters it, with the plain path's log line
        if not parsed:
            return
        try:
            self.dispatch_batch([event for event, _, _ in parsed])
        except (BrokerUnavailable, *self.transient) as exc:
            reason = "broker_unavailable" if isinstance(exc, BrokerUnavailable) else "store_unavailable"
            log.warning("%s: a batch of %d events waits for %s: %s", self.service, len(parsed),
                        "the broker" if reason == "broker_unavailable" else "its store", exc)
            self._stop.wait(min(5.0, max(self.bus.retry_backoff, 0.05) * 5))
            for event, _, message in parsed:
                message.requeue()
                metrics.retried(self.service, event.type, reason)
            return
        except Exception as exc:
            # Someone's event is at fault, not the batch: find it the plain way.
            log.warning("%s: a batch of %d events failed (%s: %s); handling them one by one",
                        self.service, len(parsed), type(exc).__name__, exc)
            for _, body, message in parsed:
                self._handle(body, message)
            return
        self._ack_all([message for _, _, message in parsed])
        self.batches += 1
        logged = log.isEnabledFor(logging.INFO)
        for event, _, _ in parsed:
            if logged:  # in the event's correlation id, as the plain path writes it
                token = correlation_id_var.set(event.correlation_id)
                log.info("%s handled %s %s", self.service, event.type, event.id,
                         extra={"service": self.service, "event_type": event.type, "event_id": event.id})
                correlation_id_var.reset(token)
            metrics.consumed(self.service, event.type)
        self.handled += len(parsed)

    def _ack_all(self, messages: list) -> None:
        if self.bus.in_memory:
            # kombu's memory transport ignores `multiple`: each message is acked on its own.
            for message in messages:
                message.ack()
            return
        # One basic.ack with `multiple` settles every delivery up to the last one; the others
        # of the batch are marked acked on our side without a frame each. Every earlier
        # delivery on this channel is settled by now (the batch holds all that came).
        for message in messages[:-1]:
            message._state = "ACK"
        messages[-1].ack(multiple=True)

    # --- consuming: the plain Consumer's pump and run, taking batches --------------------
    @property
    def takes(self) -> int:
        return self.batch_size

    @property
    def prefetch_count(self) -> int:
        return self.batch_size

    def handle_taken(self, deliveries: list[tuple[Any, Any]]) -> None:
        self.handle_batch(deliveries)

    def turn(self, conn) -> None:
        """Wait up to half a second for a message, take whatever else is already here
        without waiting, and handle it all as one batch."""
        try:
            conn.drain_events(timeout=0.5)
        except socket.timeout:
            return
        while len(self._waiting) < self.batch_size:
            try:
                conn.drain_events(timeout=0)
            except socket.timeout:
                break
        batch, self._waiting[:] = list(self._waiting), []
        if batch:
            self.handle_batch(batch)

    def detached(self) -> None:
        # Unacked deliveries of a lost connection go back to the queue by themselves.
        self._waiting.clear()

    def _on_message(self, body, message) -> None:
        self._waiting.append((body, message))
