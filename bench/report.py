"""The results as Markdown: the machine, the table, and what each baseline is."""
from __future__ import annotations

import os
import platform
import sys
from datetime import datetime, timezone
from pathlib import Path

from bench.measure import ROUNDS, Results, Row


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def machine_line(n: int, now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    return (f"Python {sys.version.split()[0]}, {os.cpu_count()} cores ({cpu_model()}), {platform.system()}, "
            f"{now:%Y-%m-%d %H:%M} UTC; GWH_BENCH_N={n}, best of {ROUNDS} alternating rounds after a warm-up.")


def figure(value: float, unit: str) -> str:
    if unit == "MB":
        return f"{value:,.0f} MB"
    if unit == "s":
        return f"{value:,.3f} s"
    if unit == "KB":
        return f"{value:,.1f} KB"
    return f"{value:,.0f}"


def ratio(row: Row) -> str:
    return f"{row.ratio:.3f}x" if row.ratio < 0.1 else f"{row.ratio:.2f}x"


def markdown(results: Results, n: int) -> str:
    lines = [f"Benchmarks: {machine_line(n)}", "",
             "| what | raw baseline | Gouwuhao | Gouwuhao / raw |", "| --- | ---: | ---: | ---: |"]
    lines += [f"| {row.label} | {figure(row.raw, row.unit)} | {figure(row.platform, row.unit)} | {ratio(row)} |"
              for row in results.rows]
    lines += ["", "Throughput rows: higher is better, so a ratio under 1 is what the machinery costs. "
              "Memory rows (MB, KB): lower is better.", "", "What each baseline is:"]
    lines += [f"- {note}" for note in results.notes]
    if results.skipped:
        lines += ["", "Not measured in this run: " + "; ".join(results.skipped) + "."]
    return "\n".join(lines) + "\n"
