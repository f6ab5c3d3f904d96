"""Header and closing as real scans read: a stamp box beside the issuer block, an unreadable handwritten
day, a seal over the title line, and a draft appended after the signed document."""

import pytest

from pipeline.extract import extract_fields
from pipeline.models import Evidence, Page

STAMPED_HEADER = """ỦY BAN NHÂN DÂN
TỈNH QUẢNG NGÃI
Số: ế†I /QĐ-UBND

TRUNG TÂM CÔNG Thời gian ký: 06/02/2025
BÁO VÀ TIN HỌC
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Quảng Ngãi, ngày Oÿ_ tháng 02 năm 2025

QUYẾT ĐỊNH
Về việc giao đất xây dựng nhà văn hóa thôn"""


def _page(text: str, number: int = 1) -> Page:
    return Page(number=number, text=text, ocr_text=text, mean_confidence=None, source="ocr")


def test_issuer_block_ends_at_the_number_line_not_in_the_stamp() -> None:
    fields, evidence, _ = extract_fields([_page(STAMPED_HEADER)])
    assert fields.issuer.name == "Ủy ban nhân dân tỉnh Quảng Ngãi"
    assert "TRUNG TÂM" not in evidence["issuer.name"].quote


def test_place_is_read_when_the_handwritten_day_is_not() -> None:
    fields, evidence, _ = extract_fields([_page(STAMPED_HEADER)])
    assert fields.place == "Quảng Ngãi"
    assert fields.issued_date is None and "issued_date" not in evidence
    assert fields.number is None


def test_noise_above_the_number_line_is_not_the_issuer() -> None:
    text = "VỮNG S^0 LŨ HÀ NHỌC Q. NGÃI |\n\nSổ:\n\n" + STAMPED_HEADER
    fields, _, _ = extract_fields([_page(text)])
    assert fields.issuer.name == "Ủy ban nhân dân tỉnh Quảng Ngãi"


def test_issuer_after_a_stamp_on_a_born_digital_page() -> None:
    text = "TRUNG TÂM CÔNG\nBÁO VÀ TIN HỌC\n\nỦY BAN NHÂN DÂN\nTỈNH QUẢNG NGÃI\n\nCHỈ THỊ\nVề phòng chống bão"
    fields, _, _ = extract_fields([_page(text)])
    assert fields.issuer.name == "Ủy ban nhân dân tỉnh Quảng Ngãi"


SIGNED = """Kính trình Hội đồng nhân dân tỉnh xem xét, quyết nghị./.

Nơi nhận:
- Như trên;
- Lưu: VT.

TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Lê Minh Khoa"""

DRAFT = """DỰ THẢO
NGHỊ QUYẾT
Điều 1. Giao dự toán năm 2025.

Nơi nhận:
- UBTV Quốc hội;
- Lưu: VT.

CHỦ TỊCH
Phan Thị Hồng"""


def test_signer_of_the_signed_document_not_of_the_appended_draft() -> None:
    pages = [_page(STAMPED_HEADER), _page(SIGNED, 2), _page("Phần dự thảo kèm theo.", 3), _page(DRAFT, 4)]
    fields, evidence, _ = extract_fields(pages)
    assert fields.signer.name == "Lê Minh Khoa"
    assert evidence["signer.name"].page == 2
    assert fields.recipients == ["Như trên", "Lưu: VT"]


def test_name_under_a_blotted_title_is_kept_for_review() -> None:
    closing = "Nơi nhận:\n- Như trên;\n- Báo Quảng Ngãi;\n- Lưu: VT.\n\n= TỦ TỊCH\nQAS Hà\n- Đặng Văn Minh"
    fields, evidence, _ = extract_fields([_page(STAMPED_HEADER), _page(closing, 2)])
    assert fields.signer.name == "Đặng Văn Minh"
    assert fields.signer.title is None
    assert evidence["signer.name"].confidence <= 0.6 and evidence["signer.name"].note


