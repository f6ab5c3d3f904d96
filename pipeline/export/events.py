"""Provenance events of one document (ingested, ocr, restored, extracted, exported) as a JSON sidecar.

Ingest records one time window per document (``started_at`` and ``duration_s``), not per stage, so the
events it implies carry that window: ``ingested`` at its start, ``ocr``/``restored``/``extracted`` at its
end. Export events carry their own times and the sha256 of the file they wrote.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Literal

import pypdf
from pydantic import BaseModel, Field

from pipeline import __version__
from pipeline.load import sha256_file
from pipeline.models import DocumentResult
from pipeline.store import atomic_write_text

EventType = Literal["ingested", "ocr", "restored", "extracted", "exported"]
RESTORER_PREFIX = "restorer-"


class Agent(BaseModel):
    name: str
    version: str | None = None
    models: dict[str, str] = Field(default_factory=dict, description="artefact name -> sha256")


class Event(BaseModel):
    type: EventType
    time: dt.datetime
    outcome: str
    agents: list[Agent]
    detail: dict[str, Any] = Field(default_factory=dict)


def planscan_agent(models: dict[str, str] | None = None) -> Agent:
    return Agent(name="planscan", version=__version__, models=models or {})


def ingest_events(result: DocumentResult) -> list[Event]:
    """What the result itself shows happened during ingest."""
    prov = result.provenance
    start = prov.started_at
    end = start + dt.timedelta(seconds=prov.duration_s)
    by_stage: dict[str, list[int | None]] = {}
    for error in result.errors:
        by_stage.setdefault(error.stage, []).append(error.page)
    events = [
        Event(
            type="ingested",
            time=start,
            outcome=result.status,
            agents=[planscan_agent()],
            detail={
                "source": result.source.path,
                "sha256": result.source.sha256,
                "media_type": result.source.media_type,
                "pages": result.source.pages,
                "config_hash": prov.config_hash,
                "duration_s": prov.duration_s,
            },
        )
    ]
    ocr_pages = [p.number for p in result.pages if p.source == "ocr" and p.status != "failed"]
    if ocr_pages or "ocr" in by_stage:
        events.append(
            Event(
                type="ocr",
                time=end,
                outcome="failed pages" if "ocr" in by_stage else "ok",
                agents=[Agent(name="tesseract", version=prov.tesseract_version), planscan_agent()],
                detail={
                    "pages": ocr_pages,
                    "failed_pages": by_stage.get("ocr", []),
                    "text_layer_pages": [p.number for p in result.pages if p.source == "text_layer"],
                    "mean_confidence": {
                        str(p.number): p.mean_confidence
                        for p in result.pages
                        if p.mean_confidence is not None
                    },
                },
            )
        )
    restored = {str(p.number): p.restored_words for p in result.pages if p.restored_words > 0}
    if restored or "restore" in by_stage:
        restorer = {k: v for k, v in prov.models.items() if k.startswith(RESTORER_PREFIX)}
        events.append(
            Event(
                type="restored",
                time=end,
                outcome="failed" if "restore" in by_stage else "ok",
                agents=[planscan_agent(restorer)],
                detail={"restored_words": restored, "total": sum(restored.values())},
            )
        )
    if result.extracted:
        rules = {k: v for k, v in prov.models.items() if not k.startswith(RESTORER_PREFIX)}
        found = sorted(key for key in result.evidence)
        events.append(
            Event(
                type="extracted",
                time=end,
                outcome="ok" if "extract" not in by_stage else "failed",
                agents=[planscan_agent(rules)],
                detail={"sought": len(result.extracted), "with_evidence": found},
            )
        )
    return events


def export_event(kind: str, paths: list[Path], root: Path, started: dt.datetime, problems: int) -> Event:
    """One export: which files (relative to ``root``), their sha256 and how many pages had problems."""
    agents = [planscan_agent()]
    if kind == "pdf":
        agents.append(Agent(name="pypdf", version=pypdf.__version__))
    return Event(
        type="exported",
        time=started,
        outcome="ok" if not problems else "problems",
        agents=agents,
        detail={
            "format": kind,
            "files": {p.relative_to(root).as_posix(): sha256_file(p) for p in paths},
            "page_problems": problems,
        },
    )


def write_events(result: DocumentResult, extra: list[Event], path: Path) -> Path:
    events = ingest_events(result) + extra
    payload = {"doc_id": result.doc_id, "events": [e.model_dump(mode="json") for e in events]}
    atomic_write_text(path, json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    return path
