"""A syllable trigram language model with stupid backoff (Brants et al. 2007): fast to load and query,
and good enough to rank a handful of spellings per position."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

BOS = "<s>"
BACKOFF = 0.4


class NgramLM:
    def __init__(self, unigrams: dict[str, int], bigrams: dict[str, int], trigrams: dict[str, int]) -> None:
        self.unigrams = unigrams
        self.bigrams = bigrams
        self.trigrams = trigrams
        self.total = sum(unigrams.values())
        self.vocab = len(unigrams) + 1
        # Context counts: how often each history was followed by anything.
        self._history1: Counter[str] = Counter()
        for gram, count in bigrams.items():
            self._history1[gram.split(" ", 1)[0]] += count
        self._history2: Counter[str] = Counter()
        for gram, count in trigrams.items():
            self._history2[gram.rsplit(" ", 1)[0]] += count
        self._cache: dict[tuple[str, str, str], float] = {}

    def unigram_logp(self, word: str) -> float:
        return math.log((self.unigrams.get(word, 0) + 0.1) / (self.total + 0.1 * self.vocab))

    def logp(self, u: str, v: str, w: str) -> float:
        """log S(w | u v)."""
        cached = self._cache.get((u, v, w))
        if cached is not None:
            return cached
        score: float
        tri = self.trigrams.get(f"{u} {v} {w}")
        if tri:
            score = math.log(tri / self._history2[f"{u} {v}"])
        else:
            bi = self.bigrams.get(f"{v} {w}")
            if bi:
                score = math.log(BACKOFF * bi / self._history1[v])
            else:
                score = 2 * math.log(BACKOFF) + self.unigram_logp(w)
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
