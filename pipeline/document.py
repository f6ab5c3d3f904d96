"""One document through the library pipeline, page by page, without any orchestration framework.

``process_page`` is the unit of work (the Prefect flow runs it as a task); ``assemble`` turns page
outcomes into the document result. A failing page is recorded and makes the document ``partial``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import shutil
import tempfile
from pathlib import Path

from PIL import Image
from pydantic import BaseModel

from pipeline import __version__, tools
from pipeline.artefacts import model_hashes
from pipeline.errors import (
    BlankPage,
    ImageTooLarge,
    InputUnreadable,
    NotVietnamese,
    PlanscanError,
    UnexpectedError,
)
from pipeline.extract import extract_fields
from pipeline.legacy_text import decode_legacy_text, vietnamese_letter_share
from pipeline.load import InputDocument, identify, sha256_file
from pipeline.models import DocumentResult, ErrorRecord, Page, Provenance, Source
from pipeline.ocr import ocr_page
from pipeline.preprocess import aligned_grey, preprocess
from pipeline.rasterise import count_pages, rasterise_page
from pipeline.reread import reread_day, reread_number
from pipeline.restore import default_restorer, restore_text, valid_share
from pipeline.restore.ocr_correction import correct_ocr_text
from pipeline.restore.tokens import split
from pipeline.settings import Settings
from pipeline.textnorm import nfc, normalize_text

# A text whose restored words are mostly still not Vietnamese syllables is in another language: measured
# on English and French 0.40-0.48 after restoration, on garbled and de-accented Vietnamese 1.00.
NOT_VIETNAMESE_BELOW = 0.5
LANGUAGE_MIN_WORDS = 20  # too few words to judge the language of a document


class PageOutcome(BaseModel):
    page: Page
    error: ErrorRecord | None = None


def _error(stage: str, exc: PlanscanError, page: int | None = None) -> ErrorRecord:
    return ErrorRecord(
        stage=stage, page=page or exc.page, code=exc.code, message=exc.message, remedy=exc.remedy
    )


def unexpected(exc: BaseException) -> UnexpectedError:
    """Any other exception (a bug, a resource limit) as a typed error, so it is recorded, never fatal."""
    return UnexpectedError(f"{type(exc).__name__}: {exc}"[:500])


def _failed_page(number: int) -> Page:
    return Page(number=number, text="", ocr_text=None, mean_confidence=None, source="ocr", status="failed")


def failed_page_outcome(number: int, stage: str, exc: PlanscanError) -> PageOutcome:
    return PageOutcome(page=_failed_page(number), error=_error(stage, exc, number))


def text_layer_page(text: str, number: int, settings: Settings) -> Page | None:
    """A born-digital page built from its own text, when it has enough real letters to trust."""
    letters = sum(ch.isalpha() for ch in text)
    if letters < settings.text_layer_min_letters or vietnamese_letter_share(text) < 0.9:
        return None
    return Page(
        number=number,
        text=normalize_text(text.strip()),
        ocr_text=text,
        mean_confidence=None,
        source="text_layer",
    )


def process_page(doc: InputDocument, number: int, work_dir: Path, settings: Settings) -> PageOutcome:
    """Text of one page of a PDF or image; image files written on the way are removed before returning."""
    stage = "load"
    page_dir = Path(tempfile.mkdtemp(prefix=f"p{number:05d}-", dir=work_dir))
    try:
        thin_layer = None
        if doc.media_type == "application/pdf":
            stage = "text_layer"
            layer_text = nfc(tools.pdf_page_text(doc.path, number, timeout=settings.page_timeout_s))
            layer = text_layer_page(layer_text, number, settings)
            if layer is not None:
                return PageOutcome(page=layer)
            thin_layer = layer_text.strip() or None  # kept: a scan's text layer may hold a digital signature
        stage = "rasterise"
        if doc.media_type == "image/tiff":
            _check_frame_size(doc, number, settings)
        raster, dpi = rasterise_page(doc, number, page_dir, settings)
        stage = "preprocess"
        clean = page_dir / "clean.pgm"
        report = preprocess(raster, clean, dpi=dpi)
        if raster.parent == page_dir and number != 1:
            raster.unlink(missing_ok=True)  # only page 1 goes back to it, for the number's second reading
        base = Page(
            number=number,
            text="",
            ocr_text="",
            mean_confidence=None,
            source="ocr",
            width=report.width,
            height=report.height,
            dpi=round((dpi or 300) * report.scale),
            skew_deg=report.skew_deg,
            seal_detected=report.seal_detected,
            text_layer=thin_layer,
        )
        if report.blank:
            return PageOutcome(page=base.model_copy(update={"status": "blank"}))
        stage = "ocr"
        result = ocr_page(clean, settings)
        text, restored, page_error = result.text, 0, None
        try:
            corrected = correct_ocr_text(result.text, result.words)
            text, restored = corrected.text, corrected.changed
        except PlanscanError as exc:  # the OCR text is still good: keep it, report the restorer
            page_error = _error("restore", exc, number)
        reread = day = None
        if number == 1 and result.rotation == 0:
            load = functools.cache(lambda: aligned_grey(raster, report))  # only if a second reading needs it
            try:
                args = (load, result.words, report.height, page_dir)
                reread = reread_number(*args, lang=settings.lang, timeout=settings.page_timeout_s)
                day = reread_day(*args, lang=settings.lang, timeout=settings.page_timeout_s)
            except PlanscanError as exc:  # the page's text stands; only the second look is missing
                page_error = page_error or _error("reread", exc, number)
        page = base.model_copy(
            update={
                "number_reread": reread,
                "day_reread": day,
                "text": text,
                "ocr_text": result.text,
                "restored_words": restored,
                "mean_confidence": result.mean_confidence,
                "words": result.words,
                "rotation": result.rotation,
                "status": "ok" if result.text.strip() else "blank",
            }
        )
        return PageOutcome(page=page, error=page_error)
    except PlanscanError as exc:
        return PageOutcome(page=_failed_page(number), error=_error(stage, exc, number))
    except Exception as exc:  # one broken page must not stop its document or the batch
        return PageOutcome(page=_failed_page(number), error=_error(stage, unexpected(exc), number))
    finally:
        shutil.rmtree(page_dir, ignore_errors=True)


def _check_frame_size(doc: InputDocument, number: int, settings: Settings) -> None:
    """Frames of a TIFF can differ in size: check this frame's header before anything decodes it."""
    try:
        with Image.open(doc.path) as image:
            image.seek(number - 1)
            megapixels = image.width * image.height / 1e6
    except (EOFError, OSError, ValueError):
        return  # rasterising reports undecodable frames with their own code
    if megapixels > settings.max_megapixels:
        raise ImageTooLarge(
            f"{doc.path.name}: page {number} is {megapixels:.0f} megapixels "
            f"(limit {settings.max_megapixels:.0f})",
            page=number,
        )


