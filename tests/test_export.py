"""Archival outputs: ALTO, hOCR, searchable PDF, provenance events and BagIt fixity on rendered pages."""

from __future__ import annotations

import argparse
import json
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader

from pipeline.document import process_document
from pipeline.export import export_document, verify_bag, write_bag
from pipeline.export.alto import ALTO_NS
from pipeline.export.command import add_parser, run
from pipeline.load import sha256_file
from pipeline.models import DocumentResult
from pipeline.settings import Settings
from pipeline.store import write_result
from tests.conftest import needs_ocr

FONT_CANDIDATES = [
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"),
    Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"),
]
DPI = 200  # the preprocessor's floor: no upscaling, so OCR stays quick
PAGES = [
    ["KẾ HOẠCH", "Tổ chức phong trào thi đua", "giai đoạn 2021 - 2025"],
    ["Ủy ban nhân dân tỉnh", "Sở Nội vụ chủ trì"],
]
KNOWN_WORD = "phong"


def _font() -> ImageFont.FreeTypeFont:
    for path in FONT_CANDIDATES:
        if path.is_file():
            return ImageFont.truetype(str(path), 36)
    pytest.skip("no DejaVu or Liberation font in /usr/share/fonts")


def _render(lines: list[str]) -> Image.Image:
    image = Image.new("L", (1100, 600), 255)
    draw = ImageDraw.Draw(image)
    font = _font()
    for i, line in enumerate(lines):
        draw.text((80, 80 + i * 90), unicodedata.normalize("NFC", line), font=font, fill=0)
    return image


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DocumentResult]:
    folder = tmp_path_factory.mktemp("scan")
    images = [_render(lines) for lines in PAGES]
    pdf = folder / "plan.pdf"
    images[0].save(pdf, save_all=True, append_images=images[1:], resolution=DPI)
    result = process_document(pdf, Settings(dpi=DPI), work_root=folder)
    assert result.status == "ok", result.errors
    return pdf, result


@pytest.fixture(scope="module")
def exported(scanned: tuple[Path, DocumentResult], tmp_path_factory: pytest.TempPathFactory) -> Path:
    pdf, result = scanned
    out = tmp_path_factory.mktemp("export")
    report = export_document(
        result, pdf, out, {"pdf", "alto", "hocr", "events"}, out / ".work", Settings(dpi=DPI)
    )
    assert report.problems == []
    assert set(report.written) == {"result", "pdf", "alto", "hocr", "events"}
    write_bag(report.folder, [pdf])
    return report.folder


def _words(result: DocumentResult, page: int) -> int:
    return len([w for w in result.pages[page - 1].words if w.text.strip()])


@needs_ocr
def test_alto_is_well_formed_with_one_string_per_word_inside_the_page(
    scanned: tuple[Path, DocumentResult], exported: Path
) -> None:
    _, result = scanned
    files = sorted((exported / "data" / "alto").glob("*.xml"))
    assert [f.name for f in files] == ["p00001.xml", "p00002.xml"]
    ns = {"a": ALTO_NS}
    for number, path in enumerate(files, start=1):
        root = ET.parse(path).getroot()
        assert root.tag == f"{{{ALTO_NS}}}alto"
        page = root.find("a:Layout/a:Page", ns)
        assert page is not None
        width, height = int(page.get("WIDTH", "0")), int(page.get("HEIGHT", "0"))
        assert width > 0 and height > 0
        strings = root.findall(".//a:String", ns)
        assert len(strings) == _words(result, number)
        for s in strings:
            left, top = int(s.get("HPOS", "-1")), int(s.get("VPOS", "-1"))
            assert left >= 0 and left + int(s.get("WIDTH", "0")) <= width
            assert top >= 0 and top + int(s.get("HEIGHT", "0")) <= height
            assert 0.0 <= float(s.get("WC", "-1")) <= 1.0
            content = s.get("CONTENT", "")
            assert content and unicodedata.is_normalized("NFC", content)
        lines = root.findall(".//a:TextLine", ns)
        assert len(lines) == len({w.line for w in result.pages[number - 1].words})
    text = " ".join(s.get("CONTENT", "") for s in ET.parse(files[0]).getroot().iter(f"{{{ALTO_NS}}}String"))
    assert KNOWN_WORD in text.lower()


