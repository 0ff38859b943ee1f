"""The order service's schema migrations (Alembic; shared/migrations.py)."""
