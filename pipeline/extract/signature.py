"""Electronic signatures printed into a PDF's text layer.

Signed copies carry a box "Ký bởi: … / Cơ quan: … / Thời gian ký: dd/mm/yyyy hh:mm:ss" and often a publishing
centre's stamp "<centre> / <e-mail> / dd.mm.yyyy hh:mm:ss +07:00". Scans keep these as a thin text layer over
the image (``Page.text_layer``); born-digital pages have them in their text. The signing time is evidence
about the document (it cannot be older than the signature) but is not its issued date: copies are often
signed days after the date typed on them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pipeline.models import DigitalSignature, Evidence, EvidenceSource, Page

VIETNAM_TIME = dt.timezone(dt.timedelta(hours=7))
SIGNED_AFTER_NOTE = "the issued date is later than the digital signature ({signed}): check against the scan"

_LABELS = r"(?:Ký bởi|Người ký|Cơ quan|Thời gian ký|Email)\s*:"
# The value runs on until the next label or a blank line; a box wraps it over two or three lines.
_SIGNED_BY = re.compile(rf"(?:Ký bởi|Người ký)\s*:\s*(?P<org>[^\n]+(?:\n(?!\s*{_LABELS})[^\n]+){{0,2}})")
_AGENCY = re.compile(rf"Cơ quan\s*:\s*(?P<agency>[^\n]+(?:\n(?!\s*{_LABELS})[^\n]+){{0,2}})")
_DAY_TIME = r"(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})\s+(?P<H>\d{1,2}):(?P<M>\d{2})"  # 26/11/2024 10:40
_SIGNED_AT = re.compile(r"Thời gian ký\s*:\s*" + _DAY_TIME + r"(?::(?P<S>\d{2}))?")
# Older boxes print their labels as images: a bare "27/12/2021 17:22:11" in a scan's text layer.
_BARE_TIME = re.compile(r"(?<![\d/])" + _DAY_TIME + r":(?P<S>\d{2})")
_STAMP_TIME = re.compile(
    r"(?P<d>\d{2})\.(?P<m>\d{2})\.(?P<y>\d{4})\s+(?P<H>\d{2}):(?P<M>\d{2}):(?P<S>\d{2})\s*\+07:?00"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w.-]+(?:\n[\w.]+)?")
_BLOCK_GAP = 120  # characters: the parts of one signature box sit together
_MAX_ORG = 100


@dataclass(frozen=True)
class SignatureFound:
    value: DigitalSignature
    evidence: dict[str, Evidence]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _time(match: re.Match[str]) -> dt.datetime | None:
    try:
        return dt.datetime(
            int(match["y"]), int(match["m"]), int(match["d"]),
            int(match["H"]), int(match["M"]), int(match["S"] or 0), tzinfo=VIETNAM_TIME,
        )  # fmt: skip
    except ValueError:  # a garbled digit makes an impossible date: no time rather than a wrong one
        return None


def _evidence(page: Page, source: EvidenceSource, start: int, end: int, text: str) -> Evidence:
    return Evidence(
        page=page.number, start=start, end=end, quote=text[start:end], confidence=0.95, source=source
    )


Part = tuple[dict[str, object], Evidence] | None  # values read from one box, and the box as evidence


def _signature_box(page: Page, source: EvidenceSource, text: str) -> Part:
    signed_by = _SIGNED_BY.search(text)
    if signed_by is None:
        return None
    values: dict[str, object] = {"signer_org": _one_line(signed_by["org"])[:_MAX_ORG]}
    end = signed_by.end()
    agency = _AGENCY.search(text, end, end + _BLOCK_GAP)
    if agency:
        values["agency"] = _one_line(agency["agency"])
        end = agency.end()
    signed_at = _SIGNED_AT.search(text, end, end + _BLOCK_GAP)
    if signed_at is None and source == "text_layer":
        signed_at = _BARE_TIME.search(text, end)
    if signed_at and (when := _time(signed_at)) is not None:
        values["signed_at"] = when
        end = signed_at.end()
    return values, _evidence(page, source, signed_by.start(), end, text)


def _publishing_stamp(page: Page, source: EvidenceSource, text: str) -> Part:
    stamp = _STAMP_TIME.search(text)
    if stamp is None or (when := _time(stamp)) is None:
        return None
    values: dict[str, object] = {"published_at": when}
    start = stamp.start()
    emails = [m for m in _EMAIL.finditer(text, max(0, start - _BLOCK_GAP), start) if m.end() >= start - 3]
    if emails:
        email = emails[-1]
        block_start = text.rfind("\n\n", 0, email.start())
        block_start = 0 if block_start < 0 else block_start + 2
        org = _one_line(text[block_start : email.start()])
        if 0 < len(org) <= _MAX_ORG:
            values["published_by"] = org
            start = block_start
    return values, _evidence(page, source, start, stamp.end(), text)


def _signed_texts(page: Page) -> list[tuple[EvidenceSource, str]]:
    """Where signature boxes can be: a scan's thin text layer, or a born-digital page's own text."""
    found: list[tuple[EvidenceSource, str]] = []
    if page.text_layer:
        found.append(("text_layer", page.text_layer))
    if page.source == "text_layer" and page.text:
        found.append(("text", page.text))
    return found


def find_digital_signature(pages: list[Page]) -> SignatureFound | None:
    """The first signature box and publishing stamp found in the pages' text layers (or born-digital text)."""
    values: dict[str, object] = {}
    evidence: dict[str, Evidence] = {}
    for page in pages:
        for source, text in _signed_texts(page):
            for part in (_signature_box(page, source, text), _publishing_stamp(page, source, text)):
                if part is None:
                    continue
                found, box = part
                for key, value in found.items():
                    if key not in values:
                        values[key] = value
                        evidence[f"digital_signature.{key}"] = box
    if not values:
        return None
    return SignatureFound(DigitalSignature.model_validate(values), evidence)


def check_issued_date(issued: dt.date, signature: DigitalSignature, evidence: Evidence) -> Evidence:
    """The issued date's evidence, flagged when the date is later than the signature that signs it."""
    if signature.signed_at is None or issued <= signature.signed_at.date():
        return evidence
    note = SIGNED_AFTER_NOTE.format(signed=signature.signed_at.date().isoformat())
    joined = f"{evidence.note}; {note}" if evidence.note else note
    return evidence.model_copy(
        update={"needs_review": True, "confidence": min(evidence.confidence, 0.5), "note": joined}
    )
