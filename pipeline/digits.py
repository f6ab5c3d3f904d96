"""Handwritten digits: cut a strip into glyphs and read each with a small trained classifier.

Tesseract reads printed digits well and pen digits badly (a crossed 7, a 1 with a long lead-in stroke, a
4 open at the top). The classifier is a one-hidden-layer network over a size-normalised glyph: gradient
orientations in a 4x4 grid of cells (stroke direction, so a thin pen and a thick one look alike) and the
ink of a coarse 7x7 view. It learns from MNIST handwriting, with continental pen habits drawn in
(``planscan train digits``); its weights are data in ``models/digits/``.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from pipeline.artefacts import MODELS_DIR

DIGITS_MODEL = MODELS_DIR / "digits" / "digits.json"
FRAME = 28  # the glyph is scaled into a 24-pixel box, centred in a 28x28 frame
_BOX = 24
_CELLS = 4  # orientation histograms over a 4x4 grid of 7x7-pixel cells
_BINS = 8  # signed gradient directions, 45 degrees apart
_COARSE = 7  # plus the ink of a 7x7 view of the whole glyph
FEATURES = _CELLS * _CELLS * _BINS + _COARSE * _COARSE
MIN_GLYPH_HEIGHT = 0.35  # of the strip: lower blobs are dots, commas or specks
MIN_GLYPH_AREA = 30  # pixels at 300 dpi
WIDE_GLYPH = 1.15  # width over height above which a blob is two touching digits


def frame_glyph(ink: np.ndarray) -> np.ndarray:
    """The glyph (ink pixels non-zero) cut to its ink, scaled to fit the box and centred in the frame."""
    ys, xs = np.nonzero(ink)
    cut = (ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1] > 0).astype(np.uint8) * 255
    height, width = cut.shape
    scale = _BOX / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    glyph = cv2.resize(cut, size, interpolation=cv2.INTER_AREA)
    frame = np.zeros((FRAME, FRAME), np.uint8)
    top, left = (FRAME - glyph.shape[0]) // 2, (FRAME - glyph.shape[1]) // 2
    frame[top : top + glyph.shape[0], left : left + glyph.shape[1]] = glyph
    return frame


def glyph_features(ink: np.ndarray) -> np.ndarray:
    """The classifier's input for one glyph: per-cell orientation histograms (unit length as a whole),
    then the coarse ink view (0-1)."""
    frame = frame_glyph(ink)
    image = cv2.GaussianBlur(frame.astype(np.float32) / 255.0, (3, 3), 0)
    dx, dy = cv2.Sobel(image, cv2.CV_32F, 1, 0), cv2.Sobel(image, cv2.CV_32F, 0, 1)
    magnitude = np.hypot(dx, dy)
    position = (np.arctan2(dy, dx) % (2 * np.pi)) / (2 * np.pi) * _BINS
    lower = np.floor(position).astype(int) % _BINS
    share = position - np.floor(position)  # split between the two nearest directions
    side = FRAME // _CELLS
    histograms = np.zeros((_CELLS, _CELLS, _BINS), np.float32)
    for direction in range(_BINS):
        weight = magnitude * ((lower == direction) * (1 - share) + ((lower + 1) % _BINS == direction) * share)
        histograms[:, :, direction] = weight.reshape(_CELLS, side, _CELLS, side).sum(axis=(1, 3))
    histograms /= np.linalg.norm(histograms) + 1e-6
    coarse = cv2.resize(frame, (_COARSE, _COARSE), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    return np.concatenate([histograms.reshape(-1), coarse.reshape(-1)])


def _extent(ink: np.ndarray) -> tuple[int, int]:
    """Width and height of the ink."""
    ys, xs = np.nonzero(ink)
    return int(xs.max() + 1 - xs.min()), int(ys.max() + 1 - ys.min())


def _is_wide(ink: np.ndarray) -> bool:
    width, height = _extent(ink)
    return width > WIDE_GLYPH * height


def _halves(ink: np.ndarray, cut: int) -> tuple[np.ndarray, np.ndarray]:
    first, second = ink.copy(), ink.copy()
    first[:, cut:] = 0
    second[:, :cut] = 0
    return first, second


def _cuts(ink: np.ndarray) -> list[int]:
    """Columns where two touching digits may part: the middle third of the blob."""
    xs = np.nonzero(ink)[1]
    left, right = int(xs.min()), int(xs.max()) + 1
    third = (right - left) // 3
    return list(range(left + third, right - third + 1))


Box = tuple[int, int, int, int]  # left, top, right, bottom


def _box(stats: np.ndarray, members: list[int]) -> Box:
    lefts, tops = stats[members, cv2.CC_STAT_LEFT], stats[members, cv2.CC_STAT_TOP]
    rights = lefts + stats[members, cv2.CC_STAT_WIDTH]
    bottoms = tops + stats[members, cv2.CC_STAT_HEIGHT]
    return int(lefts.min()), int(tops.min()), int(rights.max()), int(bottoms.max())


def _lies_over(box: Box, part: Box) -> bool:
    """Does a short part sit within a mark's box, a quarter of its size to spare on each side (a loose flag
    sits just above the stroke it belongs to)? A rule line across the strip or a speck well above or
    below it does not."""
    left, top, right, bottom = box
    spare, rise = (right - left) / 4, (bottom - top) / 4
    return (
        part[0] >= left - spare
        and part[2] <= right + spare
        and part[1] >= top - rise
        and part[3] <= bottom + rise
    )


def segment_blobs(strip: np.ndarray) -> list[np.ndarray]:
    """Ink masks of the marks in a greyscale strip, left to right; parts of one mark that overlap
    horizontally (a broken stroke) are joined, and a short part joins the mark it lies over (the bar of a
    7, a faint flag of a 5 that came loose), the one it overlaps most. Short parts on their own are specks.
    A wide mark may be two touching digits."""
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
    boxes = [_box(stats, members) for _, members in groups]  # of the tall parts only
    for label in range(1, count):
        if tall[label] or not big[label]:
            continue
        part = _box(stats, [label])
        fits = [i for i, box in enumerate(boxes) if _lies_over(box, part)]
        if fits:
            widest = max(fits, key=lambda i: min(boxes[i][2], part[2]) - max(boxes[i][0], part[0]))
            groups[widest][1].append(label)
    return [np.isin(labels, members).astype(np.uint8) * 255 for _, members in groups]


@dataclass(frozen=True)
class DigitReader:
    hidden_weights: np.ndarray  # FEATURES x hidden
    hidden_bias: np.ndarray  # hidden
    output_weights: np.ndarray  # hidden x 10
    output_bias: np.ndarray  # 10

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """Each digit's probability for one feature vector, or for each row of a matrix of them."""
        hidden = np.maximum(features @ self.hidden_weights + self.hidden_bias, 0.0)
        scores = hidden @ self.output_weights + self.output_bias
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        return scores / scores.sum(axis=-1, keepdims=True)

    def cut_options(self, ink: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Two touching digits parted at each column of their middle third, the surest cut first: the one
        where both halves together read most surely (the product of their probabilities). On touching
        pairs built from held-out MNIST digits this parts more of them right than the thinnest column
        does: a lead-in stroke or a joining tail is often thinner than the joint."""
        options: list[tuple[float, tuple[np.ndarray, np.ndarray]]] = []
        for cut in _cuts(ink):
            halves = _halves(ink, cut)
            if not all(half.any() for half in halves):
                continue
            probabilities = self.probabilities(np.stack([glyph_features(half) for half in halves]))
            options.append((float(np.log(probabilities.max(axis=1)).sum()), halves))
        options.sort(key=lambda option: -option[0])
        return [halves for _, halves in options]


def weigh(probabilities: np.ndarray, evidence: np.ndarray | None) -> np.ndarray:
    """The glyphs' probabilities (one row each) times another reader's evidence for each place (one row
    of likelihoods per glyph), normalised again; unchanged without evidence."""
    if evidence is None:
        return probabilities
    weighed = probabilities * evidence
    return weighed / weighed.sum(axis=1, keepdims=True)


@lru_cache(maxsize=1)
def load_digit_reader(path: Path = DIGITS_MODEL) -> DigitReader:
    data = json.loads(path.read_text(encoding="utf-8"))
    layers = data["layers"]
    return DigitReader(
        hidden_weights=np.array(layers[0]["weights"]),
        hidden_bias=np.array(layers[0]["bias"]),
        output_weights=np.array(layers[1]["weights"]),
        output_bias=np.array(layers[1]["bias"]),
    )


@dataclass(frozen=True)
class _Split:
    halves: tuple[np.ndarray, np.ndarray]  # as the glyphs hold them
    others: list[tuple[np.ndarray, np.ndarray]]  # the same ink parted at its other columns, surest first


def _segment(strip: np.ndarray, at_least: int) -> tuple[list[np.ndarray], list[list[np.ndarray]]]:
    """``segment_glyphs``' glyphs, and the same glyphs with one of its splits made at another column."""
    reader = load_digit_reader()
    splits: list[_Split] = []

    def part(ink: np.ndarray) -> list[np.ndarray]:
        options = reader.cut_options(ink)
        if not options:
            return [ink]
        splits.append(_Split(options[0], options[1:]))
        return list(options[0])

    glyphs: list[np.ndarray] = []
    for blob in segment_blobs(strip):
        glyphs.extend(part(blob) if _is_wide(blob) else [blob])
    while glyphs and len(glyphs) < at_least:
        widest = max(range(len(glyphs)), key=lambda index: _extent(glyphs[index])[0])
        parts = part(glyphs[widest])
        if len(parts) < 2:
            break
        glyphs[widest : widest + 1] = parts
    variants: list[list[np.ndarray]] = []
    for split in splits:
        first, second = split.halves
        index = next((i for i, glyph in enumerate(glyphs) if glyph is first), None)
        if index is None or index + 1 == len(glyphs) or glyphs[index + 1] is not second:
            continue  # a half that was parted again
        variants.extend([*glyphs[:index], *halves, *glyphs[index + 2 :]] for halves in split.others)
    return glyphs, variants


def segment_glyphs(strip: np.ndarray, *, at_least: int = 0) -> list[np.ndarray]:
    """Ink masks of the digits in a strip, left to right: a wide mark is split where the classifier reads
    both halves most surely. When another reading saw ``at_least`` digits and fewer glyphs are found,
    the widest is split too: cursive digits can touch without looking wide ("31")."""
    return _segment(strip, at_least)[0]


def _glyph_probabilities(glyphs: list[np.ndarray], evidence: np.ndarray | None) -> np.ndarray:
    probabilities = load_digit_reader().probabilities(np.stack([glyph_features(glyph) for glyph in glyphs]))
    return weigh(probabilities, evidence if evidence is not None and len(evidence) == len(glyphs) else None)


def strip_probabilities(
    strip: np.ndarray, *, max_digits: int = 5, evidence: np.ndarray | None = None, at_least: int = 0
) -> np.ndarray | None:
    """Each glyph's digit probabilities (one row per glyph, left to right) for a strip holding only
    digits, weighed by ``evidence`` when it has a row for each glyph; None when there are no glyphs or
    more than ``max_digits``. ``at_least``: see ``segment_glyphs``."""
    glyphs = segment_glyphs(strip, at_least=at_least)
    if not glyphs or len(glyphs) > max_digits:
        return None
    return _glyph_probabilities(glyphs, evidence)


@dataclass(frozen=True)
class GlyphReadings:
    # One row per glyph as ``segment_glyphs`` cuts them; None when there are none or too many.
    probabilities: np.ndarray | None
    ranked: list[tuple[str, float]]  # the likeliest readings with their probabilities, likeliest first


def read_glyphs(
    strip: np.ndarray,
    *,
    max_digits: int = 5,
    evidence: np.ndarray | None = None,
    at_least: int = 0,
    limit: int = 5,
) -> GlyphReadings:
    """The glyphs' digit probabilities (as ``strip_probabilities``) and the strip's likeliest readings,
    each with its probability (the product over the glyphs): each glyph's three likeliest digits, on the
    glyphs as ``segment_glyphs`` cuts them and with touching digits parted at their other columns."""
    glyphs, variants = _segment(strip, at_least)
    if not glyphs or len(glyphs) > max_digits:
        return GlyphReadings(None, [])
    best: dict[str, float] = {}
    default = _glyph_probabilities(glyphs, evidence)
    for cut in [glyphs, *variants]:  # a variant has as many glyphs as the default cut
        probabilities = default if cut is glyphs else _glyph_probabilities(cut, evidence)
        likeliest = np.argsort(-probabilities, axis=1)[:, :3]
        for labels in itertools.product(*likeliest):
            reading = "".join(str(label) for label in labels)
            probability = float(np.prod(probabilities[np.arange(len(cut)), list(labels)]))
            best[reading] = max(best.get(reading, 0.0), probability)
    ranked = sorted(best.items(), key=lambda item: -item[1])[:limit]
    return GlyphReadings(default, ranked)


def read_digit_strip(strip: np.ndarray, *, max_digits: int = 5) -> tuple[str, float] | None:
    """The digits in a strip holding only digits, with the lowest glyph probability."""
    probabilities = strip_probabilities(strip, max_digits=max_digits)
    if probabilities is None:
        return None
    return "".join(str(d) for d in probabilities.argmax(axis=1)), float(probabilities.max(axis=1).min())
