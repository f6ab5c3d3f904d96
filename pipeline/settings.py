"""Run settings, validated once at the edge (CLI or flow parameters)."""

from __future__ import annotations

import hashlib
import json
import os

from pydantic import BaseModel, ConfigDict, Field

from pipeline import __version__


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    lang: str = Field(default="vie", description="Tesseract language(s)")
    dpi: int = Field(default=300, ge=72, le=600, description="rasterising resolution for PDF pages")
    page_timeout_s: float = Field(default=180.0, gt=0, description="limit for one external-program call")
    max_megapixels: float = Field(
        default=100.0, gt=0, description="larger images are refused before decoding"
    )
    text_layer_min_letters: int = Field(
        default=200, ge=0, description="a PDF page whose text layer has this many letters is not OCR'd"
    )
    osd_below_confidence: float = Field(
        default=55.0, description="re-check orientation with OSD when mean OCR confidence is below this"
    )
    workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    pages_in_flight: int = Field(
        default=64, ge=1, description="pages queued ahead of the workers: bounds memory on huge batches"
    )

    def output_hash(self, model_hashes: dict[str, str]) -> str:
        """Hash of everything that shapes the output (not how it is scheduled): the resume key uses it."""
        shaping = self.model_dump(exclude={"workers", "pages_in_flight"})
        blob = json.dumps(
            {"settings": shaping, "models": model_hashes, "version": __version__}, sort_keys=True
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:16]
