"""The embedded DuckDB index of an outputs folder, kept in ``<outputs>/.index/planscan.duckdb``.

It is a cache: a ``files`` table remembers each JSON file's size, mtime and inode, and every open
brings the index up to date with the folder (new, changed and removed files only). The result files
stay the only source of truth; deleting the index loses nothing.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import duckdb
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.models import Evidence, Fields, Source
from pipeline.query.tables import SCHEMAS, Rows, document_rows

INDEX_DIR = ".index"
INDEX_NAME = "planscan.duckdb"
INDEX_VERSION = "2"  # bump when SCHEMAS change: an older index is then rebuilt from scratch

Warn = Callable[[str], None]


def warn_stderr(message: str) -> None:
    print(f"planscan: warning: {message}", file=sys.stderr)


class _Indexed(BaseModel):
    """The part of a DocumentResult the index reads; pages and words are skipped, not validated."""

    model_config = ConfigDict(extra="ignore")
    schema_version: str
    doc_id: str
    status: Literal["ok", "partial", "failed"]
    source: Source
    fields: Fields = Field(default_factory=Fields)
    evidence: dict[str, Evidence] = Field(default_factory=dict)


FileState = Literal["indexed", "duplicate", "error", "other"]


@dataclass(frozen=True)
class Stamp:
    size: int
    mtime_ns: int
    inode: int


@dataclass
class Parsed:
    state: FileState
    doc_id: str | None = None
    message: str | None = None
    rows: Rows | None = None


@dataclass
class RefreshReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    rebuilt: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.rebuilt)


def scan_folder(outputs: Path) -> dict[str, Stamp]:
    """Top-level ``*.json`` files only: results live there; sub-folders hold scans and truth files."""
    found: dict[str, Stamp] = {}
    with os.scandir(outputs) as entries:
        for entry in entries:
            if entry.name.endswith(".json") and not entry.name.startswith(".") and entry.is_file():
                st = entry.stat()
                found[entry.name] = Stamp(st.st_size, st.st_mtime_ns, st.st_ino)
    return found


def parse_file(path: Path) -> Parsed:
    """Rows for one file, or why it has none. Never raises for a bad file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return Parsed("error", message=f"cannot read: {exc.strerror or exc}")
    try:
        doc = _Indexed.model_validate_json(raw)
    except ValidationError as exc:
        return _explain(raw, exc)
    rows = document_rows(doc.doc_id, path.name, doc.status, doc.source.pages, doc.fields, doc.evidence)
    return Parsed("indexed", doc_id=doc.doc_id, rows=rows)


def _explain(raw: bytes, exc: ValidationError) -> Parsed:
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as bad:
        return Parsed("error", message=f"not valid JSON ({bad})")
    if not (isinstance(data, dict) and "doc_id" in data and "schema_version" in data):
        return Parsed("other")  # some other JSON file (a summary, a truth file): not a result
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return Parsed(
        "error",
        doc_id=data["doc_id"] if isinstance(data["doc_id"], str) else None,
        message=f"not a valid planscan result: {where}: {first['msg']}",
    )


def _create_schema(con: duckdb.DuckDBPyConnection) -> None:
    for table, columns in SCHEMAS.items():
        cols = ", ".join(f"{name} {kind}" for name, kind in columns)
        con.execute(f"CREATE TABLE {table} ({cols})")
    con.execute(
        "CREATE TABLE files (name VARCHAR PRIMARY KEY, size BIGINT, mtime_ns BIGINT, inode BIGINT, "
        "doc_id VARCHAR, state VARCHAR, message VARCHAR)"
    )
    con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("INSERT INTO meta VALUES ('index_version', ?)", [INDEX_VERSION])
    # What each document implements: the references it cites as its legal bases.
    con.execute(
        "CREATE VIEW implements AS SELECT DISTINCT doc_id, number AS reference, number_key AS reference_key "
        "FROM legal_bases WHERE number_key IS NOT NULL"
    )


def _schema_current(con: duckdb.DuckDBPyConnection) -> bool:
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'index_version'").fetchone()
    except duckdb.Error:
        return False
    return row is not None and row[0] == INDEX_VERSION


