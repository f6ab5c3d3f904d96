"""``planscan bench restore``: word and character error rates of raw input, pyvi's ``add_accents`` and
planscan's restorer on the user's documents, which are test data only (read from ../shared/seeds).

(a) seeds 002+003 with every diacritic stripped; (b) seeds 002+003 rendered and OCR'd with ``-l eng``;
(c) seeds 000, 001, 004 against the team's hand-made gold in tests/gold/restoration; (d) correct text:
share of words changed. Plus words per second and model load time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from pipeline.bench.metrics import cer, wer
from pipeline.restore import restore_text
from pipeline.restore.model import Restorer, load_restorer
from pipeline.textnorm import normalize_text, strip_diacritics

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"
GOLD = ROOT / "tests" / "gold" / "restoration"


class Row(BaseModel):
    case: str
    system: str
    wer: float
    cer: float
    words: int


def _seed(prefix: str) -> str:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return normalize_text(path.read_text(encoding="utf-8"))


def _pyvi() -> Callable[[str], str]:
    from pyvi import ViUtils

    def accents(text: str) -> str:
        out = []
        for line in text.split("\n"):
            try:
                out.append(str(ViUtils.add_accents(strip_diacritics(line))))
            except (KeyError, IndexError, ValueError):
                out.append(line)  # pyvi fails on some inputs; the line counts as left unrestored
        return "\n".join(out)

    return accents


def _score(case: str, system: str, pairs: list[tuple[str, str]]) -> Row:
    ref = "\n".join(normalize_text(r).lower() for r, _ in pairs)
    hyp = "\n".join(normalize_text(h).lower() for _, h in pairs)
    return Row(
        case=case,
        system=system,
        wer=round(wer(ref, hyp), 4),
        cer=round(cer(ref, hyp), 4),
        words=len(ref.split()),
    )


def garbled_pages(texts: list[str], workers: int = 2) -> list[tuple[str, str]]:
    from pipeline.restore.train import parallel_pages

    return parallel_pages(texts, workers)


def run(workers: int = 2, cases_wanted: str = "abcd") -> tuple[list[Row], dict[str, float]]:
    t0 = time.perf_counter()
    restorer: Restorer = load_restorer()
    load_s = time.perf_counter() - t0
    pyvi = _pyvi()

    def planscan(text: str) -> str:
        return restore_text(text, restorer, force=True).text

    clean = [_seed("002"), _seed("003")]
    cases: dict[str, list[tuple[str, str]]] = {}
    if "a" in cases_wanted:
        cases["a stripped 002+003"] = [(t, strip_diacritics(t)) for t in clean]
    if "b" in cases_wanted:
        cases["b eng-OCR 002+003"] = garbled_pages(clean, workers)
    if "c" in cases_wanted:
        gold = [((GOLD / f"{p}.txt").read_text(encoding="utf-8"), _seed(p)) for p in ("000", "001", "004")]
        cases["c legacy 000+001+004"] = gold
    rows: list[Row] = []
    timed_words, timed_seconds = 0, 0.0
    for case, pairs in cases.items():
        rows.append(_score(case, "raw input", pairs))
        rows.append(_score(case, "pyvi add_accents", [(r, pyvi(i)) for r, i in pairs]))
        started = time.perf_counter()
        restored = [(r, planscan(i)) for r, i in pairs]
        timed_seconds += time.perf_counter() - started
        timed_words += sum(len(i.split()) for _, i in pairs)
        rows.append(_score(case, "planscan", restored))
    changed = sum(restore_text(t, restorer).changed for t in clean)
    forced = sum(_changed_words(t, planscan(t)) for t in clean)
    words = sum(len(t.split()) for t in clean)
    stats = {
        "load_s": round(load_s, 3),
        "words_per_s": round(timed_words / max(timed_seconds, 1e-9)),
        "correct_changed_share": round(changed / words, 5),
        "correct_changed_share_forced": round(forced / words, 5),
    }
    return rows, stats


def _changed_words(before: str, after: str) -> int:
    return sum(a != b for a, b in zip(before.split(), after.split(), strict=False))


def report(rows: list[Row], stats: dict[str, float]) -> str:
    lines = [f"{'case':24} {'system':18} {'WER':>7} {'CER':>7} {'words':>6}"]
    for row in rows:
        lines.append(f"{row.case:24} {row.system:18} {row.wer:7.2%} {row.cer:7.2%} {row.words:6}")
    lines.append(
        f"(d) correct text 002+003: {stats['correct_changed_share']:.3%} of words changed "
        f"(decoder forced on it anyway: {stats['correct_changed_share_forced']:.2%})"
    )
    lines.append(f"speed: {stats['words_per_s']:,} words/s on one core; model load {stats['load_s']:.2f} s")
    return "\n".join(lines)
