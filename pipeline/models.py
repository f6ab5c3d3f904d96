"""The output contract: one ``DocumentResult`` per input document.

Field names here are read by other tools (the JSON Schema in ``schema/`` is generated from these models):
add fields freely, rename none. Everything is JSON-safe; dates are ISO strings.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0"

Status = Literal["ok", "partial", "failed"]
Level = Literal["central", "province", "district", "commune"]
TextSource = Literal["ocr", "text_layer", "text_file"]
EvidenceSource = Literal["text", "text_layer"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorRecord(_Model):
    stage: str = Field(
        description="pipeline stage: load, rasterise, preprocess, ocr, restore, extract, store"
    )
    page: int | None = Field(default=None, description="1-based page number, null for the whole document")
    code: str = Field(description="stable error code, e.g. PS302")
    message: str
    remedy: str | None = None


class Source(_Model):
    path: str
    sha256: str
    media_type: str
    pages: int
    size_bytes: int


class Provenance(_Model):
    planscan_version: str
    tesseract_version: str | None
    models: dict[str, str] = Field(default_factory=dict, description="artefact name -> sha256")
    config_hash: str = Field(description="hash of the settings that shape the output; part of the resume key")
    started_at: dt.datetime
    duration_s: float


# Below this Tesseract word confidence (0-100) digits count as unsure: on the real scans they are mostly
# handwritten, and Tesseract read them wrong at confidences up to the mid 80s.
SURE_DIGITS_CONFIDENCE = 90.0


class Word(_Model):
    text: str
    confidence: float = Field(description="Tesseract word confidence, 0-100")
    box: tuple[int, int, int, int] = Field(description="left, top, width, height in page pixels")
    line: int = Field(description="line index within the page, in reading order")


class DigitsCandidate(_Model):
    """One way to read the glyphs of a crop, with the classifier's probability for it."""

    digits: str
    probability: float = Field(ge=0, le=1, description="product of the glyphs' digit probabilities")


class NumberReread(_Model):
    """A second, digits-only reading of handwritten or stamped digits on their crop: the document number,
    or the day of the place-date line."""

    digits: str | None = Field(description="the reading most binarisations agree on; null if they disagree")
    readings: list[str] = Field(description="one reading per binarisation, '' when nothing was read")
    shapes: str | None = Field(
        default=None,
        description="the digits as the handwriting classifier reads the glyphs after the label; used when "
        "the readings disagree or lost a digit; null when the glyphs could not be cut apart or read",
    )
    box: tuple[int, int, int, int] = Field(description="the crop: left, top, width, height in page pixels")
    candidates: list[DigitsCandidate] = Field(
        default_factory=list,
        description="the classifier's five likeliest readings of the glyphs (other cuts of touching "
        "digits included, Tesseract's vote weighed in), likeliest first; for the day, only readings "
        "1-31. Another witness, such as the digital signature's date, may rule out the reading taken",
    )


class Page(_Model):
    number: int = Field(description="1-based")
    text: str = Field(description="final text: NFC, house tone style, restored where applicable")
    ocr_text: str | None = Field(description="text as the engine or legacy file produced it, NFC")
    mean_confidence: float | None = Field(
        description="mean Tesseract word confidence 0-100; null if not OCR'd"
    )
    source: TextSource
    status: Literal["ok", "blank", "failed"] = "ok"
    width: int | None = None
    height: int | None = None
    dpi: int | None = None
    rotation: int = Field(default=0, description="degrees the page was turned to read it upright")
    skew_deg: float = 0.0
    seal_detected: bool | None = None
    restored_words: int = Field(
        default=0, description="words the restorer respelled: text differs from ocr_text"
    )
    words: list[Word] = Field(default_factory=list)
    number_reread: NumberReread | None = Field(
        default=None, description="set when the first reading of the document number's digits was unsure"
    )
    day_reread: NumberReread | None = Field(
        default=None, description="set when the first reading of the issued day's digits was unsure"
    )
    text_layer: str | None = Field(
        default=None,
        description="an OCR'd PDF page's own thin text layer (e.g. a signature box), NFC; null if none",
    )


class Issuer(_Model):
    name: str | None = None
    level: Level | None = None
    parent: str | None = None


class Period(_Model):
    start: int | None = None
    end: int | None = None


class LegalBasis(_Model):
    number: str | None = None
    type: str | None = None
    date: dt.date | None = None
    issuer: str | None = None


class Target(_Model):
    text: str
    indicator: str | None = None
    value: float | None = None
    value_max: float | None = None
    comparator: str | None = None
    unit: str | None = None
    scope: str | None = None
    baseline: str | None = None
    year: int | None = None


class Deadline(_Model):
    text: str
    what: str | None = None
    when: dict[str, str | int | None] = Field(default_factory=dict)
    responsible: str | None = None


class ResponsibleBody(_Model):
    name: str
    aliases: list[str] = Field(default_factory=list)
    role: str | None = None
    tasks: list[str] = Field(default_factory=list)


class Signer(_Model):
    name: str | None = None
    title: str | None = None
    authority: str | None = None


class DigitalSignature(_Model):
    """What the PDF's text layer says about its electronic signatures; evidence, never the issued date."""

    signer_org: str | None = Field(default=None, description="'Ký bởi:' as printed")
    agency: str | None = Field(default=None, description="'Cơ quan:' as printed")
    signed_at: dt.datetime | None = Field(default=None, description="'Thời gian ký:', Vietnam time (+07:00)")
    published_by: str | None = Field(
        default=None, description="the publishing centre whose stamp certifies the copy (e.g. Công báo)"
    )
    published_at: dt.datetime | None = None


class Fields(_Model):
    document_type: str | None = None
    document_type_name: str | None = None
    number: str | None = None
    issued_date: dt.date | None = None
    place: str | None = None
    province: str | None = None
    issuer: Issuer = Field(default_factory=Issuer)
    title: str | None = None
    period: Period = Field(default_factory=Period)
    movement: str | None = Field(default=None, description="emulation movement the plan belongs to, as named")
    legal_bases: list[LegalBasis] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)
    deadlines: list[Deadline] = Field(default_factory=list)
    responsible_bodies: list[ResponsibleBody] = Field(default_factory=list)
    signer: Signer = Field(default_factory=Signer)
    recipients: list[str] = Field(default_factory=list)
    digital_signature: DigitalSignature | None = None


class Evidence(_Model):
    page: int
    start: int = Field(description="character offset of the quote in the page's text")
    end: int
    quote: str
    confidence: float = Field(ge=0.0, le=1.0)
    needs_review: bool = False
    note: str | None = Field(default=None, description="how the value was inferred, when not read directly")
    source: EvidenceSource = Field(
        default="text", description="which page string start/end index: the page's text or its text_layer"
    )


class DocumentResult(_Model):
    schema_version: str = SCHEMA_VERSION
    doc_id: str = Field(description="first 16 hex digits of the input's sha256: stable across runs")
    status: Status
    errors: list[ErrorRecord] = Field(default_factory=list)
    source: Source
    provenance: Provenance
    pages: list[Page] = Field(default_factory=list)
    fields: Fields = Field(default_factory=Fields)
    evidence: dict[str, Evidence] = Field(default_factory=dict)
    extracted: list[str] = Field(
        default_factory=list,
        description="field paths this version tries to extract; an empty list elsewhere means 'not sought'",
    )
