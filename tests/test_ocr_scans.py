"""OCR end to end on generated scans: the header fields must survive skew, noise, blur and a seal."""

import json
from pathlib import Path

import jsonschema
import pytest

from pipeline.bench.metrics import cer
from pipeline.document import process_document
from pipeline.schema import schema_dict
from pipeline.synth import synthesise
from tests.conftest import CORPUS, needs_ocr

pytestmark = [pytest.mark.ocr, needs_ocr]

HEADER = ("document_type", "number", "issued_date", "place", "province")


def _doc(stem_prefix: str) -> tuple[str, dict]:
    markup = next((CORPUS / "documents").glob(f"{stem_prefix}*.txt"))
    truth = json.loads((CORPUS / "truth" / f"{markup.stem}.json").read_text(encoding="utf-8"))
    return markup.read_text(encoding="utf-8"), truth


@pytest.mark.parametrize("prefix", ["fictional_01", "fictional_02"])
def test_generated_multipage_scan_gives_the_header_fields(prefix: str, tmp_path: Path) -> None:
    markup, truth = _doc(prefix)
    synth = synthesise(markup, tmp_path / "scan", dpi=200, seed=11)
    assert synth.pdf_path is not None and len(synth.pages) >= 2
    result = process_document(synth.pdf_path)
    data = result.model_dump(mode="json")
    jsonschema.validate(data, schema_dict())
    assert result.status == "ok"
    assert len(result.pages) == len(synth.pages)
    for field in HEADER:
        assert data["fields"][field] == truth[field], field
    assert data["fields"]["issuer"]["name"] == truth["issuer"]["name"]
    assert data["fields"]["issuer"]["level"] == truth["issuer"]["level"]
    assert result.pages[-1].seal_detected is True
    words = [w for page in result.pages for w in page.words]
    assert words and all(0 <= w.confidence <= 100 for w in words)
    reference = "\n".join(p.text for p in synth.pages)
    hypothesis = "\n".join(p.text for p in result.pages)
    assert cer(reference, hypothesis) < 0.08  # a loose bound: the benchmark reports the real figure


def test_born_digital_pdf_uses_its_text_layer(tmp_path: Path) -> None:
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    pdf.add_font("serif", fname="/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
    pdf.set_font("serif", size=12)
    pdf.add_page()
    lines = [
        "ỦY BAN NHÂN DÂN TỈNH NAM ĐỊNH",
        "Số: 77/KH-UBND",
        "Nam Định, ngày 3 tháng 10 năm 2022",
        "KẾ HOẠCH",
        "Thực hiện Phong trào thi đua giai đoạn 2021 - 2025 trên địa bàn tỉnh",
    ] + ["Các sở, ban, ngành và Ủy ban nhân dân các huyện tổ chức thực hiện kế hoạch này."] * 4
    for line in lines:
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "digital.pdf"
    pdf.output(str(path))
    result = process_document(path)
    assert result.pages[0].source == "text_layer"
    assert result.pages[0].mean_confidence is None
    assert result.fields.number == "77/KH-UBND"
    assert result.fields.issued_date is not None and result.fields.issued_date.isoformat() == "2022-10-03"
    assert result.fields.province == "Nam Định"
