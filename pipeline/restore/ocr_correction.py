"""Correct Tesseract ``vie`` output sparingly: only words the engine was unsure of, that are not valid
syllables, and only into spellings the channel finds likely (a learned confusion or the same base letters).
"""

from __future__ import annotations

from bisect import bisect_right

from pipeline.models import Word
from pipeline.restore import RestoreResult, default_restorer, restore_text
from pipeline.restore.model import Restorer

LOW_CONFIDENCE = 60.0  # Tesseract word confidence (0-100) under which a word may be respelled
MIN_CHANNEL = -1.5  # channel log-score a respelling needs: excludes far edits


def word_spans(text: str, words: list[Word]) -> list[tuple[int, int, float]]:
    """(start, end, confidence) of each OCR word in the page text, found in reading order."""
    spans, at = [], 0
    for word in words:
        start = text.find(word.text, at)
        if start < 0:
            continue
        spans.append((start, start + len(word.text), word.confidence))
        at = start + len(word.text)
    return spans


def correct_ocr_text(text: str, words: list[Word], restorer: Restorer | None = None) -> RestoreResult:
    restorer = restorer or default_restorer()
    spans = word_spans(text, words)
    starts = [s for s, _, _ in spans]

    def editable(start: int, end: int) -> bool:
        i = bisect_right(starts, start) - 1
        if i < 0 or spans[i][1] < end:
            return False
        return spans[i][2] < LOW_CONFIDENCE and not restorer.is_valid(text[start:end])

    return restore_text(text, restorer, force=True, editable=editable, min_channel=MIN_CHANNEL)
