"""Query results out: a rich table for people, CSV and JSON for tools, Parquet through DuckDB's COPY."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

import duckdb

Format = Literal["table", "csv", "json", "parquet"]
FORMATS: tuple[Format, ...] = get_args(Format)

_WIDE = {"text", "what", "title", "name", "issuer_name", "responsible", "scope", "baseline", "issuer"}


@dataclass
class Result:
    columns: list[str]
    rows: list[tuple[Any, ...]]


def fetch(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> Result:
    cur = con.execute(sql, list(params))
    columns = [d[0] for d in cur.description or []]
    return Result(columns, cur.fetchall())


def _plain(value: Any) -> Any:
    """JSON-safe value for what ``json`` cannot write itself: dates as ISO strings, others as text."""
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return str(value)  # decimals, UUIDs, intervals


def to_json(result: Result) -> str:
    """An array with one object per line: valid JSON, readable, and fast to write for large results."""
    columns = result.columns
    lines = [
        json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False, default=_plain)
        for row in result.rows
    ]
    return "[\n" + ",\n".join(lines) + "\n]\n" if lines else "[]\n"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, default=_plain)  # one cell, still machine-readable
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str | int | float):
        return str(value)
    return str(_plain(value))


def short_cell(value: Any) -> str:
    """A table cell: like csv, but floats with at most 6 significant digits."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.6g}"
    return _cell(value)


def to_csv(result: Result) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(result.columns)
    writer.writerows([_cell(v) for v in row] for row in result.rows)
    return buffer.getvalue()


TABLE_ROWS = 100  # a longer table is read by a tool, not a person: csv or json suit that better


def to_table(result: Result, title: str, width: int | None = None, limit: int | None = TABLE_ROWS) -> str:
    from rich.console import Console
    from rich.table import Table

    shown = result.rows if not limit else result.rows[:limit]
    caption = None
    if len(shown) < len(result.rows):
        caption = (
            f"first {len(shown)} of {len(result.rows)} rows; "
            "--limit 0 shows all, --format csv or json suits tools"
        )
    table = Table(caption=caption, caption_justify="left", header_style="bold")
    cells = [[short_cell(v) for v in row] for row in shown]
    # One line per row, long text cut with "…" (rich wraps slowly; csv and json carry the full text).
    # Short columns (province, number, doc_id) keep their width; long text shares what is left.
    longest = [max([len(name), *(len(row[i]) for row in cells)]) for i, name in enumerate(result.columns)]
    wide = [name in _WIDE for name in result.columns]
    fixed = sum(min(n, 24) for n, w in zip(longest, wide, strict=True) if not w)
    left = (width or 200) - fixed - 3 * len(result.columns) - 1
    share = max(12, min(60, left // max(1, sum(wide))))
    for name, n, is_wide in zip(result.columns, longest, wide, strict=True):
        cap = share if is_wide else 24
        table.add_column(name, overflow="ellipsis", no_wrap=True, width=min(n, cap))
    for row in cells:
        table.add_row(*row)
    console = Console(file=io.StringIO(), width=width or 200, force_terminal=False, color_system=None)
    console.print(title, highlight=False)  # above the table, not in it: a narrow table would wrap it
    console.print(table)
    text: str = console.file.getvalue()  # type: ignore[attr-defined]
    return text


def write_parquet(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any], out: Path) -> int:
    """DuckDB writes the file itself, with the index's column types."""
    out.parent.mkdir(parents=True, exist_ok=True)
    target = str(out).replace("'", "''")
    con.execute(f"COPY ({sql}) TO '{target}' (FORMAT parquet)", list(params))
    row = con.execute(f"SELECT count(*) FROM read_parquet('{target}')").fetchone()
    return int(row[0]) if row else 0


def render(
    result: Result, fmt: Format, title: str, width: int | None = None, limit: int | None = TABLE_ROWS
) -> str:
    """Text output; ``limit`` (0 or None: all rows) applies to the table only."""
    if fmt == "csv":
        return to_csv(result)
    if fmt == "json":
        return to_json(result)
    if fmt == "table":
        return to_table(result, title, width, limit)
    raise ValueError(f"{fmt} is written with write_parquet")
