"""OCR accuracy where the truth is known exactly: born-digital PDFs, rendered and read as if scanned.

Their text layer is the ground truth; the page is rendered at 200 dpi and goes through the whole scan path
(preprocess, OCR, restore). The body is scored on its own: the text layer leaves out the seal, the signature
image and the stamp box, which the rendered page shows and OCR reads as specks. The body runs from after the
place-and-date line to "Nơi nhận"; reading order inside it counts as an error, as a user would see it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

from pipeline import tools
from pipeline.bench.metrics import cer, wer
from pipeline.document import process_document, text_layer_page
from pipeline.extract.view import fold
from pipeline.landmarks import recipients_at
from pipeline.settings import Settings
from pipeline.textnorm import nfc

RENDER_DPI = 200
_FORCE_OCR = 10**9  # no text layer has this many letters: every page is rendered and OCR'd
_DATE_LINE = re.compile(r"ngay\s+\S{1,4}\s+thang\s+\S{1,4}\s+nam\s+\d{4}[^\n]*\n")
_MIN_LINE_MATCH = 50.0  # the OCR body starts at the line most like the truth body's first line


@dataclass(frozen=True)
class PageScore:
    name: str
    page: int
    chars: int
    cer: float
    wer: float


def born_digital(paths: list[Path]) -> list[Path]:
    """The PDFs whose every page has a trustworthy text layer."""
    found = []
    for path in paths:
        pages = tools.pdf_info(path).pages
        texts = [nfc(tools.pdf_page_text(path, n)) for n in range(1, pages + 1)]
        if all(text_layer_page(text, n, Settings()) is not None for n, text in enumerate(texts, 1)):
            found.append(path)
    return found


def _closing_at(text: str) -> int:
    at = recipients_at(fold(text))
    return len(text) if at < 0 else at


def body_pair(truth: str, ocr: str) -> tuple[str, str]:
    """The body of a page in the truth and in the OCR text: after the place-date line (where the page
    has one), up to "Nơi nhận". The OCR body starts at the line that best matches the truth body's first."""
    folded = fold(truth)
    date_line = _DATE_LINE.search(folded)
    start = date_line.end() if date_line else 0
    truth_body = truth[start : _closing_at(truth)].strip()
    ocr_start = 0
    if date_line and truth_body:
        first_line = truth_body.splitlines()[0].strip()
        best = _MIN_LINE_MATCH
        offset = 0
        for line in ocr.split("\n"):
            similarity = fuzz.ratio(line.strip(), first_line)
            if similarity > best:
                best, ocr_start = similarity, offset
            offset += len(line) + 1
    return truth_body, ocr[ocr_start : _closing_at(ocr)].strip()


def score(path: Path) -> list[PageScore]:
    settings = Settings(dpi=RENDER_DPI, text_layer_min_letters=_FORCE_OCR)
    result = process_document(path, settings)
    scores = []
    for page in result.pages:
        truth, ocr = body_pair(nfc(tools.pdf_page_text(path, page.number)), page.text)
        scores.append(PageScore(path.name, page.number, len(truth), cer(truth, ocr), wer(truth, ocr)))
    return scores


def report(scores: list[PageScore]) -> list[str]:
    if not scores:
        return ["born-digital PDFs: none found"]
    lines = [f"body text of born-digital PDFs rendered at {RENDER_DPI} dpi and OCR'd (text layer = truth):"]
    lines += [f"  {s.name} p{s.page}: CER {s.cer:.2%}  WER {s.wer:.2%}  ({s.chars} chars)" for s in scores]
    chars = sum(s.chars for s in scores)
    pooled = sum(s.cer * s.chars for s in scores) / max(1, chars)
    lines.append(f"  pooled CER {pooled:.2%} over {chars} characters")
    return lines
