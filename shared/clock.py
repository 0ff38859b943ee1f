"""The clock every time rule reads, injected so tests move time instead of sleeping."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Protocol


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Clock(Protocol):
    """What a service is given to read the time: the system's, or a test's FixedClock."""

    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return utcnow()


class FixedClock:
    """A clock tests set and advance by hand."""

    def __init__(self, start: datetime | None = None):
        self._now = start or datetime(2026, 11, 1, 4, 0, tzinfo=timezone.utc)

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta) -> datetime:
        self._now += timedelta(**delta)
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when


def as_utc(moment: datetime | None) -> datetime | None:
    """An aware UTC datetime; SQLite hands back naive ones, and everything stored is UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


def iso(moment: datetime | None) -> str | None:
    """UTC ISO 8601 with a Z, the one time format of the contract."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
