import unicodedata

import pytest

from pipeline.errors import UndecodableText
from pipeline.legacy_text import _tcvn3_decode_map, decode_legacy_text

SAMPLE = "Kế hoạch số của Ủy ban nhân dân tỉnh về người nghèo, giảm nghèo bền vững đến năm 2025"


def _encode_tcvn3(text: str) -> bytes:
    inverse = {char: byte for byte, char in _tcvn3_decode_map().items()}
    return bytes(inverse.get(ch, ord(ch)) for ch in text)


def test_utf8_with_bom_and_nfd_becomes_nfc() -> None:
    data = b"\xef\xbb\xbf" + unicodedata.normalize("NFD", SAMPLE).encode("utf-8")
    text, encoding = decode_legacy_text(data)
    assert encoding == "utf-8" and text == SAMPLE


def test_tcvn3_is_detected_and_converted() -> None:
    text, encoding = decode_legacy_text(_encode_tcvn3(SAMPLE.lower()))
    assert encoding == "tcvn3"
    assert text == SAMPLE.lower()


def test_vni_is_refused_with_a_clear_error() -> None:
    # VNI writes "người" as "ngöôøi": base letters followed by Latin-1 mark letters.
    vni = ("Keá hoaïch cuûa ngöôøi ngheøo " * 20).encode("cp1252")
    with pytest.raises(UndecodableText, match="VNI") as info:
        decode_legacy_text(vni)
    assert info.value.code == "PS207"


def test_random_bytes_are_refused() -> None:
    with pytest.raises(UndecodableText):
        decode_legacy_text(bytes(range(128, 256)) * 4)
