"""Image inputs: multi-page TIFF, and pages scanned sideways (orientation from Tesseract OSD)."""

from pathlib import Path

import pytest
from PIL import Image

from pipeline.document import process_document
from pipeline.synth import render_pages
from tests.conftest import needs_ocr

pytestmark = [pytest.mark.ocr, needs_ocr]

PARAGRAPH = (
    "Ủy ban nhân dân tỉnh ban hành Kế hoạch triển khai công tác giảm nghèo bền vững năm 2022 trên địa bàn "
    "tỉnh với các nội dung chủ yếu như sau, bảo đảm thiết thực, hiệu quả và đúng đối tượng."
)
MARKUP = "\n".join(
    [
        "ỦY BAN NHÂN DÂN || CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "TỈNH PHÚ YÊN || Độc lập - Tự do - Hạnh phúc",
        "Số: 31/KH-UBND || Phú Yên, ngày 9 tháng 5 năm 2022",
        "",
        "# KẾ HOẠCH",
        "# Triển khai công tác giảm nghèo bền vững năm 2022",
        "",
        PARAGRAPH,
    ]
)


def _page(dpi: int = 200) -> Image.Image:
    pages, _truth = render_pages(MARKUP, dpi=dpi)
    return pages[0].convert("L")


def test_multipage_tiff_gives_one_page_each(tmp_path: Path) -> None:
    first = _page()
    second = Image.new("L", first.size, 255)
    path = tmp_path / "scan.tiff"
    first.save(path, save_all=True, append_images=[second], compression="tiff_deflate", dpi=(200, 200))
    result = process_document(path)
    assert [p.number for p in result.pages] == [1, 2]
    assert [p.status for p in result.pages] == ["ok", "blank"]
    assert result.status == "ok"
    assert result.fields.number == "31/KH-UBND"
    assert result.fields.province == "Phú Yên"


def test_sideways_page_is_turned_upright(tmp_path: Path) -> None:
    path = tmp_path / "sideways.png"
    _page().rotate(90, expand=True).save(path, dpi=(200, 200))
    result = process_document(path)
    page = result.pages[0]
    assert page.rotation in (90, 270)
    assert result.fields.number == "31/KH-UBND"
    assert "KẾ HOẠCH" in page.text
