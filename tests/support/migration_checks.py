"""The schema-migration checks, run on SQLite (tests/unit/shared/test_migrations.py) and on
PostgreSQL (tests/integration/shared/test_migrations_postgres.py)."""
from __future__ import annotations

import importlib
from datetime import datetime, timezone

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, insert, select, text

from shared import migrations
from shared.db import Database

SERVICES = ("catalog", "shop", "order")
PREVIOUS = "0001"
# The newest revision of every service (0004: the token revocation lists).
HEAD = "0004"


def database(url: str, service: str) -> Database:
    store = importlib.import_module(f"services.{service}.store")
    return Database(url, store.metadata, producer=service, migrations=service)


def differences(db: Database, service: str) -> list:
    """What `alembic revision --autogenerate` would write: the models against the schema."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "version_table": migrations.version_table(service)})
        return compare_metadata(context, db.metadata)


def revision(db: Database, service: str) -> str | None:
    with db.engine.connect() as conn:
        return migrations.current(conn, service)


def indexes(db: Database, table: str) -> set[str]:
    with db.engine.connect() as conn:
        return {index["name"] for index in inspect(conn).get_indexes(table)}


def check_an_empty_database_is_upgraded_to_head_and_matches_the_models(url: str, service: str) -> None:
    db = database(url, service)
    try:
        db.create_all()
        assert revision(db, service) == migrations.head(service) == HEAD
        with db.engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
        assert {"outbox", "inbox", migrations.version_table(service)} <= tables
        assert differences(db, service) == []
        db.create_all()  # a second start finds nothing to do
        assert revision(db, service) == HEAD
    finally:
        db.dispose()


def _write_rows(db: Database) -> None:
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with db.engine.begin() as conn:
        conn.execute(insert(db.inbox).values(event_id="e-1", type="order.placed", applied_at=now))
        conn.execute(insert(db.outbox).values(event_id="e-2", type="order.paid", envelope="{}", created_at=now,
                                              sent_at=None))


def _rows_kept(db: Database) -> None:
    with db.engine.connect() as conn:
        assert conn.execute(select(db.inbox.c.event_id)).scalars().all() == ["e-1"]
        assert conn.execute(select(db.outbox.c.event_id)).scalars().all() == ["e-2"]


def check_a_database_at_the_previous_revision_is_upgraded_keeping_its_rows(url: str, service: str) -> None:
    db = database(url, service)
    try:
        with db.engine.begin() as conn:
            migrations.upgrade(conn, service, PREVIOUS)
        assert revision(db, service) == PREVIOUS
        assert "ix_inbox_applied_at" not in indexes(db, "inbox")
        assert differences(db, service), "the models are ahead of the previous revision"
        _write_rows(db)
        db.create_all()
        assert revision(db, service) == HEAD
        assert "ix_inbox_applied_at" in indexes(db, "inbox")
        _rows_kept(db)
        assert differences(db, service) == []
        # And back: every revision can be undone.
        from alembic import command
        with db.engine.begin() as conn:
            command.downgrade(migrations.alembic_config(service, conn), PREVIOUS)
        assert "ix_inbox_applied_at" not in indexes(db, "inbox")
    finally:
        db.dispose()


def check_a_database_made_from_todays_models_is_stamped_at_head(url: str, service: str) -> None:
    """Tables made by `metadata.create_all` of the current models (a tool, a test, an older
    start-up), no version table: nothing to migrate, nothing created twice."""
    db = database(url, service)
    try:
        db.metadata.create_all(db.engine)
        _write_rows(db)
        db.create_all()
        assert revision(db, service) == migrations.head(service)
        _rows_kept(db)
    finally:
        db.dispose()


def check_a_database_from_before_migrations_is_stamped_then_upgraded(url: str, service: str) -> None:
    """Tables made by the old `metadata.create_all` (the first revision's), no version table."""
    db = database(url, service)
    try:
        with db.engine.begin() as conn:
            migrations.upgrade(conn, service, PREVIOUS)
            conn.execute(text(f"DROP TABLE {migrations.version_table(service)}"))
        _write_rows(db)
        db.create_all()
        assert revision(db, service) == HEAD
        _rows_kept(db)
        assert differences(db, service) == []
    finally:
        db.dispose()
