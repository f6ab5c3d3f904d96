"""Is this plan about the reference at all: relation, movement name and period."""

from __future__ import annotations

from pipeline.audit.checks.base import joined, result
from pipeline.audit.citations import citation_quotes
from pipeline.audit.context import AuditContext
from pipeline.audit.matching import movement_hits, other_periods, period_hits
from pipeline.audit.models import CheckResult, Quote, Source
from pipeline.audit.reference import MovementCheck, PeriodCheck, RelationCheck
from pipeline.audit.relation import RelationFinding
from pipeline.textnorm import match_key


def same_subject(ctx: AuditContext) -> bool:
    """The plan names the reference's movement and period, whatever it cites."""
    ref = ctx.reference
    own, _ = movement_hits(ctx, ref.movement)
    return bool(own) and bool(period_hits(ctx, ref.period.start, ref.period.end))


def _date(cite_date: object) -> str:
    return f" of {cite_date:%d/%m/%Y}" if cite_date else ""


def check_relation(ctx: AuditContext, spec: RelationCheck) -> CheckResult:
    finding: RelationFinding = ctx.notes["relation"]  # type: ignore[assignment]
    ref = ctx.reference
    cited = finding.cited
    used_fields = any(c.from_fields for c in cited)
    source: Source = "fields+text" if used_fields else "text"
    if finding.direct:
        cite = finding.direct
        where = "in its legal bases" if cite.from_fields else "in its text"
        routes = [r.citation.number for r in finding.routes]
        also = f" It also cites {joined(routes)} for the same movement and period." if routes else ""
        pages = sorted({h.page for h in cite.hits})
        on = f" (page {', '.join(map(str, pages))})" if pages else ""
        return result(
            spec,
            "pass",
            f"The plan cites {ref.id} directly {where}{on}.{also}",
            citation_quotes(ctx, cite),
            source=source,
        )
    if finding.routes:
        names = [f"{r.citation.number}{_date(r.citation.date)}" for r in finding.routes]
        return result(
            spec,
            "pass",
            f"The plan does not cite {ref.id} itself; it implements {joined(names)}, cited in a sentence "
            f'naming the movement "{ref.movement.name}" and the period {ref.period.start}-{ref.period.end}, '
            f"which in turn implement {ref.id}.",
            [ctx.quote(r.sentence, anchor=r.citation.hits[0]) for r in finding.routes],
            source=source,
        )
    parts = [f"The plan cites neither {ref.id} nor a plan for its movement and period."]
    evidence: list[Quote] = []
    if cited:
        parts.append(f"It cites {joined([c.number for c in cited], 6)}.")
    else:
        parts.append("No cited document number was found.")
    for cite, other in finding.other_references:
        parts.append(
            f'{cite.number} is the reference for "{other.movement.name}" '
            f"{other.period.start}-{other.period.end}, a different programme or period."
        )
        evidence += citation_quotes(ctx, cite, 1)
    for cite, up in finding.upstream:
        parts.append(f"{cite.number} is upstream of {ref.id} ({up.note}), not an implementation of it.")
        evidence += citation_quotes(ctx, cite, 1)
    if not evidence:
        for cite in cited[:2]:
            evidence += citation_quotes(ctx, cite, 1)
    if same_subject(ctx):
        parts.append("It does name the same movement and period: check the preamble by hand.")
        return result(spec, "warn", " ".join(parts), evidence, source=source)
    return result(spec, "fail", " ".join(parts), evidence, source=source)


def _as_printed(name: str, found: str) -> str:
    words = " ".join(found.split())
    return "" if match_key(words) in match_key(name) else f' (printed "… {words} …")'


def check_movement(ctx: AuditContext, spec: MovementCheck) -> CheckResult:
    movement = ctx.reference.movement
    own, others = movement_hits(ctx, movement)
    title_q = ctx.field_quote("title")
    if own:
        in_title = [
            h
            for h in own
            if title_q
            and h.page == title_q.page
            and title_q.start is not None
            and title_q.end is not None
            and title_q.start <= h.start < title_q.end
        ]
        printed = _as_printed(movement.name, (in_title or own)[0].text)
        if in_title and title_q:
            return result(
                spec,
                "pass",
                f'The title names the movement "{movement.name}"{printed}.',
                [title_q],
                source="fields",
            )
        return result(
            spec,
            "pass",
            f'The plan names the movement "{movement.name}"{printed} ({len(own)} times).',
            [ctx.quote(h) for h in own[:2]],
            source="text",
        )
    fuzzy = ctx.text.find_fuzzy(movement.name)
    if fuzzy and not any(
        o[0].page == fuzzy.page and o[0].start < fuzzy.end and fuzzy.start < o[0].end for o in others
    ):
        return result(
            spec,
            "pass",
            f'The plan names the movement "{movement.name}", with reading errors in the scan.',
            [ctx.quote(fuzzy)],
            source="text",
        )
    if others:
        names = sorted({f'"{name}"' + (f" ({ref})" if ref else "") for _, name, ref in others})
        return result(
            spec,
            "fail",
            f'The plan does not name "{movement.name}"; it names {joined(names)}, a different movement.',
            [ctx.quote(h) for h, _, _ in others[:2]],
            source="text",
        )
    return result(spec, "fail", f'The plan does not name the movement "{movement.name}".', source="text")


def check_period(ctx: AuditContext, spec: PeriodCheck) -> CheckResult:
    want = ctx.reference.period
    label = f"{want.start}-{want.end}"
    period = ctx.result.fields.period
    q = ctx.field_quote("period")
    if period.start is not None or period.end is not None:
        got = (
            f"{period.start}-{period.end}"
            if period.start is not None and period.end is not None
            else f"to {period.end}"
            if period.end is not None
            else f"from {period.start}"
        )
        evidence = [q] if q else []
        if (period.start, period.end) == (want.start, want.end):
            return result(spec, "pass", f"The plan covers {label}.", evidence, source="fields")
        inside = (
            period.start is not None
            and period.end is not None
            and want.start <= period.start <= period.end <= want.end
        )
        if inside:
            return result(
                spec,
                "warn",
                f"The plan covers {got}, inside the reference period {label}.",
                evidence,
                source="fields",
            )
        return result(spec, "fail", f"The plan covers {got}, not {label}.", evidence, source="fields")
    hits = period_hits(ctx, want.start, want.end)
    if hits:
        return result(
            spec, "pass", f"The plan names the period {label}.", [ctx.quote(hits[0])], source="text"
        )
    found = other_periods(ctx)
    if found:
        names = [f"{a}-{b}" for a, b in found]
        first = next(iter(found.values()))[0]
        return result(
            spec,
            "fail",
            f"The plan names the period(s) {joined(names)}, not {label}.",
            [ctx.quote(first)],
            source="text",
        )
    return result(spec, "fail", f"No period is stated; {label} expected.", source="text")
