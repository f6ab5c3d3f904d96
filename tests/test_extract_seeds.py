"""The user's clean documents (seeds 002 and 003) must give the right header fields."""

import jsonschema
import pytest

from pipeline.document import process_document
from pipeline.schema import schema_dict
from tests.conftest import seed_path

EXPECTED = {
    "002": {
        "number": "119/KH-UBND",
        "issued_date": "2022-09-07",
        "issuer": "Ủy ban nhân dân tỉnh Thái Bình",
        "level": "province",
        "province": "Thái Bình",
        "document_type": "KH",
        "period": {"start": 2021, "end": 2025},
    },
    "003": {
        "number": "237/KH-MTTQ-BTT",
        "issued_date": "2022-06-01",
        "issuer": "Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh Sơn La",
        "level": "province",
        "province": "Sơn La",
        "document_type": "KH",
        "period": {"start": None, "end": 2030},
    },
}


@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_clean_seed_header_fields(seed: str) -> None:
    result = process_document(seed_path(seed))
    expected = EXPECTED[seed]
    data = result.model_dump(mode="json")
    jsonschema.validate(data, schema_dict())
    fields = data["fields"]
    assert result.status == "ok"
    assert fields["number"] == expected["number"]
    assert fields["issued_date"] == expected["issued_date"]
    assert fields["issuer"]["name"] == expected["issuer"]
    assert fields["issuer"]["level"] == expected["level"]
    assert fields["province"] == expected["province"]
    assert fields["document_type"] == expected["document_type"]
    assert fields["document_type_name"] == "Kế hoạch"
    assert fields["period"] == expected["period"]


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_every_value_has_evidence_quoted_from_its_page(seed: str) -> None:
    result = process_document(seed_path(seed))
    pages = {p.number: p.text for p in result.pages}
    for path, evidence in result.evidence.items():
        assert pages[evidence.page][evidence.start : evidence.end] == evidence.quote, path
        assert 0 <= evidence.confidence <= 1
    fields = result.fields
    for path in ("number", "issued_date", "place", "province", "issuer.name", "title"):
        head, _, tail = path.partition(".")
        value = getattr(getattr(fields, head), tail) if tail else getattr(fields, head)
        assert (value is None) == (path not in result.evidence), path


def test_cited_numbers_are_not_taken_for_the_documents_own() -> None:
    # Seed 000's header is missing; "Kế hoạch số 562/KH-MTTW-BTT" in its body cites another plan.
    result = process_document(seed_path("000"))
    assert result.fields.number is None
