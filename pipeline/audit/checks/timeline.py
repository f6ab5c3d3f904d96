"""Milestones and reporting: the mid-term and final reviews, and the yearly report with its recipient."""

from __future__ import annotations

import re

from pipeline.audit.checks.base import joined, result
from pipeline.audit.context import AuditContext
from pipeline.audit.models import CheckResult, Quote
from pipeline.audit.reference import ReviewCheck, YearlyReportCheck
from pipeline.audit.textindex import Hit, fold, phrase_pattern

_YEAR = re.compile(r"(?<![\d/])((?:19|20)\d\d)(?!\d)")
_RANGE = re.compile(r"(?:19|20)\d\d\s*(?:-|den)\s*(?:nam\s*)?(?:19|20)\d\d")
_YEARLY = re.compile(r"hang\s+nam|moi\s+nam|cuoi\s+nam|hang\s+thang\s+12")
_PERIODIC = re.compile(r"dinh\s+ky")
_BY_DATE = re.compile(r"truoc\s+ngay\s+\d{1,2}(?:\s*/\s*\d{1,2}|\s+thang\s+\d{1,2})")


def _years(folded: str) -> list[tuple[int, int]]:
    """(position, year) of single years, leaving out ranges such as 'giai đoạn 2021-2025' and dates."""
    ranges = [m.span() for m in _RANGE.finditer(folded)]
    return [
        (m.start(), int(m.group(1)))
        for m in _YEAR.finditer(folded)
        if not any(a <= m.start() < b for a, b in ranges)
    ]


def _review_year(clause: str, at: int, keywords: re.Pattern[str]) -> int | None:
    """The year a review keyword is tied to: the first after it, else the last before it."""
    years = _years(clause)
    others = [m.start() for m in keywords.finditer(clause) if m.start() != at]
    next_kw = min([p for p in others if p > at], default=len(clause))
    prev_kw = max([p for p in others if p < at], default=-1)
    after = [y for p, y in years if at < p < next_kw]
    if after:
        return after[0]
    before = [y for p, y in years if prev_kw < p < at]
    return before[-1] if before else None


def check_review(ctx: AuditContext, spec: ReviewCheck) -> CheckResult:
    words = [phrase_pattern(k) for k in spec.keywords]
    every_review = [
        phrase_pattern(k) for c in ctx.reference.checks if isinstance(c, ReviewCheck) for k in c.keywords
    ]
    any_review = re.compile("|".join(every_review))
    label = " / ".join(spec.keywords)
    for i, d in enumerate(ctx.result.fields.deadlines):
        blob = fold(f"{d.what or ''} {d.text}")
        if any(re.search(w, blob) for w in words) and d.when.get("year") == spec.year:
            q = ctx.field_quote(f"deadlines[{i}]")
            return result(
                spec,
                "pass",
                f'The plan schedules {label} in {spec.year}: "{d.text}".',
                [q] if q else [],
                source="fields",
            )
    on_time: list[tuple[Hit, Hit]] = []
    elsewhere: dict[int, Hit] = {}
    undated: list[Hit] = []
    for word in words:
        for page, m in ctx.text.search(word):
            hit = page.hit(m.start(), m.end())
            clause = ctx.text.clause(hit)
            c_start = page.folded_offset(clause.start)
            c_folded = page.folded[c_start : page.folded_offset(clause.end)]
            year = _review_year(c_folded, m.start() - c_start, any_review)
            if year == spec.year:
                on_time.append((clause, hit))
            elif year is not None:
                elsewhere.setdefault(year, clause)
            else:
                undated.append(clause)
    fields_note = " Extracted deadlines do not settle it." if ctx.result.fields.deadlines else ""
    if on_time:
        evidence = [ctx.quote(c, sentence=False, anchor=h) for c, h in on_time[:2]]
        return result(
            spec, "pass", f"The plan schedules {label} in {spec.year}.{fields_note}", evidence, source="text"
        )
    if elsewhere:
        years = sorted(elsewhere)
        evidence = [ctx.quote(elsewhere[y], sentence=False) for y in years[:2]]
        return result(
            spec,
            "warn",
            f"The plan ties {label} to {joined([str(y) for y in years])}, not {spec.year}.{fields_note}",
            evidence,
            source="text",
        )
    if undated:
        return result(
            spec,
            "warn",
            f"The plan mentions {label} but gives it no year; {spec.year} is expected.{fields_note}",
            [ctx.quote(undated[0], sentence=False)],
            source="text",
        )
    return result(
        spec,
        "fail",
        f"The plan does not mention {label}; expected in {spec.year}.{fields_note}",
        source="text",
    )