@needs_ocr
def test_hocr_is_well_formed_with_one_page_div_per_page(
    scanned: tuple[Path, DocumentResult], exported: Path
) -> None:
    _, result = scanned
    root = ET.parse(exported / "data" / f"{result.doc_id}.hocr").getroot()
    xhtml = "{http://www.w3.org/1999/xhtml}"
    pages = [d for d in root.iter(f"{xhtml}div") if d.get("class") == "ocr_page"]
    assert len(pages) == 2
    words = [s for s in root.iter(f"{xhtml}span") if s.get("class") == "ocrx_word"]
    assert len(words) == _words(result, 1) + _words(result, 2)
    assert all("x_wconf" in (w.get("title") or "") for w in words)


@needs_ocr
def test_searchable_pdf_has_every_page_and_a_text_layer(
    scanned: tuple[Path, DocumentResult], exported: Path
) -> None:
    _, result = scanned
    reader = PdfReader(exported / "data" / f"{result.doc_id}.pdf")
    assert len(reader.pages) == 2
    first = reader.pages[0].extract_text()
    assert KNOWN_WORD in first.lower()
    assert "Sở" in reader.pages[1].extract_text()
    # The page keeps the scan's proportions: 1100 x 600 px at 200 dpi.
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(1100 * 72 / DPI, rel=0.02)
    assert float(box.height) == pytest.approx(600 * 72 / DPI, rel=0.02)


@needs_ocr
def test_events_list_ingest_then_exports_in_order(
    scanned: tuple[Path, DocumentResult], exported: Path
) -> None:
    _, result = scanned
    payload = json.loads((exported / "data" / f"{result.doc_id}.events.json").read_text(encoding="utf-8"))
    types = [e["type"] for e in payload["events"]]
    assert types[:2] == ["ingested", "ocr"]
    assert "extracted" in types
    assert types[-3:] == ["exported", "exported", "exported"]
    assert [e["detail"]["format"] for e in payload["events"][-3:]] == ["alto", "hocr", "pdf"]
    ocr = payload["events"][1]
    assert ocr["agents"][0]["name"] == "tesseract" and ocr["agents"][0]["version"]
    pdf_event = payload["events"][-1]
    listed = pdf_event["detail"]["files"]
    assert list(listed) == [f"data/{result.doc_id}.pdf"]


@needs_ocr
def test_bag_lists_every_file_and_verify_detects_a_change(
    scanned: tuple[Path, DocumentResult], exported: Path
) -> None:
    pdf, result = scanned
    manifest = (exported / "manifest-sha256.txt").read_text(encoding="utf-8").splitlines()
    listed = {line.split("  ", 1)[1]: line.split("  ", 1)[0] for line in manifest}
    payload = {p.relative_to(exported).as_posix() for p in (exported / "data").rglob("*") if p.is_file()}
    assert payload | {"data/source/plan.pdf"} == set(listed)
    assert listed["data/source/plan.pdf"] == sha256_file(pdf) == result.source.sha256
    for rel in payload:
        assert listed[rel] == sha256_file(exported / rel)
    assert "plan.pdf" in (exported / "fetch.txt").read_text(encoding="utf-8")
    assert {"bagit.txt", "bag-info.txt", "tagmanifest-sha256.txt"} <= {p.name for p in exported.iterdir()}

    clean = verify_bag(exported)
    assert clean.ok and clean.checked == len(listed)

    alto = exported / "data" / "alto" / "p00001.xml"
    original = alto.read_bytes()
    try:
        alto.write_bytes(original.replace(b"pixel", b"mm1pt"))
        (exported / "data" / "stray.txt").write_text("x", encoding="utf-8")
        report = verify_bag(exported)
        assert not report.ok
        assert report.mismatched == ["data/alto/p00001.xml"]
        assert report.unlisted == ["data/stray.txt"]
    finally:
        alto.write_bytes(original)
        (exported / "data" / "stray.txt").unlink()
    assert verify_bag(exported).ok


@needs_ocr
def test_a_page_that_cannot_be_rebuilt_is_a_problem_and_an_empty_page(
    scanned: tuple[Path, DocumentResult], tmp_path: Path
) -> None:
    pdf, result = scanned
    ghost = result.pages[1].model_copy(update={"number": 3})  # the source has two pages
    broken = result.model_copy(update={"pages": [*result.pages, ghost]})
    report = export_document(broken, pdf, tmp_path, {"pdf", "alto"}, tmp_path / ".work", Settings(dpi=DPI))
    assert [(p.stage, p.page) for p in report.problems] == [("export.pdf", 3)]
    assert len(PdfReader(report.written["pdf"][0]).pages) == 3
    assert len(report.written["alto"]) == 3


