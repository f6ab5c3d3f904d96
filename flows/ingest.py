"""The ingest flow: documents are identified, their pages OCR'd as independent tasks on a bounded
thread pool (each task runs one Tesseract process), then each document is assembled and stored.

Tasks exchange file paths and small JSON-able models, never images. All real work is in ``pipeline``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from flows.environment import configure_prefect

configure_prefect()

from prefect import flow, task  # noqa: E402
from prefect.futures import PrefectFuture  # noqa: E402
from prefect.task_runners import ThreadPoolTaskRunner  # noqa: E402

from pipeline import batch  # noqa: E402
from pipeline.document import PageOutcome, process_page  # noqa: E402
from pipeline.load import InputDocument  # noqa: E402
from pipeline.settings import Settings  # noqa: E402


class IngestSummary(batch.BatchSummary):
    """The flow's return value (a pydantic model, so Prefect can persist it)."""


@task(name="ocr-page", task_run_name="{doc.path.name}#p{number}")
def page_task(doc: InputDocument, number: int, work_dir: Path, settings: Settings) -> Path:
    """OCR one page; the outcome goes to a small JSON file whose path is returned."""
    outcome = process_page(doc, number, work_dir, settings)
    path = work_dir / f"{doc.doc_id}-p{number:05d}.json"
    path.write_text(outcome.model_dump_json(), encoding="utf-8")
    return path


@task(name="finish-document", task_run_name="{doc.path.name}")
def finish_task(
    doc: InputDocument, outcome_paths: list[Path], started_at: dt.datetime, settings: Settings, out_dir: Path
) -> Path:
    outcomes = [PageOutcome.model_validate_json(p.read_text(encoding="utf-8")) for p in outcome_paths]
    for path in outcome_paths:
        path.unlink(missing_ok=True)
    return batch.finish_document(doc, outcomes, started_at=started_at, settings=settings, out_dir=out_dir)


@flow(name="planscan-ingest", log_prints=False)
def ingest_flow(inputs: list[Path], out_dir: Path, settings: Settings) -> IngestSummary:
    plan = batch.plan_batch(inputs, out_dir, settings)
    outputs = list(plan.written)  # documents that failed while planning are already stored
    with batch.work_directory(out_dir) as work_dir:
        pending: list[tuple[InputDocument, dt.datetime, list[PrefectFuture[Path]]]] = []
        for doc, pages in plan.todo:
            started = dt.datetime.now(dt.UTC)
            futures = [page_task.submit(doc, n, work_dir, settings) for n in range(1, pages + 1)]
            pending.append((doc, started, futures))
        # Pages of all documents are queued at once so both cores stay busy across document boundaries;
        # documents are finished in order as their pages complete.
        for doc, started, futures in pending:
            paths = [future.result() for future in futures]
            outputs.append(str(finish_task(doc, paths, started, settings, out_dir)))
    summary = batch.summarise(outputs, skipped=plan.skipped)
    return IngestSummary(**summary.model_dump())


def run_ingest(inputs: list[Path], out_dir: Path, settings: Settings) -> IngestSummary:
    """Run the flow with a thread pool of ``settings.workers`` (one Tesseract process per worker)."""
    runner: ThreadPoolTaskRunner[Any] = ThreadPoolTaskRunner(max_workers=settings.workers)
    configured = ingest_flow.with_options(task_runner=runner)  # type: ignore[arg-type]
    result: IngestSummary = configured(inputs=inputs, out_dir=out_dir, settings=settings)
    return result
