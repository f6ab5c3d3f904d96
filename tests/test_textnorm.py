import unicodedata

import pytest

from pipeline.textnorm import match_key, normalize_text, strip_diacritics


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("hoà", "hòa"),
        ("Uỷ ban", "Ủy ban"),
        ("UỶ BAN", "ỦY BAN"),
        ("thuý", "thúy"),
        ("khoẻ", "khỏe"),
        ("Hoà Bình", "Hòa Bình"),
        # already in house style or with one possible place: unchanged
        ("hòa", "hòa"),
        ("quý", "quý"),
        ("hoàng", "hoàng"),
        ("người", "người"),
        ("giữ", "giữ"),
        ("ngoài", "ngoài"),
        ("khuỷu", "khuỷu"),
        ("rượu", "rượu"),
        ("tuổi", "tuổi"),
        # OCR junk with a tone mark but no vowel, or marks on several letters: left alone
        ("ǹ", "ǹ"),
        ("ḿm", "ḿm"),
        ("àá", "àá"),
    ],
)
def test_tone_placement_house_style(given: str, expected: str) -> None:
    assert normalize_text(given) == expected


def test_output_is_nfc_and_keeps_everything_else() -> None:
    decomposed = unicodedata.normalize("NFD", "Số: 119/KH-UBND, ngày 07/9/2022 — hoà")
    result = normalize_text(decomposed)
    assert result == "Số: 119/KH-UBND, ngày 07/9/2022 — hòa"
    assert unicodedata.is_normalized("NFC", result)


def test_strip_diacritics_keeps_d_bar_as_d_and_length() -> None:
    text = "Đảng bộ đã ĐỀ RA"
    assert strip_diacritics(text) == "Dang bo da DE RA"
    assert len(strip_diacritics(text)) == len(text)


def test_match_key_is_ascii_lower_and_collapses_space() -> None:
    assert match_key("  Thái   Bình ") == "thai binh"
    assert match_key("ĐẢNG") == "dang"
