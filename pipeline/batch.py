"""Batch bookkeeping shared by every orchestrator: plan, resume, finish, summarise.

Resume is keyed on the input's sha256 and the output-shaping configuration, independent of any
orchestrator's cache: a document whose JSON already carries the same key is skipped.
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
from pipeline.document import PageOutcome, assemble, failed_document, text_file_pages
from pipeline.errors import PlanscanError
from pipeline.ledger import entry_for, record
from pipeline.load import InputDocument, discover
from pipeline.models import DocumentResult, ErrorRecord
from pipeline.rasterise import count_pages
from pipeline.settings import Settings
from pipeline.store import read_result, result_path, write_result


class BatchPlan(BaseModel):
    todo: list[tuple[InputDocument, int]]  # (document, page count) still to OCR
    written: list[str]  # results stored while planning (failures, text files)
    skipped: list[str]  # results already present with the same key


class BatchSummary(BaseModel):
    outputs: list[str]
    ok: int
    partial: int
    failed: int
    skipped: int
    pages: int


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


def plan_batch(inputs: list[Path], out_dir: Path, settings: Settings) -> BatchPlan:
    """Identify every input; store results that need no OCR right away; list the rest with page counts."""
    config_hash = settings.output_hash(model_hashes())
    found, rejected = discover(inputs)
    out_dir.mkdir(parents=True, exist_ok=True)
    plan = BatchPlan(todo=[], written=[], skipped=[])
    for item in rejected:
        error = ErrorRecord(stage="load", code=item.code, message=item.reason, remedy=item.remedy)
        plan.written.append(_store(failed_document(item.path, error, settings), out_dir))
    for doc in found:
        if is_done(doc, out_dir, config_hash):
            done = result_path(out_dir, doc.doc_id)
            record(out_dir, entry_for(read_result(done), done, skipped=True))
            plan.skipped.append(str(done))
            continue
        started = dt.datetime.now(dt.UTC)
        try:
            if doc.media_type == "text/plain":
                pages, errors = text_file_pages(doc)
                result = assemble(doc, pages, errors, started_at=started, settings=settings)
                plan.written.append(_store(result, out_dir))
                continue
            plan.todo.append((doc, count_pages(doc, settings)))
        except PlanscanError as exc:
            plan.written.append(_store(failed_document(doc.path, exc, settings, doc), out_dir))
    return plan


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
    return Path(_store(assemble(doc, pages, errors, started_at=started_at, settings=settings), out_dir))


@contextmanager
def work_directory(out_dir: Path) -> Iterator[Path]:
    """Scratch space next to the outputs (same file system), removed on success, failure or interrupt."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=".planscan-work-", dir=out_dir))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def summarise(outputs: list[str], *, skipped: list[str]) -> BatchSummary:
    counts = {"ok": 0, "partial": 0, "failed": 0}
    pages = 0
    for path in outputs:
        result: DocumentResult = read_result(Path(path))
        counts[result.status] += 1
        pages += len(result.pages)
    return BatchSummary(outputs=outputs + skipped, skipped=len(skipped), pages=pages, **counts)
