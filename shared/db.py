"""Relational storage: the engine, the unit of work, and the outbox and inbox tables.

A service declares its tables on its own `MetaData`; `Database` adds the two tables every
relational service needs:

- `outbox`: events written in the same transaction as the state change that raised them;
  a relay (shared.outbox) publishes them and marks them sent. Sent rows are the service's
  event history, which the ranking rebuild replays; shared/retention.py deletes them once
  no rebuild needs them.
- `inbox`: the ids of the events this service applied. A handler's effects and its inbox
  row commit together, so a redelivered event finds its id and changes nothing.

The same code runs on SQLite (embedded) and PostgreSQL (cluster).
"""
from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

from sqlalchemy import (Column, DateTime, Integer, MetaData, String, Table, Text, bindparam, create_engine,
                        event, insert, select, text)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from shared.clock import utcnow
from shared.domain_events import DomainEvent
from shared.events import Event, make_event

T = TypeVar("T")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            from shared.datadir import create_private_file
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            create_private_file(Path(path))  # password hashes, orders: 0600, and so its -wal/-shm
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False,
                                                  "isolation_level": None})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _):
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            # Take the write lock when the transaction starts, not at its first write: two
            # transactions that both read then write would otherwise deadlock and one fail
            # with "database is locked". Readers still go ahead under WAL.
            reading = conn.get_execution_options().get("gwh_read_only", False)
            # Straight to sqlite3: through exec_driver_sql this one statement was an eighth
            # of a product page read in the embedded mode (cProfile, `make bench`).
            conn.connection.dbapi_connection.execute("BEGIN" if reading else "BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def outbox_table(metadata: MetaData) -> Table:
    return Table(
        "outbox", metadata,
        Column("seq", Integer, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("type", String(80), nullable=False, index=True),
        Column("envelope", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("sent_at", DateTime(timezone=True), nullable=True, index=True),
    )


def inbox_table(metadata: MetaData) -> Table:
    return Table(
        "inbox", metadata,
        Column("event_id", String(36), primary_key=True),
        Column("type", String(80), nullable=False),
        # Indexed: retention deletes inbox ids older than a cut-off (migration 0002).
        Column("applied_at", DateTime(timezone=True), nullable=False, index=True),
    )


def add_shared_tables(metadata: MetaData) -> tuple[Table, Table]:
    """Add the tables every relational service has to its metadata (once): the outbox, the
    inbox, and the revocation list of tokens (shared.tokens). The service's migrations
    create them like its own tables. Returns (outbox, inbox)."""
    from shared.tokens import token_tables
    outbox = metadata.tables["outbox"] if "outbox" in metadata.tables else outbox_table(metadata)
    inbox = metadata.tables["inbox"] if "inbox" in metadata.tables else inbox_table(metadata)
    token_tables(metadata)
    return outbox, inbox


class Database:
    """One service's database: its engine, its tables, and units of work over them."""

    def __init__(self, url: str, metadata: MetaData, producer: str, clock=None, migrations: str | None = None):
        self.url = url
        # The service whose Alembic history builds this schema (services/<name>/migrations);
        # None: the metadata's tables are created as they are (tests' own tables, benchmarks).
        self.migrations = migrations
        self.engine = make_engine(url)
        self.metadata = metadata
        self.producer = producer
        self.clock = clock
        self.outbox, self.inbox = add_shared_tables(metadata)
        # Set by an outbox relay: called after a commit that wrote events, so they go out
        # at once instead of at the relay's next poll.
        self.on_events_committed: list[Callable[[], None]] = []
        self.statements = Statements(self.outbox, self.inbox)
        self._create_lock = threading.Lock()

    @property
    def outbox_channel(self) -> str:
        """The PostgreSQL notification channel a commit with events signals."""
        return f"gwh_outbox_{self.producer}"

    def channel(self, topic: str) -> str:
        """The PostgreSQL notification channel of a topic a unit of work signals."""
        return f"gwh_{self.producer}_{topic}"

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def create_all(self) -> None:
        """Bring the schema up to date at start: the service's migrations, in one transaction."""
        with self._create_lock:
            with self.engine.begin() as conn:
                if self.dialect == "postgresql":
                    # An API and its workers start together on an empty database: one migrates
                    # while the others wait, then finds nothing left to do, instead of racing
                    # into a duplicate error.
                    conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('gwh.create_all'))"))
                if self.migrations:
                    from shared.migrations import upgrade
                    upgrade(conn, self.migrations)
                else:
                    self.metadata.create_all(conn)

    def drop_all(self) -> None:
        self.metadata.drop_all(self.engine)

    @contextmanager
    def unit_of_work(self) -> Iterator["UnitOfWork"]:
        """A transaction that also collects the events of what it saved: at the end, the
        events of every object the use case tracked go to the outbox in the same
        transaction; both commit or neither does."""
        uow = UnitOfWork(self)
        with self.engine.begin() as conn:
            uow.conn = conn
            yield uow
            uow.write_events()
            if uow.emitted and self.dialect == "postgresql":
                # Delivered at commit, to the relays of every process on this database
                # (shared.outbox listens): the API's events go out at once, not at a poll.
                conn.execute(text(f"NOTIFY {self.outbox_channel}"))
            if uow.signals and self.dialect == "postgresql":
                for topic, payload in sorted(uow.signals):
                    conn.execute(SIGNAL, {"channel": self.channel(topic), "payload": payload})
        if uow.emitted:
            for wake in self.on_events_committed:
                wake()

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            conn.execution_options(gwh_read_only=True)
            yield conn

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


class Statements:
    """The outbox and inbox statements every event runs, built once: building a statement
    (insert().values(...), select().where(...)) per call was a third of an event's cost
    in the profile of events through the outbox and inbox; parameters go in at execution."""

    def __init__(self, outbox: Table, inbox: Table):
        self.outbox_insert = insert(outbox)
        self.inbox_insert = insert(inbox)
        self.inbox_lookup = select(inbox.c.event_id).where(inbox.c.event_id == bindparam("event_id"))


# A NOTIFY with bound values (NOTIFY itself takes no parameters).
SIGNAL = text("SELECT pg_notify(:channel, :payload)")


class UnitOfWork:
    """What a use case gets: the connection of its transaction, and `track` for the domain
    objects whose events it saves. Events are collected, not emitted: whatever a tracked
    object recorded by the end of the transaction is written, once."""

    conn: Connection

    def __init__(self, db: Database):
        self.db = db
        self.emitted: list[Event] = []
        self.signals: set[tuple[str, str]] = set()
        self._tracked: list[Any] = []

    def now(self):
        return self.db.clock.now() if self.db.clock else utcnow()

    def track(self, source: T) -> T:
        """Save `source`'s recorded events with this transaction (anything with an `events`
        list: an entity, or an Outcome); returns it, so a load reads `x = uow.track(load())`."""
        if source is not None and not any(source is seen for seen in self._tracked):
            self._tracked.append(source)
        return source

    def signal(self, topic: str, payload: str = "") -> None:
        """Tell the processes listening on `topic` (shared.listening) when this transaction
        commits; a rollback tells no one. On SQLite, whose one process hears its own
        commits, nothing is sent."""
        self.signals.add((topic, payload))

    def write_events(self) -> None:
        """Collect the tracked objects' events, in the order they were recorded, and write
        them to the outbox in one statement (one INSERT per event was most of a delisting's
        fan-out to 10,000 shops, `make bench`). Each is validated against the contract's
        schema here, so a bad one fails the use case instead of reaching the bus."""
        raised: list[DomainEvent] = []
        for source in self._tracked:
            raised.extend(source.events)
            source.events.clear()
        if not raised:
            return
        occurred_at, created = self.now(), utcnow()
        events = [make_event(evt.TYPE, evt.data(), self.db.producer, occurred_at=occurred_at) for evt in raised]
        rows = [{"event_id": evt.id, "type": evt.type, "envelope": json.dumps(evt.to_dict()), "created_at": created,
                 "sent_at": None} for evt in events]
        self.conn.execute(self.db.statements.outbox_insert, rows if len(rows) > 1 else rows[0])
        self.emitted.extend(events)

    def already_applied(self, event_id: str) -> bool:
        row = self.conn.execute(self.db.statements.inbox_lookup, {"event_id": event_id}).first()
        return row is not None

    def record_applied(self, evt: Event) -> None:
        self.conn.execute(self.db.statements.inbox_insert,
                          {"event_id": evt.id, "type": evt.type, "applied_at": utcnow()})

    def applied_among(self, event_ids: list[str]) -> set[str]:
        """Which of these events this service has already applied: one query for a batch."""
        if not event_ids:
            return set()
        inbox = self.db.inbox
        return set(self.conn.execute(select(inbox.c.event_id).where(inbox.c.event_id.in_(event_ids))).scalars())

    def record_applied_many(self, events: list[Event]) -> None:
        """The inbox rows of a batch's events, in one statement."""
        if events:
            applied_at = utcnow()
            self.conn.execute(self.db.statements.inbox_insert, [
                {"event_id": evt.id, "type": evt.type, "applied_at": applied_at} for evt in events])


def is_duplicate_key(exc: Exception) -> bool:
    return isinstance(exc, IntegrityError)
