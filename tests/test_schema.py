import datetime as dt
import json

import jsonschema

from pipeline.models import DocumentResult, Evidence, Fields, Page, Provenance, Source
from pipeline.schema import SCHEMA_FILE, schema_dict


def _example() -> DocumentResult:
    page = Page(number=1, text="Số: 1/KH-UBND", ocr_text="Số: 1/KH-UBND", mean_confidence=90.0, source="ocr")
    return DocumentResult(
        doc_id="0" * 16,
        status="ok",
        source=Source(path="/x.pdf", sha256="0" * 64, media_type="application/pdf", pages=1, size_bytes=10),
        provenance=Provenance(
            planscan_version="0",
            tesseract_version="5",
            config_hash="abc",
            started_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
            duration_s=0.1,
        ),
        pages=[page],
        fields=Fields(number="1/KH-UBND", issued_date=dt.date(2022, 9, 7)),
        evidence={"number": Evidence(page=1, start=0, end=13, quote="Số: 1/KH-UBND", confidence=0.9)},
    )


def test_committed_schema_matches_the_models() -> None:
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == schema_dict(), "run `planscan schema -o schema/document.schema.json` and commit it"


def test_contract_field_names_are_present() -> None:
    props = schema_dict()["properties"]
    for name in (
        "schema_version",
        "doc_id",
        "status",
        "errors",
        "source",
        "provenance",
        "pages",
        "fields",
        "evidence",
    ):
        assert name in props
    fields = schema_dict()["$defs"]["Fields"]["properties"]
    for name in (
        "document_type",
        "document_type_name",
        "number",
        "issued_date",
        "place",
        "province",
        "issuer",
        "title",
        "period",
        "legal_bases",
        "targets",
        "deadlines",
        "responsible_bodies",
        "signer",
        "recipients",
    ):
        assert name in fields


def test_a_result_validates_and_a_broken_one_does_not() -> None:
    data = _example().model_dump(mode="json")
    jsonschema.validate(data, schema_dict())
    assert data["fields"]["issued_date"] == "2022-09-07"
    data["status"] = "done"
    try:
        jsonschema.validate(data, schema_dict())
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("an unknown status must not validate")
