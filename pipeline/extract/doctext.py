"""All readable pages of a document as one searchable text, with offsets mapped back to pages.

Sections and sentences run across page breaks, so body fields are found on the joined text; evidence is
then re-anchored on the page that holds the start of the match, with page-local offsets.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import cached_property

from pipeline.extract.view import PageView
from pipeline.models import Evidence

PAGE_JOIN = "\n\n"


@dataclass(frozen=True)
class DocText:
    pages: list[PageView]
    starts: list[int] = field(init=False)

    def __post_init__(self) -> None:
        starts, cursor = [], 0
        for page in self.pages:
            starts.append(cursor)
            cursor += len(page.text) + len(PAGE_JOIN)
        object.__setattr__(self, "starts", starts)

    @cached_property
    def text(self) -> str:
        return PAGE_JOIN.join(p.text for p in self.pages)

    @cached_property
    def plain(self) -> str:
        return PAGE_JOIN.join(p.plain for p in self.pages)

    @cached_property
    def folded(self) -> str:
        return PAGE_JOIN.join(p.folded for p in self.pages)

    @cached_property
    def lowered(self) -> str:
        """The plain text in lower case with its marks, character for character (same offsets)."""
        return "".join(low if len(low := ch.lower()) == 1 else ch for ch in self.plain)

    def page_at(self, offset: int) -> tuple[PageView, int]:
        index = max(0, bisect.bisect_right(self.starts, offset) - 1)
        return self.pages[index], self.starts[index]

    def clean(self, start: int, end: int) -> str:
        """Readable value of a span: markup removed, whitespace collapsed, edge punctuation trimmed."""
        return " ".join(self.plain[start:end].split()).strip(" ,;:.-+")

    def evidence(self, start: int, end: int, confidence: float, note: str | None = None) -> Evidence:
        page, base = self.page_at(start)
        local_end = min(end - base, len(page.text))  # a quote never crosses into the next page
        return page.evidence(start - base, local_end, confidence, note)
