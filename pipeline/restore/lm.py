"""A syllable trigram language model with interpolated Kneser-Ney smoothing (Chen & Goodman 1998),
built from raw counts at load time: small on disk, quick to load, cached per query."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

BOS = "<s>"
DISCOUNT = 0.75


class NgramLM:
    def __init__(self, unigrams: dict[str, int], bigrams: dict[str, int], trigrams: dict[str, int]) -> None:
        self.unigrams = unigrams
        self.bigrams = bigrams
        self.trigrams = trigrams
        self.vocab = len(unigrams) + 1
        self.total = sum(unigrams.values())
        # Totals and distinct followers of each history, and distinct predecessors of each word.
        self._after1: Counter[str] = Counter()
        self._types_after1: Counter[str] = Counter()
        self._types_before: Counter[str] = Counter()
        for gram, count in bigrams.items():
            v, w = gram.split(" ", 1)
            self._after1[v] += count
            self._types_after1[v] += 1
            self._types_before[w] += 1
        self._bigram_types = max(1, len(bigrams))
        self._after2: Counter[str] = Counter()
        self._types_after2: Counter[str] = Counter()
        for gram, count in trigrams.items():
            history = gram.rsplit(" ", 1)[0]
            self._after2[history] += count
            self._types_after2[history] += 1
        self._cache: dict[tuple[str, str, str], float] = {}

    def _continuation(self, w: str) -> float:
        return (self._types_before.get(w, 0) + 0.5) / (self._bigram_types + 0.5 * self.vocab)

    def _bigram(self, v: str, w: str) -> float:
        lower = self._continuation(w)
        total = self._after1.get(v, 0)
        if not total:
            return lower
        count = self.bigrams.get(f"{v} {w}", 0)
        return max(count - DISCOUNT, 0.0) / total + DISCOUNT * self._types_after1[v] / total * lower

    def unigram_logp(self, word: str) -> float:
        return math.log(self._continuation(word))

    def logp(self, u: str, v: str, w: str) -> float:
        """log P_KN(w | u v)."""
        cached = self._cache.get((u, v, w))
        if cached is not None:
            return cached
        lower = self._bigram(v, w)
        history = f"{u} {v}"
        total = self._after2.get(history, 0)
        if total:
            count = self.trigrams.get(f"{history} {w}", 0)
            p = max(count - DISCOUNT, 0.0) / total + DISCOUNT * self._types_after2[history] / total * lower
        else:
            p = lower
        score = math.log(p)
        if len(self._cache) < 2_000_000:
            self._cache[(u, v, w)] = score
        return score

    @classmethod
    def count(cls, sentences: Iterable[list[str]], *, min_count: int = 1) -> NgramLM:
        uni: Counter[str] = Counter()
        bi: Counter[str] = Counter()
        tri: Counter[str] = Counter()
        for words in sentences:
            padded = [BOS, BOS, *words]
            uni.update(words)
            for i in range(2, len(padded)):
                bi[f"{padded[i - 1]} {padded[i]}"] += 1
                tri[f"{padded[i - 2]} {padded[i - 1]} {padded[i]}"] += 1
        keep = {g: c for g, c in tri.items() if c >= min_count}
        return cls(dict(uni), dict(bi), keep)

    def to_json(self) -> dict[str, dict[str, int]]:
        return {
            "unigrams": dict(sorted(self.unigrams.items())),
            "bigrams": dict(sorted(self.bigrams.items())),
            "trigrams": dict(sorted(self.trigrams.items())),
        }
