"""``planscan bench query``: index build, refresh and query times on synthetic results.

Numbers for notes, not pass/fail: each query is timed the way the command runs it (freshness check of
the index, query, rendering), as the median of several runs; one cold process run is timed as well."""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from pipeline.query.filters import DISPLAY, Filters, Kind, build_query, output_columns
from pipeline.query.formats import fetch, render, write_parquet
from pipeline.query.index import open_index
from pipeline.store import write_result

REPEATS = 5

_QUERIES: list[tuple[str, Kind, Filters]] = [
    ("targets, all", "targets", Filters()),
    ("targets --province 'thai binh'", "targets", Filters(provinces=("thai binh",))),
    ("targets --indicator poverty_rate_reduction", "targets", Filters(indicator="poverty_rate_reduction")),
    ("targets --indicator 'poverty*' --year 2025", "targets", Filters(indicator="poverty*", year=2025)),
    ("targets --implements 666/QD-TTg", "targets", Filters(implements=("666/QD-TTg",))),
    ("deadlines --year 2023", "deadlines", Filters(year=2023)),
    ("deadlines --province 'ha noi' --implements 666/QĐ-TTg", "deadlines",
     Filters(provinces=("ha noi",), implements=("666/QĐ-TTg",))),
    ("bodies --province 'Nghệ An'", "bodies", Filters(provinces=("Nghệ An",))),
    ("bodies --year 2024", "bodies", Filters(year=2024)),
    ("documents --implements 666/qd-ttg", "documents", Filters(implements=("666/qd-ttg",))),
    ("documents --indicator new_rural_communes --level district", "documents",
     Filters(indicator="new_rural_communes", level="district")),
]  # fmt: skip

_SQL = (
    "SELECT province, indicator, count(*) AS n, median(value) AS median_value FROM targets "
    "GROUP BY ALL ORDER BY province, indicator"
)


def _median_s(action: Callable[[], object], repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def _query(outputs: Path, kind: Kind, filters: Filters, fmt: str) -> int:
    columns = DISPLAY[kind] if fmt == "table" else output_columns(kind)
    sql, params = build_query(kind, filters, columns)
    with open_index(outputs) as index:
        result = fetch(index.con, sql, params)
    render(result, "table" if fmt == "table" else "json", kind)
    return len(result.rows)


def _sql(outputs: Path) -> int:
    with open_index(outputs) as index:
        result = fetch(index.con, _SQL)
    render(result, "table", "sql")
    return len(result.rows)


def run(n: int = 1000, *, words: bool = True, repeats: int = REPEATS) -> str:
    from pipeline.query.synthetic import synthetic_result, write_synthetic

    lines = []
    with tempfile.TemporaryDirectory(prefix="planscan-bench-") as tmp:
        outputs = Path(tmp)
        t0 = time.perf_counter()
        paths = write_synthetic(outputs, n, seed=1, words=words)
        size_mb = sum(p.stat().st_size for p in paths) / 1e6
        lines.append(
            f"{n} synthetic results ({size_mb:.0f} MB, word boxes {'included' if words else 'left out'}) "
            f"written in {time.perf_counter() - t0:.1f} s"
        )
        t0 = time.perf_counter()
        with open_index(outputs) as index:
            counts = {
                t: index.con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]
                for t in ("documents", "targets", "deadlines", "bodies", "legal_bases")
            }
        build = time.perf_counter() - t0
        lines.append("rows: " + ", ".join(f"{t} {c}" for t, c in counts.items()))
        lines.append(f"{'index build (cold)':72} {build * 1000:9.0f} ms")
        fresh, _ = _median_s(lambda: open_index(outputs).close(), repeats)
        lines.append(f"{'refresh, nothing changed':72} {fresh * 1000:9.1f} ms")

        extra = iter(range(n, n + repeats))

        def one_new() -> None:
            write_result(synthetic_result(next(extra), 2, random.Random(0), words), outputs)
            open_index(outputs).close()

        changed, _ = _median_s(one_new, min(repeats, 3))
        lines.append(f"{'refresh, one new file (write + index)':72} {changed * 1000:9.1f} ms")
        slowest = 0.0
        for label, kind, filters in _QUERIES:
            for fmt in ("table", "json"):
                took, rows = _median_s(partial(_query, outputs, kind, filters, fmt), repeats)
                slowest = max(slowest, took)
                lines.append(f"{'query ' + label + ' [' + fmt + ']':72} {took * 1000:9.1f} ms  {rows} rows")
        took, rows = _median_s(lambda: _sql(outputs), repeats)
        slowest = max(slowest, took)
        lines.append(f"{'query sql (group by province, indicator)':72} {took * 1000:9.1f} ms  {rows} rows")
        parquet = outputs / ".bench" / "targets.parquet"

        def export() -> int:
            sql, params = build_query("targets", Filters())
            with open_index(outputs) as index:
                return write_parquet(index.con, sql, params, parquet)

        took, rows = _median_s(export, repeats)
        slowest = max(slowest, took)
        lines.append(f"{'query targets --format parquet -o FILE':72} {took * 1000:9.1f} ms  {rows} rows")
        lines.append(f"{'query targets --province, whole command in a new process':72} "
                     f"{_process(outputs) * 1000:9.0f} ms")  # fmt: skip
        verdict = "met" if slowest < 1.0 else "NOT met"
        lines.append(f"slowest in-process query {slowest * 1000:.0f} ms: target < 1 s per query {verdict}")
    return "\n".join(lines)


def _process(outputs: Path) -> float:
    """A whole command in a fresh interpreter: imports included, as a user runs it."""
    code = (
        "import sys; from pipeline.query.command import add_parsers, run_query; import argparse; "
        "p = argparse.ArgumentParser(); add_parsers(p.add_subparsers(dest='c')); "
        f"args = ['query', 'targets', '--province', 'thai binh', '--outputs', {str(outputs)!r}]; "
        "sys.exit(run_query(p.parse_args(args)))"
    )
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - t0
