"""Error rates used by benchmarks and tests."""

from __future__ import annotations

from rapidfuzz.distance import Levenshtein

from pipeline.textnorm import nfc


def _tokens(text: str) -> list[str]:
    return nfc(text).split()


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate over whitespace-normalised text."""
    ref = " ".join(_tokens(reference))
    hyp = " ".join(_tokens(hypothesis))
    return Levenshtein.distance(ref, hyp) / max(1, len(ref))


def wer(reference: str, hypothesis: str) -> float:
    ref, hyp = _tokens(reference), _tokens(hypothesis)
    return Levenshtein.distance(ref, hyp) / max(1, len(ref))
