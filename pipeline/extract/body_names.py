"""Repairs OCR errors in the names of government units by fuzzy match against a list of known names
(``models/rules/bodies.json``): "Ban Dân chơi - Pháp luật" -> "Ban Dân chủ - Pháp luật". Only the matched
prefix changes; the locality after it ("tỉnh", "huyện KBang") stays as read."""

from __future__ import annotations

from functools import cache

from rapidfuzz import fuzz

from pipeline.rules import load_rules
from pipeline.textnorm import match_key

_CONNECTORS = {"va", "cac", "cua", "voi"}


@cache
def _known() -> tuple[tuple[str, str, int], ...]:
    """(name, folded key, word count) of every known name, longest first."""
    rules = load_rules("bodies")
    names = list(rules["bodies"])
    names += [f"{head} {unit}" for head in rules["unit_heads"] for unit in rules["departments"]]
    known = {(n, match_key(n), len(n.split())) for n in names}
    return tuple(sorted(known, key=lambda k: -k[2]))


def repair_name(name: str) -> str:
    words = name.split()
    threshold = load_rules("bodies")["min_similarity"]
    best: tuple[float, str, int] | None = None
    prefixes: dict[int, str] = {}  # folded once per length, not once per known name
    for known, key, size in _known():
        if len(words) < size:
            continue
        if size not in prefixes:
            prefixes[size] = match_key(" ".join(words[:size]))
        folded = prefixes[size]
        # "… Tổ quốc và các …" joins two bodies: a connector the known name lacks is no misspelling.
        if (set(folded.split()) & _CONNECTORS) - set(key.split()):
            continue
        score = fuzz.ratio(folded, key)
        if score == 100:  # the same letters: the known spelling settles the marks
            return " ".join([known, *words[size:]])
        if score >= threshold and (best is None or score > best[0]):
            best = (score, known, size)
    if best is None:
        return name
    return " ".join([best[1], *words[best[2] :]])
