"""Repairs OCR and restoration slips in a movement's name against the national movements' names
(``models/reference/*.json``): "Lạng Sơn cùng cử nước chung tay vì người nghèo - …" ends with the name of
the 2016-2020 movement, so its last words take that name's spelling. Local words before it stay as read."""

from __future__ import annotations

import json
from functools import cache

from rapidfuzz import fuzz

from pipeline.artefacts import MODELS_DIR
from pipeline.textnorm import match_key

# One slip in a name of sixty-odd letters ("cử nước" for "cả nước"); two different names score far lower.
MOVEMENT_SIMILARITY = 95


@cache
def known_movements() -> tuple[str, ...]:
    """Every movement name the references know, longest first."""
    names: set[str] = set()
    for path in sorted((MODELS_DIR / "reference").glob("*.json")):
        movement = json.loads(path.read_text(encoding="utf-8")).get("movement") or {}
        named = [movement.get("name"), *(other.get("name") for other in movement.get("distinct_from", []))]
        names.update(n for n in named if n)
    return tuple(sorted(names, key=len, reverse=True))


def repair_movement(name: str) -> str:
    """``name`` with its tail respelled as the known movement it ends with, or unchanged."""
    words = name.split()
    for known in known_movements():
        size = len(known.split())
        if len(words) < size:
            continue
        tail = " ".join(words[-size:])
        if tail == known or fuzz.ratio(match_key(tail), match_key(known)) < MOVEMENT_SIMILARITY:
            continue
        respelled = known.split()
        # Inside a longer local name the national name starts in lower case ("… cùng cả nước …").
        if len(words) > size or words[-size][:1].islower():
            respelled[0] = respelled[0][:1].lower() + respelled[0][1:]
        return " ".join([*words[:-size], *respelled])
    return name
