"""Vietnamese syllables: their diacritic-free keys, their shape, and case patterns."""

from __future__ import annotations

import re
import unicodedata

from pipeline.textnorm import TONE_MARKS, normalize_text, strip_diacritics

# onset + nucleus + coda, on the diacritic-free lower-case form
_SHAPE = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(ch|ng|nh|[cmnptiyuo])?$"
)


def key(token: str) -> str:
    """Lower-case base letters: the lookup key shared by every accented form ("Người" -> "nguoi")."""
    return strip_diacritics(token).lower()


def has_syllable_shape(token: str) -> bool:
    lower = token.lower()
    if not lower.isalpha():
        return False
    tones = sum(1 for ch in unicodedata.normalize("NFD", lower) if ch in TONE_MARKS)
    return tones <= 1 and bool(_SHAPE.match(key(lower)))


def canonical(syllable: str) -> str:
    """Lower case, NFC, house tone placement: the form stored in lexicon and language model."""
    return normalize_text(syllable.lower())


def case_pattern(token: str) -> str:
    letters = [ch for ch in token if ch.isalpha()]
    if not letters:
        return "lower"
    upper = sum(ch.isupper() for ch in letters)
    if len(letters) > 1 and upper * 2 >= len(letters) and upper >= 2:
        return "upper"  # OCR mixes case inside capitals: "PicH" was "ĐÍCH"
    return "title" if letters[0].isupper() else "lower"


def apply_case(syllable: str, pattern: str) -> str:
    if pattern == "upper":
        return syllable.upper()
    if pattern == "title":
        return syllable[:1].upper() + syllable[1:]
    return syllable
