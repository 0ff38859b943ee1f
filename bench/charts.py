"""The report's charts, drawn with matplotlib (the [bench] extra) into PNG files."""
from __future__ import annotations

from pathlib import Path


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt
    return plt


def latency_distribution(series: dict[str, list[float]], path: Path, title: str) -> Path:
    """One cumulative distribution per series (ms, log scale): where the median and the
    tail lie at a glance, for series of very different sizes."""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(8, 4.5))
    for label, samples in series.items():
        if not samples:
            continue
        ordered = sorted(samples)
        shares = [(i + 1) / len(ordered) * 100 for i in range(len(ordered))]
        axes.plot(ordered, shares, label=f"{label} (n={len(ordered)})")
    axes.set_xscale("log")
    axes.set_xlabel("latency (ms, log scale)")
    axes.set_ylabel("share of requests at or under it (%)")
    axes.axhline(99, color="grey", linewidth=0.6, linestyle=":")
    axes.axhline(50, color="grey", linewidth=0.6, linestyle=":")
    axes.set_title(title)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(loc="lower right", fontsize="small")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def ingestion_by_workers(rates: dict[int, float], path: Path, title: str) -> Path:
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(6, 4))
    counts = sorted(rates)
    axes.bar([str(c) for c in counts], [rates[c] for c in counts], color="#4a7ab5")
    for i, count in enumerate(counts):
        axes.annotate(f"{rates[count]:,.0f}", (i, rates[count]), ha="center", va="bottom", fontsize="small")
    axes.set_xlabel("ranking workers (processes)")
    axes.set_ylabel("events applied per second")
    axes.set_title(title)
    axes.grid(True, axis="y", alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
