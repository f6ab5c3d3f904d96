"""``planscan query``, ``compare`` and ``chart``: argument parsing and the thin layer between the
library modules and the terminal. Nothing here imports Prefect; heavy modules load on use."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Any

from pipeline.query.filters import DISPLAY, KINDS, FilterError, Filters, Kind, build_query, output_columns
from pipeline.query.formats import FORMATS, TABLE_ROWS, Format, Result, fetch, render, write_parquet

EXIT_OK = 0
EXIT_USAGE = 2  # bad arguments, bad SQL, or no such document (as in pipeline.cli)

_LEVELS = ("central", "province", "district", "commune")


def _outputs_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--outputs", type=Path, default=Path("outputs"), help="folder of result JSON files (default outputs/)"
    )


def _filter_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--province", action="append", default=[], metavar="P",
        help='province, any case, diacritics optional ("thai binh"); repeat for several',
    )  # fmt: skip
    p.add_argument("--indicator", metavar="I", help='target indicator, exact; "*" is a wildcard ("poverty*")')
    p.add_argument(
        "--year", type=int, metavar="Y", help="target year, deadline year, or a year the plan covers"
    )
    p.add_argument(
        "--implements", action="append", default=[], metavar="NUMBER",
        help="only documents citing this legal basis, e.g. 666/QĐ-TTg (case, diacritics and spaces ignored)",
    )  # fmt: skip
    p.add_argument("--level", choices=_LEVELS, help="issuer level")


def _format_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=FORMATS, default="table")
    p.add_argument(
        "--limit", type=int, default=None, metavar="N",
        help=f"at most N rows (0: all); the table shows {TABLE_ROWS} unless told",
    )  # fmt: skip
    p.add_argument("-o", "--output", type=Path, default=None, help="write here instead of standard output")


_SINGULAR = {"targets": "target", "deadlines": "deadline", "bodies": "body", "documents": "document"}


def add_parsers(sub: argparse._SubParsersAction) -> None:
    query = sub.add_parser("query", help="query targets, deadlines, bodies and documents across results")
    kinds = query.add_subparsers(dest="query_kind", required=True)
    for kind in KINDS:
        p = kinds.add_parser(kind, help=f"one row per {_SINGULAR[kind]}")
        _filter_args(p)
        _format_args(p)
        _outputs_arg(p)
    sql = kinds.add_parser(
        "sql", help="any read-only SQL over the tables documents, targets, deadlines, bodies, legal_bases "
        "and the view implements",
    )  # fmt: skip
    sql.add_argument("statement", help='e.g. "SELECT province, count(*) FROM targets GROUP BY 1"')
    _format_args(sql)
    _outputs_arg(sql)

    compare = sub.add_parser("compare", help="two plans side by side, differences marked")
    compare.add_argument("a", help="result JSON path or doc_id (a unique prefix is enough)")
    compare.add_argument("b", help="result JSON path or doc_id (a unique prefix is enough)")
    compare.add_argument("--format", choices=("table", "json"), default="table")
    compare.add_argument("-o", "--output", type=Path, default=None)
    _outputs_arg(compare)

    chart = sub.add_parser("chart", help="draw query results")
    which = chart.add_subparsers(dest="chart_kind", required=True)
    targets = which.add_parser("targets", help="target values across provinces, one panel per indicator")
    _filter_args(targets)
    targets.add_argument("-o", "--output", type=Path, required=True, help="FILE.png, FILE.svg or FILE.pdf")
    targets.add_argument("--title", default=None)
    _outputs_arg(targets)


def _error(message: str) -> int:
    print(f"planscan: {message}", file=sys.stderr)
    return EXIT_USAGE


def _filters(args: argparse.Namespace) -> Filters:
    return Filters(
        provinces=tuple(args.province),
        indicator=args.indicator,
        year=args.year,
        implements=tuple(args.implements),
        level=args.level,
    )


def _width() -> int:
    return shutil.get_terminal_size((200, 24)).columns if sys.stdout.isatty() else 200


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    from pipeline.store import atomic_write_text

    atomic_write_text(output, text)


def _describe(kind: str, filters: Filters) -> str:
    said = [
        f"{name}={' or '.join(v) if isinstance(v, tuple) else v}"
        for name, v in vars(filters).items()
        if v not in (None, ())
    ]
    return kind + (f" ({', '.join(said)})" if said else "")


def _indicator_hint(con: Any, pattern: str) -> str | None:
    """When an indicator matches nothing, name the ones that contain its words."""
    from pipeline.textnorm import match_key

    words = [w for w in match_key(pattern).replace("*", " ").replace("_", " ").split() if w]
    rows = con.execute("SELECT DISTINCT indicator FROM targets WHERE indicator IS NOT NULL").fetchall()
    known = [r[0] for r in rows]
    close = sorted(i for i in known if all(w in i.lower() for w in words))
    return ", ".join(close[:12]) if close else None


def run_query(args: argparse.Namespace) -> int:
    import duckdb

    from pipeline.query.index import open_index

    fmt: Format = args.format
    if fmt == "parquet" and args.output is None:
        return _error("--format parquet needs -o FILE")
    if args.limit is not None and args.limit < 0:
        return _error("--limit must be 0 (all rows) or more")
    params: list[Any] = []
    filters: Filters | None = None
    if args.query_kind == "sql":
        sql, title = args.statement.strip().rstrip(";").strip(), "rows"  # it gets wrapped: no ";"
    else:
        kind: Kind = args.query_kind
        filters = _filters(args)
        columns = DISPLAY[kind] if fmt == "table" else output_columns(kind)
        try:
            sql, params = build_query(kind, filters, columns)
        except FilterError as exc:
            return _error(str(exc))
        title = _describe(kind, filters)
    if args.limit:
        sql = f"SELECT * FROM ({sql}) LIMIT {int(args.limit)}"
    try:
        index = open_index(args.outputs)
    except FileNotFoundError as exc:
        return _error(str(exc))
    with index:
        try:
            if fmt == "parquet":
                count = write_parquet(index.con, sql, params, args.output)
                print(f"{count} rows -> {args.output}", file=sys.stderr)
                return EXIT_OK
            result = fetch(index.con, sql, params)
        except duckdb.Error as exc:
            return _error(f"query failed: {str(exc).splitlines()[0]}")
        if filters and filters.indicator and not result.rows:
            hint = _indicator_hint(index.con, filters.indicator)
            if hint:
                print(f"planscan: no indicator {filters.indicator!r}; similar: {hint}", file=sys.stderr)
    shown = TABLE_ROWS if args.limit is None else 0  # an explicit --limit was applied in SQL already
    text = render(result, fmt, f"{len(result.rows)} {title}", _width(), shown)
    _emit(text, args.output)
    if args.output is not None:
        print(f"{len(result.rows)} rows -> {args.output}", file=sys.stderr)
    return EXIT_OK


def run_compare(args: argparse.Namespace) -> int:
    from pipeline.query import compare

    try:
        a = compare.load(args.a, args.outputs)
        b = compare.load(args.b, args.outputs)
    except compare.NotFound as exc:
        return _error(str(exc))
    sections = compare.compare(a, b)
    a_name, b_name = _name(a), _name(b)
    if args.format == "json":
        text = compare.to_json(sections, a_name, b_name)
    else:
        text = compare.to_table(sections, a_name, b_name, _width())
    _emit(text, args.output)
    return EXIT_OK


def _name(result: Any) -> str:
    f = result.fields
    said = " ".join(x for x in (f.number, f.issuer.name, str(f.issued_date or "")) if x)
    return f"{result.doc_id}  {said}".strip()


def run_chart(args: argparse.Namespace) -> int:
    import duckdb

    from pipeline.query import chart
    from pipeline.query.index import open_index

    if args.output.suffix.lower() not in chart.CHART_SUFFIXES:
        return _error(f"chart file must end in {', '.join(chart.CHART_SUFFIXES)}")
    filters = _filters(args)
    sql, params = build_query("targets", filters)
    try:
        index = open_index(args.outputs)
    except FileNotFoundError as exc:
        return _error(str(exc))
    with index:
        try:
            result = fetch(index.con, sql, params)
        except duckdb.Error as exc:
            return _error(f"query failed: {str(exc).splitlines()[0]}")
    records = _records(result)
    panels = chart.panels(chart.points(records))
    if not panels:
        return _error(f"nothing to draw: no {_describe('targets', filters)} with a province and a value")
    chart.draw(panels, args.output, args.title)
    drawn = ", ".join(p.indicator for p in panels)
    print(f"{len(panels)} indicator(s) ({drawn}) -> {args.output}", file=sys.stderr)
    return EXIT_OK


def _records(result: Result) -> list[dict[str, Any]]:
    return [dict(zip(result.columns, row, strict=True)) for row in result.rows]


def bench_query(n: int = 1000) -> str:
    """Timings of index build, refresh and every query kind on ``n`` synthetic results."""
    from pipeline.query.bench import run

    return run(n)
