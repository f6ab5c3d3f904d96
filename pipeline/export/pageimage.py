"""The cleaned page image a result's word boxes refer to, rebuilt one page at a time.

Rasterising and preprocessing are deterministic, so rebuilding the image costs a fraction of a second per
page and no second OCR pass; the orientation turn that OCR applied is applied again.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.load import InputDocument
from pipeline.models import Page
from pipeline.preprocess import preprocess, turn
from pipeline.rasterise import rasterise_page
from pipeline.settings import Settings


def page_image(doc: InputDocument, page: Page, page_dir: Path, settings: Settings) -> Path:
    """Write page ``page.number`` of ``doc`` as the cleaned greyscale image under ``page_dir``."""
    raster, dpi = rasterise_page(doc, page.number, page_dir, settings)
    clean = page_dir / "clean.pgm"
    preprocess(raster, clean, dpi=dpi)
    if raster.parent == page_dir:
        raster.unlink(missing_ok=True)
    if page.rotation % 360:
        turn(clean, page.rotation)
    return clean
