"""``planscan bench ingest``: end-to-end ingest time against the single-machine limit.

The limit is raw Tesseract (``tesseract -l vie``, one process per core, ``OMP_THREAD_LIMIT=1``) on the same
page images, rasterised beforehand at the same dpi. OCRmyPDF (``-l vie --jobs N``) is the reference tool.
planscan runs as a user would: ``planscan ingest DIR`` in a new process, Prefect startup included. Peak
memory is the largest resident set of the ingest process, of any program it ran, and of the raw Tesseract
runs before it (each far smaller).
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pipeline import tools
from pipeline.errors import PlanscanError
from pipeline.synth import synthesise

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus" / "documents"


@dataclass
class IngestBench:
    pages: int
    documents: int
    raw_tesseract_s: float
    planscan_s: float
    ocrmypdf_s: float | None
    ocrmypdf_note: str
    peak_rss_mb: float


def make_scans(out_dir: Path, copies: int, dpi: int) -> list[Path]:
    """The corpus rendered ``copies`` times with different degradation seeds (6 documents, 17 pages each)."""
    pdfs = []
    for copy in range(copies):
        for source in sorted(CORPUS.glob("*.txt")):
            stem = out_dir / f"{source.stem[:13]}-{copy}"
            synthesise(source.read_text(encoding="utf-8"), stem, dpi=dpi, seed=100 + copy)
            pdfs.append(stem.with_suffix(".pdf"))
    return pdfs


def _page_images(pdfs: list[Path], work: Path, dpi: int) -> list[Path]:
    images = []
    for pdf in pdfs:
        for number in range(1, tools.pdf_info(pdf).pages + 1):
            page_dir = work / f"{pdf.stem}-{number}"
            page_dir.mkdir(parents=True)
            images.append(tools.rasterise_pdf_page(pdf, number, dpi=dpi, out_dir=page_dir))
    return images


def _raw_tesseract(images: list[Path], workers: int) -> float:
    def ocr(image: Path) -> str:
        return tools.run(["tesseract", str(image), "stdout", "-l", "vie"], timeout=600)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(ocr, images))
    return time.perf_counter() - started


def _ocrmypdf(pdfs: list[Path], work: Path, workers: int) -> tuple[float | None, str]:
    if shutil.which("ocrmypdf") is None:
        return None, "not installed (apt-get install ocrmypdf)"
    started = time.perf_counter()
    try:
        for pdf in pdfs:
            args = ["ocrmypdf", "-l", "vie", "--jobs", str(workers), "--force-ocr", "--output-type", "pdf"]
            tools.run([*args, str(pdf), str(work / pdf.name)], timeout=3600)
    except PlanscanError as exc:
        return None, f"failed: {exc}"
    return time.perf_counter() - started, tools.run(["ocrmypdf", "--version"]).strip()


def _planscan(scans: Path, out_dir: Path, workers: int) -> tuple[float, float]:
    command = [sys.executable, "-m", "pipeline.cli", "ingest", str(scans), "-o", str(out_dir)]
    started = time.perf_counter()
    subprocess.run([*command, "--workers", str(workers), "--no-progress"], check=True, capture_output=True)
    elapsed = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # largest waited-for descendant
    return elapsed, peak_kb / 1024


def run(copies: int = 3, dpi: int = 300, workers: int = 2) -> IngestBench:
    with tempfile.TemporaryDirectory(prefix="planscan-bench-") as scratch:
        root = Path(scratch)
        scans = root / "scans"
        scans.mkdir()
        pdfs = make_scans(scans, copies, dpi=200)
        for extra in scans.glob("*.truth.json"):
            extra.unlink()  # only the scans are ingested
        # The limit is timed before and after planscan and averaged: the machine's speed drifts (by a fifth
        # within an hour here), and a single reading on one side would tilt the ratio with it.
        images = _page_images(pdfs, root / "raw", dpi)
        raw_before = _raw_tesseract(images, workers)
        planscan_s, peak_mb = _planscan(scans, root / "out", workers)
        raw_s = (raw_before + _raw_tesseract(images, workers)) / 2
        pages = len(images)
        (root / "ocrmypdf").mkdir()
        ocrmypdf_s, note = _ocrmypdf(pdfs, root / "ocrmypdf", workers)
        return IngestBench(pages, len(pdfs), raw_s, planscan_s, ocrmypdf_s, note, peak_mb)


def report(bench: IngestBench) -> str:
    lines = [
        f"planscan bench ingest: {bench.documents} scanned PDFs, {bench.pages} pages, 300 dpi",
        f"  raw tesseract -l vie, one process per core   {bench.raw_tesseract_s:7.1f} s"
        f"  ({bench.raw_tesseract_s / bench.pages:.2f} s/page; mean of a run before and one after planscan)",
        f"  planscan ingest, end to end, startup included  {bench.planscan_s:7.1f} s"
        f"  ({bench.planscan_s / bench.raw_tesseract_s:.2f}x the raw limit; goal <= 1.25x)",
    ]
    if bench.ocrmypdf_s is not None:
        lines.append(
            f"  OCRmyPDF --jobs N ({bench.ocrmypdf_note})  {bench.ocrmypdf_s:7.1f} s"
            f"  (planscan / OCRmyPDF = {bench.planscan_s / bench.ocrmypdf_s:.2f})"
        )
    else:
        lines.append(f"  OCRmyPDF: {bench.ocrmypdf_note}")
    lines.append(f"  peak resident memory of any ingest process or program: {bench.peak_rss_mb:.0f} MB")
    return "\n".join(lines)
