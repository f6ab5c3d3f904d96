"""Match keys for filters: what a user types ("thai binh", "666/QD-TTg") meets what a document says
("Thái Bình", "666/QĐ-TTg"). Stored values keep their diacritics; only these keys are folded."""

from __future__ import annotations

import re

from pipeline.textnorm import match_key

# Prefixes a user or a document may put before a province's short name.
_PLACE_PREFIXES = re.compile(r"^(tinh|thanh pho|tp\.?)\s+")


def place_key(text: str | None) -> str | None:
    """ "Tỉnh Thái Bình", "thai binh" and "ThaiBinh" all give "thaibinh"."""
    if text is None:
        return None
    key = _PLACE_PREFIXES.sub("", match_key(text))
    return key.replace(" ", "").replace("-", "") or None


def number_key(text: str | None) -> str | None:
    """Document numbers: case, diacritics and spaces do not count ("666/QĐ-TTg" = "666/qd-ttg")."""
    if text is None:
        return None
    return match_key(text).replace(" ", "") or None


def name_key(text: str | None) -> str | None:
    """Body names and indicators: case and diacritics do not count, word boundaries do."""
    if text is None:
        return None
    return match_key(text) or None
