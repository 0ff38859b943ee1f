"""How a benchmark is timed, and what one line of the results holds.

Each benchmark has two sides doing the same work: the raw baseline and Gouwuhao. Both are
warmed up first (imports, connection pools, statement caches, Lua script loading), then
their rounds alternate, so a noisy neighbour on this shared machine slows both sides rather
than one. The best round of each side counts: the least disturbed run is the one that
says what the code costs. A side stops early once its time budget is spent, after at
least one round, so the whole `make bench` stays bounded.
"""
from __future__ import annotations

import shutil
import socket
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROUNDS = 5
# Seconds of measured rounds one benchmark may spend before it stops at the rounds it has.
BUDGET = 20.0


def _nothing() -> None:
    pass


@dataclass
class Side:
    """One side of a comparison: `run(k)` does k operations; `reset()` (untimed) puts the
    state back where every round starts, so no round profits from an earlier one."""

    run: Callable[[int], None]
    reset: Callable[[], None] = _nothing


@dataclass(frozen=True)
class Row:
    """One line of the table. `ratio` is Gouwuhao's figure over the baseline's."""

    label: str
    raw: float
    platform: float
    unit: str = "/s"

    @property
    def ratio(self) -> float | None:
        """None where the baseline measured nothing (an idle process using no CPU)."""
        return self.platform / self.raw if self.raw else None


# Units where less is better (the ratio says how much more Gouwuhao takes).
LOWER_IS_BETTER = ("MB", "ms", "%")


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    # Everything besides the table, for the JSON file and the charts: latency samples
    # (ms) by name, ingestion rates by worker count, ...
    data: dict = field(default_factory=dict)


def compare(raw: Side, platform: Side, n: int, *, rounds: int = ROUNDS, budget: float = BUDGET) -> tuple[float, float]:
    """(raw operations/s, Gouwuhao operations/s) over `n` operations, best round of each."""
    sides = (raw, platform)
    for side in sides:
        side.reset()
        side.run(max(1, n // 20))
    best = [float("inf")] * len(sides)
    started = time.perf_counter()
    for _ in range(rounds):
        for i, side in enumerate(sides):
            side.reset()
            began = time.perf_counter()
            side.run(n)
            best[i] = min(best[i], time.perf_counter() - began)
        if time.perf_counter() - started > budget:
            break
    return n / best[0], n / best[1]


def scratch(what: str) -> Path:
    """A fresh directory for one benchmark's files; `discard` removes it."""
    return Path(tempfile.mkdtemp(prefix=f"gwh-bench-{what}-")).resolve()


def discard(directory: Path) -> None:
    shutil.rmtree(directory, ignore_errors=True)


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False
