"""Printed labels that every administrative document carries, found in folded text despite OCR slips.

The page layout (which zone is the closing) and the extraction (where the recipients start) look for
the same "Nơi nhận" label; both ask here.
"""

from __future__ import annotations

import re

from rapidfuzz.distance import Levenshtein

# "Nơi nhận:" opens its own line; OCR may garble it ("Nói nhìn:"), so two slips are allowed there.
_RECIPIENTS_LINE = re.compile(r"(?m)^[ \t]*(n[a-z]{1,2}i\s+nh[a-z]{1,3})\s*:")
_RECIPIENTS_SLIPS = 2


def recipients_at(folded: str) -> int:
    """Where "Nơi nhận" starts in folded text, or -1. The text keeps its line breaks (a garbled label is
    only taken at the start of a line); folded with ``fold``, which keeps one character for one, the
    offset is also the original text's."""
    at = folded.find("noi nhan")
    if at >= 0:
        return at
    for line in _RECIPIENTS_LINE.finditer(folded):
        if Levenshtein.distance(" ".join(line.group(1).split()), "noi nhan") <= _RECIPIENTS_SLIPS:
            return line.start(1)
    return -1