def test_a_recipient_is_not_taken_for_a_signer() -> None:
    closing = "Nơi nhận:\n- Như trên;\n- Báo Quảng Ngãi;\n- Lưu: VT."
    fields, _, _ = extract_fields([_page(STAMPED_HEADER), _page(closing, 2)])
    assert fields.signer.name is None


def test_a_name_cut_by_the_seal_is_flagged() -> None:
    closing = "Nơi nhận:\n- Như trên;\n\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nn Hoàng Tuấn"
    fields, evidence, _ = extract_fields([_page(STAMPED_HEADER), _page(closing, 2)])
    assert fields.signer.name == "Hoàng Tuấn"
    assert evidence["signer.name"].needs_review


def _title_of(after_type_line: str) -> str | None:
    text = "ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NGÃI\nSố: 12/CT-UBND\n\nCHỈ THỊ\n\n" + after_type_line
    fields, _, _ = extract_fields([_page(text)])
    return fields.title


def test_a_year_name_in_the_title_is_not_a_body_opening() -> None:
    title = _title_of("Về việc đón Tết Nguyên đán\nNhâm Dần an toàn, tiết kiệm\n\nThực hiện Chỉ thị số 11")
    assert title == "Về việc đón Tết Nguyên đán Nhâm Dần an toàn, tiết kiệm"


def test_a_blank_line_after_a_comma_does_not_end_the_title() -> None:
    title = _title_of("Về quy hoạch du lịch đến năm 2020,\n\ntầm nhìn đến năm 2025\n\nKính gửi: Sở Nội vụ")
    assert title == "Về quy hoạch du lịch đến năm 2020, tầm nhìn đến năm 2025"


def test_a_body_opening_with_its_date_ends_the_title() -> None:
    title = _title_of("Kết luận của Chủ tịch tại cuộc họp\nNgày 03/01/2025, Chủ tịch chủ trì họp")
    assert title == "Kết luận của Chủ tịch tại cuộc họp"


def test_stops_match_folded_on_text_without_diacritics() -> None:
    assert _title_of("Ve viec don Tet\nNham bao dam an toan") == "Ve viec don Tet"


def test_a_unique_family_name_ending_is_completed_and_flagged() -> None:
    closing = "Nơi nhận:\n- Như trên;\n\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nrần Văn Bình"
    fields, evidence, _ = extract_fields([_page(STAMPED_HEADER), _page(closing, 2)])
    assert fields.signer.name == "Trần Văn Bình"
    assert evidence["signer.name"].needs_review and "'rần'" in (evidence["signer.name"].note or "")
    assert evidence["signer.name"].quote == "rần Văn Bình"


def test_a_fragment_without_title_line_is_completed_too() -> None:
    closing = "Nơi nhận:\n- Như trên;\n- Lưu: VT.\n\nhạm Văn Long"
    fields, evidence, _ = extract_fields([_page(STAMPED_HEADER), _page(closing, 2)])
    assert fields.signer.name == "Phạm Văn Long"
    assert evidence["signer.name"].needs_review


def test_a_garbled_recipients_heading_still_opens_the_closing() -> None:
    closing = "Nói nhìn:\n- Như trên;\n- Lưu: VT.\n\nTHU ỐNG TRỰC\nPHỐ THƯỜNG TRỰC\n\nVõ Thị Lan"
    fields, evidence, _ = extract_fields([_page(STAMPED_HEADER), _page(closing, 2)])
    assert fields.recipients == ["Như trên", "Lưu: VT"]
    assert fields.signer.name == "Võ Thị Lan" and evidence["signer.name"].note


def test_a_garbled_heading_needs_its_own_line_and_its_colon() -> None:
    closing = "Nơi nhìn ra sông giữ làm bãi tập kết vật liệu.\n\nVõ Thị Lan"
    fields, _, _ = extract_fields([_page(STAMPED_HEADER), _page(closing, 2)])
    assert fields.recipients == [] and fields.signer.name is None


