"""``manifest.jsonl`` in the output folder: one line for every input of every run, so an archivist can
always answer "what happened to this file?" (processed, skipped as already done, or failed and why)."""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from pathlib import Path

from pydantic import BaseModel

from pipeline.models import DocumentResult

LEDGER_NAME = "manifest.jsonl"
_LOCK = threading.Lock()


class LedgerEntry(BaseModel):
    path: str
    sha256: str
    doc_id: str
    status: str  # ok, partial, failed, skipped
    output: str
    pages: int
    reason: str | None = None
    recorded_at: dt.datetime


def entry_for(result: DocumentResult, output: Path, *, skipped: bool = False) -> LedgerEntry:
    reason = f"{result.errors[0].code}: {result.errors[0].message}" if result.errors else None
    return LedgerEntry(
        path=result.source.path,
        sha256=result.source.sha256,
        doc_id=result.doc_id,
        status="skipped" if skipped else result.status,
        output=str(output),
        pages=len(result.pages),
        reason="already done with the same input and configuration" if skipped else reason,
        recorded_at=dt.datetime.now(dt.UTC),
    )


def record(out_dir: Path, entry: LedgerEntry) -> None:
    """Append one line and flush it to disk: the ledger survives a crash of the run that writes it."""
    line = entry.model_dump_json() + "\n"
    with _LOCK, (out_dir / LEDGER_NAME).open("a", encoding="utf-8") as handle:
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())


def read_ledger(out_dir: Path) -> list[LedgerEntry]:
    path = out_dir / LEDGER_NAME
    if not path.exists():
        return []
    return [LedgerEntry(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line]
