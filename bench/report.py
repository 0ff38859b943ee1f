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
    if unit == "ms":
        return f"{value:,.1f} ms"
    if unit == "%":
        return f"{value:.2f}%"
    return f"{value:,.0f}"


def ratio(row: Row) -> str:
    if row.ratio is None:
        return "n/a"
    return f"{row.ratio:.3f}x" if row.ratio < 0.1 else f"{row.ratio:.2f}x"


def markdown(results: Results, n: int) -> str:
    lines = [f"Benchmarks: {machine_line(n)}", "",
             "| what | raw baseline | Gouwuhao | Gouwuhao / raw |", "| --- | ---: | ---: | ---: |"]
    lines += [f"| {row.label} | {figure(row.raw, row.unit)} | {figure(row.platform, row.unit)} | {ratio(row)} |"
              for row in results.rows]
    lines += ["", "Throughput rows (/s): higher is better, so a ratio under 1 is what the machinery costs. "
              "Memory (MB, KB), latency (ms) and CPU (% of a core) rows: lower is better.", "", "What each baseline is:"]
    lines += [f"- {note}" for note in results.notes]
    if results.skipped:
        lines += ["", "Not measured in this run: " + "; ".join(results.skipped) + "."]
    return "\n".join(lines) + "\n"


def as_json(results: Results, n: int, now: datetime) -> dict:
    return {
        "when": now.isoformat(timespec="seconds"),
        "machine": machine_line(n, now),
        "n": n,
        "rows": [{"what": row.label, "raw": row.raw, "gouwuhao": row.platform, "unit": row.unit,
                  "ratio": row.ratio} for row in results.rows],
        "notes": results.notes,
        "skipped": results.skipped,
        **results.data,
    }


def percentiles(samples: list[float]) -> str:
    if not samples:
        return "no samples"
    ordered = sorted(samples)
    at = lambda share: ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]  # noqa: E731
    return f"p50 {at(0.5):.2f} ms, p90 {at(0.9):.2f} ms, p99 {at(0.99):.2f} ms, max {ordered[-1]:.2f} ms"


def full_report(results: Results, n: int, charts: dict[str, str]) -> str:
    """The dated report: the table, the distributions in figures, and the charts."""
    lines = [f"# Benchmarks, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC", "", markdown(results, n)]
    latencies = results.data.get("latencies", {})
    if latencies:
        lines += ["## Latency distributions", ""]
        lines += [f"- {name}: {percentiles(samples)} (n={len(samples)})" for name, samples in latencies.items()]
        lines.append("")
    workers = results.data.get("ranking_ingestion_by_workers")
    if workers:
        lines += ["## Ranking ingestion by worker count", "",
                  "| workers | events/s |", "| ---: | ---: |"]
        lines += [f"| {count} | {rate:,.0f} |" for count, rate in sorted(workers.items(), key=lambda kv: int(kv[0]))]
        lines += ["", "The ranking has no batched apply yet, so there is no batch-size axis.", ""]
    for title, file in charts.items():
        lines += [f"## {title}", "", f"![{title}]({file})", ""]
    return "\n".join(lines)
