"""Building check results: one place enforces that practice-only expectations never fail."""

from __future__ import annotations

from pipeline.audit.models import CheckResult, Comparison, Quote, Source, Status
from pipeline.audit.reference import _Check

SOURCE_TEXT = {
    "fields": "Source: extracted fields.",
    "text": "Source: page text search.",
    "fields+text": "Source: extracted fields and page text search.",
}


def result(
    spec: _Check,
    status: Status,
    explanation: str,
    evidence: list[Quote] | None = None,
    *,
    source: Source | None = None,
    comparisons: list[Comparison] | None = None,
) -> CheckResult:
    if status == "fail" and spec.basis == "expected_by_practice":
        status = "warn"
        explanation += " (Expected by practice, not a verified requirement of the reference: warn only.)"
    if spec.note:
        explanation += f" Note: {spec.note}."
    if source:
        explanation += " " + SOURCE_TEXT[source]
    unique: list[Quote] = []
    for q in evidence or []:
        if not any(q.page == u.page and q.start == u.start and q.end == u.end for u in unique):
            unique.append(q)
    return CheckResult(
        id=spec.id,
        title=spec.title,
        status=status,
        explanation=explanation,
        evidence=unique,
        basis=spec.basis,
        source=source,
        comparisons=comparisons or [],
    )


def joined(items: list[str], limit: int = 4) -> str:
    shown = items[:limit]
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(shown) + more
