"""The scan generator: layout, pagination, ground truth, determinism, seal, output files, OCR sanity."""

from __future__ import annotations

import json
import shutil
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from rapidfuzz.distance import Levenshtein

from pipeline import synth
from pipeline.synth import DegradeConfig, SynthFontMissing, degrade, page_size_px, render_pages, synthesise

HEADER = """\
ỦY BAN NHÂN DÂN || CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH QUẢNG TRỊ || Độc lập - Tự do - Hạnh phúc
Số: 2145/KH-UBND || Quảng Trị, ngày 18 tháng 7 năm 2022

# KẾ HOẠCH
# Tổ chức thực hiện Phong trào thi đua "Vì người nghèo - Không để ai bị bỏ lại phía sau" giai đoạn 2021 - 2025
"""

PARAGRAPHS = [
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Luật sửa đổi, bổ sung một số "
    "điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương ngày 22 tháng 11 năm 2019;",
    "Căn cứ Quyết định số 90/QĐ-TTg ngày 18 tháng 01 năm 2022 của Thủ tướng Chính phủ phê duyệt Chương "
    "trình mục tiêu quốc gia giảm nghèo bền vững giai đoạn 2021 - 2025;",
    "I. MỤC ĐÍCH, YÊU CẦU",
    "a) Phát huy sức mạnh của khối đại đoàn kết toàn dân tộc, huy động mọi nguồn lực trong và ngoài tỉnh "
    "để chăm lo cho người nghèo, người yếu thế, đồng bào dân tộc thiểu số ở vùng sâu, vùng xa; góp phần "
    "thực hiện thắng lợi mục tiêu giảm nghèo đa chiều, bao trùm, bền vững, hạn chế tái nghèo.",
    "b) Phấn đấu tỷ lệ hộ nghèo theo chuẩn nghèo đa chiều giai đoạn 2022 - 2025 giảm bình quân từ 1,5% "
    "đến 2%/năm; tỷ lệ hộ nghèo đồng bào dân tộc thiểu số giảm trên 4%/năm.",
]

SIGNATURE = """\
Nơi nhận: || TM. ỦY BAN NHÂN DÂN
- Bộ Lao động - TB và XH; || KT. CHỦ TỊCH
- TT Tỉnh ủy, TT HĐND tỉnh; || PHÓ CHỦ TỊCH
- Lưu: VT, VX. ||
 || Hoàng Nam
"""

SMALL = HEADER + "\n" + "\n\n".join(PARAGRAPHS) + "\n\n" + SIGNATURE
FAST_DPI = 100  # layout is dpi-independent, so most checks run on small images


def _markup_words(markup: str) -> list[str]:
    words: list[str] = []
    for line in unicodedata.normalize("NFC", markup).splitlines():
        line = line[2:] if line.startswith("# ") else line
        words += line.replace("||", " ").split()
    return words


def _long_markup(paragraphs: int = 45) -> str:
    body = [f"{i}. {PARAGRAPHS[i % 2]} Nội dung số {i}." for i in range(1, paragraphs + 1)]
    return HEADER + "\n" + "\n\n".join(body) + "\n\n" + SIGNATURE


@pytest.fixture(scope="module")
def small_pages() -> tuple[list[Image.Image], list[synth.SynthPage]]:
    return render_pages(SMALL, dpi=FAST_DPI)


def test_small_markup_renders_one_a4_page_with_truth_in_reading_order(
    small_pages: tuple[list[Image.Image], list[synth.SynthPage]],
) -> None:
    images, pages = small_pages
    assert len(images) == len(pages) == 1
    assert images[0].size == page_size_px(FAST_DPI) == (827, 1169)
    assert pages[0].number == 1
    lines = pages[0].text.splitlines()
    # two-column rows: left then right; titles and paragraphs one line each
    assert lines[:8] == [
        "ỦY BAN NHÂN DÂN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "TỈNH QUẢNG TRỊ",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 2145/KH-UBND",
        "Quảng Trị, ngày 18 tháng 7 năm 2022",
        "KẾ HOẠCH",
        'Tổ chức thực hiện Phong trào thi đua "Vì người nghèo - Không để ai bị bỏ lại phía sau" '
        "giai đoạn 2021 - 2025",
    ]
    assert lines[8 : 8 + len(PARAGRAPHS)] == PARAGRAPHS
    assert lines[8 + len(PARAGRAPHS) :] == [
        "Nơi nhận:",
        "TM. ỦY BAN NHÂN DÂN",
        "- Bộ Lao động - TB và XH;",
        "KT. CHỦ TỊCH",
        "- TT Tỉnh ủy, TT HĐND tỉnh;",
        "PHÓ CHỦ TỊCH",
        "- Lưu: VT, VX.",
        "Hoàng Nam",
    ]
    assert pages[0].text == unicodedata.normalize("NFC", pages[0].text)


