"""Quantitative targets of a plan, and how one compares with the national figure.

Targets come from ``fields.targets`` when the extractor filled them, otherwise from the page text: a
clause that talks about poverty, the verb "giảm" and a figure ("giảm tỷ lệ hộ nghèo bình quân trên
2%/năm", "các huyện, xã có tỷ lệ hộ nghèo từ 40% trở lên giảm từ 4%/năm trở lên").
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Literal

from pipeline.audit.context import AuditContext
from pipeline.audit.models import Quote
from pipeline.audit.reference import NationalTarget
from pipeline.audit.textindex import FoldedPage
from pipeline.textnorm import match_key

Verdict = Literal["stricter", "same", "looser", "not comparable"]


@dataclass
class LocalTarget:
    indicator: str
    value: float
    value_max: float | None
    comparator: str | None
    unit: str
    text: str
    quote: Quote | None
    source: Literal["fields", "text"]


_SEGMENT_END = re.compile(r"[;()]|\.(?=\s)|\n[ \t]*\n|\n(?=[ \t]*[-+•])")
_REDUCE = re.compile(r"(?<![a-z])giam(?![a-z])")
_NUM = r"\d+(?:[.,]\d+)?"
_PERCENT = re.compile(rf"({_NUM})\s*%?\s*(?:-|den)\s*({_NUM})\s*%|({_NUM})\s*%")
_PER_YEAR_AFTER = re.compile(r"\s*/\s*(?:1\s*)?n[a-z]{1,3}m\b")  # %/năm, and OCR's %/nam, %/niam
_YEARLY = re.compile(r"hang\s+nam|moi\s+nam|binh\s+quan|/\s*n[a-z]{1,3}m\b")
_COUNT = re.compile(
    r"(?<![\d.,/])(\d{1,3}(?:\.\d{3})+|\d+)(?:\s*(?:-|den)\s*(\d{1,3}(?:\.\d{3})+|\d+))?\s+ho\s+ngheo"
)
_FRACTION = re.compile(r"(?<![\d/])(\d)\s*/\s*(\d)(?![\d/])\s+(?:quy\s+mo|so\s+ho)")
_ETHNIC = re.compile(r"dan\s+toc\s+thieu\s+so|dtts|dong\s+bao")
_AREA_WORDS = re.compile(r"huyen\s+ngheo|xa\s+ngheo|dac\s+biet\s+kho\s+khan")
_AREA_THRESHOLD = re.compile(r"(?:huyen|xa)[^%]{0,60}\d\s*%")


def parse_number(raw: str) -> float:
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", raw):
        return float(raw.replace(".", ""))  # Vietnamese thousands: 1.000
    return float(raw.replace(",", "."))


def _comparator(before: str, after: str) -> str | None:
    before = before[-24:]
    if re.search(r"(?:it\s+nhat|toi\s+thieu)\s*$", before):
        return ">="
    if re.search(r"tren\s*$", before):
        return ">"
    if re.search(r"duoi\s*$", before):
        return "<"
    if re.search(r"khoang\s*$", before):
        return "about"
    if re.search(r"tu\s*$", before) and re.match(r"\s*(?:/\s*n[a-z]{1,3}m\s*)?tro\s+len", after):
        return ">="
    return None


def _text_targets_on(ctx: AuditContext, page: FoldedPage) -> list[LocalTarget]:
    found: list[LocalTarget] = []
    folded = page.folded
    bounds = [0, *(m.end() for m in _SEGMENT_END.finditer(folded)), len(folded)]
    for seg_start, seg_end in itertools.pairwise(bounds):
        segment = folded[seg_start:seg_end]
        if "ngheo" not in segment:
            continue
        starts = [m.start() for m in _REDUCE.finditer(segment)]
        previous_end = 0
        for i, g in enumerate(starts):
            span_end = starts[i + 1] if i + 1 < len(starts) else len(segment)
            span, before = segment[g:span_end], segment[previous_end:g]
            target = _parse_span(span, before)
            if target is None:
                previous_end = g
                continue
            indicator, value, value_max, comparator, unit, rel_end = target
            previous_end = g + rel_end
            hit = page.hit(seg_start + g, seg_start + g + rel_end)
            quote = ctx.quote(hit)
            found.append(
                LocalTarget(indicator, value, value_max, comparator, unit, quote.quote, quote, "text")
            )
    return found


def _parse_span(span: str, before: str) -> tuple[str, float, float | None, str | None, str, int] | None:
    yearly = bool(_YEARLY.search(span) or _YEARLY.search(before))
    percents = list(_PERCENT.finditer(span))
    if percents:
        per_year = [m for m in percents if _PER_YEAR_AFTER.match(span, m.end())]
        m = per_year[0] if per_year else percents[0]
        low, high = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), None)
        head = span[: m.start()]
        ethnic = bool(_ETHNIC.search(before) or _ETHNIC.search(head))
        area = bool(_AREA_THRESHOLD.search(before) or _AREA_WORDS.search(before + head))
        if re.search(r"(?<![a-z])con(?![a-z])", head) and not per_year:
            indicator, unit = "poverty_rate_level", "percent"
        else:
            unit = "percent_per_year" if (per_year or yearly) else "percent"
            indicator = (
                "ethnic_minority_poverty_rate_reduction"
                if ethnic
                else "high_poverty_area_poverty_rate_reduction"
                if area
                else "poverty_rate_reduction"
            )
        comparator = None if high else _comparator(head, span[m.end() :])
        if indicator == "poverty_rate_level" and comparator is None and re.search(r"khoang\s*$", head):
            comparator = "about"
        value_max = parse_number(high) if high else None
        return indicator, parse_number(low), value_max, comparator, unit, m.end()
    count = _COUNT.search(span)
    if count:
        value_max = parse_number(count.group(2)) if count.group(2) else None
        unit = "households_per_year" if yearly else "households"
        return "poor_households_reduction", parse_number(count.group(1)), value_max, None, unit, count.end()
    fraction = _FRACTION.search(span)
    if fraction:
        value = int(fraction.group(1)) / int(fraction.group(2))
        return "poor_households_reduction", value, None, None, "fraction", fraction.end()
    return None


def _field_targets(ctx: AuditContext) -> list[LocalTarget]:
    found = []
    for i, t in enumerate(ctx.result.fields.targets):
        if t.value is None or not t.indicator or not t.unit:
            continue
        quote = ctx.field_quote(f"targets[{i}]")
        if quote is None:
            hits = ctx.text.find(t.text) if re.search(r"[^\W\d_]", t.text) else []
            quote = ctx.quote(hits[0]) if hits else None
        found.append(
            LocalTarget(t.indicator, t.value, t.value_max, t.comparator, t.unit, t.text, quote, "fields")
        )
    return found


def local_targets(ctx: AuditContext) -> list[LocalTarget]:
    """Extracted targets first; text finds add only indicators the fields lack."""
    from_fields = _field_targets(ctx)
    known = {(t.indicator, t.unit) for t in from_fields}
    seen: set[tuple[str, str, float]] = set()
    from_text = []
    for page in ctx.text.pages:
        for t in _text_targets_on(ctx, page):
            key = (t.indicator, t.unit, t.value)
            if (t.indicator, t.unit) not in known and key not in seen:
                seen.add(key)
                from_text.append(t)
    return from_fields + from_text


def _fmt(v: float) -> str:
    return f"{v:g}"


UNIT_TEXT = {
    "percent_per_year": "%/year",
    "percent": "%",
    "households_per_year": "households/year",
    "households": "households",
    "fraction": "of the baseline",
}


def describe(value: float, value_max: float | None, comparator: str | None, unit: str) -> str:
    unit_text = UNIT_TEXT.get(unit, unit)
    if unit == "fraction" and value_max is None:
        return f"{value:.3g} {unit_text}"
    figure = f"{_fmt(value)}-{_fmt(value_max)}" if value_max is not None else _fmt(value)
    prefix = {"about": "about ", None: ""}.get(comparator, f"{comparator} ")
    return f"{prefix}{figure} {unit_text}"


def describe_national(n: NationalTarget) -> str:
    return describe(n.value, n.value_max, n.comparator, n.unit)


def describe_local(t: LocalTarget) -> str:
    return describe(t.value, t.value_max, t.comparator, t.unit)


def _bound(value: float, comparator: str | None, stricter: str) -> tuple[float, bool] | None:
    """The bound that matters: for 'higher is stricter' the floor, else the ceiling; (value, strict)."""
    if stricter == "higher":
        if comparator in ("<", "<="):
            return None
        return value, comparator == ">"
    if comparator in (">", ">="):
        return None
    return value, comparator == "<"


def compare(national: NationalTarget, local: LocalTarget) -> Verdict:
    if local.unit != national.unit:
        return "not comparable"
    higher = national.stricter == "higher"
    n_value = national.value if higher else (national.value_max or national.value)
    l_value = local.value if higher else (local.value_max or local.value)
    n_bound = _bound(n_value, national.comparator, national.stricter)
    l_bound = _bound(l_value, local.comparator, national.stricter)
    if n_bound is None:
        return "not comparable"
    if l_bound is None:
        return "looser"
    (nv, n_strict), (lv, l_strict) = n_bound, l_bound
    if nv == lv:
        if n_strict == l_strict:
            return "same"
        return "stricter" if l_strict else "looser"
    return "stricter" if (lv > nv) == higher else "looser"


def matches_indicator(national: NationalTarget, local: LocalTarget) -> bool:
    wanted = {match_key(i) for i in (national.indicator, *national.aliases)}
    return match_key(local.indicator) in wanted
