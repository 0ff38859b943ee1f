"""Named events: what a domain says happened, before it is an envelope on the bus.

Each service declares its events as small frozen dataclasses (services/<svc>/domain/events.py)
that name their contract type (`TYPE`, CONTRACT.md "Events") and carry the event's data as
fields; enumerated values are enums, so no literal string crosses two services unchecked.

A domain object that changes records its events on itself (`EventRecorder`); the unit of
work the use case ran in collects them from every object it tracked and writes them to the
outbox in the transaction that saves the state (shared/db.py). No caller emits by hand, so
none can forget an event or write one twice.
"""
from __future__ import annotations

from dataclasses import fields, is_dataclass
from enum import Enum
from typing import Any, ClassVar, Iterable


class DomainEvent:
    """Subclasses are frozen dataclasses; `data()` is the contract's `data` object."""

    TYPE: ClassVar[str]

    def data(self) -> dict[str, Any]:
        names = _FIELD_NAMES.get(type(self))
        if names is None:
            names = _FIELD_NAMES[type(self)] = tuple(f.name for f in fields(self))  # type: ignore[arg-type]
        data = {}
        for name in names:
            value = getattr(self, name)
            # Most fields are ids, counts and flags: taken as they are, without plain()'s
            # checks (a delisting records one event per featuring shop, 10,000 in `make bench`).
            data[name] = value if type(value) in _AS_IS else plain(value)
        return data


# The field names of each event class, read once (dataclasses.fields() per event was most
# of the cost of data()).
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_AS_IS = frozenset((str, int, bool, float, type(None)))


def plain(value: Any) -> Any:
    """A field's value as JSON has it: enums by value, tuples as lists, nested dataclasses
    as objects."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    return value


class EventRecorder:
    """What a domain object inherits to record the events its changes raise."""

    def __init__(self) -> None:
        self.events: list[DomainEvent] = []

    def record(self, *events: DomainEvent) -> None:
        self.events.extend(events)


class Outcome(EventRecorder):
    """The events of a rule that changes no single object (a delisting reaching every
    featuring shop, an answer to another service's question): the use case tracks it like
    an entity."""

    def __init__(self, events: Iterable[DomainEvent] = ()) -> None:
        super().__init__()
        self.events.extend(events)