def test_page_size_follows_dpi() -> None:
    assert page_size_px(300) == (2480, 3508)
    assert page_size_px(150) == (1240, 1754)
    images, _ = render_pages("Một dòng.", dpi=150)
    assert images[0].size == (1240, 1754)
    assert images[0].info["dpi"] == (150, 150)


def test_signature_box_only_on_the_signature_page(
    small_pages: tuple[list[Image.Image], list[synth.SynthPage]],
) -> None:
    images, _ = small_pages
    x0, y0, x1, y1 = images[-1].info[synth.SIGNATURE_BOX_KEY]
    w, h = images[-1].size
    # in the right column, in the lower part of the page, tall enough to sign in
    assert w * 0.35 < x0 < x1 <= w and h * 0.4 < y0 < y1 < h and y1 - y0 > 20
    assert synth.SIGNATURE_BOX_KEY not in render_pages("Không có chữ ký.", dpi=FAST_DPI)[0][0].info


def test_long_input_paginates_without_losing_or_reordering_text() -> None:
    markup = _long_markup()
    _, pages = render_pages(markup, dpi=72)
    assert len(pages) >= 2
    assert [p.number for p in pages] == list(range(1, len(pages) + 1))
    truth_words = [w for p in pages for w in p.text.split()]
    assert truth_words == _markup_words(markup)
    # same layout at any dpi: ground truth and page breaks do not move
    assert [p.text for p in render_pages(markup, dpi=FAST_DPI)[1]] == [p.text for p in pages]


def test_two_column_rows_are_never_split_across_pages() -> None:
    rows = "\n".join(f"- Đơn vị nhận số {i}; || Mục ký số {i}" for i in range(120))
    markup = "\n\n".join(PARAGRAPHS * 3) + "\n\nNơi nhận: || TM. ỦY BAN NHÂN DÂN\n" + rows
    _, pages = render_pages(markup, dpi=72)
    assert len(pages) >= 3  # the recipients table itself is longer than a page
    assert [w for p in pages for w in p.text.split()] == _markup_words(markup)
    for i in range(120):
        holding = [p.number for p in pages if f"- Đơn vị nhận số {i};\nMục ký số {i}\n" in p.text + "\n"]
        assert len(holding) == 1, f"row {i} split or lost"


def test_truth_is_nfc_even_for_decomposed_input() -> None:
    nfd = unicodedata.normalize("NFD", "Ủy ban nhân dân tỉnh Quảng Trị ban hành kế hoạch.")
    _, pages = render_pages(nfd, dpi=FAST_DPI)
    assert pages[0].text == "Ủy ban nhân dân tỉnh Quảng Trị ban hành kế hoạch."


def test_empty_markup_and_bad_arguments_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no text"):
        render_pages("\n  \n", dpi=FAST_DPI)
    with pytest.raises(ValueError, match="dpi"):
        render_pages("x", dpi=2000)
    with pytest.raises(ValueError, match="format"):
        synthesise("x", tmp_path / "doc", dpi=FAST_DPI, formats=("bmp",))


def test_degradation_is_deterministic_per_seed(
    small_pages: tuple[list[Image.Image], list[synth.SynthPage]],
) -> None:
    clean = small_pages[0][0]
    config = DegradeConfig()

    def run(seed: int) -> bytes:
        return degrade(clean, rng=np.random.default_rng(seed), config=config, dpi=FAST_DPI).tobytes()

    assert run(7) == run(7)
    assert run(7) != run(8)


def test_synthesise_files_are_reproducible(tmp_path: Path) -> None:
    a = synthesise(SMALL, tmp_path / "a" / "doc", dpi=FAST_DPI, seed=3, formats=("png", "pdf"))
    b = synthesise(SMALL, tmp_path / "b" / "doc", dpi=FAST_DPI, seed=3, formats=("png", "pdf"))
    c = synthesise(SMALL, tmp_path / "c" / "doc", dpi=FAST_DPI, seed=4, formats=("png",))
    assert a.pdf_path is not None and b.pdf_path is not None
    assert a.pdf_path.read_bytes() == b.pdf_path.read_bytes()
    assert a.image_paths[0].read_bytes() == b.image_paths[0].read_bytes()
    assert a.image_paths[0].read_bytes() != c.image_paths[0].read_bytes()


def _red_pixels(image: Image.Image) -> int:
    rgb = np.asarray(image.convert("RGB")).astype(int)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return int(((r > 140) & (r - g > 70) & (r - b > 60)).sum())


