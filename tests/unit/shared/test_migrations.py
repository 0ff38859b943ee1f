"""Schema migrations on SQLite (the embedded mode): an empty database, one at the previous
revision and one from before migrations all reach head, keep their rows, and then the
models and the migrations agree (autogenerate finds nothing to write)."""
import pytest

from tests.support import migration_checks as checks


@pytest.mark.parametrize("service", checks.SERVICES)
def test_an_empty_database_is_upgraded_to_head(tmp_path, service):
    checks.check_an_empty_database_is_upgraded_to_head_and_matches_the_models(f"sqlite:///{tmp_path / 'x.db'}", service)


@pytest.mark.parametrize("service", checks.SERVICES)
def test_a_database_at_the_previous_revision_is_upgraded(tmp_path, service):
    checks.check_a_database_at_the_previous_revision_is_upgraded_keeping_its_rows(f"sqlite:///{tmp_path / 'x.db'}",
                                                                                  service)


@pytest.mark.parametrize("service", checks.SERVICES)
def test_a_database_from_before_migrations_is_stamped_then_upgraded(tmp_path, service):
    checks.check_a_database_from_before_migrations_is_stamped_then_upgraded(f"sqlite:///{tmp_path / 'x.db'}", service)


def test_each_service_has_its_own_history_and_version_table():
    from shared import migrations
    tables = {migrations.version_table(s) for s in checks.SERVICES}
    assert len(tables) == 3
    locations = {migrations.script_location(s) for s in checks.SERVICES}
    assert len(locations) == 3 and all((path / "env.py").is_file() for path in locations)


def test_the_embedded_platform_starts_on_migrated_databases(platform):
    from shared import migrations
    for service in checks.SERVICES:
        with platform[service].db.engine.connect() as conn:
            assert migrations.current(conn, service) == migrations.head(service)


@pytest.mark.parametrize("service", checks.SERVICES)
def test_a_database_made_from_todays_models_is_stamped_at_head(tmp_path, service):
    checks.check_a_database_made_from_todays_models_is_stamped_at_head(f"sqlite:///{tmp_path / 'x.db'}", service)
