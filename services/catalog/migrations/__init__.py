"""The catalog service's schema migrations (Alembic; shared/migrations.py)."""