@pytest.mark.parametrize("background", [True, False])
def test_seal_only_when_asked(
    small_pages: tuple[list[Image.Image], list[synth.SynthPage]], background: bool
) -> None:
    clean = small_pages[0][-1]
    with_seal = degrade(
        clean, rng=np.random.default_rng(1), config=DegradeConfig(background=background), dpi=FAST_DPI
    )
    without = degrade(
        clean,
        rng=np.random.default_rng(1),
        config=DegradeConfig(seal=False, background=background),
        dpi=FAST_DPI,
    )
    # a 34-38 mm seal at 100 dpi covers well over a thousand pixels with red ink
    assert _red_pixels(with_seal) > 1000
    assert _red_pixels(without) == 0
    assert with_seal.size == clean.size and with_seal.mode == "RGB"


def test_strength_presets() -> None:
    clean = DegradeConfig.at_strength(0)
    assert (clean.skew_max_deg, clean.blur, clean.noise, clean.jpeg_quality, clean.background) == (
        0,
        0,
        0,
        None,
        False,
    )
    assert DegradeConfig.at_strength(1) == DegradeConfig()
    heavy = DegradeConfig.at_strength(3)
    assert heavy.skew_max_deg == 1.5 and heavy.jpeg_quality == 40
    with pytest.raises(ValueError):
        DegradeConfig(jpeg_quality=5)


def test_synthesise_writes_every_format_and_truth(tmp_path: Path) -> None:
    markup = _long_markup(30)
    stem = tmp_path / "out" / "plan"
    result = synthesise(markup, stem, dpi=FAST_DPI, seed=5, formats=("pdf", "png", "tiff"))
    n = len(result.pages)
    assert n >= 2
    assert result.pdf_path == tmp_path / "out" / "plan.pdf" and result.pdf_path.is_file()
    pngs = [p for p in result.image_paths if p.suffix == ".png"]
    assert [p.name for p in pngs] == [f"plan-p{i}.png" for i in range(1, n + 1)]
    with Image.open(pngs[0]) as png:
        assert png.size == page_size_px(FAST_DPI)
        assert round(png.info["dpi"][0]) == FAST_DPI
    tiff = tmp_path / "out" / "plan.tiff"
    with Image.open(tiff) as tif:
        assert getattr(tif, "n_frames", 1) == n
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(str(result.pdf_path))
    assert len(reader.pages) == n
    box = reader.pages[0].mediabox  # A4 in points: the pdf carries the true resolution
    assert abs(float(box.width) - 595.3) < 1.5 and abs(float(box.height) - 841.9) < 1.5

    truth = json.loads((tmp_path / "out" / "plan.truth.json").read_text(encoding="utf-8"))
    assert "pdf_path" not in truth and "image_paths" not in truth
    assert (truth["dpi"], truth["seed"]) == (FAST_DPI, 5)
    assert [p["text"] for p in truth["pages"]] == [p.text for p in result.pages]
    assert [w for p in truth["pages"] for w in p["text"].split()] == _markup_words(markup)


def test_missing_font_is_a_typed_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(synth.shutil, "which", lambda _name: None)
    monkeypatch.setattr(synth, "_FONT_DIRS", (Path("/nonexistent"),))
    synth._font_path.cache_clear()
    try:
        with pytest.raises(SynthFontMissing) as info:
            synth._font_path("regular")
        assert info.value.code == "PS105"
        assert "fonts-liberation2" in info.value.remedy
    finally:
        monkeypatch.undo()
        synth._font_path.cache_clear()


def _tesseract_vie() -> bool:
    if shutil.which("tesseract") is None:
        return False
    import pytesseract

    try:
        return "vie" in pytesseract.get_languages(config="")
    except Exception:
        return False


@pytest.mark.ocr
@pytest.mark.skipif(not _tesseract_vie(), reason="needs tesseract with the vie language data")
def test_degraded_first_page_stays_readable_by_tesseract() -> None:
    import pytesseract

    dpi = 200
    images, pages = render_pages(_long_markup(12), dpi=dpi)
    assert len(pages) >= 2  # page 1: header, titles and a full page of body text
    scan = degrade(images[0], rng=np.random.default_rng(11), config=DegradeConfig(), dpi=dpi)
    # psm 4 reads each line across both columns: the ground truth's row order
    ocr = pytesseract.image_to_string(scan.convert("L"), lang="vie", config=f"--psm 4 --dpi {dpi}")
    got = " ".join(unicodedata.normalize("NFC", ocr).split())
    want = " ".join(pages[0].text.split())
    assert "Số: 2145/KH-UBND" in got
    assert "Quảng Trị, ngày 18 tháng 7 năm 2022" in got
    cer = Levenshtein.distance(got, want) / len(want)
    assert cer <= 0.05, f"CER {cer:.3f}"
