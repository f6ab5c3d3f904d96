"""Words of a page grouped into lines with their bounding boxes, shared by the ALTO, hOCR and PDF writers."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from pipeline.models import Page, Word

Box = tuple[int, int, int, int]  # left, top, width, height


@dataclass(frozen=True)
class LineBox:
    index: int
    words: list[Word]

    @property
    def box(self) -> Box:
        return union([w.box for w in self.words])


def union(boxes: list[Box]) -> Box:
    left = min(b[0] for b in boxes)
    top = min(b[1] for b in boxes)
    right = max(b[0] + b[2] for b in boxes)
    bottom = max(b[1] + b[3] for b in boxes)
    return left, top, right - left, bottom - top


def page_lines(page: Page) -> list[LineBox]:
    """Lines in the order of their ``line`` index; words keep their order within a line."""
    grouped: dict[int, list[Word]] = {}
    for word in page.words:
        if clean_text(word.text):
            grouped.setdefault(word.line, []).append(word)
    return [LineBox(index=i, words=grouped[i]) for i in sorted(grouped)]


def clean_text(text: str) -> str:
    """NFC text without the control characters XML 1.0 and PDF text strings cannot carry."""
    text = unicodedata.normalize("NFC", text)
    return "".join(
        ch for ch in text if ch >= " " and ch != "\x7f" and not 0xD800 <= ord(ch) <= 0xDFFF
    ).strip()


def confidence01(word: Word) -> float:
    """Tesseract's 0-100 confidence as the 0-1 word confidence ALTO expects."""
    return round(min(max(word.confidence / 100.0, 0.0), 1.0), 3)


def page_size(page: Page) -> tuple[int, int] | None:
    """Width and height of the image the word boxes refer to.

    ``width``/``height`` are measured before an orientation turn; the words were read after it.
    """
    if page.width is None or page.height is None:
        return None
    if page.rotation % 180 == 90:
        return page.height, page.width
    return page.width, page.height
