"""A searchable view of page text whose character offsets equal the original's.

Rules match on ``folded`` (lower case, no diacritics, markdown emphasis blanked) and quote the
original ``text`` at the same offsets, so every evidence quote occurs verbatim in the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from pipeline.models import Evidence, NumberReread, Page
from pipeline.textnorm import strip_diacritics

_MARKUP = re.compile(r"\*+|^#+ ", re.MULTILINE)
_SPACES = re.compile(r"[ \t]+")
_TOKEN = re.compile(r"\S+")


def _lower1(ch: str) -> str:
    low = ch.lower()
    return low if len(low) == 1 else ch  # keep offsets: a few letters lower-case to two characters


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


def fold(text: str) -> str:
    """Lower case without diacritics (đ → d), one character for one: offsets stay those of ``text``."""
    return "".join(_lower1(ch) for ch in strip_diacritics(text))


def mostly_capitals(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and sum(ch.isupper() for ch in letters) >= 0.8 * len(letters)


@dataclass(frozen=True)
class PageView:
    number: int
    text: str
    # Tesseract confidence (0-100) per whitespace token of ``text``; empty when not OCR'd or not aligned.
    token_confidences: tuple[float, ...] = ()
    number_reread: NumberReread | None = None
    day_reread: NumberReread | None = None

    @cached_property
    def plain(self) -> str:
        """The text with markdown emphasis replaced by spaces (same length)."""
        return _MARKUP.sub(_blank, self.text)

    @cached_property
    def folded(self) -> str:
        folded = fold(self.plain)
        assert len(folded) == len(self.text)
        return folded

    def lines(self) -> list[tuple[int, int]]:
        """(start, end) offsets of each line."""
        spans, start = [], 0
        for line in self.text.split("\n"):
            spans.append((start, start + len(line)))
            start += len(line) + 1
        return spans

    def clean(self, start: int, end: int) -> str:
        """Readable value for a span: markup removed, whitespace collapsed."""
        return _SPACES.sub(" ", self.plain[start:end].replace("\n", " ")).strip(" ,;:.")

    @cached_property
    def _token_spans(self) -> list[tuple[int, int]]:
        return [match.span() for match in _TOKEN.finditer(self.text)]

    def ocr_confidence(self, start: int, end: int) -> float | None:
        """Lowest engine confidence among the tokens overlapping ``text[start:end]``, if known."""
        if not self.token_confidences:
            return None
        found = [
            self.token_confidences[i]
            for i, (token_start, token_end) in enumerate(self._token_spans)
            if token_start < end and token_end > start
        ]
        return min(found) if found else None

    def evidence(self, start: int, end: int, confidence: float, note: str | None = None) -> Evidence:
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        return Evidence(
            page=self.number,
            start=start,
            end=end,
            quote=self.text[start:end],
            confidence=round(confidence, 2),
            needs_review=confidence < 0.6,
            note=note,
        )


def _token_confidences(page: Page) -> tuple[float, ...]:
    """The OCR words' confidences, when the final text keeps one token per word (restoring respells only)."""
    if not page.words or len(_TOKEN.findall(page.text)) != len(page.words):
        return ()
    return tuple(w.confidence for w in page.words)


def views(pages: list[Page]) -> list[PageView]:
    return [
        PageView(
            number=p.number,
            text=p.text,
            token_confidences=_token_confidences(p),
            number_reread=p.number_reread,
            day_reread=p.day_reread,
        )
        for p in pages
        if p.text.strip()
    ]