def _reset(con: duckdb.DuckDBPyConnection) -> None:
    names = con.execute(
        "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'main'"
    ).fetchall()
    for name, kind in names:
        con.execute(f'DROP {"VIEW" if kind == "VIEW" else "TABLE"} IF EXISTS "{name}" CASCADE')
    _create_schema(con)


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple[Any, ...]]) -> None:
    """One statement per table: a column of values per parameter, zipped back by ``unnest``
    (row-at-a-time inserts are orders of magnitude slower in DuckDB)."""
    if not rows:
        return
    columns = SCHEMAS[table]
    values = [list(col) for col in zip(*rows, strict=True)]
    selects = ", ".join(f"unnest(${i}::{kind}[])" for i, (_, kind) in enumerate(columns, start=1))
    con.execute(f"INSERT INTO {table} SELECT {selects}", values)


def _delete_docs(con: duckdb.DuckDBPyConnection, doc_ids: Iterable[str]) -> None:
    ids = sorted(set(doc_ids))
    if ids:
        for table in SCHEMAS:
            con.execute(f"DELETE FROM {table} WHERE list_contains($1::VARCHAR[], doc_id)", [ids])


def _known(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[Stamp, str | None, str, str | None]]:
    return {
        name: (Stamp(size, mtime, inode), doc_id, state, message)
        for name, size, mtime, inode, doc_id, state, message in con.execute(
            "SELECT name, size, mtime_ns, inode, doc_id, state, message FROM files"
        ).fetchall()
    }


def is_fresh(con: duckdb.DuckDBPyConnection, on_disk: dict[str, Stamp]) -> bool:
    if not _schema_current(con):
        return False
    return {name: entry[0] for name, entry in _known(con).items()} == on_disk


def file_warnings(con: duckdb.DuckDBPyConnection, outputs: Path) -> list[str]:
    """Files that are results but could not be indexed: reported on every open, never dropped silently."""
    rows = con.execute(
        "SELECT name, state, message FROM files WHERE state IN ('error', 'duplicate') ORDER BY name"
    ).fetchall()
    return [f"{outputs / name}: {msg}" if state == "error" else str(msg) for name, state, msg in rows]


def refresh(
    con: duckdb.DuckDBPyConnection, outputs: Path, on_disk: dict[str, Stamp] | None = None
) -> RefreshReport:
    """Bring the index in ``con`` up to date with the folder, in one transaction."""
    report = RefreshReport()
    if not _schema_current(con):
        _reset(con)
        report.rebuilt = True
    on_disk = scan_folder(outputs) if on_disk is None else on_disk
    known = _known(con)
    removed = [n for n in known if n not in on_disk]
    updated = [n for n in known if n in on_disk and known[n][0] != on_disk[n]]
    added = [n for n in on_disk if n not in known]
    report.added, report.updated, report.removed = len(added), len(updated), len(removed)
    report.unchanged = len(on_disk) - len(added) - len(updated)
    if removed or updated or added:
        con.execute("BEGIN TRANSACTION")
        try:
            _apply(con, outputs, on_disk, known, removed, updated, added)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    report.warnings = file_warnings(con, outputs)
    return report


def _apply(
    con: duckdb.DuckDBPyConnection,
    outputs: Path,
    on_disk: dict[str, Stamp],
    known: dict[str, tuple[Stamp, str | None, str, str | None]],
    removed: list[str],
    updated: list[str],
    added: list[str],
) -> None:
    gone = removed + updated
    dropped: set[str] = set()
    for name in gone:
        _, doc_id, state, _ = known[name]
        if state == "indexed" and doc_id:
            dropped.add(doc_id)
    # A file set aside as a duplicate gets its turn when the file that was indexed goes away.
    waiting = [n for n, (_, d, state, _) in known.items() if state == "duplicate" and d in dropped]
    waiting = [n for n in waiting if n in on_disk and n not in gone]
    _delete_docs(con, dropped)
    stale = gone + waiting
    if stale:
        con.execute("DELETE FROM files WHERE list_contains($1::VARCHAR[], name)", [stale])
    owners = dict(con.execute("SELECT doc_id, name FROM files WHERE state = 'indexed'").fetchall())
    batch: Rows = {table: [] for table in SCHEMAS}
    files: list[tuple[Any, ...]] = []
    for name in sorted(updated + added + waiting):
        parsed = parse_file(outputs / name)
        if parsed.state == "indexed" and parsed.doc_id in owners:
            parsed = Parsed(
                "duplicate",
                doc_id=parsed.doc_id,
                message=f"{outputs / name} repeats doc_id {parsed.doc_id} of {owners[parsed.doc_id]}; "
                "indexed once",
            )
        if parsed.state == "indexed" and parsed.rows is not None and parsed.doc_id is not None:
            owners[parsed.doc_id] = name
            for table, rows in parsed.rows.items():
                batch[table].extend(rows)
        stamp = on_disk[name]
        files.append(
            (name, stamp.size, stamp.mtime_ns, stamp.inode, parsed.doc_id, parsed.state, parsed.message)
        )
    for table, rows in batch.items():
        _insert(con, table, rows)
    if files:
        con.execute(
            "INSERT INTO files SELECT unnest($1::VARCHAR[]), unnest($2::BIGINT[]), unnest($3::BIGINT[]), "
            "unnest($4::BIGINT[]), unnest($5::VARCHAR[]), unnest($6::VARCHAR[]), unnest($7::VARCHAR[])",
            [list(col) for col in zip(*files, strict=True)],
        )


