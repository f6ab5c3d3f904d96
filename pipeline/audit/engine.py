"""Audit one document against one reference."""

from __future__ import annotations

from pathlib import Path

from pipeline.audit.checks import CHECKS
from pipeline.audit.checks.base import result
from pipeline.audit.checks.identity import same_subject
from pipeline.audit.context import AuditContext
from pipeline.audit.models import AuditResult, CheckResult, DocumentSummary
from pipeline.audit.reference import DEFAULT_REFERENCE, Reference, TargetCheck, get_reference, load_references
from pipeline.audit.relation import detect_relation
from pipeline.models import DocumentResult


def _summary(doc: DocumentResult) -> DocumentSummary:
    f = doc.fields
    return DocumentSummary(
        number=f.number,
        title=f.title,
        issuer=f.issuer.name,
        issued_date=f.issued_date.isoformat() if f.issued_date else None,
        path=doc.source.path,
        status=doc.status,
    )


def audit_with(doc: DocumentResult, reference: Reference, known: list[Reference]) -> AuditResult:
    ctx = AuditContext.build(doc, reference)
    finding = detect_relation(ctx, known)
    ctx.notes["relation"] = finding
    ctx.related = finding.relation != "none" or same_subject(ctx)
    checks: list[CheckResult] = []
    for spec in reference.checks:
        if spec.applies == "related" and not ctx.related:
            if isinstance(spec, TargetCheck) and not spec.report_when_absent:
                continue
            checks.append(
                result(
                    spec,
                    "n/a",
                    f"The plan belongs to another programme or period, so this check against "
                    f"{reference.id} does not apply.",
                )
            )
            continue
        found = CHECKS[spec.kind](ctx, spec)
        if found is not None:
            checks.append(found)
    return AuditResult(
        doc_id=doc.doc_id,
        reference=reference.id,
        reference_version=reference.version,
        reference_title=reference.document.title,
        relation=finding.relation,
        relation_via=finding.via,
        checks=checks,
        document=_summary(doc),
    )


def audit_document(
    doc: DocumentResult, reference_id: str = DEFAULT_REFERENCE, *, directory: Path | None = None
) -> AuditResult:
    """Check a planscan result against a national reference (by id, e.g. '666/QĐ-TTg')."""
    reference = get_reference(reference_id, directory)
    return audit_with(doc, reference, load_references(directory))