def test_a_page_that_lost_its_header_opens_with_its_title_for_review() -> None:
    text = (
        'Triển khai thực hiện cuộc vận động\n"Ngày vì người nghèo" năm 2023\n\n'
        "Thực hiện Kế hoạch số 41/KH-UBND ngày 12/8/2022 của Ủy ban nhân dân huyện, Ban Thường trực "
        "xây dựng kế hoạch như sau:"
    )
    fields, evidence, _ = extract_fields([_page(text)])
    assert fields.title == 'Triển khai thực hiện cuộc vận động "Ngày vì người nghèo" năm 2023'
    assert evidence["title"].needs_review


def test_opening_lines_that_no_body_follows_are_no_title() -> None:
    text = "Một số giải pháp trọng tâm\n\n- Rà soát, phân loại hộ nghèo theo từng nguyên nhân."
    fields, _, _ = extract_fields([_page(text)])
    assert fields.title is None


def _movement_of(unit: str, movement: str) -> tuple[str | None, Evidence]:
    """The movement read from a plan of ``unit`` whose title names ``movement``."""
    text = (
        f"ỦY BAN NHÂN DÂN\n{unit.upper()}\nSố: 88/KH-UBND\n\nKẾ HOẠCH\n"
        f'Thực hiện Phong trào thi đua "{movement}"\n\nCăn cứ Luật Thi đua, khen thưởng;'
    )
    fields, evidence, _ = extract_fields([_page(text)])
    return fields.movement, evidence["movement"]


def test_a_movement_ending_with_a_national_name_takes_its_spelling() -> None:
    movement, evidence = _movement_of(
        "tỉnh Hà Nam", "Hà Nam cùng cử nước chung tay vì người nghèo - Không để ai bị bỏ lại phía sau"
    )
    assert movement == "Hà Nam cùng cả nước chung tay vì người nghèo - Không để ai bị bỏ lại phía sau"
    assert "cử nước" in evidence.quote and evidence.note


def test_a_local_movement_name_is_left_as_read() -> None:
    movement, evidence = _movement_of("huyện Mường Lát", "Mường Lát chung tay vì người nghèo")
    assert movement == "Mường Lát chung tay vì người nghèo" and evidence.note is None


@pytest.mark.parametrize("type_line", ["QUYẾT ĐỊNH CỦA ỦY BAN NHÂN DÂN TỈNH", "QUYẾT ĐỊNH CỦA\nUBND TỈNH"])
def test_an_older_type_line_names_its_issuer_and_the_enacting_line_is_not_the_type_line(
    type_line: str,
) -> None:
    text = (
        "ỦY BAN NHÂN DÂN\nTỈNH HÀ GIANG\nSố: 88/QĐ-UB\n\nHà Giang, ngày 3 tháng 4 năm 1998\n\n"
        f"{type_line}\nVề việc : Cấp đất làm trường học thôn Na Khê\n\n"
        "ỦY BAN NHÂN DÂN TỈNH HÀ GIANG\n\nCăn cứ Luật Tổ chức HĐND và UBND ngày 21/6/1994;\n\n"
        "QUYẾT ĐỊNH\n\nĐiều 1: Cấp cho thôn Na Khê một lô đất để làm trường học."
    )
    fields, evidence, _ = extract_fields([_page(text)])
    assert fields.title == "Về việc : Cấp đất làm trường học thôn Na Khê"
    assert evidence["title"].quote in text
    assert fields.document_type == "QĐ"


def test_an_issuer_block_ends_at_an_older_type_line() -> None:
    text = (
        "ỦY BAN NHÂN DÂN\nTỈNH HÀ GIANG\nQUYẾT ĐỊNH CỦA ỦY BAN NHÂN DÂN TỈNH\nVề việc cấp đất làm trường học"
    )
    fields, _, _ = extract_fields([_page(text)])
    assert fields.issuer is not None and fields.issuer.name == "Ủy ban nhân dân tỉnh Hà Giang"
