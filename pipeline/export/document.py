"""``export_document``: the archival outputs of one finished result, written into one folder per document.

Layout (the folder becomes a BagIt bag with ``write_bag``)::

    <out_dir>/<doc_id>/data/<doc_id>.json          the result the outputs were made from
    <out_dir>/<doc_id>/data/<doc_id>.pdf           searchable PDF
    <out_dir>/<doc_id>/data/<doc_id>.hocr          hOCR, one ocr_page per page
    <out_dir>/<doc_id>/data/alto/p00001.xml        ALTO v4, one file per page
    <out_dir>/<doc_id>/data/<doc_id>.events.json   provenance events

Outputs sit in sub-folders so that the top level of a results folder keeps only result JSON files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, Field

from pipeline.errors import PlanscanError, SourceMissing
from pipeline.export.alto import write_alto
from pipeline.export.events import Event, export_event, write_events
from pipeline.export.hocr import write_hocr
from pipeline.export.pdf import write_searchable_pdf
from pipeline.load import identify
from pipeline.models import DocumentResult, ErrorRecord
from pipeline.settings import Settings
from pipeline.store import atomic_write_text, to_json

KINDS = frozenset({"pdf", "alto", "hocr", "events"})


class ExportReport(BaseModel):
    doc_id: str
    folder: Path = Field(description="the document's export folder (the bag root)")
    written: dict[str, list[Path]] = Field(default_factory=dict, description="kind -> files written")
    skipped: dict[str, str] = Field(default_factory=dict, description="kind -> why it does not apply")
    problems: list[ErrorRecord] = Field(default_factory=list, description="per-page or per-kind failures")

    @property
    def ok(self) -> bool:
        return not self.problems


def bag_dir_for(out_dir: Path, doc_id: str) -> Path:
    return out_dir / doc_id


def _has_words(result: DocumentResult) -> bool:
    return any(page.words for page in result.pages)


def _no_words_reason(result: DocumentResult) -> str:
    if result.source.media_type == "text/plain":
        return "legacy text document: it has no page images or word boxes"
    if not result.pages:
        return "the document has no pages"
    return "no page has word boxes (born-digital text layer, blank or failed pages)"


def _problem(kind: str, exc: PlanscanError) -> ErrorRecord:
    return ErrorRecord(
        stage=f"export.{kind}", page=exc.page, code=exc.code, message=exc.message, remedy=exc.remedy
    )


def _pdf(
    result: DocumentResult, source: Path, data: Path, work_dir: Path, settings: Settings, report: ExportReport
) -> list[Path]:
    if result.source.media_type == "text/plain":
        report.skipped["pdf"] = "legacy text document: there are no page images to put in a PDF"
        return []
    if not result.pages:
        report.skipped["pdf"] = "the document has no pages"
        return []
    if not source.is_file():
        report.problems.append(_problem("pdf", SourceMissing(f"{source} is not there")))
        return []
    doc = identify(source)
    if doc.sha256 != result.source.sha256:
        report.problems.append(
            _problem(
                "pdf", SourceMissing(f"{source} has sha256 {doc.sha256[:16]}…, the result {result.doc_id}…")
            )
        )
        return []
    outcome = write_searchable_pdf(
        result.pages,
        doc,
        data / f"{result.doc_id}.pdf",
        work_dir,
        settings,
        title=Path(result.source.path).name,
    )
    report.problems += outcome.problems
    return [outcome.path]


def export_document(
    result: DocumentResult,
    source: Path | None,
    out_dir: Path,
    kinds: Iterable[str],
    work_dir: Path,
    settings: Settings | None = None,
) -> ExportReport:
    """Write the requested outputs (a subset of ``KINDS``) for one result into ``out_dir/<doc_id>/data/``.

    ``source`` defaults to ``result.source.path``; it is read only for the PDF and must still have the
    recorded sha256. ``settings`` must be the ingest's (the PDF rasterises pages at ``settings.dpi``).
    Failures come back in ``problems``: a failing page or kind does not stop the others.
    """
    wanted = set(kinds)
    unknown = wanted - KINDS
    if unknown:
        raise ValueError(f"unknown export kinds: {sorted(unknown)} (known: {sorted(KINDS)})")
    settings = settings or Settings()
    source = source or Path(result.source.path)
    folder = bag_dir_for(out_dir, result.doc_id)
    data = folder / "data"
    report = ExportReport(doc_id=result.doc_id, folder=folder)
    events: list[Event] = []

    result_copy = data / f"{result.doc_id}.json"
    atomic_write_text(result_copy, to_json(result))
    report.written["result"] = [result_copy]

    for kind in ("alto", "hocr", "pdf"):
        if kind not in wanted:
            continue
        started = dt.datetime.now(dt.UTC)
        before = len(report.problems)
        paths: list[Path] = []
        try:
            if kind in ("alto", "hocr") and not _has_words(result):
                report.skipped[kind] = _no_words_reason(result)
            elif kind == "alto":
                paths = write_alto(result, data / "alto")
            elif kind == "hocr":
                paths = [write_hocr(result, data / f"{result.doc_id}.hocr")]
            else:
                paths = _pdf(result, source, data, work_dir, settings, report)
        except PlanscanError as exc:
            report.problems.append(_problem(kind, exc))
        except OSError as exc:  # a full disk or a permission problem stops this kind, not the others
            report.problems.append(ErrorRecord(stage=f"export.{kind}", code="PS104", message=str(exc)))
        if paths:
            report.written[kind] = paths
            events.append(export_event(kind, paths, folder, started, len(report.problems) - before))

    if "events" in wanted:
        path = write_events(result, events, data / f"{result.doc_id}.events.json")
        report.written["events"] = [path]
    return report
