"""Schema migrations with Alembic: one history per relational service.

Each of catalog, shop and order has its own folder `services/<name>/migrations/` (an
Alembic script directory whose env.py names the service's metadata) and its own version
table `alembic_version_<name>`, so two services could even share one database without
mixing their histories. `shared.db.Database.create_all` applies them at start: on
PostgreSQL inside the transaction that holds the advisory lock (an API and its workers
starting together on an empty database: one migrates, the others wait and find it done;
PostgreSQL's DDL is transactional, so a failed migration leaves nothing half done), on
SQLite inside one `BEGIN IMMEDIATE`.

A database created without migrations (by `metadata.create_all`: it has an outbox table but
no version table) is stamped: at head if its schema already equals the models (it was made
from today's models), else at the first revision, which is exactly the tables as they were
before migrations, and then upgraded like any other.

Adding a migration after changing a service's tables (store.py):

    make migration SERVICE=order MESSAGE="orders: add a column for ..."

autogenerates the next revision against a scratch SQLite database at head; read it, keep it
portable (it runs on SQLite and PostgreSQL), and tests/unit/shared/test_migrations.py checks
that the models and the migrations agree on both.
"""
from __future__ import annotations

import importlib
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, inspect
from sqlalchemy.engine import Connection

# The revision every service's history starts from: its tables as they were before migrations.
BASELINE = "0001"


def script_location(service: str) -> Path:
    # A package, so that an installed copy of the code carries its migrations too.
    return Path(importlib.import_module(f"services.{service}.migrations").__file__).parent


def version_table(service: str) -> str:
    return f"alembic_version_{service}"


def alembic_config(service: str, connection: Connection | None = None, url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location(service)))
    if url:
        config.set_main_option("sqlalchemy.url", url)
    config.attributes["service"] = service
    config.attributes["connection"] = connection
    return config


def head(service: str) -> str:
    return ScriptDirectory.from_config(alembic_config(service)).get_current_head()


def current(connection: Connection, service: str) -> str | None:
    return MigrationContext.configure(connection, opts={"version_table": version_table(service)}).get_current_revision()


def upgrade(connection: Connection, service: str, revision: str = "head") -> None:
    """Bring the service's schema to `revision` on this connection (in its transaction)."""
    config = alembic_config(service, connection)
    tables = set(inspect(connection).get_table_names())
    if version_table(service) not in tables and "outbox" in tables:
        command.stamp(config, "head" if not differences(connection, service) else BASELINE)
    command.upgrade(config, revision)


def service_metadata(service: str) -> MetaData:
    """The service's tables as its code declares them, the shared ones (outbox, inbox,
    revoked tokens) included."""
    from shared.db import add_shared_tables

    metadata = importlib.import_module(f"services.{service}.store").metadata
    add_shared_tables(metadata)   # as shared.db.Database does
    return metadata


def differences(connection: Connection, service: str) -> list:
    """What autogenerate would write to bring this schema to the models (empty: they agree)."""
    from alembic.autogenerate import compare_metadata
    context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                           "version_table": version_table(service)})
    return compare_metadata(context, service_metadata(service))


def run_env(service: str, metadata: MetaData) -> None:
    """The body of every service's migrations/env.py."""
    from alembic import context
    from sqlalchemy import create_engine

    from shared.db import add_shared_tables

    # The shared tables are added to a service's metadata by shared.db.Database; the
    # migrations describe them too.
    add_shared_tables(metadata)
    options = dict(target_metadata=metadata, version_table=version_table(service), compare_type=True,
                   # SQLite changes most of a table by copying it: let autogenerate write that.
                   render_as_batch=True)
    if context.is_offline_mode():
        context.configure(url=context.config.get_main_option("sqlalchemy.url"), literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = context.config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()
        return
    from shared.db import make_engine
    engine = make_engine(context.config.get_main_option("sqlalchemy.url")) \
        if context.config.get_main_option("sqlalchemy.url") else create_engine("sqlite://")
    with engine.begin() as connection:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def new_revision(service: str, message: str) -> str:
    """Autogenerate the service's next revision against a scratch SQLite database at head."""
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        config = alembic_config(service, url=f"sqlite:///{scratch}/head.db")
        command.upgrade(config, "head")
        number = f"{int(head(service)) + 1:04d}"
        script = command.revision(config, message=message, autogenerate=True, rev_id=number)
    return script.path


def main(argv: list[str]) -> None:
    import sys
    if len(argv) == 3 and argv[0] == "revision":
        print(new_revision(argv[1], argv[2]))
    else:
        sys.exit('usage: python -m shared.migrations revision SERVICE "what changes"')


if __name__ == "__main__":
    import sys
    main(sys.argv[1:])
