"""The outbox relay: publishes what units of work wrote to the outbox, in order.

An event is marked sent only after the broker confirmed it. A batch of pending events is
published at once and its confirms awaited together (Bus.publish_batch), not one round
trip per event; when the broker fails mid-batch, the events it confirmed before the
failure are marked sent and the rest wait for the next try. While the broker is down the
relay backs off and the events wait in the table; they go out when it is back. A crash
between the confirm and the mark sends an event twice, never zero times: consumers are
idempotent. Several relays on one PostgreSQL database share the work (SKIP LOCKED).

A relay wakes when its own process commits events, and on PostgreSQL when any process
does (LISTEN/NOTIFY on `gwh_outbox_<service>`); it polls every `interval` only as the
fallback for a lost notification or a lost listening connection.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

from sqlalchemy import func, select, update

from shared import metrics
from shared.bus import Bus, PartlyPublished
from shared.clock import utcnow
from shared.db import Database
from shared.listening import CommitListener, listen_url

log = logging.getLogger("gwh.outbox")
# How often a relay on SQLite looks at its outbox when nothing woke it.
SQLITE_POLL = 5.0


class OutboxRelay:
    def __init__(self, db: Database, bus: Bus, *, interval: float = 0.5, batch: int = 200):
        self.db = db
        self.bus = bus
        self.interval = interval
        self.batch = batch
        self.published = 0
        self.last_error: str | None = None
        # When the relay's loop last went round (time.monotonic()), for the worker's probe.
        self.last_beat: float | None = None
        self._listener: CommitListener | None = None
        self._wakeup = threading.Event()
        self._stop = threading.Event()
        self._flush_lock = threading.Lock()
        db.on_events_committed.append(self.wake)

    def wake(self, _payload: str = "") -> None:
        self._wakeup.set()

    @property
    def listening(self) -> bool:
        """True while commits of other processes on this database wake the relay."""
        return self._listener is not None and self._listener.listening

    def pending(self) -> int:
        with self.db.reading() as conn:
            return conn.execute(select(func.count()).select_from(self.db.outbox)
                                .where(self.db.outbox.c.sent_at.is_(None))).scalar_one()

    def flush(self) -> int:
        """Publish every pending event now; returns how many. Raises if the broker fails."""
        total = 0
        with self._flush_lock:
            while True:
                sent = self._publish_batch()
                total += sent
                if sent < self.batch:
                    return total

    def _pending_query(self):
        outbox = self.db.outbox
        return select(outbox.c.seq, outbox.c.envelope).where(outbox.c.sent_at.is_(None)) \
            .order_by(outbox.c.seq).limit(self.batch)

    def _publish_batch(self) -> int:
        outbox = self.db.outbox
        if self.db.dialect == "postgresql":
            # Claim the rows so a second relay on the same database skips them.
            with self.db.engine.begin() as conn:
                rows = conn.execute(self._pending_query().with_for_update(skip_locked=True)).all()
                sent = self._publish(rows)
                if sent:
                    conn.execute(update(outbox).where(outbox.c.seq.in_(sent)).values(sent_at=utcnow()))
        else:
            # SQLite: one relay per file (one process), and no write lock held while publishing.
            with self.db.reading() as conn:
                rows = conn.execute(self._pending_query()).all()
            sent = self._publish(rows)
            if sent:
                with self.db.engine.begin() as conn:
                    conn.execute(update(outbox).where(outbox.c.seq.in_(sent)).values(sent_at=utcnow()))
        if len(sent) < len(rows):
            raise self._error
        self.published += len(sent)
        return len(sent)

    def _publish(self, rows) -> list[int]:
        """Publish rows in order as one batch, confirmed together; on a failure keep the
        ones the broker confirmed before it (the first ones) and remember the error."""
        self._error = None
        events = [json.loads(envelope) for _, envelope in rows]
        try:
            self.bus.publish_batch(events)
        except PartlyPublished as exc:
            self._error = exc.cause
            sent = exc.confirmed
        else:
            sent = len(rows)
        for event in events[:sent]:
            metrics.published(self.db.producer, event.get("type", "unknown"))
        return [seq for seq, _ in rows[:sent]]

    def run(self) -> None:
        if self.db.dialect == "postgresql":
            # Woken whenever a process commits events to this database (the unit of work
            # NOTIFYs at commit): in the cluster mode the API commits and the worker relays,
            # and a hop should not wait for the worker's next poll.
            self._listener = CommitListener(self.listen_url(), self.db.outbox_channel, self.wake,
                                            on_connected=self.wake, name=f"{self.db.producer}-outbox").start()
        # A SQLite file has one process (the embedded mode), whose commits all wake the
        # relay: its poll is only a safety net, and polling three outboxes twice a second
        # was most of what the idle embedded platform still spent (py-spy, bench/idle.py).
        idle = self.interval if self.db.dialect != "sqlite" else max(self.interval, SQLITE_POLL)
        backoff = idle
        while not self._stop.is_set():
            self.last_beat = time.monotonic()
            self._wakeup.wait(backoff)
            self._wakeup.clear()
            try:
                self.flush()
                self.last_error = None
                backoff = idle
            except Exception as exc:
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("outbox of %s waits for the broker: %s", self.db.producer, self.last_error)
                backoff = min(max(backoff * 2, 0.2), 10.0)

    def stop(self) -> None:
        self._stop.set()
        self._wakeup.set()
        if self._listener is not None:
            self._listener.stop()

    def listen_url(self) -> str:
        """Where the commit listener connects: the relay's own database."""
        return listen_url(self.db.engine)


def history(db: Database, *, after: int = 0, types: list[str] | None = None, limit: int = 1000) -> list[dict[str, Any]]:
    """Events this service produced, oldest first, after sequence `after` (for replays)."""
    outbox = db.outbox
    query = select(outbox.c.seq, outbox.c.envelope).where(outbox.c.seq > after)
    if types:
        query = query.where(outbox.c.type.in_(types))
    with db.reading() as conn:
        rows = conn.execute(query.order_by(outbox.c.seq).limit(limit)).all()
    return [{"seq": seq, "event": json.loads(envelope)} for seq, envelope in rows]
