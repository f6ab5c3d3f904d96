"""Searching page text the way an auditor reads it: diacritics and case ignored, quotes kept exact.

Every page is folded the way field extraction folds it (``pipeline.extract.view``): lower case, no
diacritics, one character for one, so folded offsets are offsets in ``pages[].text``. Searches run on the
folded text, so "Quyết định số 666/QĐ-TTg", "Quyet dinh so 666/QD-TTg" and a restorer's wrong tone mark
all match, and the quote is the document's own wording.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from rapidfuzz import fuzz

from pipeline.extract.view import PageView, fold
from pipeline.models import Page


def phrase_pattern(phrase: str) -> str:
    """A regex for a phrase on folded text: its words in order, any punctuation or spacing between them."""
    words = re.findall(r"[a-z0-9]+", fold(phrase))
    if not words:
        raise ValueError(f"phrase without letters: {phrase!r}")
    gap = r"[^a-z0-9]{1,8}"
    return r"(?<![a-z0-9])" + gap.join(re.escape(w) for w in words) + r"(?![a-z0-9])"


@dataclass(frozen=True)
class Hit:
    page: int
    start: int
    end: int
    text: str

    def __len__(self) -> int:
        return self.end - self.start


class FoldedPage:
    def __init__(self, page: Page) -> None:
        self.number = page.number
        self.text = page.text
        self.folded = PageView(page.number, page.text).folded

    def hit(self, start: int, end: int) -> Hit:
        """Original-text hit for a folded span (the same offsets)."""
        start = min(start, len(self.text))
        end = max(start, min(end, len(self.text)))
        return Hit(self.number, start, end, self.text[start:end])

    def folded_offset(self, original: int) -> int:
        return min(original, len(self.folded))


# Where a sentence or clause ends in plan text: full stops, semicolons, blank lines and list items.
_CLAUSE_END = re.compile(
    r"[.;!?](?=\s)|\n[ \t]*\n|\n(?=[ \t]*(?:[-+•*_]|\d{1,2}(?:\.\d{1,2})*[.,)]|[a-zđ]\)|[IVX]{1,4}\.)[ \t])"
)
# Sentences only: a semicolon joins the parts of one preamble ("Thực hiện A; căn cứ B ..., như sau:").
_SENTENCE_END = re.compile(r"[.!?](?=\s)|:[ \t]*\n|\n[ \t]*\n")


class DocText:
    """The readable pages of one document, folded once."""

    def __init__(self, pages: list[Page]) -> None:
        self.pages = [FoldedPage(p) for p in pages if p.text.strip()]

    def page(self, number: int) -> FoldedPage | None:
        return next((p for p in self.pages if p.number == number), None)

    def search(self, pattern: str | re.Pattern[str]) -> Iterator[tuple[FoldedPage, re.Match[str]]]:
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        for page in self.pages:
            for match in regex.finditer(page.folded):
                yield page, match

    def find(self, phrase: str) -> list[Hit]:
        return [page.hit(m.start(), m.end()) for page, m in self.search(phrase_pattern(phrase))]

    def find_any(self, phrases: list[str]) -> list[Hit]:
        hits = {h for p in phrases for h in self.find(p)}
        return sorted(hits, key=lambda h: (h.page, h.start, -len(h)))

    def find_fuzzy(self, phrase: str, min_score: float = 88.0) -> Hit | None:
        """Best approximate occurrence of a long phrase (for words the OCR or the restorer got wrong)."""
        needle = " ".join(re.findall(r"[a-z0-9]+", fold(phrase)))
        best: tuple[float, Hit] | None = None
        for page in self.pages:
            found = fuzz.partial_ratio_alignment(needle, page.folded, score_cutoff=min_score)
            if found and (best is None or found.score > best[0]):
                best = (found.score, page.hit(found.dest_start, found.dest_end))
        return best[1] if best else None

    def _bounds(self, hit: Hit, boundary: re.Pattern[str], limit: int) -> Hit:
        page = self.page(hit.page)
        if page is None:
            return hit
        text = page.text
        start = max(0, hit.start - limit)
        for m in boundary.finditer(text, start, hit.start):
            start = m.end()
        end = min(len(text), hit.end + limit)
        stop = boundary.search(text, hit.end, end)
        if stop:
            end = stop.start() + (1 if text[stop.start()] in ".!?" else 0)
        while start < hit.start and text[start].isspace():
            start += 1
        while end > hit.end and text[end - 1].isspace():
            end -= 1
        return Hit(hit.page, start, end, text[start:end])

    def clause(self, hit: Hit, limit: int = 400) -> Hit:
        return self._bounds(hit, _CLAUSE_END, limit)

    def sentence(self, hit: Hit, limit: int = 700) -> Hit:
        return self._bounds(hit, _SENTENCE_END, limit)

    def following(self, hit: Hit, chars: int) -> Hit:
        page = self.page(hit.page)
        if page is None:
            return hit
        end = min(len(page.text), hit.end + chars)
        return Hit(hit.page, hit.start, end, page.text[hit.start : end])
