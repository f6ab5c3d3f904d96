"""The restorer: a noisy-channel model decoded with a beam over a syllable trigram language model.

For each word the channel proposes spellings: learned OCR confusions ("ctia" -> "của", "s6" -> "số"),
every accented form of the same base letters ("nguoi" -> "người", "ngươi"), and near keys within two
edits. Residual diacritics in the input are evidence: a form that disagrees with them pays a penalty.
The language model then picks the most likely sequence.
"""

from __future__ import annotations

import gzip
import json
import math
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel
from rapidfuzz.distance import Levenshtein

from pipeline.artefacts import MODELS_DIR
from pipeline.errors import RestorerUnavailable
from pipeline.restore.lm import BOS, NgramLM
from pipeline.restore.syllables import canonical, key
from pipeline.textnorm import SHAPE_MARKS, TONE_MARKS

RESTORER_DIR = MODELS_DIR / "restorer"


class Params(BaseModel):
    """Decoder weights, tuned on held-out synthetic data (never on the user's documents)."""

    mark_penalty: float = 1.2  # per disagreeing tone or shape mark, when the input has marks at all
    edit_penalty: float = 3.5  # per edit between base-letter keys
    table_weight: float = 1.0  # weight of learned OCR confusions
    table_floor: int = 2  # a learned confusion must have been seen this often
    max_candidates: int = 16
    beam: int = 12
    beam_margin: float = 9.0  # entries this far (log) below the best are dropped; dev WER unchanged at 9
    lm_weight: float = 1.0
    garbled_below: float = 0.9  # share of valid syllables under which a text is treated as garbled


def _marks(syllable: str) -> tuple[str, frozenset[tuple[str, str]]]:
    tone = ""
    shapes: set[tuple[str, str]] = set()
    base = ""
    for ch in unicodedata.normalize("NFD", syllable):
        if ch in TONE_MARKS:
            tone = ch
        elif ch in SHAPE_MARKS:
            shapes.add((base, ch))
        else:
            base = ch
    if "đ" in syllable:
        shapes.add(("d", "stroke"))
    return tone, frozenset(shapes)


def mark_disagreement(observed: str, candidate: str) -> int:
    o_tone, o_shapes = _marks(observed)
    c_tone, c_shapes = _marks(candidate)
    return int(o_tone != c_tone) + int(o_shapes != c_shapes)


def has_marks(token: str) -> bool:
    return token != key(token) or any(ch in "đĐ" for ch in token)


