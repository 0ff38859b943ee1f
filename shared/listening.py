"""Hearing another process's commits on PostgreSQL (LISTEN/NOTIFY), with polling as the net.

In the cluster mode a service's API and its worker are separate processes on one database:
what one commits, the other learns of only by looking. A unit of work signals a topic
(`UnitOfWork.signal`, delivered by PostgreSQL only if the transaction commits) and a
`CommitListener` in the other process calls back with each payload. The outbox relay wakes
on the outbox's channel this way; the order API's waiters on the order's settled channel.

The listener's connection can drop (PostgreSQL restarting, a network cut): it reconnects
with a backoff, and calls `on_connected` each time it is back, because whatever was
committed meanwhile was never heard. So every user of it keeps a poll, slower while
`listening` is true, as the fallback.
"""
from __future__ import annotations

import logging
import threading
from typing import Callable

log = logging.getLogger("gwh.listening")

# How often the listener looks up from its connection to see if it should stop.
CHECK_INTERVAL = 1.0


class CommitListener:
    def __init__(self, url: str, channel: str, on_notify: Callable[[str], None], *,
                 on_connected: Callable[[], None] | None = None, name: str | None = None):
        self.url = url
        self.channel = channel
        self.on_notify = on_notify
        self.on_connected = on_connected
        self.name = name or channel
        self.listening = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> "CommitListener":
        self._thread = threading.Thread(target=self.run, name=f"{self.name}-listen", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        import psycopg
        backoff = 0.5
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {self.channel}")
                    self.listening = True
                    backoff = 0.5
                    if self.on_connected is not None:
                        self.on_connected()  # anything committed while no one listened
                    while not self._stop.is_set():
                        for notification in conn.notifies(timeout=CHECK_INTERVAL):
                            self.on_notify(notification.payload)
            except Exception as exc:
                log.warning("%s: no commit notifications on %s (%s); polling meanwhile", self.name, self.channel,
                            exc)
            finally:
                self.listening = False
            self._stop.wait(backoff)
            backoff = min(backoff * 2, 10.0)


def listen_url(engine) -> str:
    """psycopg's URL of a SQLAlchemy engine's database (the listener connects on its own)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
