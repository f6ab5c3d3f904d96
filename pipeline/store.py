"""Write results so that a reader never sees a truncated file: temp file, fsync, atomic rename.

Temp files and scratch folders carry their owner (host and process id) in their names, so that a later run
can remove what a killed run left behind without touching the scratch of a run that is still going.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import tempfile
from pathlib import Path

from pipeline.models import DocumentResult

_OWNER = re.compile(r"~(?P<host>[A-Za-z0-9_]+)~(?P<pid>\d+)~")


def owner_tag() -> str:
    """``~host~pid~``: '~' appears neither in host names nor in tempfile's random suffixes."""
    host = re.sub(r"[^A-Za-z0-9]", "_", socket.gethostname()) or "host"
    return f"~{host}~{os.getpid()}~"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def sweep_stale(folder: Path) -> list[Path]:
    """Remove hidden temp files and scratch folders whose owning process on this host is gone."""
    if not folder.is_dir():
        return []
    here = owner_tag().split("~")[1]
    removed: list[Path] = []
    for entry in folder.iterdir():
        match = _OWNER.search(entry.name)
        if not entry.name.startswith(".") or match is None or match["host"] != here:
            continue  # another host's scratch on a shared file system: only that host can judge it
        if _alive(int(match["pid"])):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


def atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{owner_tag()}", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; results are meant to be shared
        os.replace(tmp, path)
        _fsync_folder(path.parent)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable, so a result seen once survives a power cut."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems (network mounts) refuse fsync on folders
    finally:
        os.close(fd)


def result_path(out_dir: Path, doc_id: str) -> Path:
    return out_dir / f"{doc_id}.json"


def write_result(result: DocumentResult, out_dir: Path) -> Path:
    path = result_path(out_dir, result.doc_id)
    atomic_write_text(path, to_json(result))
    return path


def to_json(result: DocumentResult) -> str:
    return json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def read_result(path: Path) -> DocumentResult:
    return DocumentResult.model_validate_json(path.read_text(encoding="utf-8"))
