"""Whole-document behaviour of the library pipeline: partial success as data, typed failures."""

from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from pipeline import ocr as ocr_module
from pipeline.document import process_document
from pipeline.errors import OcrFailed
from tests.conftest import needs_ocr


def _image_pdf(path: Path, pages: int) -> Path:
    images = [Image.new("RGB", (850, 1100), "white") for _ in range(pages)]
    images[0].save(path, save_all=True, append_images=images[1:], resolution=100)
    return path


def test_text_file_keeps_original_and_normalised_text(tmp_path: Path) -> None:
    path = tmp_path / "legacy.txt"
    path.write_text("Ủy ban nhân dân tỉnh hoà bình\fTrang hai", encoding="utf-8")
    result = process_document(path)
    assert result.status == "ok"
    assert [p.number for p in result.pages] == [1, 2]
    assert result.pages[0].ocr_text == "Ủy ban nhân dân tỉnh hoà bình"
    assert result.pages[0].text == "Ủy ban nhân dân tỉnh hòa bình"
    assert result.pages[0].source == "text_file"


def test_truncated_pdf_fails_with_its_code(tmp_path: Path) -> None:
    good = _image_pdf(tmp_path / "good.pdf", 1)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(good.read_bytes()[:300])
    result = process_document(broken)
    assert result.status == "failed"
    assert [e.code for e in result.errors] == ["PS203"]
    assert result.errors[0].remedy


def test_encrypted_pdf_fails_with_its_code(tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=PdfReader(_image_pdf(tmp_path / "plain.pdf", 1)))
    writer.encrypt(user_password="secret", owner_password="owner")
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as handle:
        writer.write(handle)
    result = process_document(locked)
    assert result.status == "failed"
    assert result.errors[0].code == "PS204"


def test_unsupported_file_still_gets_a_result(tmp_path: Path) -> None:
    path = tmp_path / "minutes.docx"
    path.write_bytes(b"PK\x03\x04 not a plan")
    result = process_document(path)
    assert result.status == "failed" and result.errors[0].code == "PS201"
    assert result.source.sha256 and len(result.doc_id) == 16


@needs_ocr
def test_blank_pages_make_a_failed_document_with_a_reason(tmp_path: Path) -> None:
    result = process_document(_image_pdf(tmp_path / "blank.pdf", 2))
    assert [p.status for p in result.pages] == ["blank", "blank"]
    assert result.status == "failed"
    assert result.errors[-1].code == "PS301"


@needs_ocr
def test_one_bad_page_makes_the_document_partial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scan = tmp_path / "two.pdf"
    pages = []
    for text in ("KẾ HOẠCH", "THỰC HIỆN"):
        image = Image.new("L", (1240, 1754), 255)
        from PIL import ImageDraw, ImageFont

        font = ImageFont.truetype("DejaVuSerif.ttf", 60)
        ImageDraw.Draw(image).text((200, 300), text, font=font, fill=0)
        pages.append(image)
    pages[0].save(scan, save_all=True, append_images=pages[1:], resolution=150)

    real = ocr_module.ocr_page
    calls = {"n": 0}

    def flaky(image: Path, settings):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise OcrFailed("simulated engine crash", page=2)
        return real(image, settings)

    monkeypatch.setattr("pipeline.document.ocr_page", flaky)
    result = process_document(scan)
    assert result.status == "partial"
    assert [(e.stage, e.page, e.code) for e in result.errors] == [("ocr", 2, "PS302")]
    assert result.pages[0].status == "ok" and "HOẠCH" in result.pages[0].text
    assert result.pages[1].status == "failed"


@needs_ocr
def test_a_broken_restorer_keeps_the_ocr_text_and_marks_the_document_partial(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PIL import ImageDraw, ImageFont

    from pipeline.errors import RestorerUnavailable

    image = Image.new("L", (1240, 1754), 255)
    ImageDraw.Draw(image).text((200, 300), "KẾ HOẠCH", font=ImageFont.truetype("DejaVuSerif.ttf", 60), fill=0)
    scan = tmp_path / "one.png"
    image.save(scan, dpi=(150, 150))

    def broken(text: str, words: list) -> None:  # type: ignore[type-arg]
        raise RestorerUnavailable("artefacts missing")

    monkeypatch.setattr("pipeline.document.correct_ocr_text", broken)
    result = process_document(scan)
    assert result.status == "partial"
    assert [(e.stage, e.code) for e in result.errors] == [("restore", "PS501")]
    assert result.pages[0].status == "ok" and result.pages[0].text == result.pages[0].ocr_text
    assert "HOẠCH" in result.pages[0].text
