"""A targeted second reading of handwritten digits: the document number and the issued day.

On real scans the number after "Số:" and the day after "ngày" are often handwritten or stamped, and the
page-wide OCR reads them badly ("80" for 280, "#4" for 24). When the first reading is unsure, the strip is
cropped and read again as one line restricted to digits, once per binarisation, and the readings vote.
The digit classifier (``pipeline.digits``), trained on handwriting, reads the same strip glyph by glyph,
with the vote as a second witness for each glyph; when it is sure of every glyph its reading stands, else
the vote's. Every second reading stays flagged for review.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from pipeline import tools
from pipeline.digits import read_glyphs
from pipeline.models import SURE_DIGITS_CONFIDENCE, DigitsCandidate, NumberReread, Word
from pipeline.textnorm import match_key

_LABEL = re.compile(r"^s[o0-9]\s*[:;.]")
_READ = re.compile(r"[:;.]\s*(\d{1,5})\s*$")
_WHITELIST = "Sốo:0123456789"
_HEADER_SHARE = 0.4  # the "Số:" line sits in the top part of page 1
_PAD = 12  # pixels around the crop at 300 dpi; ink of handwritten digits overshoots the line
_SEARCH_WORDS = 4  # the symbol follows the label within a few words
_SPECKS = "`'\".,‘’“”^~"
_DIGIT_LIKE = "|lI!"  # what the engine gives for a pen 1 ("3|" for 31)
MIN_GLYPH_PROBABILITY = 0.5  # every glyph's digit must be more likely than all the others together
# How much more likely a digit is once Tesseract's vote names it in the same place: its odds if the
# engine reads half of pen digits right and spreads its errors over the nine others (0.5 / (0.5 / 9)).
TESSERACT_AGREEMENT = 9.0


def _between(
    words: list[Word], height: int, opens: Callable[[Word], bool], closes: Callable[[Word], bool]
) -> tuple[Word, list[Word], Word] | None:
    """In the header: a word that ``opens``, the words after it on its line, and the first that ``closes``."""
    for index, word in enumerate(words):
        if word.box[1] > height * _HEADER_SHARE or not opens(word):
            continue
        following = [w for w in words[index + 1 : index + 1 + _SEARCH_WORDS] if w.line == word.line]
        end = next((i for i, w in enumerate(following) if closes(w)), None)
        if end is not None:
            return word, following[:end], following[end]
    return None


def _number_words(words: list[Word], height: int) -> tuple[Word, list[Word], Word] | None:
    """The "Số:" word, the words between it and the symbol, and the symbol word ("/TTr-UBND")."""
    return _between(words, height, lambda w: bool(_LABEL.match(match_key(w.text))), lambda w: "/" in w.text)


def _band(page: np.ndarray, boxes: list[tuple[int, int, int, int]]) -> tuple[int, int]:
    """Top and bottom of the line the boxes sit on, padded: handwriting overshoots it."""
    top = max(0, min(b[1] for b in boxes) - _PAD)
    return top, min(page.shape[0], max(b[1] + b[3] for b in boxes) + _PAD)


def _glued_to_label(label: Word) -> str:
    """What the first reading glued to the label: "#4" in "Số:#4"."""
    _, colon, glued = label.text.partition(":")
    return glued if colon else ""


def _unsure(label: Word, between: list[Word], symbol: Word) -> bool:
    """Were the digits read surely? They may sit in their own word, or be glued to the label ("Số:#4") or
    to the symbol ("172/KH-UBND")."""
    glued_left = _glued_to_label(label)
    glued_right = symbol.text.split("/", 1)[0]
    digits = glued_left + "".join(w.text for w in between) + glued_right
    holders = [w for w, part in ((label, glued_left), (symbol, glued_right)) if part] + between
    return not digits.isdigit() or any(w.confidence < SURE_DIGITS_CONFIDENCE for w in holders)


def _variants(crop: np.ndarray) -> list[np.ndarray]:
    _, otsu = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    larger = cv2.resize(crop, None, fx=1.5, fy=1.5, interpolation=cv2.INTER_CUBIC)
    return [crop, otsu, larger]


def _reading(text: str) -> str:
    found = _READ.search(text)
    return found.group(1) if found else ""


def reread_number(
    load_page: Callable[[], np.ndarray],
    words: list[Word],
    page_height: int,
    work_dir: Path,
    *,
    lang: str,
    timeout: float,
) -> NumberReread | None:
    """Read the number's digits again when the first reading was unsure; None when there is nothing to do.

    ``load_page`` gives the greyscale page in the words' coordinates; it is called only when needed."""
    found = _number_words(words, page_height)
    if found is None or not _unsure(*found):
        return None
    page = load_page()
    label, between, symbol = found
    boxes = [label.box, *(w.box for w in between), symbol.box]
    # The label stays in the crop: read with it, the first digit is not mistaken for the end of "Số:".
    left = max(0, label.box[0] - _PAD)
    top, bottom = _band(page, boxes)
    if bottom - top < 8 or symbol.box[2] < 8:
        return None
    slash = _slash_left(page[top:bottom], symbol, work_dir, lang=lang, timeout=timeout)
    right = min(page.shape[1], slash - 2)  # the slash itself would be read as a 1 or a 7
    if right - left < 8:
        return None
    crop = page[top:bottom, left:right]
    texts = _line_readings(crop, work_dir / "number", whitelist=_WHITELIST, lang=lang, timeout=timeout)
    readings = [_reading(text) for text in texts]
    box = (left, top, right - left, bottom - top)
    voted = majority(readings)
    if voted is not None and len(voted) < _glyphs_seen(label, between):
        voted = None  # fewer digits than marks the first reading saw ("4" for "#4"): one was lost
    shapes = _digit_shapes(page[top:bottom], label, right, voted)
    return NumberReread(
        digits=shapes.digits or voted,
        readings=readings,
        shapes=shapes.digits,
        box=box,
        candidates=shapes.candidates,
    )


