"""``planscan bench scans``: render the bundled corpus into degraded scans, run the library pipeline,
and report OCR error rates, header-field accuracy against the corpus truth, and pages per second.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from pydantic import BaseModel

from pipeline.bench.metrics import cer, wer
from pipeline.document import process_document
from pipeline.settings import Settings
from pipeline.synth import synthesise

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
TITLE_TOLERANCE = 0.03
HEADER_FIELDS = ("document_type", "number", "issued_date", "place", "province", "issuer.name", "title")


class ScanScore(BaseModel):
    name: str
    pages: int
    seconds: float
    cer: float
    wer: float
    header_correct: dict[str, bool]


def _get(data: dict, path: str) -> object:
    head, _, tail = path.partition(".")
    value = data.get(head)
    return value.get(tail) if tail and isinstance(value, dict) else value


def score_document(markup_path: Path, truth_path: Path, work: Path, *, dpi: int, seed: int) -> ScanScore:
    synth = synthesise(markup_path.read_text(encoding="utf-8"), work / markup_path.stem, dpi=dpi, seed=seed)
    assert synth.pdf_path is not None
    started = time.perf_counter()
    result = process_document(synth.pdf_path, Settings(workers=1))
    seconds = time.perf_counter() - started
    reference = "\n".join(p.text for p in synth.pages)
    hypothesis = "\n".join(p.text for p in result.pages)
    fields = result.fields.model_dump(mode="json")
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    correct = {f: _get(fields, f) == _get(truth, f) for f in HEADER_FIELDS}
    # A title is long free text: a near match (a character or two misread) counts.
    title, expected = fields.get("title") or "", truth.get("title") or ""
    correct["title"] = bool(expected) and cer(expected, title) <= TITLE_TOLERANCE
    return ScanScore(
        name=markup_path.stem,
        pages=len(result.pages),
        seconds=round(seconds, 2),
        cer=round(cer(reference, hypothesis), 4),
        wer=round(wer(reference, hypothesis), 4),
        header_correct=correct,
    )


def run(*, dpi: int = 200, seed: int = 7) -> list[ScanScore]:
    scores = []
    with tempfile.TemporaryDirectory(prefix="planscan-bench-") as tmp:
        for markup in sorted((CORPUS / "documents").glob("*.txt")):
            truth = CORPUS / "truth" / f"{markup.stem}.json"
            if truth.exists():
                scores.append(score_document(markup, truth, Path(tmp), dpi=dpi, seed=seed))
    return scores


def report(scores: list[ScanScore]) -> str:
    lines = [f"{'document':58} pages   s/page   CER     WER     header"]
    for s in scores:
        ok = sum(s.header_correct.values())
        wrong = ",".join(k for k, v in s.header_correct.items() if not v)
        lines.append(
            f"{s.name[:58]:58} {s.pages:5} {s.seconds / max(1, s.pages):8.2f} {s.cer:6.2%} {s.wer:6.2%}  "
            f"{ok}/{len(s.header_correct)} {wrong}"
        )
    pages = sum(s.pages for s in scores)
    seconds = sum(s.seconds for s in scores)
    fields = [v for s in scores for v in s.header_correct.values()]
    mean_cer = sum(s.cer * s.pages for s in scores) / max(1, pages)
    lines.append(
        f"total: {pages} pages, {pages / max(seconds, 1e-9):.2f} pages/s on one worker, "
        f"page-weighted CER {mean_cer:.2%}, header fields {sum(fields)}/{len(fields)} correct"
    )
    return "\n".join(lines)
