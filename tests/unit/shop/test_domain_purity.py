"""The shop's domain is pure: no module of services/shop/domain imports the web framework,
the database, Redis, the bus wiring, or the service's own store, api or use cases (read from
the source with `ast`, so nothing is imported to check it)."""
from __future__ import annotations

import ast
from pathlib import Path

import services.shop.domain

DOMAIN = Path(services.shop.domain.__file__).parent
FORBIDDEN = ("flask", "flask_smorest", "werkzeug", "sqlalchemy", "redis", "pika", "shared.auth", "shared.http",
             "shared.service", "shared.db", "shared.bus", "shared.tokens", "services.shop.store",
             "services.shop.api", "services.shop.usecases", "services.shop.handlers", "services.shop.context",
             "services.shop.app", "services.shop.passwords")
HTTP_WORDS = ("status_code", "http_status")


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def forbidden(name: str) -> bool:
    return any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN)


def test_no_domain_module_imports_what_it_must_not():
    modules = sorted(DOMAIN.glob("*.py"))
    assert len(modules) > 10
    found = {path.name: sorted(n for n in imports_of(path) if forbidden(n)) for path in modules}
    assert {name: bad for name, bad in found.items() if bad} == {}


def test_domain_errors_carry_no_http_status():
    for path in DOMAIN.glob("*.py"):
        text = path.read_text()
        assert not any(word in text for word in HTTP_WORDS), path.name


def test_every_event_the_shop_emits_has_a_named_class():
    from shared.events import CATALOGUE
    from services.shop.domain import events
    named = {cls.TYPE for cls in vars(events).values() if isinstance(cls, type) and hasattr(cls, "TYPE")}
    assert named == {t for t in CATALOGUE if t.startswith("shop.")}
