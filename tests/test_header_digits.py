"""Handwritten numbers and days: digits the engine read with low confidence are kept but flagged for
review, never reported as sure; text without engine confidences keeps its confidence."""

from pipeline.extract import extract_fields
from pipeline.extract.view import views
from pipeline.models import Page, Word

HEADER = """ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI
Số: 39 /TTr-UBND
Quảng Ngãi, ngày 20 tháng 12 năm 2024
TỜ TRÌNH
Về việc sửa chữa trụ sở"""


def _ocr_page(low: set[str]) -> Page:
    """An OCR'd page whose tokens listed in ``low`` were read at confidence 40, the others at 96."""
    words = [
        Word(text=token, confidence=40.0 if token in low else 96.0, box=(10 * i, 0, 9, 9), line=0)
        for i, token in enumerate(HEADER.split())
    ]
    return Page(number=1, text=HEADER, ocr_text=HEADER, mean_confidence=90.0, source="ocr", words=words)


def test_unsure_digits_are_flagged_for_review() -> None:
    fields, evidence, _ = extract_fields([_ocr_page({"39", "20"})])
    assert fields.number == "39/TTr-UBND"
    assert evidence["number"].needs_review and evidence["number"].confidence < 0.6
    assert evidence["number"].note and "handwritten" in evidence["number"].note
    assert str(fields.issued_date) == "2024-12-20"
    assert evidence["issued_date"].needs_review and evidence["issued_date"].confidence < 0.6


def test_sure_digits_keep_their_confidence() -> None:
    fields, evidence, _ = extract_fields([_ocr_page(set())])
    assert fields.number == "39/TTr-UBND"
    assert not evidence["number"].needs_review and evidence["number"].confidence >= 0.9
    assert not evidence["issued_date"].needs_review


def test_text_without_engine_confidences_is_not_flagged() -> None:
    page = Page(number=1, text=HEADER, ocr_text=None, mean_confidence=None, source="text_file")
    fields, evidence, _ = extract_fields([page])
    assert fields.number == "39/TTr-UBND"
    assert not evidence["number"].needs_review
    assert views([page])[0].ocr_confidence(0, 5) is None


def test_confidences_are_dropped_when_tokens_do_not_align() -> None:
    page = _ocr_page({"39"}).model_copy(update={"text": HEADER + " thêm"})
    assert views([page])[0].token_confidences == ()