def _slash_left(band: np.ndarray, symbol: Word, work_dir: Path, *, lang: str, timeout: float) -> int:
    """Where the symbol's slash starts. Digits glued to the symbol ("7/QĐ-UBND", "†4/UBND") belong in the
    crop, so the cut is at the printed slash, found among the characters Tesseract boxes on the symbol's
    strip; pen digits are wider than print, so the slash's place in the text is only a fallback. Slashes
    are counted from the right: a pen 1 before them may be boxed as one more."""
    x, _, width, _ = symbol.box
    if not symbol.text.startswith("/"):
        padded = cv2.copyMakeBorder(band[:, x : x + width], 0, 0, _PAD, _PAD, cv2.BORDER_CONSTANT, value=255)
        path = work_dir / "symbol.png"
        cv2.imwrite(str(path), padded)
        try:
            boxes = tools.line_character_boxes(path, lang=lang, timeout=timeout)
        finally:
            path.unlink(missing_ok=True)
        slashes = [box[0] for char, box in boxes if char == "/"]
        printed = symbol.text.count("/")
        if len(slashes) >= printed:
            return x - _PAD + slashes[-printed]
    return x + round(width * symbol.text.index("/") / len(symbol.text))


@dataclass(frozen=True)
class _Classified:
    digits: str | None  # None unless the classifier is sure of every glyph
    candidates: list[DigitsCandidate]  # its likeliest readings, sure or not


def _digit_shapes(band: np.ndarray, label: Word, right: int, vote: str | None) -> _Classified:
    """The digits between the label's colon and the slash, glyph by glyph (pen digits Tesseract misses)."""
    left = _colon_right(band, label)
    if left is None or right - left < 8:
        return _Classified(None, [])
    return _classified(band[:, left:right], max_digits=5, vote=vote)