def text_file_pages(doc: InputDocument) -> tuple[list[Page], list[ErrorRecord]]:
    """Legacy OCR text, one page per form feed; garbled text is restored and the original kept in ocr_text."""
    raw, _encoding = decode_legacy_text(doc.path.read_bytes())
    originals = raw.split("\f")
    chunks = [normalize_text(chunk) for chunk in originals]
    pages = [
        Page(number=i, text=chunk, ocr_text=original, mean_confidence=None, source="text_file")
        for i, (chunk, original) in enumerate(zip(chunks, originals, strict=True), start=1)
    ]
    try:
        restorer = default_restorer()
        # Decide once for the whole document: a garbled file is garbled on every page.
        if valid_share(split("\n".join(chunks)), restorer) < restorer.params.garbled_below:
            restored = [restore_text(page.text, restorer, force=True) for page in pages]
            # Another language does not become Vietnamese by restoring it: keep such a text as it is.
            if valid_share(split("\n".join(r.text for r in restored)), restorer) >= NOT_VIETNAMESE_BELOW:
                for page, result in zip(pages, restored, strict=True):
                    page.text, page.restored_words = result.text, result.changed
    except PlanscanError as exc:
        return pages, [_error("restore", exc)]
    return pages, []


def document_status(pages: list[Page], errors: list[ErrorRecord]) -> str:
    if not pages or all(p.status != "ok" for p in pages):
        return "failed"
    return "partial" if errors else "ok"