@needs_ocr
def test_a_missing_source_is_reported_and_the_other_outputs_are_written(
    scanned: tuple[Path, DocumentResult], tmp_path: Path
) -> None:
    _, result = scanned
    report = export_document(
        result, tmp_path / "gone.pdf", tmp_path, {"pdf", "hocr", "events"}, tmp_path, Settings(dpi=DPI)
    )
    assert [p.code for p in report.problems] == ["PS209"]
    assert set(report.written) == {"result", "hocr", "events"}

    changed = tmp_path / "changed.pdf"
    changed.write_bytes(b"%PDF-1.4\n%changed\n")
    report = export_document(result, changed, tmp_path, {"pdf"}, tmp_path, Settings(dpi=DPI))
    assert [p.code for p in report.problems] == ["PS209"]
    assert "changed" in report.problems[0].message or "sha256" in report.problems[0].message


def test_legacy_text_gets_no_pdf_and_no_word_files_but_events(tmp_path: Path) -> None:
    text = tmp_path / "legacy.txt"
    text.write_text("KẾ HOẠCH\nTổ chức phong trào thi đua\n", encoding="utf-8")
    result = process_document(text)
    report = export_document(result, text, tmp_path / "out", {"pdf", "alto", "hocr", "events"}, tmp_path)
    assert report.problems == []
    assert set(report.skipped) == {"pdf", "alto", "hocr"}
    assert "legacy text" in report.skipped["pdf"]
    events = json.loads(report.written["events"][0].read_text(encoding="utf-8"))["events"]
    assert events[0]["type"] == "ingested"
    assert "ocr" not in [e["type"] for e in events]


def test_born_digital_pages_are_copied_as_they_are(tmp_path: Path) -> None:
    fpdf = pytest.importorskip("fpdf")
    font = next((p for p in FONT_CANDIDATES if p.is_file()), None)
    if font is None:
        pytest.skip("no DejaVu or Liberation font in /usr/share/fonts")
    doc = fpdf.FPDF()
    doc.add_page()
    doc.add_font("body", fname=str(font))
    doc.set_font("body", size=11)
    sentence = "Ủy ban nhân dân tỉnh ban hành kế hoạch tổ chức phong trào thi đua giai đoạn 2021 - 2025. "
    doc.multi_cell(0, 6, sentence * 6)
    source = tmp_path / "digital.pdf"
    doc.output(str(source))
    result = process_document(source, Settings(text_layer_min_letters=100))
    assert [p.source for p in result.pages] == ["text_layer"]
    report = export_document(result, source, tmp_path / "out", {"pdf", "alto"}, tmp_path)
    assert report.problems == [] and "alto" in report.skipped
    copied = PdfReader(report.written["pdf"][0])
    assert len(copied.pages) == 1 and "phong trào" in copied.pages[0].extract_text()


@needs_ocr
def test_cli_exports_existing_results_and_verifies_the_bag(
    scanned: tuple[Path, DocumentResult], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, result = scanned
    outputs = tmp_path / "outputs"
    write_result(result, outputs)
    parser = argparse.ArgumentParser(prog="planscan")
    add_parser(parser.add_subparsers(dest="command", required=True))

    args = parser.parse_args(
        ["export", "--outputs", str(outputs), "--alto", "--events", "--bag", "--copy-inputs"]
    )
    assert run(args) == 0
    bag = outputs / "export" / result.doc_id
    assert (bag / "data" / "source" / "plan.pdf").is_file() and not (bag / "fetch.txt").exists()
    assert not (bag / "data" / f"{result.doc_id}.pdf").exists()  # only the formats asked for
    assert run(parser.parse_args(["verify-bag", str(outputs / "export")])) == 0

    (bag / "data" / f"{result.doc_id}.events.json").write_text("{}", encoding="utf-8")
    assert run(parser.parse_args(["verify-bag", str(bag)])) == 3
    assert "changed: data/" in capsys.readouterr().out

    assert run(parser.parse_args(["export", "--outputs", str(outputs), "no-such-id"])) == 2
