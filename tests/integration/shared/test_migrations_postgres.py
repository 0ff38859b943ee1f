"""Schema migrations on PostgreSQL (the cluster mode), each test on a fresh database: the
same checks as on SQLite (tests/support/migration_checks.py)."""
import pytest

from tests.support import migration_checks as checks


@pytest.mark.parametrize("service", checks.SERVICES)
def test_an_empty_database_is_upgraded_to_head(postgres_url, service):
    checks.check_an_empty_database_is_upgraded_to_head_and_matches_the_models(postgres_url, service)


@pytest.mark.parametrize("service", checks.SERVICES)
def test_a_database_at_the_previous_revision_is_upgraded(postgres_url, service):
    checks.check_a_database_at_the_previous_revision_is_upgraded_keeping_its_rows(postgres_url, service)


@pytest.mark.parametrize("service", checks.SERVICES)
def test_a_database_from_before_migrations_is_stamped_then_upgraded(postgres_url, service):
    checks.check_a_database_from_before_migrations_is_stamped_then_upgraded(postgres_url, service)


@pytest.mark.parametrize("service", checks.SERVICES)
def test_a_database_made_from_todays_models_is_stamped_at_head(postgres_url, service):
    checks.check_a_database_made_from_todays_models_is_stamped_at_head(postgres_url, service)