@dataclass
class Restorer:
    lexicon: dict[str, list[str]]  # key -> canonical syllables
    lm: NgramLM
    confusions: dict[str, dict[str, int]]  # observed (lower) -> truth syllable -> count
    char_map: dict[str, str]  # learned: OCR character -> letter in the key ("6" -> "o")
    params: Params = field(default_factory=Params)
    _deletes: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.syllables = {s for forms in self.lexicon.values() for s in forms}
        for k in self.lexicon:
            for variant in _deletions(k, 2):
                self._deletes.setdefault(variant, []).append(k)
        self.candidates = lru_cache(maxsize=200_000)(self._candidates)

    def is_valid(self, token: str) -> bool:
        return canonical(token) in self.syllables

    def may_be_letters(self, number: str) -> bool:
        """A digit string that parallel data shows is often a misread syllable ("6" ở, "14" là)."""
        seen = self.confusions.get(number, {})
        return number in seen and any(not truth.isdigit() for truth in seen)

    def normal_key(self, token: str) -> str:
        mapped = "".join(self.char_map.get(ch, ch) for ch in key(token))
        return "".join(ch for ch in mapped if "a" <= ch <= "z")

    def near_keys(self, k: str) -> list[tuple[str, int]]:
        found: dict[str, int] = {}
        for variant in {k, *_deletions(k, 2)}:
            for target in self._deletes.get(variant, ()):
                if target not in found:
                    distance = Levenshtein.distance(k, target)
                    if distance <= 2:
                        found[target] = distance
        return sorted(found.items(), key=lambda item: item[1])

    def _candidates(self, observed: str) -> tuple[tuple[str, float], ...]:
        """(syllable, channel log-score) for one observed word, best first."""
        p = self.params
        obs = canonical(observed)
        scores: dict[str, float] = {}

        def offer(syllable: str, score: float) -> None:
            if score > scores.get(syllable, -math.inf):
                scores[syllable] = score

        seen = self.confusions.get(obs)
        if seen:
            total = sum(seen.values())
            for truth, count in seen.items():
                if count >= p.table_floor:
                    offer(truth, p.table_weight * math.log(count / total))
        marked = has_marks(obs)
        k = self.normal_key(obs)
        mapped_cost = 0.0 if k == key(obs) else 0.5 * p.edit_penalty
        for syllable in self.lexicon.get(k, ()):
            penalty = mark_disagreement(obs, syllable) * p.mark_penalty if marked else 0.0
            offer(syllable, -penalty - mapped_cost)
        if len(scores) < 3 and k:
            for near, distance in self.near_keys(k):
                for syllable in self.lexicon[near]:
                    offer(syllable, -p.edit_penalty * distance - mapped_cost - 0.5 * p.mark_penalty)
        ranked = sorted(
            scores.items(), key=lambda item: item[1] + 0.3 * self.lm.unigram_logp(item[0]), reverse=True
        )
        # What parallel data showed for exactly this string ("16" -> lệ) is never crowded out by the many
        # same-key forms the character map proposes.
        learned = {t for t, c in (seen or {}).items() if c >= p.table_floor}
        kept = [s for s, _ in ranked if s in learned][: p.max_candidates]
        kept += [s for s, _ in ranked if s not in learned][: p.max_candidates - len(kept)]
        chosen = set(kept)
        return tuple(item for item in ranked if item[0] in chosen)

    def decode(self, words: list[str | tuple[str, ...]]) -> list[str]:
        """Best spelling per position; a ``str`` item is fixed context (a number, an abbreviation)."""
        p = self.params
        lm = self.lm
        # A beam entry is (score, u, v, back, spelling): ``back`` indexes the previous step's entries;
        # u and v are language-model tokens (a digit counts as "<num>").
        beam: list[tuple[float, str, str, int, str]] = [(0.0, BOS, BOS, -1, "")]
        steps: list[list[tuple[float, str, str, int, str]]] = []
        for item in words:
            options: tuple[tuple[str, float], ...]
            options = ((item, 0.0),) if isinstance(item, str) else self.candidates(item[0])
            if not options:
                options = ((canonical(item[0]) if isinstance(item, tuple) else item, 0.0),)
            grown: dict[tuple[str, str], tuple[float, str, str, int, str]] = {}
            for back, (score, u, v, _, _) in enumerate(beam):
                for spelling, channel in options:
                    token = "<num>" if spelling.isdigit() else spelling
                    total = score + channel + p.lm_weight * lm.logp(u, v, token)
                    best = grown.get((v, token))
                    if best is None or total > best[0]:
                        grown[(v, token)] = (total, v, token, back, spelling)
            beam = sorted(grown.values(), key=lambda entry: entry[0], reverse=True)[: p.beam]
            floor = beam[0][0] - p.beam_margin
            beam = [entry for entry in beam if entry[0] >= floor]
            steps.append(beam)
        out: list[str] = []
        index = 0
        for step in reversed(steps):
            _, _, _, back, spelling = step[index]
            out.append(spelling)
            index = back
        return out[::-1]


def _deletions(word: str, depth: int) -> set[str]:
    out: set[str] = set()
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


def load_restorer(directory: Path = RESTORER_DIR) -> Restorer:
    try:
        with gzip.open(directory / "lm.json.gz", "rt", encoding="utf-8") as handle:
            lm_data = json.load(handle)
        lexicon = json.loads((directory / "lexicon.json").read_text(encoding="utf-8"))
        channel = json.loads((directory / "channel.json").read_text(encoding="utf-8"))
        params = Params(**json.loads((directory / "params.json").read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        raise RestorerUnavailable(f"cannot load the restorer from {directory}: {exc}") from exc
    return Restorer(
        lexicon=lexicon,
        lm=NgramLM(lm_data["unigrams"], lm_data["bigrams"], lm_data["trigrams"]),
        confusions=channel["confusions"],
        char_map=channel["char_map"],
        params=params,
    )
