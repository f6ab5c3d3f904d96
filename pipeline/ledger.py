"""``manifest.jsonl`` in the output folder: one line for every input of every run, so an archivist can
always answer "what happened to this file?" (processed, skipped as already done, or failed and why)."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import threading
from pathlib import Path

from pydantic import BaseModel, ValidationError

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
    """Append one line and flush it to disk: the ledger survives a crash of the run that writes it.

    One ``write`` call under an exclusive lock, so lines of concurrent writers never interleave; a line cut
    short by a killed run is closed first, so it spoils only itself.
    """
    line = (entry.model_dump_json() + "\n").encode("utf-8")
    fd = os.open(out_dir / LEDGER_NAME, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        with _LOCK:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if _ends_without_newline(fd):
                line = b"\n" + line
            os.write(fd, line)
            os.fsync(fd)
    finally:
        os.close(fd)  # closing releases the lock


def _ends_without_newline(fd: int) -> bool:
    size = os.fstat(fd).st_size
    return size > 0 and os.pread(fd, 1, size - 1) != b"\n"


def read_ledger(out_dir: Path, offset: int = 0) -> list[LedgerEntry]:
    """Entries from byte ``offset`` on; a line spoiled by a killed run is left out."""
    return read_ledger_from(out_dir, offset)[0]


def read_ledger_from(out_dir: Path, offset: int = 0) -> tuple[list[LedgerEntry], int]:
    """Complete entries from byte ``offset`` on and the offset after the last complete line."""
    path = out_dir / LEDGER_NAME
    if not path.exists():
        return [], offset
    with path.open("rb") as handle:
        handle.seek(offset)
        data = handle.read()
    complete = data[: data.rfind(b"\n") + 1]  # a line still being written is read next time
    entries = []
    for line in complete.decode("utf-8", "replace").splitlines():
        try:
            entries.append(LedgerEntry.model_validate_json(line))
        except ValidationError:
            continue
    return entries, offset + len(complete)


def ledger_size(out_dir: Path) -> int:
    path = out_dir / LEDGER_NAME
    return path.stat().st_size if path.exists() else 0


class LedgerTally(BaseModel):
    """Running counts over ledger entries, for a progress display and the final summary."""

    docs: int = 0
    pages: int = 0
    processed: int = 0  # documents this run worked on (not skipped)
    failures: list[LedgerEntry] = []

    def add(self, entries: list[LedgerEntry]) -> None:
        for entry in entries:
            self.docs += 1
            if entry.status == "skipped":
                continue
            self.processed += 1
            self.pages += entry.pages
            if entry.status in ("partial", "failed"):
                self.failures.append(entry)

    def eta_s(self, total: int, elapsed_s: float) -> float | None:
        """Seconds left at the rate of documents worked on so far (skipped ones cost nothing)."""
        if self.processed == 0 or elapsed_s <= 0:
            return None
        return max(total - self.docs, 0) * elapsed_s / self.processed

    def describe(self, total: int, elapsed_s: float) -> str:
        eta = self.eta_s(total, elapsed_s)
        left = "ETA --:--" if eta is None else f"ETA {int(eta) // 60}:{int(eta) % 60:02d}"
        return f"{self.docs}/{total} docs · {self.pages} pages · {len(self.failures)} failed/partial · {left}"