def _classified(strip: np.ndarray, *, max_digits: int, vote: str | None, at_least: int = 0) -> _Classified:
    """The classifier's digits when it is sure of every glyph (``at_least``: how many another reading saw),
    and its likeliest readings. Tesseract's vote is a second witness: the digit it names at each place
    counts ``TESSERACT_AGREEMENT`` times more (a 6 the classifier half takes for an 8 stays a 6 when the
    engine read 6 there). A vote with another count of digits says nothing about any one place."""
    evidence = None
    if vote and vote.isdecimal():
        evidence = np.ones((len(vote), 10))
        evidence[np.arange(len(vote)), [int(d) for d in vote]] = TESSERACT_AGREEMENT
    read = read_glyphs(strip, max_digits=max_digits, evidence=evidence, at_least=at_least)
    candidates = [DigitsCandidate(digits=digits, probability=round(p, 4)) for digits, p in read.ranked]
    probabilities = read.probabilities
    if probabilities is None or probabilities.max(axis=1).min() <= MIN_GLYPH_PROBABILITY:
        return _Classified(None, candidates)
    return _Classified("".join(str(d) for d in probabilities.argmax(axis=1)), candidates)


def _line_readings(crop: np.ndarray, stem: Path, *, whitelist: str, lang: str, timeout: float) -> list[str]:
    """Tesseract's text of a crop as one line (psm 7), once per binarisation. The word and raw-line modes
    misread more handwritten digits than they fix."""
    padded = cv2.copyMakeBorder(crop, 20, 20, 20, 20, cv2.BORDER_CONSTANT, value=255)
    texts = []
    for index, variant in enumerate(_variants(padded)):
        path = stem.with_name(f"{stem.name}-{index}.png")
        cv2.imwrite(str(path), variant)
        texts.append(tools.ocr_line(path, lang=lang, whitelist=whitelist, timeout=timeout))
        path.unlink(missing_ok=True)
    return texts


