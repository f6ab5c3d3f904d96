"""The one place that runs external programs (tesseract, poppler).

Every call has a timeout, and Tesseract always runs single-threaded (``OMP_THREAD_LIMIT=1``): one
process per core is several times faster than Tesseract's own threading on small machines.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytesseract
from pdf2image import convert_from_path, pdfinfo_from_path
from pdf2image.exceptions import PDFInfoNotInstalledError, PDFPageCountError, PDFPopplerTimeoutError
from PIL import Image

from pipeline.errors import (
    EncryptedPdf,
    LanguageDataMissing,
    OcrFailed,
    ToolFailed,
    ToolMissing,
    ToolTimeout,
    UnreadablePdf,
)

# pytesseract passes os.environ to its subprocess, so this is how the limit reaches every Tesseract run.
os.environ["OMP_THREAD_LIMIT"] = "1"

DEFAULT_TIMEOUT_S = 120


def _require(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        raise ToolMissing(f"`{program}` was not found on PATH")
    return path


def run(args: list[str], *, timeout: float = DEFAULT_TIMEOUT_S) -> str:
    """Run a program, return its stdout; typed errors on a missing program, a timeout or a failure."""
    _require(args[0])
    try:
        done = subprocess.run(args, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ToolTimeout(f"`{args[0]}` did not finish within {timeout:.0f} s") from exc
    if done.returncode != 0:
        stderr = done.stderr.decode("utf-8", "replace").strip()[-500:]
        raise ToolFailed(f"`{' '.join(args)}` exited with {done.returncode}: {stderr}")
    return done.stdout.decode("utf-8", "replace")


@lru_cache(maxsize=1)
def tesseract_version() -> str:
    first = run(["tesseract", "--version"], timeout=30).splitlines()
    return first[0].replace("tesseract", "").strip() if first else "unknown"


@lru_cache(maxsize=4)
def require_tesseract(lang: str) -> None:
    """Fail fast, before a batch starts, when the engine or its language data is missing."""
    langs = run(["tesseract", "--list-langs"], timeout=30).split()
    for code in lang.split("+"):
        if code not in langs:
            raise LanguageDataMissing(
                f"Tesseract has no `{code}` language data (found: {', '.join(langs[1:])})"
            )


@dataclass(frozen=True)
class Orientation:
    rotate: int  # degrees clockwise the page must be turned to read upright
    confidence: float


def detect_orientation(image: Path, *, timeout: float = 60) -> Orientation | None:
    """Tesseract OSD (``--psm 0``); None when the page has too little text to tell."""
    try:
        osd = pytesseract.image_to_osd(str(image), config="--psm 0", timeout=timeout, output_type="dict")
    except RuntimeError as exc:  # pytesseract signals its timeout this way
        raise ToolTimeout(f"orientation detection on {image.name} timed out") from exc
    except pytesseract.TesseractError:
        return None
    return Orientation(rotate=int(osd.get("rotate", 0)), confidence=float(osd.get("orientation_conf", 0.0)))


@contextmanager
def _tesseract_errors(image: Path, timeout: float) -> Iterator[None]:
    """pytesseract's exceptions as planscan's typed errors."""
    try:
        yield
    except RuntimeError as exc:  # pytesseract signals its timeout this way
        raise ToolTimeout(f"Tesseract did not finish {image.name} within {timeout:.0f} s") from exc
    except pytesseract.TesseractNotFoundError as exc:
        raise ToolMissing("`tesseract` was not found on PATH") from exc
    except pytesseract.TesseractError as exc:
        raise OcrFailed(f"Tesseract failed on {image.name}: {exc}") from exc


def ocr_tsv(image: Path, *, lang: str, psm: int = 3, timeout: float = DEFAULT_TIMEOUT_S) -> dict[str, list]:
    """Word-level OCR (text, confidence, boxes) as pytesseract's column dict."""
    with _tesseract_errors(image, timeout):
        data: dict[str, list] = pytesseract.image_to_data(
            str(image), lang=lang, config=f"--psm {psm}", timeout=timeout, output_type=pytesseract.Output.DICT
        )
    return data


def ocr_line(image: Path, *, lang: str, whitelist: str, timeout: float = 30) -> str:
    """One line of text (``--psm 7``) read with only the given characters: a targeted second look."""
    config = f"--psm 7 -c tessedit_char_whitelist={whitelist}"
    with _tesseract_errors(image, timeout):
        text: str = pytesseract.image_to_string(str(image), lang=lang, config=config, timeout=timeout)
    return text.strip()


