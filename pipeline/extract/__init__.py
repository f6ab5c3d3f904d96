"""Field extraction over page texts: header and closing (regex rules on page 1 and the last page) and body
fields (legal bases, targets, deadlines, responsible bodies) through the spaCy pipeline in ``nlp``."""

from __future__ import annotations

from pipeline.extract.body import extract_body
from pipeline.extract.closing import closing_pages, find_recipients, find_signer
from pipeline.extract.header import (
    find_date,
    find_movement,
    find_movement_in_body,
    find_number,
    find_period,
    find_title,
    find_type_in_closing,
    find_type_line,
    type_from_number,
)
from pipeline.extract.issuer import IssuerFound, find_issuer_in_body, find_issuer_in_header
from pipeline.extract.issuer_inference import complete_locality, issuer_from_closing
from pipeline.extract.movement_names import repair_movement
from pipeline.extract.signature import check_issued_date, find_digital_signature
from pipeline.extract.view import views
from pipeline.gazetteer import load_gazetteer
from pipeline.models import Evidence, Fields, Page
from pipeline.rules import load_rules

EXTRACTED = [
    "document_type",
    "document_type_name",
    "number",
    "issued_date",
    "place",
    "province",
    "issuer.name",
    "issuer.level",
    "issuer.parent",
    "title",
    "period",
    "movement",
    "legal_bases",
    "targets",
    "deadlines",
    "responsible_bodies",
    "signer",
    "recipients",
    "digital_signature",
]


def extract_fields(pages: list[Page]) -> tuple[Fields, dict[str, Evidence], list[str]]:
    fields = Fields()
    evidence: dict[str, Evidence] = {}
    signature = find_digital_signature(pages)
    if signature is not None:
        fields.digital_signature = signature.value
        evidence.update(signature.evidence)
    readable = views(pages)
    if not readable:
        return fields, evidence, EXTRACTED
    first, last = readable[0], readable[-1]
    types: dict[str, str] = load_rules("header")["document_types"]

    number = find_number(first)
    if number:
        fields.number = str(number.value)
        evidence["number"] = number.evidence
    type_line = find_type_line(first)
    code = type_from_number(fields.number) if fields.number else None
    if code:
        fields.document_type = code
        evidence["document_type"] = number.evidence if number else evidence["number"]
    elif type_line:
        fields.document_type = type_line[0]
        evidence["document_type"] = type_line[1]
    elif (named := find_type_in_closing(last, types)) is not None:
        fields.document_type, evidence["document_type"] = named
    if fields.document_type:
        fields.document_type_name = types.get(fields.document_type)
        evidence["document_type_name"] = evidence["document_type"]
    elif fields.number and type_line is None and "v/v" in first.folded[:3000]:
        fields.document_type_name = load_rules("header")["official_letter_name"]
        evidence["document_type_name"] = evidence["number"]

    signed_at = fields.digital_signature.signed_at if fields.digital_signature else None
    dated = find_date(first, signed_on=signed_at.date() if signed_at else None)
    place_unit = None
    if dated:
        date, fields.place, date_evidence, evidence["place"] = dated
        if date is not None and date_evidence is not None:
            if fields.digital_signature is not None:
                date_evidence = check_issued_date(date, fields.digital_signature, date_evidence)
            fields.issued_date, evidence["issued_date"] = date, date_evidence
        place_unit = load_gazetteer().place(fields.place)
        if place_unit is not None:
            fields.place = place_unit.name  # the gazetteer's spelling, diacritics included

    # The issuer block sits above the "Số:" line (in reading order); without one, above the date line.
    anchors = [evidence[k].start for k in ("number", "issued_date", "place") if k in evidence]
    stop = min(anchors) if anchors else min(len(first.text), 1200)
    found = find_issuer_in_header(first, stop) or find_issuer_in_body(first, place_unit)
    if found and found.unit is None and place_unit is None:
        completed = complete_locality(found.issuer, readable)
        if completed is not None:
            completed_issuer, locality_unit, how = completed
            joined = f"{found.evidence.note}; {how}" if found.evidence.note else how
            found = IssuerFound(
                completed_issuer, found.evidence.model_copy(update={"note": joined}), locality_unit
            )
    if found is None:
        inferred = issuer_from_closing(last, readable)
        if inferred is not None:
            found = IssuerFound(*inferred)
    if found:
        fields.issuer = found.issuer
        evidence["issuer.name"] = found.evidence
        if found.issuer.parent:
            evidence["issuer.parent"] = found.evidence
        if found.issuer.level:
            evidence["issuer.level"] = found.evidence

    province_unit = (found.unit if found else None) or place_unit
    if province_unit is not None:
        fields.province = province_unit.province
        source = evidence.get("issuer.name") if found and found.unit else evidence.get("place")
        if source is not None:
            note = None
            if (
                province_unit.kind not in ("Tỉnh", "Thành phố")
                or province_unit.name != province_unit.province
            ):
                unit = f"{province_unit.kind} {province_unit.name}"
                note = f"{unit} belongs to {province_unit.province} (gazetteer)"
            evidence["province"] = source.model_copy(update={"note": note})

    title = find_title(first, type_line[1] if type_line else None)
    if title:
        fields.title = str(title.value)
        evidence["title"] = title.evidence
    period = find_period(first, (title.evidence.start, title.evidence.end) if title else None)
    if period:
        fields.period = period.value  # type: ignore[assignment]
        evidence["period"] = period.evidence

    movement = find_movement(first, title.evidence if title else None) or (
        find_movement_in_body(first) if title is None else None
    )
    if movement:
        fields.movement = repair_movement(str(movement.value))
        evidence["movement"] = movement.evidence
        if fields.movement != movement.value:
            note = "spelled as the national movement's name it ends with (models/reference)"
            joined = f"{movement.evidence.note}; {note}" if movement.evidence.note else note
            evidence["movement"] = movement.evidence.model_copy(update={"note": joined})
    # The body starts after the header block: title, number and place-date line, whichever ends last.
    header_ends = [evidence[k].end for k in ("title", "number", "issued_date") if k in evidence]
    body_start = max(header_ends) if header_ends and evidence.get("title", evidence.get("number")) else 0
    evidence.update(extract_body(readable, fields, body_start))

    closing = closing_pages(readable)
    signed = next((block for page in closing if (block := find_signer(page))), None)
    if signed:
        fields.signer, signer_evidence = signed
        evidence.update(signer_evidence)
    recipients = find_recipients(closing[0])
    if recipients:
        fields.recipients, evidence["recipients"] = recipients
    return fields, evidence, EXTRACTED
