"""Handwritten digits: cut a strip into glyphs and read each with a small trained classifier.

Tesseract reads printed digits well and pen digits badly (a crossed 7, a 1 with a flag, a 4 open at the
top). The classifier is a softmax regression over 8x8 ink counts of a size-normalised glyph, the layout
of the handwritten digits bundled with scikit-learn (UCI "optdigits", 43 writers), on which it is
trained (``planscan train digits``). Its weights are data in ``models/digits/``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from pipeline.artefacts import MODELS_DIR

DIGITS_MODEL = MODELS_DIR / "digits" / "digits.json"
_FRAME = 32  # the glyph is scaled into a 32x32 frame, then ink is counted in 4x4 blocks (0-16 each)
MIN_GLYPH_HEIGHT = 0.35  # of the strip: lower blobs are dots, commas or specks
MIN_GLYPH_AREA = 30  # pixels at 300 dpi
WIDE_GLYPH = 1.15  # width over height above which a blob is two touching digits


def glyph_features(ink: np.ndarray) -> np.ndarray:
    """64 block counts of one glyph (ink pixels non-zero), scaled to the frame's height and centred."""
    ys, xs = np.nonzero(ink)
    cut = (ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1] > 0).astype(np.uint8) * 255
    height, width = cut.shape
    scale = _FRAME / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    glyph = cv2.resize(cut, size, interpolation=cv2.INTER_AREA)
    frame = np.zeros((_FRAME, _FRAME), np.uint8)
    top, left = (_FRAME - glyph.shape[0]) // 2, (_FRAME - glyph.shape[1]) // 2
    frame[top : top + glyph.shape[0], left : left + glyph.shape[1]] = glyph
    on = (frame > 127).astype(np.float64)
    return on.reshape(8, 4, 8, 4).sum(axis=(1, 3)).reshape(-1)


def _split_wide(ink: np.ndarray) -> list[np.ndarray]:
    """Two touching digits: cut at the thinnest column of the middle third."""
    ys, xs = np.nonzero(ink)
    left, right = xs.min(), xs.max() + 1
    height = ys.max() + 1 - ys.min()
    if right - left <= WIDE_GLYPH * height:
        return [ink]
    columns = (ink[:, left:right] > 0).sum(axis=0)
    third = (right - left) // 3
    cut = left + third + int(np.argmin(columns[third : 2 * third]))
    first, second = ink.copy(), ink.copy()
    first[:, cut:] = 0
    second[:, :cut] = 0
    return [part for part in (first, second) if part.any()]


def segment_glyphs(strip: np.ndarray) -> list[np.ndarray]:
    """Ink masks of the glyphs in a greyscale strip, left to right; parts of one glyph that overlap
    horizontally (the bar of a 7, a broken stroke) are joined."""
    _, ink = cv2.threshold(strip, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    height = strip.shape[0]
    tall = stats[:, cv2.CC_STAT_HEIGHT] >= MIN_GLYPH_HEIGHT * height
    big = stats[:, cv2.CC_STAT_AREA] >= MIN_GLYPH_AREA
    parts = sorted(
        (stats[i, cv2.CC_STAT_LEFT], stats[i, cv2.CC_STAT_LEFT] + stats[i, cv2.CC_STAT_WIDTH], i)
        for i in range(1, count)
        if tall[i] and big[i]
    )
    groups: list[tuple[int, list[int]]] = []  # (right edge, labels)
    for left, right, label in parts:
        if groups and left < groups[-1][0] - 2:
            groups[-1] = (max(groups[-1][0], right), [*groups[-1][1], label])
        else:
            groups.append((right, [label]))
    glyphs = []
    for _, members in groups:
        mask = np.isin(labels, members).astype(np.uint8) * 255
        glyphs.extend(_split_wide(mask))
    return glyphs


@dataclass(frozen=True)
class DigitReader:
    weights: np.ndarray  # 10 x 64
    bias: np.ndarray  # 10

    def read(self, glyph: np.ndarray) -> tuple[int, float]:
        """The digit and its probability."""
        scores = self.weights @ glyph_features(glyph) + self.bias
        scores = np.exp(scores - scores.max())
        probabilities = scores / scores.sum()
        best = int(probabilities.argmax())
        return best, float(probabilities[best])


@lru_cache(maxsize=1)
def load_digit_reader(path: Path = DIGITS_MODEL) -> DigitReader:
    data = json.loads(path.read_text(encoding="utf-8"))
    return DigitReader(weights=np.array(data["weights"]), bias=np.array(data["bias"]))


def read_digit_strip(strip: np.ndarray, *, max_digits: int = 5) -> tuple[str, float] | None:
    """The digits in a strip holding only digits, with the lowest glyph probability; None when there are
    no glyphs or more than ``max_digits``."""
    glyphs = segment_glyphs(strip)
    if not glyphs or len(glyphs) > max_digits:
        return None
    reader = load_digit_reader()
    readings = [reader.read(glyph) for glyph in glyphs]
    return "".join(str(d) for d, _ in readings), min(p for _, p in readings)