def line_character_boxes(
    image: Path, *, lang: str, timeout: float = 30
) -> list[tuple[str, tuple[int, int, int, int]]]:
    """Each character of one line (``--psm 7``) with its box (x, y, width, height), top-left origin."""
    with _tesseract_errors(image, timeout):
        listing: str = pytesseract.image_to_boxes(str(image), lang=lang, config="--psm 7", timeout=timeout)
    with Image.open(image) as picture:
        height = picture.height
    boxes = []
    for row in listing.splitlines():
        char, left, bottom, right, top, _ = row.rsplit(" ", 5)  # Tesseract counts rows from the bottom
        x0, y0, x1, y1 = int(left), int(bottom), int(right), int(top)
        boxes.append((char, (x0, height - y1, x1 - x0, y1 - y0)))
    return boxes


@dataclass(frozen=True)
class PdfInfo:
    pages: int
    encrypted: bool


def pdf_info(path: Path, *, timeout: float = 60) -> PdfInfo:
    _require("pdfinfo")
    try:
        info = pdfinfo_from_path(str(path), timeout=int(timeout))
    except PDFInfoNotInstalledError as exc:
        raise ToolMissing("`pdfinfo` (poppler-utils) was not found") from exc
    except PDFPopplerTimeoutError as exc:
        raise ToolTimeout(f"pdfinfo did not finish on {path.name}") from exc
    except PDFPageCountError as exc:
        text = str(exc).lower()
        if "incorrect password" in text or "encrypt" in text:
            raise EncryptedPdf(f"{path.name} is password-protected") from exc
        raise UnreadablePdf(f"{path.name} cannot be parsed as a PDF: {str(exc).strip()[-200:]}") from exc
    pages = int(info.get("Pages", 0))
    if pages < 1:
        raise UnreadablePdf(f"{path.name} has no pages")
    return PdfInfo(pages=pages, encrypted=str(info.get("Encrypted", "no")).startswith("yes"))


_PAGE_SIZE = re.compile(r"Page\s+(\d+)\s+size:\s+([\d.]+)\s+x\s+([\d.]+)\s+pts")


@lru_cache(maxsize=64)
def _pdf_page_sizes(path: Path, mtime_ns: int, timeout: float) -> dict[int, tuple[float, float]]:
    # One pdfinfo run per document (pages are asked for one by one); mtime_ns keys out a changed file.
    # pdfinfo stops the page range at the document's last page.
    listing = run(["pdfinfo", "-f", "1", "-l", "1000000", str(path)], timeout=timeout)
    return {int(m.group(1)): (float(m.group(2)), float(m.group(3))) for m in _PAGE_SIZE.finditer(listing)}


def pdf_page_size(path: Path, page: int, *, timeout: float = 60) -> tuple[float, float] | None:
    """Width and height of one page in points (1/72 inch), or None when pdfinfo does not say."""
    return _pdf_page_sizes(path, path.stat().st_mtime_ns, timeout).get(page)


def rasterise_pdf_page(
    path: Path, page: int, *, dpi: int, out_dir: Path, timeout: float = DEFAULT_TIMEOUT_S
) -> Path:
    """Render one page to PPM with pdftoppm: only that page is ever in memory.

    PPM, not PNG: pdftoppm's PNG encoder costs 15 s for an A4 page at 300 dpi, PPM 0.2 s.
    """
    _require("pdftoppm")
    try:
        paths = convert_from_path(
            str(path),
            dpi=dpi,
            first_page=page,
            last_page=page,
            fmt="ppm",
            output_folder=str(out_dir),
            output_file=f"p{page:05d}",
            paths_only=True,
            timeout=int(timeout),
            single_file=True,
        )
    except PDFPopplerTimeoutError as exc:
        raise ToolTimeout(
            f"pdftoppm did not render page {page} of {path.name} in {timeout:.0f} s", page=page
        ) from exc
    except PDFPageCountError as exc:
        raise UnreadablePdf(f"{path.name}: {exc}", page=page) from exc
    written = [Path(str(p)) for p in paths]  # paths_only=True returns file names, not images
    if not written or not written[0].exists() or written[0].stat().st_size == 0:
        raise UnreadablePdf(f"pdftoppm produced no image for page {page} of {path.name}", page=page)
    return written[0]


def pdf_page_text(path: Path, page: int, *, timeout: float = 60) -> str:
    """The text layer of one page (empty for scanned pages)."""
    return run(
        ["pdftotext", "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(path), "-"], timeout=timeout
    )


def run_bytes(args: list[str], data: bytes, *, timeout: float = 30) -> bytes:
    """Run a filter program on bytes (used to build lookup tables, never on the hot path)."""
    _require(args[0])
    try:
        done = subprocess.run(args, input=data, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ToolTimeout(f"`{args[0]}` did not finish within {timeout:.0f} s") from exc
    return done.stdout if done.returncode == 0 else b""
