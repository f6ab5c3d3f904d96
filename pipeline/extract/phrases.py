"""Whole-word phrase tests on folded text, with each list of phrases compiled once."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache


@cache
def _pattern(phrases: tuple[str, ...], anywhere: bool) -> re.Pattern[str]:
    # A phrase may wrap onto the next line of the page: its words part on any whitespace.
    alternatives = "|".join(r"\s+".join(re.escape(word) for word in p.split()) for p in phrases)
    before = r"(?<![a-z])" if anywhere else ""
    return re.compile(rf"{before}(?:{alternatives})(?![a-z])")


def contains_phrase(text: str, phrases: Iterable[str]) -> bool:
    """One of the phrases occurs in ``text`` as whole words."""
    return _pattern(tuple(phrases), True).search(text) is not None


def starts_with_phrase(text: str, phrases: Iterable[str], pos: int = 0, end: int | None = None) -> bool:
    """``text`` continues at ``pos`` with one of the phrases, ending at a word boundary (or at ``end``)."""
    return _pattern(tuple(phrases), False).match(text, pos, len(text) if end is None else end) is not None
