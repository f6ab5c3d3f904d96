"""Unicode normalisation: NFC everywhere, one tone-placement style, ASCII match keys.

Stored text keeps its diacritics; ``match_key`` (unidecode) is only for comparing and looking up.
The house style puts the tone mark the way Vietnamese government documents mostly do ("hòa", "Ủy",
"thúy", "khỏe"), so "hoà" and "hòa" never count as different words.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from unidecode import unidecode

TONE_MARKS = frozenset({"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"})  # huyền, sắc, ngã, hỏi, nặng
SHAPE_MARKS = frozenset({"\u0302", "\u0306", "\u031b"})  # circumflex, breve, horn
_VOWELS = set("aeiouy")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=65536)
def _retone_word(word: str) -> str:
    letters: list[tuple[str, list[str]]] = []
    for ch in unicodedata.normalize("NFD", word):
        if unicodedata.combining(ch) and letters:
            letters[-1][1].append(ch)
        else:
            letters.append((ch, []))
    toned = [(i, m) for i, (_, marks) in enumerate(letters) for m in marks if m in TONE_MARKS]
    if len(toned) != 1:
        return word
    lower = [base.lower() for base, _ in letters]
    vowels = [i for i, c in enumerate(lower) if c in _VOWELS]
    if not vowels:
        return word  # OCR junk such as "ǹ": nothing to move
    start, end = vowels[0], vowels[-1]
    if vowels != list(range(start, end + 1)):
        return word  # not a single Vietnamese syllable
    # "qu" and "gi" + vowel: the u/i belongs to the initial consonant.
    if end > start and start > 0 and (lower[start - 1], lower[start]) in {("q", "u"), ("g", "i")}:
        start += 1
    shaped = [i for i in range(start, end + 1) if any(m in SHAPE_MARKS for m in letters[i][1])]
    if shaped:
        target = shaped[-1]
    elif start == end:
        target = start
    elif end < len(letters) - 1:
        target = end  # closed syllable: hoàng, toán
    elif end - start == 2:
        target = start + 1  # ngoài, khuỷu
    else:
        target = start  # open two-vowel syllable, house style: hòa, thủy, khỏe
    index, tone = toned[0]
    if index == target:
        return word
    letters[index][1].remove(tone)
    letters[target][1].append(tone)
    return unicodedata.normalize("NFC", "".join(base + "".join(marks) for base, marks in letters))


# Look-alikes that OCR engines emit for Vietnamese letters and that never occur in Vietnamese text.
_CONFUSABLES = str.maketrans({"Ð": "Đ", "ð": "đ"})


def normalize_text(text: str) -> str:
    """NFC, the house tone-placement style, and Đ for its look-alike eth; nothing else changes."""
    text = nfc(text).translate(_CONFUSABLES)
    return _WORD.sub(lambda m: _retone_word(m.group(0)), text)


def strip_diacritics(text: str) -> str:
    """Remove Vietnamese diacritics but keep case, spacing and punctuation (đ → d)."""
    out = []
    for ch in nfc(text):
        if ch in "đĐ":
            out.append("d" if ch == "đ" else "D")
            continue
        base = unicodedata.normalize("NFD", ch)[0]
        out.append(base)
    return "".join(out)


def match_key(text: str) -> str:
    """Lower-case ASCII key with collapsed whitespace, for fuzzy comparison only."""
    return " ".join(unidecode(nfc(text)).lower().split())
