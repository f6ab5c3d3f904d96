"""Tune the decoder weights on held-out team text (the last corpus/text files): de-accented and eng-OCR'd.

The user's documents are never used here: they are the test set of ``planscan bench restore``.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from pipeline.bench.metrics import wer
from pipeline.restore import restore_text
from pipeline.restore.model import RESTORER_DIR, Params, Restorer, load_restorer
from pipeline.restore.train import corpus_split, parallel_pages
from pipeline.textnorm import nfc, normalize_text, strip_diacritics

GRID = {
    "mark_penalty": [0.6, 1.2, 2.0],
    "edit_penalty": [3.5, 5.0, 7.0],
    "table_weight": [1.0, 1.5, 2.5],
}


def dev_pairs(workers: int) -> list[tuple[str, str]]:
    _train, dev = corpus_split()
    texts = [normalize_text(nfc(p.read_text(encoding="utf-8"))) for p in dev]
    stripped = [(t, strip_diacritics(t)) for t in texts]
    return stripped + parallel_pages(texts, workers)


def dev_wer(restorer: Restorer, pairs: list[tuple[str, str]]) -> float:
    ref = "\n".join(r.lower() for r, _ in pairs)
    hyp = "\n".join(restore_text(g, restorer, force=True).text.lower() for _, g in pairs)
    return wer(ref, hyp)


def tune(workers: int = 2, out: Path = RESTORER_DIR / "params.json") -> dict[str, object]:
    pairs = dev_pairs(workers)
    restorer = load_restorer()
    results = []
    for values in itertools.product(*GRID.values()):
        restorer.params = Params.model_validate(dict(zip(GRID, values, strict=True)))
        restorer.candidates.cache_clear()
        results.append((dev_wer(restorer, pairs), values))
    best_wer, best = min(results)
    params = Params.model_validate(dict(zip(GRID, best, strict=True)))
    out.write_text(params.model_dump_json(indent=2) + "\n", encoding="utf-8")
    chosen = json.loads(params.model_dump_json())
    return {"dev_wer": round(best_wer, 4), "params": chosen, "tried": len(results)}
