"""The body CER of born-digital PDFs compares like with like: the body after the place-date line and before
"Nơi nhận", in the truth and in the OCR text, whatever stamp specks the rendered page adds around it."""

from pipeline.bench.born_digital import body_pair
from pipeline.bench.metrics import cer

TRUTH = """ỦY BAN NHÂN DÂN
TỈNH HÒA BÌNH
Số: 12/UBND-VX
Hòa Bình, ngày 3 tháng 4 năm 2025
V/v rà soát hộ nghèo năm 2025
Kính gửi: Sở Nội vụ
Đề nghị các cơ quan rà soát danh sách hộ nghèo trước ngày 30/4/2025.
Nơi nhận:
- Như trên;
- Lưu: VT.
Phạm Văn Long"""

OCR = """ỦY BAN NHÂN DÂN
TỈNH HÒA BÌNH
Số: 12/UBND-VX
seo /5/ 24.01.2025 +07:00
Hòa Bình, ngày 3 tháng 4 năm 2025
6 UỶGt 6ay 6
V/v rà soát hộ nghèo năm 2025

Kính gửi: Sở Nội vụ

Đề nghị các cơ quan rà soát danh sách hộ nghèo trước ngày 30/4/2025.
Nơi nhận:
Như trên;
An ly k.:z/HIf
Phạm Văn Long"""


def test_body_is_cut_the_same_way_on_both_sides() -> None:
    truth, ocr = body_pair(TRUTH, OCR)
    assert truth.startswith("V/v rà soát") and truth.endswith("30/4/2025.")
    assert ocr.startswith("V/v rà soát") and ocr.endswith("30/4/2025.")
    assert cer(truth, ocr) == 0.0


def test_reading_errors_in_the_body_count() -> None:
    truth, ocr = body_pair(TRUTH, OCR.replace("danh sách hộ nghèo", "danh sach hô nghèo"))
    assert 0.0 < cer(truth, ocr) < 0.05


def test_a_page_without_a_date_line_is_scored_whole_up_to_the_closing() -> None:
    closing = "Điều 2. Giao Sở Nội vụ.\nNơi nhận:"
    truth, ocr = body_pair(closing + "\n- Lưu: VT.", closing)
    assert truth == ocr == "Điều 2. Giao Sở Nội vụ."