def index_path(outputs: Path) -> Path:
    return outputs / INDEX_DIR / INDEX_NAME


def _is_lock_error(exc: duckdb.Error) -> bool:
    return "lock" in str(exc).lower()


def _connect(path: Path, *, read_only: bool, wait_s: float) -> duckdb.DuckDBPyConnection:
    """Another planscan may hold the file for a moment (one writer, or many readers): wait for it."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if not _is_lock_error(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.1)


@dataclass
class Index:
    con: duckdb.DuckDBPyConnection
    report: RefreshReport
    path: Path | None  # None when the index lives in memory only

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _memory_index(outputs: Path, on_disk: dict[str, Stamp], warn: Warn) -> Index:
    con = duckdb.connect(":memory:")
    report = refresh(con, outputs, on_disk)
    for message in report.warnings:
        warn(message)
    return Index(con, report, None)


def _open_if_fresh(path: Path, outputs: Path, on_disk: dict[str, Stamp], wait_s: float) -> Index | None:
    """The common case: nothing changed, so the index is only read (many readers may share it)."""
    try:
        con = _connect(path, read_only=True, wait_s=wait_s)
    except duckdb.Error:
        return None  # busy, damaged or from another DuckDB version: the writer sorts it out
    try:
        if is_fresh(con, on_disk):
            report = RefreshReport(unchanged=len(on_disk), warnings=file_warnings(con, outputs))
            return Index(con, report, path)
    except duckdb.Error:
        pass
    con.close()
    return None


def open_index(outputs: Path, *, warn: Warn = warn_stderr, lock_wait_s: float = 10.0) -> Index:
    """An up-to-date index of ``outputs`` behind a read-only connection (so ``query sql`` cannot damage
    the cache). When nothing changed, the file is only read. Warnings about result files that could not
    be indexed go to ``warn`` on every open."""
    if not outputs.is_dir():
        raise FileNotFoundError(f"no such outputs folder: {outputs}")
    on_disk = scan_folder(outputs)
    path = index_path(outputs)
    if path.exists():
        fresh = _open_if_fresh(path, outputs, on_disk, lock_wait_s)
        if fresh is not None:
            for message in fresh.report.warnings:
                warn(message)
            return fresh
    try:
        path.parent.mkdir(exist_ok=True)
        if not os.access(path.parent, os.W_OK):
            raise PermissionError("read-only folder")
        con = _open_writable(path, lock_wait_s, warn)
    except OSError as exc:
        warn(f"cannot write {path} ({exc}); using a temporary in-memory index")
        return _memory_index(outputs, on_disk, warn)
    except duckdb.IOException as exc:
        if not _is_lock_error(exc):
            raise
        warn(f"{path} is busy in another process; using a temporary in-memory index")
        return _memory_index(outputs, on_disk, warn)
    try:
        report = refresh(con, outputs, on_disk)
    finally:
        con.close()
    for message in report.warnings:
        warn(message)
    return Index(_connect(path, read_only=True, wait_s=lock_wait_s), report, path)


def _open_writable(path: Path, wait_s: float, warn: Warn) -> duckdb.DuckDBPyConnection:
    try:
        return _connect(path, read_only=False, wait_s=wait_s)
    except duckdb.Error as exc:
        if _is_lock_error(exc) or not path.exists():
            raise
        # The index is only a cache: a damaged file or one from another DuckDB version is rebuilt.
        warn(f"rebuilding {path}: {exc}")
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)
    return _connect(path, read_only=False, wait_s=wait_s)
