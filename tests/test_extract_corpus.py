"""Header fields from the clean text of every bundled corpus document match its truth file."""

import json
from pathlib import Path

import pytest

from pipeline.extract import extract_fields
from pipeline.markup import markup_to_text
from pipeline.models import Page
from pipeline.textnorm import normalize_text
from tests.conftest import CORPUS

DOCUMENTS = sorted((CORPUS / "documents").glob("*.txt"))
HEADER = ("document_type", "document_type_name", "number", "issued_date", "place", "province", "title")


@pytest.mark.parametrize("markup", DOCUMENTS, ids=lambda p: p.stem[:13])
def test_header_fields_match_the_truth(markup: Path) -> None:
    truth = json.loads((CORPUS / "truth" / f"{markup.stem}.json").read_text(encoding="utf-8"))
    text = normalize_text(markup_to_text(markup.read_text(encoding="utf-8")))
    page = Page(number=1, text=text, ocr_text=text, mean_confidence=None, source="text_file")
    fields, evidence, _ = extract_fields([page])
    data = fields.model_dump(mode="json")
    for name in HEADER:
        assert data[name] == truth[name], name
    assert data["issuer"] == truth["issuer"]
    assert data["period"] == (truth["period"] or {"start": None, "end": None})
    assert data["signer"] == truth["signer"]
    for path, item in evidence.items():
        assert text[item.start : item.end] == item.quote, path
