"""Alembic's entry point for the catalog service's migrations (shared/migrations.py)."""
from services.catalog.store import metadata
from shared.migrations import run_env

run_env("catalog", metadata)
