"""Digital signatures in a PDF's text layer: recorded with evidence, used to question a later issued date,
never taken as the issued date."""

import datetime as dt

from pipeline.extract import extract_fields
from pipeline.extract.signature import VIETNAM_TIME, find_digital_signature
from pipeline.models import Page

# The layout pdftotext gives for a signed scan: the publishing centre's stamp, then the signer's box,
# with the organisation name wrapped onto a second line.
LAYER = """TRUNG TÂM CÔNG
BÁO VÀ TIN HỌC
congbao@example.gov.vn
14.03.2025 09:05:41
+07:00

Ký bởi: Ủy ban nhân dân tỉnh Hòa
Bình
Cơ quan: Tỉnh Hòa Bình
Thời gian ký: 13/03/2025 16:20:05
"""

HEADER = """ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH
Số: 51/KH-UBND
Hòa Bình, ngày {day} tháng 3 năm 2025
KẾ HOẠCH
Triển khai phong trào thi đua năm 2025"""


def _scan(day: int, layer: str | None = LAYER) -> Page:
    text = HEADER.format(day=day)
    return Page(number=1, text=text, ocr_text=text, mean_confidence=None, source="ocr", text_layer=layer)


def test_signature_box_and_stamp_are_read_from_the_text_layer() -> None:
    found = find_digital_signature([_scan(12)])
    assert found is not None
    sig = found.value
    assert sig.signer_org == "Ủy ban nhân dân tỉnh Hòa Bình"
    assert sig.agency == "Tỉnh Hòa Bình"
    assert sig.signed_at == dt.datetime(2025, 3, 13, 16, 20, 5, tzinfo=VIETNAM_TIME)
    assert sig.published_by == "TRUNG TÂM CÔNG BÁO VÀ TIN HỌC"
    assert sig.published_at == dt.datetime(2025, 3, 14, 9, 5, 41, tzinfo=VIETNAM_TIME)
    for key, ev in found.evidence.items():
        assert ev.source == "text_layer", key
        assert LAYER[ev.start : ev.end] == ev.quote
    assert "Thời gian ký: 13/03/2025" in found.evidence["digital_signature.signed_at"].quote


def test_signing_time_is_not_the_issued_date() -> None:
    fields, evidence, _ = extract_fields([_scan(12)])
    assert fields.issued_date == dt.date(2025, 3, 12)
    assert fields.digital_signature is not None
    assert not evidence["issued_date"].needs_review


def test_issued_date_after_the_signature_is_flagged() -> None:
    fields, evidence, _ = extract_fields([_scan(18)])
    assert fields.issued_date == dt.date(2025, 3, 18)  # kept as read, but questioned
    assert evidence["issued_date"].needs_review and evidence["issued_date"].confidence < 0.6
    assert evidence["issued_date"].note and "2025-03-13" in evidence["issued_date"].note


def test_no_layer_no_signature() -> None:
    fields, evidence, _ = extract_fields([_scan(18, layer=None)])
    assert fields.digital_signature is None
    assert not any(key.startswith("digital_signature") for key in evidence)
    assert not evidence["issued_date"].needs_review


def test_born_digital_text_is_searched_too() -> None:
    text = LAYER + "\n" + HEADER.format(day=12)
    page = Page(number=1, text=text, ocr_text=text, mean_confidence=None, source="text_layer")
    found = find_digital_signature([page])
    assert found is not None and found.value.agency == "Tỉnh Hòa Bình"
    assert found.evidence["digital_signature.agency"].source == "text"


def test_an_impossible_signing_time_is_left_out() -> None:
    broken = LAYER.replace("13/03/2025", "13/13/2025")
    found = find_digital_signature([_scan(12, layer=broken)])
    assert found is not None
    assert found.value.signed_at is None and found.value.signer_org is not None


def test_an_older_box_with_image_labels() -> None:
    # "Người ký" instead of "Ký bởi", values wrapped over lines, the signing time without its label.
    layer = (
        "Người ký: Trung tâm\nCông báo và Tin học\nEmail:\ncongbao@example.gov.vn\n"
        "Cơ quan: Văn phòng Ủy\nban nhân dân, Tỉnh\nHòa Bình\n\n"
        "Ủy ban nhân dân tỉnh\nHòa Bình\n02/12/2021 09:15:40\n"
    )
    found = find_digital_signature([_scan(1, layer=layer)])
    assert found is not None
    assert found.value.signer_org == "Trung tâm Công báo và Tin học"
    assert found.value.agency == "Văn phòng Ủy ban nhân dân, Tỉnh Hòa Bình"
    assert found.value.signed_at == dt.datetime(2021, 12, 2, 9, 15, 40, tzinfo=VIETNAM_TIME)


def test_a_bare_time_in_born_digital_text_is_not_a_signature_time() -> None:
    text = "Ký bởi: Ủy ban nhân dân tỉnh Hòa Bình\n\nCuộc họp lúc 02/12/2021 09:15:40 đã kết thúc."
    page = Page(number=1, text=text, ocr_text=text, mean_confidence=None, source="text_layer")
    found = find_digital_signature([page])
    assert found is not None and found.value.signed_at is None
