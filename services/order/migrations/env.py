"""Alembic's entry point for the order service's migrations (shared/migrations.py)."""
from services.order.store import metadata
from shared.migrations import run_env

run_env("order", metadata)
