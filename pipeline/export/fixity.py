"""BagIt (RFC 8493) bags for exported documents: sha256 of every input and output, and a verifier.

The bag root holds the tag files and ``data/`` holds the outputs. Inputs are either copied (hard-linked
when possible) to ``data/source/`` or, by default, left where they are and listed in ``fetch.txt`` with a
``file:`` URL: the bag then records their size and sha256 without duplicating archive-sized scans. A bag
with fetch entries is "incomplete" in RFC 8493 terms; ``verify_bag`` checks those files at their URL.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlparse

from pydantic import BaseModel, Field

from pipeline import __version__
from pipeline.load import sha256_file
from pipeline.store import atomic_write_text

BAGIT_TXT = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
MANIFEST = "manifest-sha256.txt"
TAGMANIFEST = "tagmanifest-sha256.txt"
TAG_FILES = ("bagit.txt", "bag-info.txt", "fetch.txt", MANIFEST)
SOURCE_DIR = "data/source"


class BagReport(BaseModel):
    bag: Path
    checked: int = 0
    mismatched: list[str] = Field(default_factory=list, description="files whose sha256 changed")
    missing: list[str] = Field(default_factory=list, description="listed but not found")
    unlisted: list[str] = Field(default_factory=list, description="payload files the manifest does not list")
    problems: list[str] = Field(default_factory=list, description="the bag's own structure")

    @property
    def ok(self) -> bool:
        return not (self.mismatched or self.missing or self.unlisted or self.problems)


def _encode(path: str) -> str:
    """RFC 8493 2.1.3: CR, LF and % in file paths are percent-encoded."""
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _decode(path: str) -> str:
    return (
        path.replace("%0A", "\n")
        .replace("%0a", "\n")
        .replace("%0D", "\r")
        .replace("%0d", "\r")
        .replace("%25", "%")
    )


def _payload(bag: Path) -> list[str]:
    data = bag / "data"
    if not data.is_dir():
        return []
    return sorted(
        p.relative_to(bag).as_posix() for p in data.rglob("*") if p.is_file() and not p.name.endswith(".tmp")
    )


def _place_input(bag: Path, source: Path, name: str, copy: bool) -> None:
    target = bag / SOURCE_DIR / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    if not copy:
        return
    try:
        os.link(source, target)  # same file system: no second copy of a large scan
    except OSError:
        shutil.copy2(source, target)


def _input_names(inputs: Sequence[Path]) -> list[str]:
    names: list[str] = []
    for i, path in enumerate(inputs, start=1):
        name = path.name
        names.append(name if name not in names else f"{i}-{name}")
    return names


def write_bag(
    bag: Path,
    inputs: Sequence[Path],
    *,
    copy_inputs: bool = False,
    info: dict[str, str] | None = None,
) -> Path:
    """Make ``bag`` (whose outputs are already under ``bag/data``) a BagIt bag; returns the manifest path."""
    bag.mkdir(parents=True, exist_ok=True)
    (bag / "data").mkdir(exist_ok=True)
    sums: dict[str, str] = {}
    fetch: list[str] = []
    octets = 0
    names = _input_names(inputs)
    fetched: set[str] = set()
    for source, name in zip(inputs, names, strict=True):
        rel = f"{SOURCE_DIR}/{name}"
        _place_input(bag, source, name, copy_inputs)
        sums[rel] = sha256_file(source)
        size = source.stat().st_size
        if not copy_inputs:
            fetch.append(f"{source.resolve().as_uri()} {size} {_encode(rel)}")
            fetched.add(rel)
            octets += size
    for rel in _payload(bag):
        if rel not in sums:
            sums[rel] = sha256_file(bag / rel)
        if rel not in fetched:
            octets += (bag / rel).stat().st_size
    manifest = "".join(f"{digest}  {_encode(rel)}\n" for rel, digest in sorted(sums.items()))
    bag_info = {
        "Bagging-Date": dt.date.today().isoformat(),
        "Bag-Software-Agent": f"planscan {__version__}",
        "Payload-Oxum": f"{octets}.{len(sums)}",
        **(info or {}),
    }
    atomic_write_text(bag / "bagit.txt", BAGIT_TXT)
    atomic_write_text(bag / "bag-info.txt", "".join(f"{k}: {v}\n" for k, v in bag_info.items()))
    atomic_write_text(bag / MANIFEST, manifest)
    if fetch:
        atomic_write_text(bag / "fetch.txt", "\n".join(fetch) + "\n")
    else:
        (bag / "fetch.txt").unlink(missing_ok=True)
    tags = [t for t in TAG_FILES if (bag / t).is_file()]
    atomic_write_text(bag / TAGMANIFEST, "".join(f"{sha256_file(bag / t)}  {t}\n" for t in tags))
    return bag / MANIFEST


def _read_manifest(path: Path, report: BagReport) -> dict[str, str]:
    entries: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split(maxsplit=1)
        if len(parts) != 2 or len(parts[0]) != 64:
            report.problems.append(f"{path.name} line {number} is not 'sha256 path'")
            continue
        entries[_decode(parts[1].strip())] = parts[0].lower()
    return entries


def _read_fetch(bag: Path, report: BagReport) -> dict[str, Path]:
    path = bag / "fetch.txt"
    if not path.is_file():
        return {}
    located: dict[str, Path] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split(maxsplit=2)
        if len(parts) != 3:
            report.problems.append(f"fetch.txt line is not 'url length path': {line!r}")
            continue
        url = urlparse(parts[0])
        if url.scheme != "file":
            report.problems.append(f"fetch.txt: only file: URLs can be checked offline ({parts[0]})")
            continue
        located[_decode(parts[2])] = Path(unquote(url.path))
    return located


def _inside(bag: Path, rel: str) -> bool:
    resolved = (bag / rel).resolve()
    return not Path(rel).is_absolute() and resolved.is_relative_to(bag.resolve())


def verify_bag(bag: Path) -> BagReport:
    """Recompute every checksum; report changed, missing and unlisted files and structural problems."""
    report = BagReport(bag=bag)
    if not (bag / "bagit.txt").is_file():
        report.problems.append("bagit.txt is missing: not a bag")
        return report
    if not (bag / MANIFEST).is_file():
        report.problems.append(f"{MANIFEST} is missing")
        return report
    entries = _read_manifest(bag / MANIFEST, report)
    fetch = _read_fetch(bag, report)
    for rel, expected in sorted(entries.items()):
        if not _inside(bag, rel):
            report.problems.append(f"manifest path leaves the bag: {rel}")
            continue
        path = bag / rel
        if not path.is_file():
            path = fetch.get(rel, path)
        if not path.is_file():
            report.missing.append(rel)
            continue
        report.checked += 1
        if sha256_file(path) != expected:
            report.mismatched.append(rel)
    report.unlisted = [rel for rel in _payload(bag) if rel not in entries]
    if (bag / TAGMANIFEST).is_file():
        for rel, expected in sorted(_read_manifest(bag / TAGMANIFEST, report).items()):
            path = bag / rel
            if not _inside(bag, rel) or not path.is_file():
                report.missing.append(rel)
            elif sha256_file(path) != expected:
                report.mismatched.append(rel)
    return report
