"""Which services exist, and the queues every process declares before it publishes.

RabbitMQ drops a message no queue is bound for, so any process that may publish first
declares every consuming service's queue and bindings (declaring is idempotent).
"""
from __future__ import annotations

import importlib
from types import ModuleType

from shared.bus import Bus, Subscriptions
from shared.config import SERVICES


def service_module(name: str) -> ModuleType:
    return importlib.import_module(f"services.{name}.app")


def subscriptions(name: str) -> Subscriptions:
    return importlib.import_module(f"services.{name}.handlers").subscriptions


def subscribers(names=SERVICES) -> dict[str, list[str]]:
    result = {}
    for name in names:
        subs = subscriptions(name)
        if subs.handlers:
            result[name] = subs.event_types
    return result


def declare_all(bus: Bus, names=SERVICES) -> None:
    bus.declare(subscribers(names))
