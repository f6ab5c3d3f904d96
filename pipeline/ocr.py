"""Tesseract OCR of one preprocessed page: text in reading order, word boxes and confidences."""

from __future__ import annotations

import tempfile
from pathlib import Path

import cv2
import numpy as np
from pydantic import BaseModel

from pipeline import tools
from pipeline.layout import Line, Zone, clear_of_ink, find_gutter, find_zones
from pipeline.models import Word
from pipeline.preprocess import turn
from pipeline.settings import Settings
from pipeline.textnorm import normalize_text

JUNK_CONFIDENCE = 60.0
JUNK_LETTER_CONFIDENCE = 30.0
ZONE_PSM = 6  # a column of a header or signature block is one uniform block of text


class OcrPage(BaseModel):
    text: str
    words: list[Word]
    mean_confidence: float | None
    rotation: int = 0


def _is_junk(text: str, confidence: float, *, first_in_line: bool) -> bool:
    """Specks and underline fragments read as "_", "—", "ˆ" or a lone accented letter; bullets survive."""
    if first_in_line and text in {"-", "+", "•", "–"}:
        return False
    if not any(ch.isalnum() for ch in text):
        return confidence < JUNK_CONFIDENCE
    return len(text) == 1 and confidence < JUNK_LETTER_CONFIDENCE


def parse_tsv(data: dict[str, list], *, dx: int = 0, dy: int = 0) -> list[Line]:
    """Tesseract's word rows grouped into lines; boxes shifted by (dx, dy) for crops."""
    lines: list[Line] = []
    current: tuple[int, int, int] | None = None
    for i, raw in enumerate(data["text"]):
        text = normalize_text(str(raw).strip())
        conf = float(data["conf"][i])
        key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
        if not text or conf < 0 or _is_junk(text, conf, first_in_line=key != current):
            continue
        box = (
            int(data["left"][i]) + dx,
            int(data["top"][i]) + dy,
            int(data["width"][i]),
            int(data["height"][i]),
        )
        word = Word(text=text, confidence=conf, box=box, line=0)
        if key != current:
            current = key
            lines.append(Line(words=[], block=(key[0], key[1])))
        lines[-1].words.append(word)
    return lines


def assemble_page(lines: list[Line]) -> OcrPage:
    """Text with a blank line between blocks; every word records its line index."""
    out: list[str] = []
    words: list[Word] = []
    for index, line in enumerate(lines):
        if index and line.block != lines[index - 1].block:
            out.append("")
        for word in line.words:
            word.line = index
            words.append(word)
        out.append(line.text)
    mean = round(sum(w.confidence for w in words) / len(words), 2) if words else None
    return OcrPage(text="\n".join(out), words=words, mean_confidence=mean)


def tsv_to_page(data: dict[str, list]) -> OcrPage:
    return assemble_page(parse_tsv(data))


def _zone_lines(
    grey: np.ndarray, zone: Zone, gutter: int, settings: Settings, side: str, tag: int
) -> list[Line]:
    x0, x1 = (0, gutter) if side == "left" else (gutter, grey.shape[1])
    crop = grey[zone.top : zone.bottom, x0:x1]
    with tempfile.TemporaryDirectory(prefix="zone-") as tmp:
        path = Path(tmp) / "zone.pgm"
        cv2.imwrite(str(path), crop)
        data = tools.ocr_tsv(path, lang=settings.lang, psm=ZONE_PSM, timeout=settings.page_timeout_s)
    lines = parse_tsv(data, dx=x0, dy=zone.top)
    for line in lines:
        line.block = (10_000 + tag, line.block[1])  # each column is its own block in the output
    return lines


def read_columns(image: Path, lines: list[Line], settings: Settings) -> list[Line]:
    """Re-read two-column zones column by column; other lines keep their first-pass reading."""
    grey = cv2.imread(str(image), cv2.IMREAD_GRAYSCALE)
    if grey is None or not lines:
        return lines
    result = list(lines)
    for found in find_zones(lines, grey.shape[0]):
        zone = clear_of_ink(grey, found)
        gutter = find_gutter(grey, zone)
        if gutter is None:
            continue
        inside = [line for line in result if zone.top <= (line.top + line.bottom) / 2 <= zone.bottom]
        if not inside:
            continue
        left = _zone_lines(grey, zone, gutter, settings, "left", 2 * len(result))
        right = _zone_lines(grey, zone, gutter, settings, "right", 2 * len(result) + 1)
        if not left and not right:
            continue
        at = result.index(inside[0])
        result = [line for line in result if line not in inside]
        result[at:at] = left + right
    return result


def ocr_page(image: Path, settings: Settings) -> OcrPage:
    """OCR a page; when confidence is low, ask OSD whether the page is turned and OCR it again upright."""
    lines = parse_tsv(tools.ocr_tsv(image, lang=settings.lang, timeout=settings.page_timeout_s))
    page = assemble_page(lines)
    if page.mean_confidence is None or page.mean_confidence < settings.osd_below_confidence:
        orientation = tools.detect_orientation(image, timeout=settings.page_timeout_s)
        if orientation is not None and orientation.rotate % 360 and orientation.confidence >= 1.0:
            turn(image, orientation.rotate)
            upright_lines = parse_tsv(
                tools.ocr_tsv(image, lang=settings.lang, timeout=settings.page_timeout_s)
            )
            upright = assemble_page(upright_lines)
            if (upright.mean_confidence or 0) > (page.mean_confidence or 0):
                lines, page = upright_lines, upright
                page.rotation = orientation.rotate
    rotation = page.rotation
    final = assemble_page(read_columns(image, lines, settings))
    final.rotation = rotation
    return final
