"""The audit result: what an auditor reads, serialisable as JSON."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["pass", "fail", "warn", "n/a"]
Relation = Literal["direct", "indirect", "none"]
Basis = Literal["verified", "expected_by_practice"]
Source = Literal["fields", "text", "fields+text"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Quote(_Model):
    """An exact slice of a page's text (``pages[].text``) that a finding rests on."""

    page: int
    quote: str
    start: int | None = None
    end: int | None = None


class Comparison(_Model):
    """A local figure next to the national one, for the printed report."""

    indicator: str
    national: str
    local: str | None = None
    verdict: Literal["stricter", "same", "looser", "not comparable", "absent"]


class CheckResult(_Model):
    id: str
    title: str
    status: Status
    explanation: str
    evidence: list[Quote] = Field(default_factory=list)
    basis: Basis = Field(description="verified fact of the reference, or only expected by practice")
    source: Source | None = Field(default=None, description="where the finding came from")
    comparisons: list[Comparison] = Field(default_factory=list)


class DocumentSummary(_Model):
    number: str | None = None
    title: str | None = None
    issuer: str | None = None
    issued_date: str | None = None
    path: str | None = None
    status: str | None = None


class AuditResult(_Model):
    doc_id: str
    reference: str
    reference_version: str
    reference_title: str
    relation: Relation
    relation_via: list[str] = Field(
        default_factory=list, description="cited documents through which the plan reaches the reference"
    )
    checks: list[CheckResult] = Field(default_factory=list)
    document: DocumentSummary = Field(default_factory=DocumentSummary)

    def counts(self) -> dict[str, int]:
        tally = {"pass": 0, "warn": 0, "fail": 0, "n/a": 0}
        for check in self.checks:
            tally[check.status] += 1
        return tally
