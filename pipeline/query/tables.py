"""The flat tables of the index and how one document becomes rows in them.

Every item table starts with the same columns (which document, which province, which level), so a
query never needs a join to filter by place; ``page`` comes from the item's evidence, null when absent.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from pipeline.models import Evidence, Fields
from pipeline.query.keys import name_key, number_key, place_key

Column = tuple[str, str]  # name, DuckDB type

_ITEM_HEAD: list[Column] = [
    ("doc_id", "VARCHAR"),
    ("item", "INTEGER"),  # position in the document's list, as in evidence keys "targets[3]"
    ("province", "VARCHAR"),
    ("province_key", "VARCHAR"),
    ("issuer_level", "VARCHAR"),
    ("issuer_name", "VARCHAR"),
    ("doc_number", "VARCHAR"),
]
_ITEM_TAIL: list[Column] = [("page", "INTEGER"), ("confidence", "DOUBLE"), ("needs_review", "BOOLEAN")]

SCHEMAS: dict[str, list[Column]] = {
    "documents": [
        ("doc_id", "VARCHAR"),
        ("file", "VARCHAR"),
        ("status", "VARCHAR"),
        ("document_type", "VARCHAR"),
        ("document_type_name", "VARCHAR"),
        ("number", "VARCHAR"),
        ("number_key", "VARCHAR"),
        ("issued_date", "DATE"),
        ("place", "VARCHAR"),
        ("province", "VARCHAR"),
        ("province_key", "VARCHAR"),
        ("issuer_name", "VARCHAR"),
        ("issuer_level", "VARCHAR"),
        ("issuer_parent", "VARCHAR"),
        ("title", "VARCHAR"),
        ("period_start", "INTEGER"),
        ("period_end", "INTEGER"),
        ("signer_name", "VARCHAR"),
        ("signer_title", "VARCHAR"),
        ("recipients", "VARCHAR[]"),
        ("signed_at", "TIMESTAMPTZ"),
        ("needs_review", "VARCHAR[]"),
        ("pages", "INTEGER"),
        ("n_targets", "INTEGER"),
        ("n_deadlines", "INTEGER"),
        ("n_bodies", "INTEGER"),
        ("n_legal_bases", "INTEGER"),
    ],
    "targets": [
        *_ITEM_HEAD,
        ("text", "VARCHAR"),
        ("indicator", "VARCHAR"),
        ("value", "DOUBLE"),
        ("value_max", "DOUBLE"),
        ("comparator", "VARCHAR"),
        ("unit", "VARCHAR"),
        ("scope", "VARCHAR"),
        ("baseline", "VARCHAR"),
        ("year", "INTEGER"),
        *_ITEM_TAIL,
    ],
    "deadlines": [
        *_ITEM_HEAD,
        ("text", "VARCHAR"),
        ("what", "VARCHAR"),
        ("when_date", "DATE"),
        ("when_year", "INTEGER"),
        ("when_quarter", "INTEGER"),
        ("when_month_day", "VARCHAR"),
        ("when_recurrence", "VARCHAR"),
        ("responsible", "VARCHAR"),
        *_ITEM_TAIL,
    ],
    "bodies": [
        *_ITEM_HEAD,
        ("name", "VARCHAR"),
        ("name_key", "VARCHAR"),
        ("aliases", "VARCHAR[]"),
        ("role", "VARCHAR"),
        ("tasks", "VARCHAR[]"),
        ("n_tasks", "INTEGER"),
        *_ITEM_TAIL,
    ],
    "legal_bases": [
        *_ITEM_HEAD,
        ("number", "VARCHAR"),
        ("number_key", "VARCHAR"),
        ("type", "VARCHAR"),
        ("date", "DATE"),
        ("issuer", "VARCHAR"),
        *_ITEM_TAIL,
    ],
}

# The field list name in Fields / evidence keys -> the table that holds its items.
LIST_TABLES = {
    "targets": "targets",
    "deadlines": "deadlines",
    "responsible_bodies": "bodies",
    "legal_bases": "legal_bases",
}

Rows = dict[str, list[tuple[Any, ...]]]

_ITEM_KEY = re.compile(r"^(\w+)\[(\d+)\](\.|$)")


def item_evidence(evidence: Mapping[str, Evidence]) -> dict[tuple[str, int], Evidence]:
    """Evidence per list item: the item's own entry ("targets[0]") wins over its sub-fields
    ("targets[0].value"), of which the earliest page is taken."""
    found: dict[tuple[str, int], Evidence] = {}
    exact: set[tuple[str, int]] = set()
    for key, ev in evidence.items():
        m = _ITEM_KEY.match(key)
        if not m:
            continue
        slot = (m.group(1), int(m.group(2)))
        is_exact = m.group(3) == ""
        if slot in exact:
            continue
        if is_exact or slot not in found or (ev.page, ev.start) < (found[slot].page, found[slot].start):
            found[slot] = ev
        if is_exact:
            exact.add(slot)
    return found


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _date(value: object) -> dt.date | None:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None  # a partial or malformed date stays readable in the item's text
    return None


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def document_rows(
    doc_id: str, file: str, status: str, pages: int, fields: Fields, evidence: Mapping[str, Evidence]
) -> Rows:
    """All rows one document contributes, per table, in SCHEMAS column order."""
    f = fields
    pkey = place_key(f.province)
    head = (f.province, pkey, f.issuer.level, f.issuer.name, f.number)
    ev = item_evidence(evidence)

    def tail(list_name: str, i: int) -> tuple[Any, ...]:
        e = ev.get((list_name, i))
        return (e.page, e.confidence, e.needs_review) if e else (None, None, None)

    rows: Rows = {name: [] for name in SCHEMAS}
    rows["documents"].append(
        (
            doc_id, file, status, f.document_type, f.document_type_name, f.number, number_key(f.number),
            f.issued_date, f.place, f.province, pkey, f.issuer.name, f.issuer.level, f.issuer.parent,
            f.title, f.period.start, f.period.end, f.signer.name, f.signer.title, list(f.recipients),
            f.digital_signature.signed_at if f.digital_signature else None,
            sorted(path for path, e in evidence.items() if e.needs_review),
            pages, len(f.targets), len(f.deadlines), len(f.responsible_bodies), len(f.legal_bases),
        )
    )  # fmt: skip
    for i, t in enumerate(f.targets):
        rows["targets"].append(
            (
                doc_id, i, *head, t.text, t.indicator, t.value, t.value_max, t.comparator, t.unit,
                t.scope, t.baseline, t.year, *tail("targets", i),
            )
        )  # fmt: skip
    for i, d in enumerate(f.deadlines):
        w = d.when
        rows["deadlines"].append(
            (
                doc_id, i, *head, d.text, d.what, _date(w.get("date")), _int(w.get("year")),
                _int(w.get("quarter")), _str(w.get("month_day")), _str(w.get("recurrence")),
                d.responsible, *tail("deadlines", i),
            )
        )  # fmt: skip
    for i, b in enumerate(f.responsible_bodies):
        rows["bodies"].append(
            (
                doc_id, i, *head, b.name, name_key(b.name), list(b.aliases), b.role, list(b.tasks),
                len(b.tasks), *tail("responsible_bodies", i),
            )
        )  # fmt: skip
    for i, lb in enumerate(f.legal_bases):
        rows["legal_bases"].append(
            (
                doc_id, i, *head, lb.number, number_key(lb.number), lb.type, lb.date, lb.issuer,
                *tail("legal_bases", i),
            )
        )  # fmt: skip
    return rows
