"""Turning text into the syllable sequences the language model counts (shared by training and decoding)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipeline.restore.syllables import canonical
from pipeline.restore.tokens import split

SENTENCE_END = re.compile(r"[.;:!?]|\n\s*\n")


def sentences(text: str) -> Iterator[list[str]]:
    """Syllable sequences, lower case and house-styled; numbers and symbols become placeholders."""
    current: list[str] = []
    for piece in split(text):
        if piece.kind == "word":
            current.append(canonical(piece.text))
        elif piece.kind == "number":
            current.append("<num>")
        elif piece.kind == "symbol":
            current.append("<sym>")
        elif SENTENCE_END.search(piece.text) and current:
            yield current
            current = []
    if current:
        yield current
