"""Reading order for the two-column parts of an administrative page.

The header (issuer | national motto, "Số:" | place and date) and the closing (Nơi nhận | signature) are
two side-by-side blocks that Tesseract's page segmentation reads across, interleaving them. We find those
zones from the first OCR pass, split each at its whitespace gutter, and read each column on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import cv2
import numpy as np
from rapidfuzz import fuzz

from pipeline.landmarks import recipients_at
from pipeline.models import Word
from pipeline.textnorm import match_key

_DATE_LINE = re.compile(r"\w{0,2}g[a-z]y\s+\S{1,3}\s+th[a-z]{1,2}ng\s+\S{1,3}\s+n[a-z]m\s+\d{4}")


@dataclass
class Line:
    words: list[Word]
    block: tuple[int, int]

    @property
    def top(self) -> int:
        return min(w.box[1] for w in self.words)

    @property
    def bottom(self) -> int:
        return max(w.box[1] + w.box[3] for w in self.words)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass(frozen=True)
class Zone:
    kind: str  # "header" or "closing"
    top: int
    bottom: int


def _is_motto(folded: str) -> bool:
    return any(
        fuzz.partial_ratio(p, folded) >= 85
        for p in ("cong hoa xa hoi chu nghia", "doc lap - tu do - hanh phuc")
    )


def find_zones(lines: list[Line], page_height: int) -> list[Zone]:
    zones: list[Zone] = []
    folded = [match_key(line.text) for line in lines]
    motto = next((i for i, f in enumerate(folded) if lines[i].top < page_height * 0.4 and _is_motto(f)), None)
    if motto is not None:
        # The header ends with the place-and-date line; without one, with the last motto or "Số" line.
        window = [
            i
            for i in range(max(0, motto - 3), min(len(lines), motto + 6))
            if lines[i].top < page_height * 0.45
        ]
        dated = [i for i in window if i >= motto and _DATE_LINE.search(folded[i])]
        marks = [
            i
            for i in window
            if i >= motto and (_is_motto(folded[i]) or folded[i].lstrip("_-. ").startswith("so"))
        ]
        end = dated[0] if dated else max(marks)
        top = min(line.top for line in lines[: end + 1])
        zones.append(Zone("header", max(0, top - 10), lines[end].bottom + 10))
    closing = next(
        (i for i, f in enumerate(folded) if recipients_at(f) >= 0 and lines[i].top > page_height * 0.2), None
    )
    if closing is not None:
        bottom = max(line.bottom for line in lines[closing:])
        zones.append(Zone("closing", max(0, lines[closing].top - 10), bottom + 10))
    return zones


_MAX_STRETCH = 120  # pixels at 300 dpi: about two lines


def clear_of_ink(grey: np.ndarray, zone: Zone) -> Zone:
    """The zone with its top and bottom moved to the nearest rows without ink. A zone cut through a line
    the first pass misread (a handwritten place-date line) would give that line's upper half as garbage."""
    _, ink = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    blank = np.flatnonzero(ink.sum(axis=1) <= max(1, int(0.001 * grey.shape[1])))
    above = blank[(blank <= zone.top) & (blank >= zone.top - _MAX_STRETCH)]
    below = blank[(blank >= zone.bottom) & (blank <= zone.bottom + _MAX_STRETCH)]
    # Without a blank row near (a dark border, a stain), the zone stays as it was found.
    top = int(above.max()) if above.size else zone.top
    bottom = int(below.min()) if below.size else zone.bottom
    return Zone(zone.kind, top, bottom)


def find_gutter(grey: np.ndarray, zone: Zone) -> int | None:
    """x of the widest ink-free vertical band in the middle of the zone, or None for a single column."""
    band = grey[zone.top : zone.bottom]
    if band.size == 0:
        return None
    _, ink = cv2.threshold(band, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    columns = ink.sum(axis=0)
    width = grey.shape[1]
    empty = columns <= max(1, int(0.004 * band.shape[0]))
    lo, hi = int(width * 0.25), int(width * 0.65)
    best_len, best_mid, run_start = 0, None, None
    for x in range(lo, hi + 1):
        if x < hi and empty[x]:
            run_start = x if run_start is None else run_start
            continue
        if run_start is not None:
            if x - run_start > best_len:
                best_len, best_mid = x - run_start, (run_start + x) // 2
            run_start = None
    return best_mid if best_len >= width * 0.015 else None