def assemble(
    doc: InputDocument,
    pages: list[Page],
    errors: list[ErrorRecord],
    *,
    started_at: dt.datetime,
    settings: Settings,
) -> DocumentResult:
    errors = list(errors)
    pages = sorted(pages, key=lambda p: p.number)
    if pages and all(p.status == "blank" for p in pages):
        errors.append(_error("ocr", BlankPage("no text was found on any page")))
    language = _language_error(pages)
    if language is not None:
        errors.append(language)
    try:
        fields, evidence, extracted = extract_fields(pages)
    except Exception as exc:  # the text is still worth keeping when a field extractor breaks
        errors.append(_error("extract", unexpected(exc)))
        fields, evidence, extracted = extract_fields([])
    hashes = model_hashes()
    return DocumentResult(
        doc_id=doc.doc_id,
        status=document_status(pages, errors),  # type: ignore[arg-type]
        errors=errors,
        source=Source(
            path=str(doc.path),
            sha256=doc.sha256,
            media_type=doc.media_type,
            pages=len(pages),
            size_bytes=doc.size_bytes,
        ),
        provenance=Provenance(
            planscan_version=__version__,
            tesseract_version=_tesseract_version_or_none() if doc.media_type != "text/plain" else None,
            models=hashes,
            config_hash=settings.output_hash(hashes),
            started_at=started_at,
            duration_s=round((dt.datetime.now(dt.UTC) - started_at).total_seconds(), 3),
        ),
        pages=pages,
        fields=fields,
        evidence=evidence,
        extracted=extracted,
    )


def _language_error(pages: list[Page]) -> ErrorRecord | None:
    words = [p for p in split("\n".join(page.text for page in pages)) if p.kind == "word"]
    if len(words) < LANGUAGE_MIN_WORDS:
        return None
    try:
        share = valid_share(words, default_restorer())
    except PlanscanError:
        return None  # without the lexicon the language cannot be judged; restoration reports that
    if share >= NOT_VIETNAMESE_BELOW:
        return None
    message = f"only {share:.0%} of the words are Vietnamese syllables; the text is kept as read"
    return _error("restore", NotVietnamese(message))


def _tesseract_version_or_none() -> str | None:
    try:
        return tools.tesseract_version()
    except PlanscanError:
        return None


def failed_document(
    path: Path, error: PlanscanError | ErrorRecord, settings: Settings, doc: InputDocument | None = None
) -> DocumentResult:
    """A document that could not be opened at all still gets a result, so nothing is dropped."""
    started = dt.datetime.now(dt.UTC)
    if doc is None:
        try:
            sha, size = sha256_file(path), path.stat().st_size
        except OSError:  # missing or unreadable: a hash of the path keeps its result apart from others
            sha, size = hashlib.sha256(f"unreadable:{path.resolve()}".encode()).hexdigest(), 0
        doc = InputDocument(
            path=path.resolve(), sha256=sha, size_bytes=size, media_type="application/octet-stream"
        )
    record = error if isinstance(error, ErrorRecord) else _error("load", error)
    return assemble(doc, [], [record], started_at=started, settings=settings)


def process_document(
    path: Path, settings: Settings | None = None, *, work_root: Path | None = None
) -> DocumentResult:
    """The whole library pipeline on one file, sequentially (used by ``planscan extract`` and tests)."""
    settings = settings or Settings()
    started = dt.datetime.now(dt.UTC)
    try:
        doc = identify(path)
    except PlanscanError as exc:
        return failed_document(path, exc, settings)
    except OSError as exc:
        return failed_document(
            path, InputUnreadable(f"{path} cannot be read: {exc.strerror or exc}"), settings
        )
    try:
        if doc.media_type == "text/plain":
            text_pages, text_errors = text_file_pages(doc)
            return assemble(doc, text_pages, text_errors, started_at=started, settings=settings)
        tools.require_tesseract(settings.lang)
        total = count_pages(doc, settings)
    except PlanscanError as exc:
        return failed_document(path, exc, settings, doc)
    pages: list[Page] = []
    errors: list[ErrorRecord] = []
    with tempfile.TemporaryDirectory(prefix="planscan-", dir=work_root) as tmp:
        for number in range(1, total + 1):
            outcome = process_page(doc, number, Path(tmp), settings)
            pages.append(outcome.page)
            if outcome.error:
                errors.append(outcome.error)
    return assemble(doc, pages, errors, started_at=started, settings=settings)
