"""The order domain is pure: rules and named events only. None of its modules imports the web
framework, the token library, the database, Redis, the bus or the service's own outer layers
(store, api, usecases, handlers, context, app); a refusal it raises carries no HTTP status."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import services.order.domain as domain

DOMAIN = Path(domain.__file__).parent
FORBIDDEN = ("flask", "flask_smorest", "werkzeug", "jwt", "sqlalchemy", "redis", "pika",
             "shared.auth", "shared.http", "shared.service", "shared.db", "shared.bus", "shared.outbox",
             "shared.inbox", "services.order.store", "services.order.api", "services.order.usecases",
             "services.order.handlers", "services.order.context", "services.order.app",
             "services.order.settling", "services.order.providers")
MODULES = sorted(DOMAIN.glob("*.py"))


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_a_domain_module_imports_nothing_it_must_not(path):
    bad = sorted(name for name in imports_of(path)
                 if any(name == f or name.startswith(f + ".") for f in FORBIDDEN))
    assert bad == [], f"{path.name} imports {bad}"


def test_importing_the_domain_loads_no_web_framework_database_or_broker():
    # What its imports import counts too (shared.auth would bring Flask in, shared.db SQLAlchemy).
    code = ("import sys, services.order.domain; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'flask', 'werkzeug', 'jwt', 'sqlalchemy', 'redis', 'pika'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(domain.__file__).parents[3]).stdout.strip()
    assert out == "[]"


def test_domain_refusals_carry_no_http_status():
    for path in MODULES:
        source = path.read_text()
        assert "status_code" not in source and "http_status" not in source, path.name
