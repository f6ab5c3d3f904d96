"""Quantitative targets: are there any, and how do they compare with the national figures."""

from __future__ import annotations

from pipeline.audit.checks.base import joined, result
from pipeline.audit.context import AuditContext
from pipeline.audit.models import CheckResult, Comparison, Source, Status
from pipeline.audit.reference import TargetCheck, TargetsPresentCheck
from pipeline.audit.targets import (
    LocalTarget,
    compare,
    describe_local,
    describe_national,
    local_targets,
    matches_indicator,
)


def _targets(ctx: AuditContext) -> list[LocalTarget]:
    cached = ctx.notes.get("targets")
    if cached is None:
        cached = ctx.notes["targets"] = local_targets(ctx)
    return cached  # type: ignore[return-value]


def _source(found: list[LocalTarget]) -> Source:
    kinds = {t.source for t in found}
    return "fields+text" if len(kinds) > 1 else "fields" if kinds == {"fields"} else "text"


def check_targets_present(ctx: AuditContext, spec: TargetsPresentCheck) -> CheckResult:
    found = _targets(ctx)
    if not found:
        return result(
            spec,
            "warn",
            "No quantitative poverty-reduction target (a rate, a number of households or a share) was found.",
            source="fields+text" if ctx.result.fields.targets else "text",
        )
    names = [f"{t.indicator.replace('_', ' ')}: {describe_local(t)}" for t in found]
    return result(
        spec,
        "pass",
        f"{len(found)} quantitative target(s): {joined(names, 6)}.",
        [t.quote for t in found if t.quote][:4],
        source=_source(found),
    )


def check_target(ctx: AuditContext, spec: TargetCheck) -> CheckResult | None:
    national = spec.national
    national_text = describe_national(national)
    found = [t for t in _targets(ctx) if matches_indicator(national, t)]
    if not found:
        if not spec.report_when_absent:
            return None
        return result(
            spec,
            "n/a",
            f"The plan states no figure for this indicator; national: {national.label}.",
            comparisons=[Comparison(indicator=national.indicator, national=national_text, verdict="absent")],
            source="fields+text" if ctx.result.fields.targets else "text",
        )
    comparisons = []
    lines = []
    for t in found:
        verdict = compare(national, t)
        comparisons.append(
            Comparison(
                indicator=t.indicator, national=national_text, local=describe_local(t), verdict=verdict
            )
        )
        lines.append(f"local {describe_local(t)} vs national {national_text}: {verdict}")
    verdicts = {c.verdict for c in comparisons}
    status: Status
    if "looser" in verdicts:
        status = "warn"
        lead = "The local target is looser than the national one"
    elif verdicts <= {"stricter", "same"}:
        status = "pass"
        lead = "The local target is at least as strict as the national one"
    else:
        status = "warn"
        lead = "The local target is not stated in comparable units"
    return result(
        spec,
        status,
        f"{lead} ({'; '.join(lines)}).",
        [t.quote for t in found if t.quote],
        source=_source(found),
        comparisons=comparisons,
    )