_NAME_END = re.compile(r"[(,;.]|\s(?:de|truoc|theo|qua|va|dinh)\s")


def _recipient(ctx: AuditContext, clause: Hit, after: int, bodies: list[str]) -> tuple[str, Hit] | None:
    """The first body named after 'báo cáo' in the clause, with its name as printed."""
    page = ctx.text.page(clause.page)
    if page is None:
        return None
    best: Hit | None = None
    for body_id in bodies:
        for phrase in ctx.reference.bodies[body_id].match:
            for hit in ctx.text.find(phrase):
                if (
                    hit.page == clause.page
                    and after <= hit.start < clause.end
                    and (best is None or hit.start < best.start)
                ):
                    best = hit
    if best is None:
        return None
    start = best.start
    lead = page.text[max(clause.start, start - 12) : start]
    prefix = re.search(r"(?:Sở|Phòng|Bộ|Ban|Ngành|Ủy ban|UBND)\s*$", lead)
    if prefix:
        start -= len(lead) - prefix.start()
    f_start = page.folded_offset(best.end)
    f_end = page.folded_offset(clause.end)
    stop = _NAME_END.search(page.folded, f_start, f_end)
    end = page.hit(f_start, stop.start()).end if stop and stop.start() > f_start else best.end
    end = max(end, best.end)
    name = " ".join(page.text[start:end].split())
    return name[:90], best


def _fields_report(ctx: AuditContext, spec: YearlyReportCheck) -> CheckResult | None:
    for i, d in enumerate(ctx.result.fields.deadlines):
        blob = fold(f"{d.what or ''} {d.text}")
        if d.when.get("recurrence") != "yearly" or "bao cao" not in blob:
            continue
        for body_id in spec.recipients:
            for phrase in ctx.reference.bodies[body_id].match:
                m = re.search(phrase_pattern(phrase), blob)
                if m:
                    q = ctx.field_quote(f"deadlines[{i}]")
                    day = str(d.when.get("month_day") or "")
                    md = re.fullmatch(r"(\d{1,2})-(\d{1,2})", day)
                    when = f", by {int(md.group(2))}/{int(md.group(1))} (day/month)" if md else ""
                    return result(
                        spec,
                        "pass",
                        f'Yearly report: "{d.what or d.text}"{when}.',
                        [q] if q else [],
                        source="fields",
                    )
    return None


def check_yearly_report(ctx: AuditContext, spec: YearlyReportCheck) -> CheckResult:
    from_fields = _fields_report(ctx, spec)
    if from_fields:
        return from_fields
    yearly: list[tuple[Hit, str | None, str | None]] = []
    periodic: list[tuple[Hit, str | None]] = []
    for page, m in ctx.text.search(phrase_pattern("báo cáo")):
        hit = page.hit(m.start(), m.end())
        clause = ctx.text.clause(hit)
        folded = fold(clause.text)
        found = _recipient(ctx, clause, hit.end, spec.recipients)
        recipient = found[0] if found else None
        by_date = _BY_DATE.search(folded)
        when = " ".join(clause.text[by_date.start() : by_date.end()].split()) if by_date else None
        if _YEARLY.search(folded):
            yearly.append((clause, recipient, when))
        elif _PERIODIC.search(folded) or by_date:
            periodic.append((clause, recipient))
    named = [(c, r, w) for c, r, w in yearly if r]
    source_note = " Extracted deadlines were not used." if ctx.result.fields.deadlines else ""
    if named:
        seen: set[int] = set()
        lines: list[str] = []
        evidence: list[Quote] = []
        for clause, recipient, when in named:
            if clause.start in seen:
                continue
            seen.add(clause.start)
            lines.append(f"to {recipient}" + (f", {when}" if when else ""))
            evidence.append(ctx.quote(clause, sentence=False))
        return result(
            spec, "pass", f"Yearly report: {'; '.join(lines[:3])}.{source_note}", evidence[:3], source="text"
        )
    if yearly:
        return result(
            spec,
            "warn",
            f"A yearly report is required but no recipient is named.{source_note}",
            [ctx.quote(yearly[0][0], sentence=False)],
            source="text",
        )
    if periodic:
        clause, recipient = next(((c, r) for c, r in periodic if r), periodic[0])
        to = f" to {recipient}" if recipient else ""
        return result(
            spec,
            "warn",
            f"Reporting is periodic{to}, but no yearly deadline is set.{source_note}",
            [ctx.quote(clause, sentence=False)],
            source="text",
        )
    return result(spec, "warn", f"No reporting obligation was found.{source_note}", source="text")