def _colon_right(band: np.ndarray, label: Word) -> int | None:
    """Right edge of the label: the colon's two stacked dots, or the box's edge when the word is only "Số:"
    and no colon is seen. The engine may stretch the label's box over digits it did not read."""
    x, _, width, _ = label.box
    _, ink = cv2.threshold(band[:, x : x + width], 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    height = band.shape[0]
    dots = [
        stats[i]
        for i in range(1, count)
        if stats[i, cv2.CC_STAT_HEIGHT] < 0.2 * height
        and stats[i, cv2.CC_STAT_WIDTH] < 0.2 * height
        and stats[i, cv2.CC_STAT_AREA] >= 4
    ]
    # The rightmost stacked pair: the accents of "ố" can stack too, but they come before the colon.
    colon_ends = [
        int(max(a[0] + a[2], b[0] + b[2]))
        for a in dots
        for b in dots
        if b[cv2.CC_STAT_TOP] > a[cv2.CC_STAT_TOP] + a[cv2.CC_STAT_HEIGHT]
        and abs(int(a[cv2.CC_STAT_LEFT]) - int(b[cv2.CC_STAT_LEFT])) <= max(3, a[cv2.CC_STAT_WIDTH])
    ]
    if colon_ends:
        return x + max(colon_ends) + 1
    if not any(ch.isdigit() for ch in label.text) and label.text.rstrip().endswith((":", ";")):
        return x + width + 1
    return None


def _glyphs_seen(label: Word, between: list[Word]) -> int:
    """How many marks the first reading saw where the digits are ("#4", "ổ†"), light specks aside."""
    seen = _glued_to_label(label) + "".join(w.text for w in between)
    return sum(1 for ch in seen if not ch.isspace() and ch not in _SPECKS)


def majority(readings: list[str]) -> str | None:
    """The reading more than half of the readings agree on (an empty reading votes for nothing)."""
    counts = Counter(r for r in readings if r)
    if not counts:
        return None
    best, votes = counts.most_common(1)[0]
    return best if votes * 2 > len(readings) else None


# --- the day of the place-date line ------------------------------------------------------------------


_NGAY_WIDTH = 3.8  # "ngày" spans about 3.7 letter widths of its line (italic or upright faces alike)
_THANG_LETTER = 0.86  # "tháng" spans about 4.3 letter widths: 0.86 of one per character


@dataclass(frozen=True)
class _DayPlace:
    left: int  # x where the printed "ngày" ends
    right: int  # x where the printed "tháng" starts
    words: list[Word]  # the words from "ngày" to "tháng"
    read_surely: bool  # the day sits in words of its own that the engine read surely
    # How many digits the first reading saw there, counting the marks it gives for a 1 ("3|" for 31), when
    # the day sat in words of its own between a clean "ngày" and "tháng"; 0 when the engine glued it to
    # them. Other marks ("#@") say nothing about how many digits there are.
    digits_seen: int


def _letter_width(line: list[Word]) -> float | None:
    """Mean width of a letter on the line, from its surely read words of three letters or more."""
    sure = [w for w in line if w.confidence >= SURE_DIGITS_CONFIDENCE]
    bare = [(w.box[2], w.text.rstrip(",.")) for w in sure]
    widths = [width / len(text) for width, text in bare if text.isalpha() and len(text) >= 3]
    return statistics.median(widths) if widths else None


def _opens_day(word: Word, before: Word | None) -> bool:
    """ "ngày" right after the place's comma ("Quảng Ngãi, ngày"), not a date cited in the body; also what
    is left of it when the day is glued on ("ngàVW/H†")."""
    after_place = before is not None and before.line == word.line and before.text.endswith(",")
    return after_place and match_key(word.text).startswith("nga")


def _day_place(words: list[Word], height: int) -> _DayPlace | None:
    """Where the handwritten day sits on the place-date line. The engine often glues it to a neighbour
    ("ngày4†tháng", "O†tháng") or stretches the box of "ngày" over it, so the edges are where the printed
    words end and start, measured in the line's letter width rather than taken from the word boxes."""
    for index, word in enumerate(words):
        if word.box[1] > height * _HEADER_SHARE or not _opens_day(word, words[index - 1] if index else None):
            continue
        near = [w for w in words[index : index + 2 + _SEARCH_WORDS] if w.line == word.line]
        end = next((i for i, w in enumerate(near) if "thang" in match_key(w.text)), None)
        letter = _letter_width([w for w in words if w.line == word.line])
        if end is None or letter is None:
            continue
        month, month_key = near[end], match_key(near[end].text)
        glued = month_key.index("thang")  # characters glued before "tháng"
        left = word.box[0] + min(word.box[2], round(_NGAY_WIDTH * letter)) + 2
        right = month.box[0] + month.box[2] - round(_THANG_LETTER * letter * (len(month_key) - glued))
        right = right if glued else month.box[0]
        between = near[1:end]
        plain = match_key(word.text) == "ngay" and not glued and bool(between)
        sure = plain and all(w.text.isdigit() and w.confidence >= SURE_DIGITS_CONFIDENCE for w in between)
        own_words = match_key(word.text) == "ngay" and month_key == "thang"
        seen = sum(1 for ch in "".join(w.text for w in between) if ch.isdigit() or ch in _DIGIT_LIKE)
        return _DayPlace(left, right - 2, near[: end + 1], sure, seen if own_words else 0)
    return None


def reread_day(
    load_page: Callable[[], np.ndarray],
    words: list[Word],
    page_height: int,
    work_dir: Path,
    *,
    lang: str,
    timeout: float,
) -> NumberReread | None:
    """Read the day of "…, ngày 15 tháng 11 năm 2024" again when the first reading was unsure: the digit
    classifier on the strip between the two words, and Tesseract (digits only, three binarisations vote)."""
    place = _day_place(words, page_height)
    if place is None or place.read_surely:
        return None
    page = load_page()
    left, right = place.left, place.right
    top, bottom = _band(page, [w.box for w in place.words])
    if right - left < 8 or bottom - top < 8:
        return None
    crop = page[top:bottom, left:right]
    texts = _line_readings(crop, work_dir / "day", whitelist="0123456789", lang=lang, timeout=timeout)
    readings = [hit.group(0) if (hit := re.search(r"\d{1,2}", text)) else "" for text in texts]
    voted = majority(readings)
    shapes = _classified(crop, max_digits=2, vote=voted, at_least=min(2, place.digits_seen))
    day = shapes.digits or voted
    if day is not None and not 1 <= int(day) <= 31:
        day = None
    box = (left, top, right - left, bottom - top)
    candidates = [c for c in shapes.candidates if 1 <= int(c.digits) <= 31]
    return NumberReread(digits=day, readings=readings, shapes=shapes.digits, box=box, candidates=candidates)
