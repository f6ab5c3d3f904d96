"""``planscan train digits``: fit the handwritten-digit classifier and write its weights as JSON.

Training data: the handwritten digits bundled with scikit-learn (1,797 glyphs by 43 writers, already in
the 8x8 block-count layout ``pipeline.digits.glyph_features`` produces). Deterministic: lbfgs on
unshuffled folds.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from pipeline.digits import DIGITS_MODEL

REGULARISATIONS = (0.01, 0.03, 0.1, 0.3, 1.0)  # inverse strengths (C) tried; 5-fold accuracy picks one


def train_digits(out: Path = DIGITS_MODEL) -> dict[str, object]:
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    started = time.perf_counter()
    data = load_digits()
    scores = {
        c: float(cross_val_score(LogisticRegression(C=c, max_iter=5000), data.data, data.target, cv=5).mean())
        for c in REGULARISATIONS
    }
    best = max(REGULARISATIONS, key=lambda c: scores[c])
    model = LogisticRegression(C=best, max_iter=5000).fit(data.data, data.target)
    stats = {
        "source": "sklearn.datasets.load_digits (UCI optdigits test part, 1,797 glyphs, 43 writers)",
        "samples": len(data.target),
        "cv5_accuracy": {str(c): round(a, 4) for c, a in scores.items()},
        "regularisation_C": best,
        "seconds": round(time.perf_counter() - started, 1),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "about": "softmax regression over 8x8 ink counts of a glyph; see pipeline/digits.py",
        "stats": stats,
        "weights": [[round(float(w), 6) for w in row] for row in model.coef_],
        "bias": [round(float(b), 6) for b in model.intercept_],
    }
    out.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    return stats
