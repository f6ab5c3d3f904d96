from pathlib import Path

import cv2
import numpy as np

from pipeline.preprocess import despeckle, estimate_skew, preprocess, remove_rules, rotate


def _text_like_page() -> np.ndarray:
    page = np.full((1200, 900), 255, np.uint8)
    for row in range(100, 1100, 40):
        for col in range(80, 820, 60):
            cv2.rectangle(page, (col, row), (col + 45, row + 14), 0, -1)  # word-shaped blobs on lines
    return page


def test_skew_is_measured_and_undone() -> None:
    page = _text_like_page()
    tilted = rotate(page, 2.0)
    angle = estimate_skew(tilted)
    assert abs(angle + 2.0) <= 0.3
    assert abs(estimate_skew(rotate(tilted, angle))) <= 0.3


def test_red_seal_is_detected_and_suppressed(tmp_path: Path) -> None:
    bgr = cv2.cvtColor(_text_like_page(), cv2.COLOR_GRAY2BGR)
    cv2.circle(bgr, (600, 900), 150, (40, 40, 220), 12)  # a red ring over the text
    src, dst = tmp_path / "in.png", tmp_path / "out.pgm"
    cv2.imwrite(str(src), bgr)
    report = preprocess(src, dst, dpi=300)
    assert report.seal_detected
    grey = cv2.imread(str(dst), cv2.IMREAD_GRAYSCALE)
    ring_pixel = grey[900, 600 + 150]
    assert ring_pixel > 180, "red ink should fade to near white"


def test_a_small_seal_on_a_large_white_page_is_detected(tmp_path: Path) -> None:
    # An A4 page at 300 dpi with a seal ring covering well under 1 % of it, as on real scans.
    bgr = np.full((3508, 2480, 3), 255, np.uint8)
    bgr[200:1200:40, 200:2200] = 0  # text lines
    cv2.circle(bgr, (1600, 2900), 180, (50, 40, 200), 25)
    src, dst = tmp_path / "in.png", tmp_path / "out.pgm"
    cv2.imwrite(str(src), bgr)
    assert preprocess(src, dst, dpi=300).seal_detected


def test_black_and_white_page_has_no_seal(tmp_path: Path) -> None:
    src, dst = tmp_path / "in.png", tmp_path / "out.pgm"
    cv2.imwrite(str(src), _text_like_page())
    assert not preprocess(src, dst, dpi=300).seal_detected


def test_blank_page_is_flagged(tmp_path: Path) -> None:
    src, dst = tmp_path / "blank.png", tmp_path / "out.pgm"
    cv2.imwrite(str(src), np.full((1000, 800), 250, np.uint8))
    assert preprocess(src, dst, dpi=300).blank


def test_low_resolution_pages_are_upscaled(tmp_path: Path) -> None:
    src, dst = tmp_path / "small.png", tmp_path / "out.pgm"
    cv2.imwrite(str(src), cv2.resize(_text_like_page(), (300, 400)))
    report = preprocess(src, dst, dpi=100)
    assert report.scale == 3.0 and report.width == 900


def test_long_underlines_are_removed_but_text_blobs_stay() -> None:
    page = _text_like_page()
    cv2.line(page, (100, 80), (800, 80), 0, 2)
    cleaned = remove_rules(page)
    assert cleaned[80, 450] == 255
    assert cleaned[107, 100] == 0


def test_isolated_specks_go_but_marks_beside_letters_stay() -> None:
    page = np.full((600, 600), 255, np.uint8)
    cv2.rectangle(page, (100, 100), (160, 130), 0, -1)  # a letter-sized blob
    cv2.circle(page, (130, 92), 2, 0, -1)  # a tone mark just above it
    cv2.circle(page, (400, 400), 2, 0, -1)  # a speck alone in the margin
    cv2.circle(page, (188, 115), 2, 0, -1)  # a speck further than the isolation distance to the right
    cleaned = despeckle(page)
    assert cleaned[92, 130] == 0
    assert cleaned[400, 400] == 255
    assert cleaned[115, 188] == 255
    assert cleaned[115, 130] == 0  # the letter itself is never touched
