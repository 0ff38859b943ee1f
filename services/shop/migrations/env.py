"""Alembic's entry point for the shop service's migrations (shared/migrations.py)."""
from services.shop.store import metadata
from shared.migrations import run_env

run_env("shop", metadata)
