"""Body fields from the joined text of all pages: legal bases, targets, deadlines, responsible bodies."""

from __future__ import annotations

import re

from pipeline.extract.bodies import find_bodies
from pipeline.extract.deadlines import find_deadlines
from pipeline.extract.doctext import DocText
from pipeline.extract.legal import find_legal_bases
from pipeline.extract.nlp import parse
from pipeline.extract.scope import document_area
from pipeline.extract.targets import find_targets
from pipeline.extract.view import PageView
from pipeline.models import Evidence, Fields
from pipeline.rules import load_rules


def closing_start(folded: str) -> int:
    """Offset where the closing (recipients, signature) starts; the text's end when there is none."""
    rules = load_rules("fields")["closing_cues"]
    search_from = int(len(folded) * (1 - rules["search_last_share"]))
    hits = [
        match.start()
        for pattern in rules["patterns"]
        for match in re.finditer(pattern, folded[search_from:], re.MULTILINE)
    ]
    return search_from + min(hits) if hits else len(folded)


def extract_body(pages: list[PageView], fields: Fields, body_start: int) -> dict[str, Evidence]:
    """Fill the body fields in ``fields``; returns their evidence, keyed ``legal_bases[0]`` and so on.

    ``body_start`` is an offset in the first page (the end of the title): the header is not body text.
    """
    text = DocText(pages)
    doc = parse(text.folded, text.plain)
    closing_at = closing_start(text.folded)
    evidence: dict[str, Evidence] = {}

    for index, citation in enumerate(find_legal_bases(text, doc, fields.number, closing_at)):
        fields.legal_bases.append(citation.basis)
        evidence[f"legal_bases[{index}]"] = citation.evidence
    area = document_area(fields.issuer, fields.province)
    for index, target in enumerate(find_targets(text, doc, body_start, closing_at, area)):
        fields.targets.append(target.target)
        evidence[f"targets[{index}]"] = target.evidence
    bodies, actors = find_bodies(text, doc, body_start, closing_at)
    for index, body in enumerate(bodies):
        fields.responsible_bodies.append(body.body)
        evidence[f"responsible_bodies[{index}]"] = body.evidence
    for index, deadline in enumerate(find_deadlines(text, doc, actors, body_start, closing_at)):
        fields.deadlines.append(deadline.deadline)
        evidence[f"deadlines[{index}]"] = deadline.evidence
    return evidence
