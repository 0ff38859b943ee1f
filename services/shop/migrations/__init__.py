"""The shop service's schema migrations (Alembic; shared/migrations.py)."""
