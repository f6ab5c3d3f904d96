"""Two plans side by side: header fields, targets, deadlines, bodies and legal bases, with every
difference marked. Items are paired by what they are about (indicator, task, body, cited number),
not by their position, so two provinces' plans line up even when they list things in another order."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import ValidationError
from rapidfuzz import fuzz

from pipeline.models import Deadline, DocumentResult, Fields, LegalBasis, ResponsibleBody, Target
from pipeline.query.formats import short_cell
from pipeline.query.keys import name_key, number_key
from pipeline.store import read_result

Mark = Literal["same", "differs", "only_a", "only_b"]
MARKS: dict[Mark, str] = {"same": "=", "differs": "≠", "only_a": "A only", "only_b": "B only"}
_SAID: dict[Mark, str] = {"same": "same", "differs": "differ", "only_a": "only in A", "only_b": "only in B"}


T = TypeVar("T")


class NotFound(LookupError):
    """The reference names no result, or more than one."""


@dataclass
class Row:
    label: str
    a: str
    b: str
    mark: Mark


@dataclass
class Section:
    title: str
    rows: list[Row]


def resolve(ref: str, outputs: Path) -> Path:
    """A result file path, or a doc_id (or its first few hex digits) in ``outputs``."""
    path = Path(ref)
    if path.is_file():
        return path
    if "/" in ref or ref.endswith(".json"):
        raise NotFound(f"no such file: {ref}")
    matches = sorted(p for p in outputs.glob(f"{ref}*.json") if not p.name.startswith("."))
    if not matches:
        raise NotFound(f"no result in {outputs} whose doc_id starts with {ref!r}")
    if len(matches) > 1:
        names = ", ".join(p.stem for p in matches[:5]) + (" …" if len(matches) > 5 else "")
        raise NotFound(f"{ref!r} matches {len(matches)} results in {outputs}: {names}; give more digits")
    return matches[0]


def load(ref: str, outputs: Path) -> DocumentResult:
    path = resolve(ref, outputs)
    try:
        return read_result(path)
    except (ValidationError, ValueError, OSError) as exc:
        raise NotFound(f"{path} is not a readable planscan result: {str(exc).splitlines()[0]}") from exc


def _text(value: object) -> str:
    return "" if value is None else short_cell(value)


def _mark(a: str, b: str) -> Mark:
    return "same" if a == b else "differs"


def _header(a: Fields, b: Fields) -> Section:
    def period(f: Fields) -> str:
        return f"{_text(f.period.start)}–{_text(f.period.end)}" if f.period.start or f.period.end else ""

    getters: list[tuple[str, Callable[[Fields], object]]] = [
        ("document_type", lambda f: f.document_type),
        ("number", lambda f: f.number),
        ("issued_date", lambda f: f.issued_date),
        ("place", lambda f: f.place),
        ("province", lambda f: f.province),
        ("issuer.name", lambda f: f.issuer.name),
        ("issuer.level", lambda f: f.issuer.level),
        ("issuer.parent", lambda f: f.issuer.parent),
        ("title", lambda f: f.title),
        ("period", period),
        ("signer", lambda f: ", ".join(x for x in (f.signer.title, f.signer.name) if x)),
    ]
    rows = []
    for label, get in getters:
        va, vb = _text(get(a)), _text(get(b))
        rows.append(Row(label, va, vb, _mark(va, vb)))
    return Section("header", rows)


Pairs = list[tuple[int | None, int | None]]


def pair(a_keys: Sequence[str], b_keys: Sequence[str], threshold: float) -> Pairs:
    """Equal keys pair first, in order; then the most similar remaining keys, if similar enough.
    Unpaired items of A stay in their place; unpaired items of B come last."""
    partner: dict[int, int] = {}
    taken: set[int] = set()
    for i, key in enumerate(a_keys):
        j = next((j for j, other in enumerate(b_keys) if j not in taken and other == key), None)
        if j is not None:
            partner[i] = j
            taken.add(j)
    scored = sorted(
        (
            (fuzz.token_set_ratio(ka, kb), i, j)
            for i, ka in enumerate(a_keys)
            if i not in partner
            for j, kb in enumerate(b_keys)
            if j not in taken
        ),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    for score, i, j in scored:
        if score >= threshold and i not in partner and j not in taken:
            partner[i] = j
            taken.add(j)
    pairs: Pairs = [(i, partner.get(i)) for i in range(len(a_keys))]
    pairs.extend((None, j) for j in range(len(b_keys)) if j not in taken)
    return pairs


def _items(
    title: str,
    a: Sequence[T],
    b: Sequence[T],
    key: Callable[[T], str],
    label: Callable[[T], str],
    show: Callable[[T], str],
    threshold: float,
) -> Section:
    rows = []
    for i, j in pair([key(x) for x in a], [key(x) for x in b], threshold):
        ia = a[i] if i is not None else None
        jb = b[j] if j is not None else None
        va = show(ia) if ia is not None else ""
        vb = show(jb) if jb is not None else ""
        name = label(ia) if ia is not None else label(jb) if jb is not None else ""
        mark: Mark = "only_b" if ia is None else "only_a" if jb is None else _mark(va, vb)
        rows.append(Row(name, va, vb, mark))
    return Section(title, rows)


def _target_key(t: Target) -> str:
    return name_key(t.indicator) or name_key(t.text) or ""


def _show_target(t: Target) -> str:
    value = _text(t.value) + (f"–{_text(t.value_max)}" if t.value_max is not None else "")
    parts = [t.comparator or "", value, t.unit or "", f"({t.year})" if t.year else ""]
    return " ".join(p for p in parts if p)


def _when(d: Deadline) -> str:
    w = d.when
    parts = [
        _text(w.get("date")),
        _text(w.get("year")),
        f"Q{w['quarter']}" if w.get("quarter") else "",
        _text(w.get("month_day")),
        "yearly" if w.get("recurrence") == "yearly" else "",
    ]
    return " ".join(p for p in parts if p)


def _show_deadline(d: Deadline) -> str:
    return "; ".join(x for x in (_when(d), d.responsible or "") if x)


def _show_body(b: ResponsibleBody) -> str:
    return f"{b.role or '?'}, {len(b.tasks)} task{'' if len(b.tasks) == 1 else 's'}"


def _show_basis(lb: LegalBasis) -> str:
    return " ".join(x for x in (lb.type or "", lb.number or "", _text(lb.date)) if x)


def compare(a: DocumentResult, b: DocumentResult) -> list[Section]:
    fa, fb = a.fields, b.fields
    return [
        _header(fa, fb),
        _items("targets", fa.targets, fb.targets, _target_key, lambda t: t.indicator or t.text,
               _show_target, 90),
        _items("deadlines", fa.deadlines, fb.deadlines, lambda d: name_key(d.what or d.text) or "",
               lambda d: d.what or d.text, _show_deadline, 80),
        _items("bodies", fa.responsible_bodies, fb.responsible_bodies, lambda x: name_key(x.name) or "",
               lambda x: x.name, _show_body, 85),
        _items("legal_bases", fa.legal_bases, fb.legal_bases, lambda x: number_key(x.number) or "",
               lambda x: x.number or "?", _show_basis, 101),  # numbers pair only when equal
    ]  # fmt: skip


def summary(sections: Sequence[Section]) -> str:
    parts = []
    for s in sections:
        counts = {m: sum(r.mark == m for r in s.rows) for m in MARKS}
        shown = ", ".join(f"{n} {_SAID[m]}" for m, n in counts.items() if n)
        parts.append(f"{s.title}: {shown or 'none'}")
    return "; ".join(parts)


def to_table(sections: Sequence[Section], a_name: str, b_name: str, width: int | None = None) -> str:
    from rich.console import Console
    from rich.table import Table

    console = Console(file=io.StringIO(), width=width or 200, force_terminal=False, color_system=None)
    console.print(f"A = {a_name}\nB = {b_name}")
    for section in sections:
        table = Table(title=section.title, title_justify="left", header_style="bold")
        table.add_column("", no_wrap=True)
        table.add_column("field" if section.title == "header" else "item", overflow="fold", max_width=50)
        table.add_column("A", overflow="fold", max_width=60)
        table.add_column("B", overflow="fold", max_width=60)
        for row in section.rows:
            table.add_row(MARKS[row.mark], row.label, row.a, row.b)
        if not section.rows:
            table.add_row("", "(none in either)", "", "")
        console.print(table)
    console.print(summary(sections))
    text: str = console.file.getvalue()  # type: ignore[attr-defined]
    return text


def to_json(sections: Sequence[Section], a_name: str, b_name: str) -> str:
    data = {"a": a_name, "b": b_name, "sections": [asdict(s) for s in sections]}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
