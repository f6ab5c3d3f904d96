"""The Prefect ingest flow end to end, under one session-scoped ephemeral server."""

import json
from pathlib import Path

import jsonschema
import pytest

from pipeline.ledger import read_ledger
from pipeline.schema import schema_dict
from pipeline.settings import Settings
from pipeline.synth import synthesise
from tests.conftest import CORPUS, needs_ocr

pytestmark = [pytest.mark.flow, pytest.mark.ocr, needs_ocr]


def _inputs(root: Path) -> dict[str, Path]:
    markup = next((CORPUS / "documents").glob("fictional_01*.txt"))
    scans = root / "batch" / "scans"
    scans.mkdir(parents=True)
    synth = synthesise(markup.read_text(encoding="utf-8"), root / "work" / "plan", dpi=200, seed=3)
    assert synth.pdf_path is not None
    scan = scans / "plan.pdf"
    synth.pdf_path.rename(scan)
    text = root / "batch" / "legacy.txt"
    header = ["ỦY BAN NHÂN DÂN", "TỈNH BẮC KẠN", "Số: 12/KH-UBND", "Bắc Kạn, ngày 5 tháng 3 năm 2023"]
    text.write_text("\n".join(header) + "\n", "utf-8")
    empty = root / "batch" / "empty.pdf"
    empty.write_bytes(b"")
    fake = root / "batch" / "fake.pdf"
    fake.write_text("this is not a pdf")
    return {"scan": scan, "text": text, "empty": empty, "fake": fake}


def test_ingest_flow_writes_valid_json_for_every_input_and_resumes(
    prefect_harness: None, tmp_path: Path
) -> None:
    from flows.ingest import run_ingest

    inputs = _inputs(tmp_path)
    out = tmp_path / "out"
    # A one-page window: each document waits for the one before it, and a longer one still goes whole.
    summary = run_ingest([tmp_path / "batch"], out, Settings(workers=2, pages_in_flight=1))
    assert (summary.ok, summary.partial, summary.failed, summary.skipped) == (2, 0, 2, 0)
    results = {}
    for path in out.glob("*.json"):  # manifest.jsonl is not a result
        data = json.loads(path.read_text(encoding="utf-8"))
        jsonschema.validate(data, schema_dict())
        results[Path(data["source"]["path"]).name] = data
    assert set(results) == {"plan.pdf", "legacy.txt", "empty.pdf", "fake.pdf"}
    scan = results["plan.pdf"]
    assert scan["status"] == "ok" and scan["source"]["pages"] >= 2
    assert scan["fields"]["number"] == "172/KH-UBND"
    assert scan["fields"]["issued_date"] == "2022-07-22"
    assert scan["fields"]["issuer"]["name"] == "Ủy ban nhân dân tỉnh Thanh Hóa"
    assert scan["fields"]["province"] == "Thanh Hóa"
    assert results["legacy.txt"]["fields"]["number"] == "12/KH-UBND"
    assert results["empty.pdf"]["errors"][0]["code"] == "PS202"
    assert results["fake.pdf"]["errors"][0]["code"] == "PS201"
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "no scratch files may be left behind"

    scan_json = out / f"{scan['doc_id']}.json"
    before = scan_json.stat().st_mtime_ns
    again = run_ingest([tmp_path / "batch"], out, Settings(workers=2))
    assert again.skipped == 2 and again.ok == 0
    assert scan_json.stat().st_mtime_ns == before
    ledger = read_ledger(out)
    first, second = ledger[:4], ledger[4:]
    assert sorted(Path(e.path).name for e in first) == ["empty.pdf", "fake.pdf", "legacy.txt", "plan.pdf"]
    assert {e.status for e in second if Path(e.path).name in ("plan.pdf", "legacy.txt")} == {"skipped"}
    assert next(e for e in first if Path(e.path).name == "empty.pdf").reason.startswith("PS202")
    assert inputs["scan"].exists(), "inputs are never moved or deleted"
