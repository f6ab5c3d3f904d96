"""Targets across provinces as a chart (PNG, SVG or PDF). matplotlib is imported only when drawing."""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHART_SUFFIXES = (".png", ".svg", ".pdf")
MAX_PANELS = 6


@dataclass(frozen=True)
class Point:
    province: str
    indicator: str
    unit: str
    value: float
    value_max: float | None


@dataclass(frozen=True)
class Bar:
    province: str
    median: float
    low: float
    high: float
    count: int


@dataclass(frozen=True)
class Panel:
    indicator: str
    unit: str
    bars: list[Bar]
    left_out: int  # targets of this indicator in another unit: not comparable on the same axis


def points(records: Sequence[dict[str, Any]]) -> list[Point]:
    """Targets that can be drawn: a province, an indicator and a numeric value."""
    return [
        Point(r["province"], r["indicator"], r.get("unit") or "", float(r["value"]), r.get("value_max"))
        for r in records
        if r.get("province") and r.get("indicator") and r.get("value") is not None
    ]


def panels(found: Sequence[Point], max_panels: int = MAX_PANELS) -> list[Panel]:
    """One panel per indicator, those found in most provinces first; one bar per province (the median
    of its plans' values, with the lowest and highest as a whisker)."""
    by_indicator: dict[str, list[Point]] = defaultdict(list)
    for p in found:
        by_indicator[p.indicator].append(p)
    ranked = sorted(by_indicator, key=lambda k: (-len({p.province for p in by_indicator[k]}), k))
    out = []
    for indicator in ranked[:max_panels]:
        group = by_indicator[indicator]
        unit = Counter(p.unit for p in group).most_common(1)[0][0]
        same_unit = [p for p in group if p.unit == unit]
        per_province: dict[str, list[Point]] = defaultdict(list)
        for p in same_unit:
            per_province[p.province].append(p)
        bars = [
            Bar(
                province=province,
                median=statistics.median(p.value for p in pts),
                low=min(p.value for p in pts),
                high=max(p.value_max if p.value_max is not None else p.value for p in pts),
                count=len(pts),
            )
            for province, pts in per_province.items()
        ]
        bars.sort(key=lambda b: (b.median, b.province))
        out.append(Panel(indicator, unit, bars, len(group) - len(same_unit)))
    return out


def draw(chart_panels: Sequence[Panel], out: Path, title: str | None = None) -> None:
    if out.suffix.lower() not in CHART_SUFFIXES:
        raise ValueError(f"chart file must end in {', '.join(CHART_SUFFIXES)}: {out}")
    if not chart_panels:
        raise ValueError("no targets with a province, an indicator and a value to draw")
    import matplotlib

    matplotlib.use("Agg")  # files only: no display needed
    import matplotlib.pyplot as plt

    columns = 1 if len(chart_panels) == 1 else 2
    rows = math.ceil(len(chart_panels) / columns)
    tallest = [max(len(p.bars) for p in chart_panels[r * columns : (r + 1) * columns]) for r in range(rows)]
    fig, axes = plt.subplots(
        rows,
        columns,
        figsize=(7.5 * columns, sum(0.24 * n + 1.4 for n in tallest)),
        gridspec_kw={"height_ratios": [0.24 * n + 1.4 for n in tallest]},
        squeeze=False,
    )
    for ax, panel in zip(axes.flat, chart_panels, strict=False):
        _draw_panel(ax, panel)
    for ax in list(axes.flat)[len(chart_panels) :]:
        ax.set_visible(False)
    fig.suptitle(title or "Targets by province", fontsize=13)
    fig.text(
        0.5, 0.001, "bar: median of the province's plans; whisker: lowest to highest value (ranges included)",
        ha="center", va="bottom", fontsize=8, color="#555555",
    )  # fmt: skip
    fig.tight_layout(rect=(0, 0.015, 1, 0.98))
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)


def _draw_panel(ax: Any, panel: Panel) -> None:
    ys = range(len(panel.bars))
    medians = [b.median for b in panel.bars]
    ax.barh(ys, medians, color="#3b6ea5", height=0.7)
    spread = [(b.median - b.low, b.high - b.median) for b in panel.bars]
    if any(lo or hi for lo, hi in spread):
        ax.errorbar(
            medians, ys, xerr=list(zip(*spread, strict=True)), fmt="none", ecolor="#c0392b", capsize=2, lw=1
        )
    labels = [f"{b.province} (n={b.count})" if b.count > 1 else b.province for b in panel.bars]
    ax.set_yticks(list(ys), labels, fontsize=8)
    ax.set_ylim(-0.7, len(panel.bars) - 0.3)
    note = f"; {panel.left_out} in other units left out" if panel.left_out else ""
    ax.set_title(f"{panel.indicator}{note}", fontsize=10, loc="left")
    ax.set_xlabel(panel.unit or "value", fontsize=9)
    ax.grid(axis="x", color="#dddddd", lw=0.6)
    ax.set_axisbelow(True)
