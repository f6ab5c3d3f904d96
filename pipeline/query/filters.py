"""The four query kinds and their filters, as parameterised SQL over the index tables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

from pipeline.query.keys import number_key, place_key
from pipeline.query.tables import SCHEMAS
from pipeline.textnorm import match_key

Kind = Literal["targets", "deadlines", "bodies", "documents"]
KINDS: tuple[Kind, ...] = get_args(Kind)

# What the table format shows (it must fit a terminal); csv, json and parquet carry every column.
DISPLAY: dict[Kind, list[str]] = {
    "targets": ["province", "doc_number", "indicator", "comparator", "value", "value_max", "unit", "year",
                "text", "page"],
    "deadlines": ["province", "doc_number", "when_year", "when_quarter", "when_date", "when_month_day",
                  "when_recurrence", "what", "responsible", "page"],
    "bodies": ["province", "doc_number", "name", "role", "n_tasks", "page"],
    "documents": ["province", "doc_id", "document_type", "number", "issued_date", "issuer_level",
                  "issuer_name", "period_start", "period_end", "n_targets", "n_deadlines", "n_bodies"],
}  # fmt: skip

# Provinces in alphabetical order without diacritics ("Đà Nẵng" among the D's), then by province.
_BY_PLACE = "province_key NULLS LAST, province"
_ORDER: dict[Kind, str] = {
    "targets": f"{_BY_PLACE}, indicator NULLS LAST, year NULLS LAST, doc_id, item",
    "deadlines": f"{_BY_PLACE}, when_year NULLS LAST, when_quarter NULLS LAST, doc_id, item",
    "bodies": f"{_BY_PLACE}, doc_id, item",
    "documents": f"{_BY_PLACE}, issued_date NULLS LAST, doc_id",
}

# A document "covers" a year when it falls in its period (or is its year of issue, lacking a period).
_COVERS_YEAR = (
    "coalesce(period_start, year(issued_date)) <= ? "
    "AND coalesce(period_end, period_start, year(issued_date)) >= ?"
)


class FilterError(ValueError):
    """A filter that does not apply to the query kind."""


@dataclass(frozen=True)
class Filters:
    provinces: tuple[str, ...] = ()
    indicator: str | None = None
    year: int | None = None
    implements: tuple[str, ...] = ()
    level: str | None = None


def output_columns(kind: Kind) -> list[str]:
    """Every column but the folded match keys, which only serve filtering."""
    return [name for name, _ in SCHEMAS[kind] if not name.endswith("_key")]


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def _indicator_clause(pattern: str) -> tuple[str, list[Any]]:
    """Exact, case-insensitive; ``*`` is a wildcard ("poverty_rate*")."""
    key = match_key(pattern)
    if "*" in key:
        like = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").replace("*", "%")
        return "lower(indicator) LIKE ? ESCAPE '\\'", [like]
    return "lower(indicator) = ?", [key]


def build_query(kind: Kind, filters: Filters, columns: list[str] | None = None) -> tuple[str, list[Any]]:
    """SQL and parameters; values never enter the SQL text."""
    where: list[str] = []
    params: list[Any] = []
    if filters.provinces:
        keys = [place_key(p) for p in filters.provinces]
        where.append(f"province_key IN ({_marks(len(keys))})")
        params.extend(keys)
    if filters.level:
        where.append("issuer_level = ?")
        params.append(filters.level)
    if filters.implements:
        keys = [number_key(n) for n in filters.implements]
        cited = f"SELECT doc_id FROM implements WHERE reference_key IN ({_marks(len(keys))})"
        where.append(f"doc_id IN ({cited})")
        params.extend(keys)
    if filters.indicator:
        clause, args = _indicator_clause(filters.indicator)
        if kind == "targets":
            where.append(clause)
        elif kind == "documents":
            where.append(f"doc_id IN (SELECT doc_id FROM targets WHERE {clause})")
        else:
            raise FilterError("--indicator applies to targets and documents")
        params.extend(args)
    if filters.year is not None:
        if kind == "targets":
            where.append("year = ?")
            params.append(filters.year)
        elif kind == "deadlines":
            where.append("coalesce(when_year, year(when_date)) = ?")
            params.append(filters.year)
        elif kind == "documents":
            where.append(_COVERS_YEAR)
            params.extend([filters.year, filters.year])
        else:
            where.append(f"doc_id IN (SELECT doc_id FROM documents WHERE {_COVERS_YEAR})")
            params.extend([filters.year, filters.year])
    cols = ", ".join(columns or output_columns(kind))
    sql = f"SELECT {cols} FROM {kind}"
    if where:
        sql += " WHERE " + " AND ".join(f"({w})" for w in where)
    return sql + f" ORDER BY {_ORDER[kind]}", params
