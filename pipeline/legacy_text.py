"""Decode legacy OCR text files: UTF-8/UTF-16, Windows-1258 and TCVN3 (ABC) are converted; VNI and
unknown byte soups are refused with a clear error rather than guessed."""

from __future__ import annotations

import json
import unicodedata
from functools import lru_cache
from pathlib import Path

from pipeline.errors import UndecodableText
from pipeline.textnorm import SHAPE_MARKS, TONE_MARKS, nfc

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
TCVN3_TABLE = MODELS_DIR / "encodings" / "tcvn3.json"

# VNI stores marks as separate Latin-1 letters after the vowel; these pairs are rare in any real language.
_VNI_MARKERS = ("aù", "aø", "eà", "oä", "öô", "ñ", "ö")


def is_vietnamese_letter(ch: str) -> bool:
    if ch in "đĐ":
        return True
    parts = unicodedata.normalize("NFD", ch)
    base, marks = parts[0], set(parts[1:])
    return base.isascii() and base.isalpha() and marks <= (TONE_MARKS | SHAPE_MARKS)


def vietnamese_letter_share(text: str) -> float:
    """Share of letters that belong to the Vietnamese alphabet (1.0 for clean Vietnamese or ASCII)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0
    return sum(is_vietnamese_letter(ch) for ch in letters) / len(letters)


@lru_cache(maxsize=1)
def _tcvn3_decode_map() -> dict[int, str]:
    table: dict[str, str] = json.loads(TCVN3_TABLE.read_text(encoding="utf-8"))["bytes"]
    return {int(key, 16): value for key, value in table.items()}


def decode_tcvn3(data: bytes) -> str:
    table = _tcvn3_decode_map()
    return nfc("".join(table.get(b, chr(b)) for b in data))


def decode_legacy_text(data: bytes) -> tuple[str, str]:
    """Return (NFC text, encoding name) or raise ``UndecodableText``."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return nfc(data.decode("utf-16")), "utf-16"
    try:
        return nfc(data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    latin = data.decode("cp1252", errors="replace")
    if sum(latin.count(marker) for marker in _VNI_MARKERS) > max(5, len(latin) // 200):
        raise UndecodableText("the file looks VNI-encoded, which planscan does not convert")
    candidates = []
    for name, decode in (("cp1258", lambda b: nfc(b.decode("cp1258"))), ("tcvn3", decode_tcvn3)):
        try:
            text = decode(data)
        except UnicodeDecodeError:
            continue
        candidates.append((vietnamese_letter_share(text), name, text))
    if candidates:
        share, name, text = max(candidates)
        if share >= 0.97:
            return text, name
    raise UndecodableText("the file is neither UTF-8 nor a recognised Vietnamese legacy encoding")


def build_tcvn3_table(out: Path = TCVN3_TABLE) -> None:
    """Regenerate the TCVN3 byte table from glibc iconv (TCVN5712-1), byte by byte."""
    from pipeline.tools import run_bytes

    table = {}
    for byte in range(0x80, 0x100):
        decoded = run_bytes(["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], bytes([byte]))
        if decoded:
            table[f"{byte:02X}"] = nfc(decoded.decode("utf-8"))
    payload = {"source": "glibc iconv TCVN5712-1, bytes 0x80-0xFF", "bytes": table}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
