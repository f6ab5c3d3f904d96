"""Batch bookkeeping shared by every orchestrator: plan, resume, finish, summarise.

Resume is keyed on the input's sha256 and the output-shaping configuration, independent of any
orchestrator's cache: a document whose JSON already carries the same key is skipped. Nothing in a batch is
fatal to the batch: every input ends with a stored result and a line in the manifest.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import BaseModel

from pipeline.artefacts import model_hashes
from pipeline.document import (
    PageOutcome,
    assemble,
    failed_document,
    failed_page_outcome,
    text_file_pages,
    unexpected,
)
from pipeline.errors import PlanscanError
from pipeline.ledger import entry_for, record
from pipeline.load import InputDocument, discover
from pipeline.models import DocumentResult, ErrorRecord
from pipeline.rasterise import count_pages
from pipeline.settings import Settings
from pipeline.store import owner_tag, read_result, result_path, sweep_stale, write_result


class Duplicate(BaseModel):
    path: Path  # an input with the same content as ``original``: one result serves both
    doc_id: str
    original: Path


class BatchPlan(BaseModel):
    todo: list[tuple[InputDocument, int]]  # (document, page count) still to OCR
    written: list[str]  # results stored while planning (failures, text files)
    skipped: list[str]  # results already present with the same key
    duplicates: list[Duplicate] = []


class BatchSummary(BaseModel):
    outputs: list[str]
    ok: int
    partial: int
    failed: int
    skipped: int
    pages: int
    skipped_not_ok: int = 0  # skipped results that an earlier run stored as partial or failed


def is_done(doc: InputDocument, out_dir: Path, config_hash: str) -> bool:
    path = result_path(out_dir, doc.doc_id)
    if not path.exists():
        return False
    try:
        previous = read_result(path)
    except (OSError, ValueError):
        return False  # unreadable or from an older schema: redo it
    return previous.source.sha256 == doc.sha256 and previous.provenance.config_hash == config_hash


def _store(result: DocumentResult, out_dir: Path) -> str:
    path = write_result(result, out_dir)
    record(out_dir, entry_for(result, path))
    return str(path)


def _plan_one(doc: InputDocument, out_dir: Path, settings: Settings, plan: BatchPlan) -> None:
    started = dt.datetime.now(dt.UTC)
    try:
        if doc.media_type == "text/plain":
            pages, errors = text_file_pages(doc)
            result = assemble(doc, pages, errors, started_at=started, settings=settings)
            plan.written.append(_store(result, out_dir))
            return
        plan.todo.append((doc, count_pages(doc, settings)))
    except PlanscanError as exc:
        plan.written.append(_store(failed_document(doc.path, exc, settings, doc), out_dir))
    except Exception as exc:  # one strange file must not stop the batch
        plan.written.append(_store(failed_document(doc.path, unexpected(exc), settings, doc), out_dir))


def plan_batch(inputs: list[Path], out_dir: Path, settings: Settings) -> BatchPlan:
    """Identify every input; store results that need no OCR right away; list the rest with page counts."""
    config_hash = settings.output_hash(model_hashes())
    out_dir.mkdir(parents=True, exist_ok=True)
    sweep_stale(out_dir)  # temp files and scratch of a run that was killed
    found, rejected = discover(inputs)
    plan = BatchPlan(todo=[], written=[], skipped=[])
    for item in rejected:
        error = ErrorRecord(stage="load", code=item.code, message=item.reason, remedy=item.remedy)
        plan.written.append(_store(failed_document(item.path, error, settings), out_dir))
    first: dict[str, Path] = {}
    for doc in found:
        if doc.doc_id in first:  # same bytes under another name: one result, both inputs in the manifest
            plan.duplicates.append(Duplicate(path=doc.path, doc_id=doc.doc_id, original=first[doc.doc_id]))
            continue
        first[doc.doc_id] = doc.path
        if is_done(doc, out_dir, config_hash):
            done = result_path(out_dir, doc.doc_id)
            record(out_dir, entry_for(read_result(done), done, skipped=True))
            plan.skipped.append(str(done))
            continue
        _plan_one(doc, out_dir, settings, plan)
    return plan


def record_duplicates(plan: BatchPlan, out_dir: Path) -> None:
    """Account for inputs whose content was processed under another name (call after every document)."""
    for dup in plan.duplicates:
        done = result_path(out_dir, dup.doc_id)
        entry = entry_for(read_result(done), done, skipped=True)
        reason = f"same content as {dup.original}"
        record(out_dir, entry.model_copy(update={"path": str(dup.path), "reason": reason}))


def page_failure(number: int, exc: BaseException) -> PageOutcome:
    """The outcome of a page whose task itself failed (a worker died, the scratch disk filled up)."""
    return failed_page_outcome(number, "ocr", unexpected(exc))


def finish_document(
    doc: InputDocument,
    outcomes: list[PageOutcome],
    *,
    started_at: dt.datetime,
    settings: Settings,
    out_dir: Path,
) -> Path:
    pages = [o.page for o in outcomes]
    errors = [o.error for o in outcomes if o.error is not None]
    try:
        result = assemble(doc, pages, errors, started_at=started_at, settings=settings)
    except Exception as exc:  # still store a result, so the document is accounted for
        result = failed_document(doc.path, unexpected(exc), settings, doc)
    return Path(_store(result, out_dir))


@contextmanager
def work_directory(out_dir: Path) -> Iterator[Path]:
    """Scratch space next to the outputs (same file system), removed on success, failure or interrupt.

    Temp files of libraries (pytesseract's) go there too while the batch runs, so a killed run leaves
    nothing outside the output folder, and the next run sweeps it away.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=f".planscan-work-{owner_tag()}", dir=out_dir))
    try:
        with temp_files_in(path):
            yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextmanager
def temp_files_in(path: Path) -> Iterator[None]:
    """Library temp files (pytesseract's) go under ``path`` meanwhile. Page tasks enter it too: a worker
    process of a Dask cluster would otherwise leave a killed run's files in its own /tmp."""
    previous = tempfile.tempdir
    tempfile.tempdir = str(path)
    try:
        yield
    finally:
        tempfile.tempdir = previous


def summarise(outputs: list[str], *, skipped: list[str]) -> BatchSummary:
    counts = {"ok": 0, "partial": 0, "failed": 0}
    pages = 0
    for path in outputs:
        result: DocumentResult = read_result(Path(path))
        counts[result.status] += 1
        pages += len(result.pages)
    not_ok = sum(1 for path in skipped if read_result(Path(path)).status != "ok")
    return BatchSummary(
        outputs=outputs + skipped, skipped=len(skipped), pages=pages, skipped_not_ok=not_ok, **counts
    )
