"""National references (decisions a plan is audited against) as reviewable JSON data in models/reference/.

A new reference is one more JSON file: the check kinds are generic and every number, name, year and
phrase a check looks for comes from the file. Each item says where it comes from (``source``, a key of
``sources``) and whether it is a ``verified`` fact of the reference or only ``expected_by_practice``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pipeline.audit.models import Basis
from pipeline.models import Level
from pipeline.textnorm import match_key, normalize_text

DEFAULT_REFERENCE = "666/QĐ-TTg"

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "models" / "reference"
FORMAT = 1


class ReferenceError(ValueError):
    """A reference file is invalid, or no reference has the requested id."""


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sourced(_Spec):
    basis: Basis
    source: str


class RefDocument(Sourced):
    number: str
    type: str
    date: dt.date
    issuer: str
    place: str | None = None
    signer: str | None = None
    title: str


class Upstream(Sourced):
    number: str
    note: str


class DistinctMovement(_Spec):
    name: str
    match: list[str] = Field(min_length=1)
    reference: str | None = None


class Movement(Sourced):
    name: str
    match: list[str] = Field(min_length=1)
    distinct_from: list[DistinctMovement] = Field(default_factory=list)


class Period(Sourced):
    start: int
    end: int


class Body(_Spec):
    label: str
    match: list[str] = Field(min_length=1)
    level_prefix: dict[Level, list[str]] = Field(default_factory=dict)


class NationalTarget(_Spec):
    indicator: str
    value: float
    value_max: float | None = None
    comparator: Literal[">", ">=", "<", "<="] | None = None
    unit: str
    label: str
    aliases: list[str] = Field(default_factory=list)
    stricter: Literal["higher", "lower"] = "higher"

    @model_validator(mode="after")
    def _range(self) -> NationalTarget:
        if self.value_max is not None and self.value_max < self.value:
            raise ValueError(f"{self.indicator}: value_max is below value")
        return self


class _Check(Sourced):
    id: str
    title: str
    applies: Literal["always", "related"] = "related"
    note: str | None = None


class RelationCheck(_Check):
    kind: Literal["relation"]


class MovementCheck(_Check):
    kind: Literal["movement"]


class PeriodCheck(_Check):
    kind: Literal["period"]


class TargetsPresentCheck(_Check):
    kind: Literal["targets_present"]


class TargetCheck(_Check):
    kind: Literal["target"]
    national: NationalTarget
    report_when_absent: bool = True


class ReviewCheck(_Check):
    kind: Literal["review"]
    keywords: list[str] = Field(min_length=1)
    year: int


class YearlyReportCheck(_Check):
    kind: Literal["yearly_report"]
    recipients: list[str] = Field(min_length=1, description="ids of bodies that count as a recipient")


class BodyCheck(_Check):
    kind: Literal["body"]
    body: str
    verbs: list[str] = Field(min_length=1, description="words that give the body a task")
    check_level: bool = False
    issuer_counts: bool = Field(default=False, description="a plan issued by this body satisfies the check")


class RewardForm(_Spec):
    label: str
    match: list[str] = Field(min_length=1)


class RewardFormsCheck(_Check):
    kind: Literal["reward_forms"]
    forms: list[RewardForm] = Field(min_length=1)


class StateRewardsCheck(_Check):
    kind: Literal["state_rewards"]
    markers: list[str] = Field(min_length=1)
    guidance: list[str] = Field(min_length=1)


CheckSpec = Annotated[
    RelationCheck
    | MovementCheck
    | PeriodCheck
    | TargetsPresentCheck
    | TargetCheck
    | ReviewCheck
    | YearlyReportCheck
    | BodyCheck
    | RewardFormsCheck
    | StateRewardsCheck,
    Field(discriminator="kind"),
]


class Reference(_Spec):
    format: Literal[1]
    id: str
    version: str
    aliases: list[str] = Field(default_factory=list)
    sources: dict[str, str] = Field(min_length=1)
    document: RefDocument
    upstream: list[Upstream] = Field(default_factory=list)
    movement: Movement
    period: Period
    bodies: dict[str, Body] = Field(default_factory=dict)
    checks: list[CheckSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Reference:
        ids = [c.id for c in self.checks]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate check ids: {duplicates}")
        if sum(isinstance(c, RelationCheck) for c in self.checks) != 1:
            raise ValueError("exactly one check of kind 'relation' is required")
        items: list[Sourced] = [self.document, self.movement, self.period, *self.upstream, *self.checks]
        unknown = sorted({i.source for i in items if i.source not in self.sources})
        if unknown:
            raise ValueError(f"sources not declared in 'sources': {unknown}")
        for check in self.checks:
            wanted = [check.body] if isinstance(check, BodyCheck) else []
            wanted += check.recipients if isinstance(check, YearlyReportCheck) else []
            missing = [b for b in wanted if b not in self.bodies]
            if missing:
                raise ValueError(f"check {check.id}: unknown bodies {missing}")
        if self.period.end < self.period.start:
            raise ValueError("period ends before it starts")
        if id_key(self.document.number) != id_key(self.id):
            raise ValueError("id and document.number name different documents")
        for text in (self.id, self.movement.name, self.document.title):
            if normalize_text(text) != text:
                raise ValueError(f"not NFC in the house tone style: {text!r}")
        return self

    def id_keys(self) -> set[str]:
        return {id_key(self.id), *(id_key(a) for a in self.aliases)}


def id_key(number: str) -> str:
    """Fold a document number for comparison: '666/QĐ-TTg', '666/QD-TTg' and '666 / QĐ - TTg' agree."""
    return re.sub(r"\s+", "", match_key(number))


def parse_reference(data: object, origin: str = "<data>") -> Reference:
    try:
        return Reference.model_validate(data)
    except ValidationError as exc:
        raise ReferenceError(f"{origin}: invalid reference: {exc}") from exc


def load_reference_file(path: Path) -> Reference:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ReferenceError(f"{path}: cannot read reference: {exc}") from exc
    return parse_reference(data, str(path))


def load_references(directory: Path | None = None) -> list[Reference]:
    """Every reference in ``directory`` (default models/reference/), validated, in file-name order."""
    return list(_load_all(directory or REFERENCE_DIR))


@lru_cache(maxsize=8)
def _load_all(directory: Path) -> tuple[Reference, ...]:
    refs = tuple(load_reference_file(p) for p in sorted(directory.glob("*.json")))
    seen: dict[str, str] = {}
    for ref in refs:
        for key in ref.id_keys():
            if key in seen and seen[key] != ref.id:
                raise ReferenceError(f"{ref.id} and {seen[key]} share the id or alias {key!r}")
            seen[key] = ref.id
    return refs


def get_reference(reference_id: str, directory: Path | None = None) -> Reference:
    key = id_key(reference_id)
    refs = load_references(directory)
    for ref in refs:
        if key in ref.id_keys():
            return ref
    known = ", ".join(r.id for r in refs) or "none"
    raise ReferenceError(f"no reference {reference_id!r} (known: {known})")
