"""Find input documents, identify them by content and fingerprint them.

Identification is by magic bytes, not by file name: a non-PDF named ``.pdf`` is reported as what it is.
Nothing found under an input path is dropped silently: unsupported files come back as ``Rejected``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from pydantic import BaseModel

from pipeline.errors import EmptyInput, InputUnreadable, PlanscanError, UnsupportedInput

TEXT_SUFFIXES = {".txt"}
IMAGE_TYPES = {"image/png", "image/jpeg", "image/tiff"}
_CHUNK = 1 << 20


class InputDocument(BaseModel):
    path: Path
    sha256: str
    size_bytes: int
    media_type: str

    @property
    def doc_id(self) -> str:
        return self.sha256[:16]


class Rejected(BaseModel):
    path: Path
    code: str
    reason: str
    remedy: str | None = None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sniff_media_type(path: Path) -> str:
    """Media type from the first bytes; raises for empty or unsupported files."""
    with path.open("rb") as handle:
        head = handle.read(1024)
    if not head:
        raise EmptyInput(f"{path} is empty (0 bytes)")
    if b"%PDF-" in head:
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    if path.suffix.lower() in TEXT_SUFFIXES:
        return "text/plain"
    if path.suffix.lower() == ".pdf":
        raise UnsupportedInput(f"{path} is named .pdf but is not a PDF")
    raise UnsupportedInput(f"{path} is not a supported document ({path.suffix or 'no extension'})")


def identify(path: Path) -> InputDocument:
    media_type = sniff_media_type(path)
    return InputDocument(
        path=path.resolve(), sha256=sha256_file(path), size_bytes=path.stat().st_size, media_type=media_type
    )


def walk_files(root: Path, unreadable: list[Path] | None = None) -> Iterator[Path]:
    """Files under ``root`` in a stable order; folders that cannot be listed go to ``unreadable``."""
    if root.is_file():
        yield root
        return

    def note(error: OSError) -> None:
        if unreadable is not None:
            unreadable.append(Path(error.filename or root))

    for folder, dirs, files in os.walk(root, onerror=note):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file():
                yield path


def _rejected(path: Path, exc: PlanscanError) -> Rejected:
    return Rejected(path=path, code=exc.code, reason=exc.message, remedy=exc.remedy)


def discover(paths: Iterable[Path]) -> tuple[list[InputDocument], list[Rejected]]:
    """Walk inputs recursively; every file ends up in exactly one of the two lists."""
    found: list[InputDocument] = []
    rejected: list[Rejected] = []
    seen: set[Path] = set()
    for root in paths:
        if not root.exists():
            rejected.append(
                _rejected(root, UnsupportedInput(f"{root} does not exist", remedy="Check the path."))
            )
            continue
        unreadable: list[Path] = []
        for path in walk_files(root, unreadable):
            if path.resolve() in seen:
                continue
            seen.add(path.resolve())
            try:
                found.append(identify(path))
            except PlanscanError as exc:
                rejected.append(_rejected(path, exc))
            except OSError as exc:  # permissions, a vanished file, a failing disk: report, never stop
                rejected.append(
                    _rejected(path, InputUnreadable(f"{path} cannot be read: {exc.strerror or exc}"))
                )
        for folder in unreadable:
            rejected.append(_rejected(folder, InputUnreadable(f"folder {folder} cannot be listed")))
    return found, rejected
