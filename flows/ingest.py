"""The ingest flow: documents are identified, their pages OCR'd as independent tasks (each task runs one
Tesseract process) on a bounded thread pool or a Dask cluster, then each document is assembled and stored.

Tasks exchange file paths and small JSON-able models, never images. All real work is in ``pipeline``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections import deque
from pathlib import Path
from typing import Any

from flows.environment import configure_prefect

configure_prefect()

from prefect import flow, task  # noqa: E402
from prefect.futures import PrefectFuture  # noqa: E402
from prefect.settings import PREFECT_API_URL, temporary_settings  # noqa: E402
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner  # noqa: E402

from flows.local_api import LocalApi  # noqa: E402
from pipeline import batch  # noqa: E402
from pipeline.document import PageOutcome, process_page  # noqa: E402
from pipeline.load import InputDocument  # noqa: E402
from pipeline.settings import Settings  # noqa: E402

_log = logging.getLogger("planscan.ingest")


class IngestSummary(batch.BatchSummary):
    """The flow's return value (a pydantic model, so Prefect can persist it)."""


def _outcome_path(work_dir: Path, doc: InputDocument, number: int) -> Path:
    return work_dir / f"{doc.doc_id}-p{number:05d}.json"


@task(name="ocr-page", task_run_name="{doc.path.name}#p{number}")
def page_task(doc: InputDocument, number: int, work_dir: Path, settings: Settings) -> Path:
    """OCR one page; the outcome goes to a small JSON file whose path is returned."""
    with batch.temp_files_in(work_dir):
        outcome = process_page(doc, number, work_dir, settings)
    path = _outcome_path(work_dir, doc, number)
    path.write_text(outcome.model_dump_json(), encoding="utf-8")
    return path


def _page_outcome(future: PrefectFuture[Path], number: int) -> PageOutcome:
    """The page's outcome; a task that failed as a whole (its worker died, say) becomes a failed page."""
    try:
        path = future.result()
        outcome = PageOutcome.model_validate_json(path.read_text(encoding="utf-8"))
        path.unlink(missing_ok=True)
        return outcome
    except Exception as exc:
        return batch.page_failure(number, exc)


@task(name="finish-document", task_run_name="{doc.path.name}")
def finish_task(
    doc: InputDocument,
    outcomes: list[PageOutcome],
    started_at: dt.datetime,
    settings: Settings,
    out_dir: Path,
) -> Path:
    return batch.finish_document(doc, outcomes, started_at=started_at, settings=settings, out_dir=out_dir)


@flow(name="planscan-ingest", log_prints=False)
def ingest_flow(inputs: list[Path], out_dir: Path, settings: Settings) -> IngestSummary:
    plan = batch.plan_batch(inputs, out_dir, settings)
    outputs = list(plan.written)  # documents that failed while planning are already stored
    with batch.work_directory(out_dir) as work_dir:
        todo = deque(plan.todo)
        pending: deque[tuple[InputDocument, dt.datetime, list[PrefectFuture[Path]]]] = deque()
        queued = 0
        while todo or pending:
            # Pages of the next documents are queued while earlier ones run, so every worker stays busy
            # across document boundaries; at most ``pages_in_flight`` wait (a whole document if larger),
            # so a batch of a million pages holds a window of futures, not a million.
            while todo and (not pending or queued + todo[0][1] <= settings.pages_in_flight):
                doc, pages = todo.popleft()
                started = dt.datetime.now(dt.UTC)
                futures = [page_task.submit(doc, n, work_dir, settings) for n in range(1, pages + 1)]
                pending.append((doc, started, futures))
                queued += pages
            doc, started, futures = pending.popleft()
            queued -= len(futures)
            outcomes = [_page_outcome(future, n) for n, future in enumerate(futures, start=1)]
            outputs.append(str(finish_task(doc, outcomes, started, settings, out_dir)))
    batch.record_duplicates(plan, out_dir)
    summary = batch.summarise(outputs, skipped=plan.skipped)
    return IngestSummary(**summary.model_dump())


def task_runner(settings: Settings, *, dask_address: str | None = None, dask_local: int | None = None) -> Any:
    """A thread pool of ``settings.workers`` by default; a Dask cluster (existing or local) on request."""
    if dask_address or dask_local:
        from prefect_dask import DaskTaskRunner  # only when asked for: it imports distributed

        if dask_address:
            return DaskTaskRunner(address=dask_address)
        # One thread per worker process: each task already runs a single-threaded Tesseract.
        local = {
            "n_workers": dask_local,
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": None,
        }
        return DaskTaskRunner(cluster_class="distributed.LocalCluster", cluster_kwargs=local)
    runner: TaskRunner[Any] = ThreadPoolTaskRunner(max_workers=settings.workers)
    return runner


def run_ingest(
    inputs: list[Path],
    out_dir: Path,
    settings: Settings,
    *,
    dask_address: str | None = None,
    dask_local: int | None = None,
    api: LocalApi | None = None,
) -> IngestSummary:
    """Run the flow on a thread pool, or on Dask workers that see ``out_dir`` at the same path.

    ``api`` is a local server started ahead (``flows.local_api``); if it never came up, Prefect's own
    ephemeral server is used instead.
    """
    runner = task_runner(settings, dask_address=dask_address, dask_local=dask_local)
    configured = ingest_flow.with_options(task_runner=runner)
    fallback = False
    if api is not None and not api.wait_ready():
        why = api.abandon() or "no output"
        _log.warning("the local Prefect server did not come up (%s); using Prefect's ephemeral server", why)
        fallback = True
    with temporary_settings(restore_defaults={PREFECT_API_URL}) if fallback else contextlib.nullcontext():
        # Absolute paths: Dask workers may run in another working directory.
        result: IngestSummary = configured(
            inputs=[p.absolute() for p in inputs], out_dir=out_dir.absolute(), settings=settings
        )
    return result
