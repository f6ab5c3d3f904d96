"""Realistic scans of Vietnamese administrative documents, with exact ground truth.

The OCR pipeline needs test inputs whose text is known to the character. This module typesets a tiny
markup (see below) the way Decree 30/2020/NĐ-CP lays out an administrative document — two-column
header, centred titles, justified 13 pt serif body, recipients and signature block — on A4 pages,
stamps a red seal over a pen signature, then ages each page like a photocopy that went through a
scanner (skew, blur, uneven paper, toner specks, sensor grain, JPEG).

Markup, one line at a time:

* ``left || right`` — a two-column row (issuer / Quốc hiệu, "Số:" / date, "Nơi nhận:" / signer);
  either side may be empty.
* ``# text`` — a centred bold title (document type, trích yếu).
* any other non-empty line — one body paragraph; blank lines are only separators.

Layout is computed in points, independent of the dpi, so the same markup gives the same ground
truth (and the same page breaks) at 150 and at 300 dpi. Everything random comes from one
``numpy.random.Generator``, so a seed reproduces a page bit for bit.
"""

from __future__ import annotations

import io
import math
import re
import shutil
import subprocess
import time
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont
from pydantic import BaseModel, ConfigDict, Field

from pipeline.errors import SynthFontMissing

__all__ = [
    "SIGNATURE_BOX_KEY",
    "DegradeConfig",
    "SynthFontMissing",
    "SynthPage",
    "SynthResult",
    "degrade",
    "page_size_px",
    "render_pages",
    "synthesise",
]

FloatArray = npt.NDArray[np.float32]
Face = Literal["regular", "bold", "italic", "bolditalic", "seal"]
Align = Literal["left", "center", "justify"]

# --- page geometry (points; 1 pt = 1/72 in) -------------------------------------------------------------

PT_PER_MM = 72 / 25.4
PAGE_W = 210 * PT_PER_MM
PAGE_H = 297 * PT_PER_MM
# Decree 30/2020: top 20-25, bottom 20-25, left 30-35, right 15-20 mm.
MARGIN_TOP = 20 * PT_PER_MM
MARGIN_BOTTOM = 20 * PT_PER_MM
MARGIN_LEFT = 30 * PT_PER_MM
MARGIN_RIGHT = 15 * PT_PER_MM
TEXT_W = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT
CONTENT_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM
LEFT_COL_W = 0.40 * TEXT_W
RIGHT_COL_X = MARGIN_LEFT + LEFT_COL_W
RIGHT_COL_W = TEXT_W - LEFT_COL_W
CELL_PAD = 2 * PT_PER_MM

BODY_PT = 13.0
TITLE_PT = 14.0
LINE_SPACING = 1.2
FIRST_LINE_INDENT = 10 * PT_PER_MM
PARA_SPACE = 6.0
TITLE_SPACE = 12.0
MIN_CELL_PT = 10.5
ASCENT = 0.891  # Liberation Serif ascender, in em
SIGN_GAP_LINES = 3.5  # room the signer leaves between title and printed name

DPI_RANGE = (72, 600)
FORMATS = ("pdf", "png", "tiff")
# Stored on the clean page image: where the signer signs (pixels), and what the seal says.
SIGNATURE_BOX_KEY = "planscan.signature_box"
SEAL_TEXT_KEY = "planscan.seal_text"
_PDF_DATE = time.gmtime(946684800)  # fixed 2000-01-01 so the PDF bytes are reproducible too

# Liberation 2.x (Debian: fonts-liberation2) has the Vietnamese letters; 1.07 (fonts-liberation) does not
# and renders "Ủ", "ệ", "ạ" as empty boxes, so it is only used if it turns out to cover them.
_FONT_DIRS = (Path("/usr/share/fonts/truetype/liberation2"), Path("/usr/share/fonts/truetype/liberation"))
_VIETNAMESE_PROBE = "ỦệữỗạẶđơư"
_FONT_FILES: dict[Face, tuple[str, str]] = {
    "regular": ("Liberation Serif:style=Regular", "LiberationSerif-Regular.ttf"),
    "bold": ("Liberation Serif:style=Bold", "LiberationSerif-Bold.ttf"),
    "italic": ("Liberation Serif:style=Italic", "LiberationSerif-Italic.ttf"),
    "bolditalic": ("Liberation Serif:style=Bold Italic", "LiberationSerif-BoldItalic.ttf"),
    "seal": ("Liberation Sans:style=Bold", "LiberationSans-Bold.ttf"),
}


# --- public models ---------------------------------------------------------------------------------------


class DegradeConfig(BaseModel):
    """How hard to age a page. Defaults look like an ordinary office photocopy, still easy for Tesseract."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    skew_max_deg: float = Field(default=1.0, ge=0, le=5, description="page rotated by U(-x, x) degrees")
    blur: float = Field(default=0.6, ge=0, le=3, description="Gaussian sigma in pixels at 300 dpi")
    noise: float = Field(default=0.02, ge=0, le=0.2, description="grain sigma; also scales specks")
    jpeg_quality: int | None = Field(default=70, ge=10, le=100, description="None: no JPEG round trip")
    seal: bool = Field(default=True, description="red seal and pen signature on the signature page")
    background: bool = Field(default=True, description="tinted, unevenly lit paper; greyish toner")

    @classmethod
    def at_strength(cls, strength: float, *, seal: bool = True) -> DegradeConfig:
        """0 = clean page, 1 = the defaults, 2 = a tired photocopier, 3 = about the worst worth testing."""
        s = min(max(strength, 0.0), 3.0)
        return cls(
            skew_max_deg=min(1.5, 1.0 * s),
            blur=0.6 * s,
            noise=0.02 * s,
            jpeg_quality=None if s == 0 else round(min(85.0, max(40.0, 85 - 15 * s))),
            seal=seal,
            background=s > 0,
        )


class SynthPage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: int = Field(description="1-based page number")
    text: str = Field(description="NFC text placed on the page, reading order, one line per cell/paragraph")


class SynthResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pdf_path: Path | None = None
    image_paths: list[Path] = Field(default_factory=list, description="PNG pages, or the one TIFF")
    pages: list[SynthPage]
    dpi: int
    seed: int
    config: DegradeConfig = Field(default_factory=DegradeConfig)


# --- fonts ---------------------------------------------------------------------------------------------


def _covers_vietnamese(path: str) -> bool:
    # A missing letter renders as the font's .notdef box, which is what a private-use code point gets.
    font = ImageFont.truetype(path, size=24, layout_engine=ImageFont.Layout.BASIC)

    def ink(ch: str) -> bytes:
        img = Image.new("L", (48, 48), 0)
        ImageDraw.Draw(img).text((8, 8), ch, font=font, fill=255)
        return img.tobytes()

    notdef = ink("\ue000")
    return all(ink(ch) != notdef for ch in _VIETNAMESE_PROBE)


@cache
def _font_path(face: Face) -> str:
    pattern, filename = _FONT_FILES[face]
    candidates: list[Path] = []
    fc_match = shutil.which("fc-match")
    if fc_match is not None:
        try:
            found = subprocess.run(
                [fc_match, "-f", "%{file}", pattern], capture_output=True, text=True, timeout=10, check=False
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            found = ""
        # fc-match always answers with *some* font; only the real Liberation file has Times' metrics.
        if found and Path(found).name == filename:
            candidates.append(Path(found))
    candidates += [d / filename for d in _FONT_DIRS]
    for path in candidates:
        if path.is_file() and _covers_vietnamese(str(path)):
            return str(path)
    tried = ", ".join(str(p) for p in dict.fromkeys(candidates))
    raise SynthFontMissing(f"no {filename} ({pattern}) with Vietnamese letters found; tried {tried}")


@lru_cache(maxsize=256)
def _font(face: Face, size_px: float) -> ImageFont.FreeTypeFont:
    # BASIC layout: NFC Vietnamese is all precomposed, and it renders the same with or without raqm.
    return ImageFont.truetype(_font_path(face), size=size_px, layout_engine=ImageFont.Layout.BASIC)


_MEASURE_SCALE = 20.0  # measure at 20 px per pt so layout does not depend on the output dpi


@lru_cache(maxsize=65536)
def _width(text: str, face: Face, pt: float) -> float:
    return _font(face, round(pt * _MEASURE_SCALE, 2)).getlength(text) / _MEASURE_SCALE


# --- markup ---------------------------------------------------------------------------------------------

_ROW_SPLIT = re.compile(r"(?:^|\s+)\|\|(?:\s+|$)")
_DATE_RE = re.compile(r"ngày\s+\S+\s+tháng\s+\S+\s+năm", re.IGNORECASE)
_NUMBERED_HEADING = re.compile(r"^(?:[IVXLC]+|\d+(?:\.\d+)*)\.\s")


@dataclass(frozen=True)
class _Row:
    left: str
    right: str


@dataclass(frozen=True)
class _Title:
    text: str


@dataclass(frozen=True)
class _Para:
    text: str


_Block = _Row | _Title | _Para


def _clean(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _parse(markup: str) -> list[_Block]:
    blocks: list[_Block] = []
    for raw in unicodedata.normalize("NFC", markup).splitlines():
        line = raw.replace("\t", " ")
        if not line.strip():
            continue
        if _ROW_SPLIT.search(line):
            left, right = _ROW_SPLIT.split(line, maxsplit=1)
            blocks.append(_Row(_clean(left), _clean(right)))
        elif line.startswith("# "):
            if text := _clean(line[2:]):
                blocks.append(_Title(text))
        else:
            blocks.append(_Para(_clean(line)))
    return blocks


def _is_upper(text: str) -> bool:
    return any(c.isalpha() for c in text) and text == text.upper()


# --- layout ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Style:
    face: Face = "regular"
    pt: float = BODY_PT
    align: Align = "center"
    underline: bool = False
    rule_below: bool = False

    @property
    def pitch(self) -> float:
        return self.pt * LINE_SPACING

    @property
    def baseline(self) -> float:
        # half the extra leading above, then the ascender
        return self.pt * ((LINE_SPACING - 1) / 2 + ASCENT)


@dataclass(frozen=True)
class _Op:
    """A text run (baseline-left anchored), a justified line from x to x2, or a rule from x to x2.

    Points, relative to the unit. A justified line is spread at raster time with the real glyph
    widths: FreeType rounds hinted advances to whole pixels, which at 150 dpi can eat a word space.
    """

    kind: Literal["text", "justify", "rule"]
    x: float
    y: float
    text: str = ""
    face: Face = "regular"
    pt: float = BODY_PT
    x2: float = 0.0


@dataclass
class _Unit:
    """An unbreakable slice of the document: one body line, one title line, or a chunk of table rows."""

    height: float
    ops: list[_Op] = field(default_factory=list)
    truth: list[tuple[int, str]] = field(default_factory=list)  # (block key, text): same key joins with " "
    space_before: float = 0.0
    keep_with_next: bool = False
    signature: tuple[float, float, float, float] | None = None


def _wrap(words: list[str], face: Face, pt: float, width: float, indent: float = 0.0) -> list[list[str]]:
    space = _width(" ", face, pt)
    lines: list[list[str]] = []
    current: list[str] = []
    used = indent
    for word in words:
        w = _width(word, face, pt)
        if current and used + space + w > width:
            lines.append(current)
            current, used = [], 0.0
        used += (space if current else 0.0) + w
        current.append(word)
    if current:
        lines.append(current)
    return lines


def _line_ops(
    words: list[str], style: _Style, x0: float, width: float, baseline: float, *, last: bool
) -> list[_Op]:
    text = " ".join(words)
    if style.align == "justify" and not last and len(words) > 1:
        return [_Op("justify", x0, baseline, text, style.face, style.pt, x2=x0 + width)]
    text_w = _width(text, style.face, style.pt)
    x = x0 + (width - text_w) / 2 if style.align == "center" else x0
    ops = [_Op("text", x, baseline, text, style.face, style.pt)]
    if style.underline:
        ops.append(_Op("rule", x, baseline + 0.28 * style.pt, pt=style.pt, x2=x + text_w))
    return ops


@dataclass(frozen=True)
class _Cell:
    key: int
    text: str
    style: _Style
    lines: list[list[str]]

    @property
    def height(self) -> float:
        if not self.lines:
            return 0.0
        extra = 0.5 * self.style.pitch if (self.style.rule_below or self.style.underline) else 0.0
        return len(self.lines) * self.style.pitch + extra

    def ops(self, x0: float, width: float, top: float) -> list[_Op]:
        s = self.style
        inner_x, inner_w = x0 + CELL_PAD, width - 2 * CELL_PAD
        ops: list[_Op] = []
        for i, words in enumerate(self.lines):
            ops += _line_ops(words, s, inner_x, inner_w, top + i * s.pitch + s.baseline, last=True)
        if s.rule_below and self.lines:
            # the short rule under the issuer's name: about a third of the column, centred
            y = top + (len(self.lines) - 1) * s.pitch + s.baseline + 0.45 * s.pt
            mid, half = inner_x + inner_w / 2, inner_w * 0.18
            ops.append(_Op("rule", mid - half, y, pt=s.pt, x2=mid + half))
        return ops


def _fit_cell(key: int, text: str, style: _Style, width: float) -> _Cell:
    """Shrink a long cell a little (as clerks do), then wrap what still does not fit."""
    if not text:
        return _Cell(key, text, style, [])
    inner = width - 2 * CELL_PAD
    pt = style.pt
    floor = max(MIN_CELL_PT, style.pt - 2)
    while _width(text, style.face, pt) > inner and pt - 0.5 >= floor:
        pt -= 0.5
    fitted = _Style(style.face, pt, style.align, style.underline, style.rule_below)
    return _Cell(key, text, fitted, _wrap(text.split(), style.face, pt, inner))


def _row_styles(rows: list[_Row], header: bool, signer_row: int | None) -> list[tuple[_Style, _Style]]:
    styles: list[tuple[_Style, _Style]] = []
    lefts = [r.left for r in rows]
    in_recipients = False
    for i, row in enumerate(rows):
        left, right = row.left, row.right
        # left column
        if left.lower().startswith("nơi nhận"):
            in_recipients = True
            ls = _Style("bolditalic", 12.0, "left")
        elif in_recipients:
            ls = _Style("regular", 11.0, "left")
        elif header and _is_upper(left):
            # the last line of the upper-case issuer block is the issuer itself: bold, ruled underneath
            nxt = next((t for t in lefts[i + 1 :] if t), "")
            is_name = not _is_upper(nxt)
            ls = _Style("bold" if is_name else "regular", 12.5, "center", rule_below=is_name)
        elif not header and left.startswith("- "):
            ls = _Style("regular", 11.0, "left")
        elif header and not left.startswith("Số"):
            ls = _Style("regular", 12.0, "center")  # the công văn's "V/v ..." summary
        else:
            ls = _Style("regular", BODY_PT, "center")
        # right column
        lower = right.lower()
        if "độc lập" in lower and "hạnh phúc" in lower:
            rs = _Style("bold", 13.0, "center", underline=True)
        elif _DATE_RE.search(right):
            rs = _Style("italic", 13.0, "center")
        elif _is_upper(right):
            rs = _Style("bold", 12.0 if header else 13.0, "center")
        elif i == signer_row:
            rs = _Style("bold", 13.0, "center")
        elif right.startswith("(") and right.endswith(")"):
            rs = _Style("italic", 12.0, "center")
        else:
            rs = _Style("regular", 13.0, "center")
        styles.append((ls, rs))
    return styles


class _Keys:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> int:
        self.n += 1
        return self.n


def _row_units(rows: list[_Row], *, header: bool, signature: bool, keys: _Keys) -> list[_Unit]:
    """Lay out a run of rows as a borderless two-column table, chunked so no chunk exceeds a page.

    Rows share a top edge, as markup rows mean ("Số:" level with the date, each recipient level with
    its row), so a line-by-line reader mostly sees the ground truth's row order. One exception: the
    signer's title lines (TM. / KT. / CHỨC VỤ) stay together like the Word cell they come from, even
    when a long recipient beside them wraps. The signer needs room between title and printed name:
    empty right cells above the name count towards it, and the name row is pushed down for the rest.
    """
    signer_row: int | None = None
    if signature:
        last = max((i for i, r in enumerate(rows) if r.right), default=None)
        if last is not None and not _is_upper(rows[last].right) and not rows[last].right.startswith("("):
            signer_row = last
    styles = _row_styles(rows, header, signer_row)
    cells = [
        (_fit_cell(keys(), r.left, ls, LEFT_COL_W), _fit_cell(keys(), r.right, rs, RIGHT_COL_W))
        for r, (ls, rs) in zip(rows, styles, strict=True)
    ]
    last_right = max((i for i, (_, rc) in enumerate(cells) if rc.lines), default=None)
    # the title block: the unbroken run of right cells the signature group opens with
    title_rows = 0
    if signature:
        while title_rows < len(cells) and title_rows != signer_row and cells[title_rows][1].lines:
            title_rows += 1
    gap = SIGN_GAP_LINES * BODY_PT * LINE_SPACING
    blank = BODY_PT * LINE_SPACING

    units: list[_Unit] = []
    unit = _Unit(0.0)
    yl = yr = 0.0
    title_end = 0.0  # bottom of the last right-hand line so far: where the signature space starts
    for i, (lc, rc) in enumerate(cells):
        stacked = i < title_rows
        row_h = max(lc.height, rc.height) or blank  # an empty row is deliberate vertical space
        y = max(yl, yr)
        push = max(0.0, gap - (y - title_end)) if signature and i == signer_row else 0.0
        after = gap if signature and signer_row is None and i == last_right else 0.0
        need = max(yl + lc.height, yr + rc.height) if stacked else y + push + row_h + after
        if need > CONTENT_H and unit.truth:
            units.append(unit)
            unit, yl, yr, y, title_end = _Unit(0.0), 0.0, 0.0, 0.0, 0.0
            push = gap if signature and i == signer_row else 0.0
        if stacked:
            unit.ops += lc.ops(MARGIN_LEFT, LEFT_COL_W, yl)
            unit.ops += rc.ops(RIGHT_COL_X, RIGHT_COL_W, yr)
            yl += lc.height or (0.0 if rc.lines else blank)
            yr += rc.height
        else:
            if signature and i == signer_row:
                y += push
                unit.signature = (RIGHT_COL_X, title_end, RIGHT_COL_X + RIGHT_COL_W, y)
            unit.ops += lc.ops(MARGIN_LEFT, LEFT_COL_W, y)
            unit.ops += rc.ops(RIGHT_COL_X, RIGHT_COL_W, y)
            yl = yr = y + row_h
        if rc.lines:
            title_end = yr
        if after:
            unit.signature = (RIGHT_COL_X, yr, RIGHT_COL_X + RIGHT_COL_W, yr + after)
            yl = yr = max(yl, yr + after)
        unit.truth += [(c.key, c.text) for c in (lc, rc) if c.text]
        unit.height = max(yl, yr)
    if unit.truth or unit.height:
        units.append(unit)
    return units


def _title_units(text: str, *, space_before: float, rule: bool, keys: _Keys) -> list[_Unit]:
    style = _Style("bold", TITLE_PT, "center")
    width = TEXT_W * 0.9
    x0 = MARGIN_LEFT + (TEXT_W - width) / 2
    key = keys()
    lines = _wrap(text.split(), style.face, style.pt, width)
    units: list[_Unit] = []
    for i, words in enumerate(lines):
        ops = _line_ops(words, style, x0, width, style.baseline, last=True)
        height = style.pitch
        if rule and i == len(lines) - 1:
            # Decree 30 puts a short rule under the trích yếu
            y = style.baseline + 0.5 * style.pt
            ops.append(
                _Op("rule", MARGIN_LEFT + TEXT_W * 0.38, y, pt=style.pt, x2=MARGIN_LEFT + TEXT_W * 0.62)
            )
            height += 0.4 * style.pitch
        units.append(
            _Unit(height, ops, [(key, " ".join(words))], space_before if i == 0 else 0.0, keep_with_next=True)
        )
    return units


def _para_units(text: str, *, space_before: float, keys: _Keys) -> list[_Unit]:
    heading = len(text) < 90 and (_is_upper(text) or bool(_NUMBERED_HEADING.match(text)))
    heading = heading and not text.endswith((".", ";", ","))
    style = _Style("bold" if heading else "regular", BODY_PT, "left" if heading else "justify")
    key = keys()
    lines = _wrap(text.split(), style.face, style.pt, TEXT_W, indent=FIRST_LINE_INDENT)
    units: list[_Unit] = []
    for i, words in enumerate(lines):
        x0 = MARGIN_LEFT + (FIRST_LINE_INDENT if i == 0 else 0.0)
        width = TEXT_W - (FIRST_LINE_INDENT if i == 0 else 0.0)
        ops = _line_ops(words, style, x0, width, style.baseline, last=i == len(lines) - 1)
        # a heading sticks to what follows; a paragraph never leaves its first line alone at a page foot
        keep = heading or (i == 0 and len(lines) > 1)
        units.append(
            _Unit(
                style.pitch,
                ops,
                [(key, " ".join(words))],
                space_before if i == 0 else 0.0,
                keep_with_next=keep,
            )
        )
    return units


@dataclass
class _PageLayout:
    ops: list[_Op] = field(default_factory=list)
    truth: list[tuple[int, str]] = field(default_factory=list)
    signature: tuple[float, float, float, float] | None = None

    def text(self) -> str:
        lines: list[str] = []
        last_key = None
        for key, text in self.truth:
            if key == last_key:
                lines[-1] += " " + text
            else:
                lines.append(text)
            last_key = key
        return "\n".join(lines)


def _build_units(blocks: list[_Block]) -> list[_Unit]:
    keys = _Keys()
    units: list[_Unit] = []
    first_flow = next((i for i, b in enumerate(blocks) if not isinstance(b, _Row)), len(blocks))
    # the signature sits in the last run of rows after the body
    row_runs: list[tuple[int, int]] = []
    i = 0
    while i < len(blocks):
        if isinstance(blocks[i], _Row):
            j = i
            while j < len(blocks) and isinstance(blocks[j], _Row):
                j += 1
            row_runs.append((i, j))
            i = j
        else:
            i += 1
    signature_run = next((r for r in reversed(row_runs) if r[0] > first_flow), None)

    i = 0
    prev: _Block | None = None
    titles_seen = 0
    body_started = False
    ruled = False
    while i < len(blocks):
        block = blocks[i]
        if isinstance(block, _Row):
            run = next(r for r in row_runs if r[0] == i)
            rows = [b for b in blocks[run[0] : run[1]] if isinstance(b, _Row)]
            header = i < first_flow
            group = _row_units(rows, header=header, signature=run == signature_run, keys=keys)
            if group and prev is not None:
                group[0].space_before = TITLE_SPACE
            units += group
            prev, i = rows[-1], run[1]
            continue
        if isinstance(block, _Title):
            if isinstance(prev, _Title) and not ruled:
                space = 0.0
            elif isinstance(prev, _Row):
                space = 1.5 * TITLE_SPACE
            else:
                space = TITLE_SPACE if prev is not None else 0.0
            titles_seen += 1
            # Decree 30 rules off the trích yếu: the second title, before any body text
            ruled = titles_seen == 2 and not body_started
            units += _title_units(block.text, space_before=space, rule=ruled, keys=keys)
            prev = block
            i += 1
            continue
        space = TITLE_SPACE if isinstance(prev, _Title | _Row) else PARA_SPACE
        units += _para_units(block.text, space_before=space if prev is not None else 0.0, keys=keys)
        body_started = True  # later titles ("QUYẾT ĐỊNH:") are not the trích yếu
        ruled = False
        prev = block
        i += 1
    return units


def _paginate(units: list[_Unit]) -> list[_PageLayout]:
    pages: list[_PageLayout] = [_PageLayout()]
    y = 0.0
    for idx, unit in enumerate(units):
        page = pages[-1]
        before = unit.space_before if page.truth else 0.0
        need = before + unit.height
        j = idx
        while units[j].keep_with_next and j + 1 < len(units) and j - idx < 6:
            j += 1
            need += units[j].space_before + units[j].height
        if page.truth and y + need > CONTENT_H:
            fits_alone = y + before + unit.height <= CONTENT_H
            # break early for the keep-together chain only if it would fit on a fresh page
            if not fits_alone or need - before <= CONTENT_H:
                pages.append(_PageLayout())
                page, y, before = pages[-1], 0.0, 0.0
        top = MARGIN_TOP + y + before
        page.ops += [_Op(o.kind, o.x, o.y + top, o.text, o.face, o.pt, o.x2) for o in unit.ops]
        page.truth += unit.truth
        if unit.signature is not None:
            x0, y0, x1, y1 = unit.signature
            page.signature = (x0, y0 + top, x1, y1 + top)
        y += before + unit.height
    return [p for p in pages if p.truth]


def _layout(markup: str) -> list[_PageLayout]:
    return _paginate(_build_units(_parse(markup)))


def _seal_text(markup: str) -> str:
    blocks = _parse(markup)
    issuer = []
    for b in blocks:
        if not isinstance(b, _Row):
            break
        if b.left and _is_upper(b.left):
            issuer.append(b.left)
    return " ".join(issuer) or "ỦY BAN NHÂN DÂN"


# --- rasterising ----------------------------------------------------------------------------------------


def _check_dpi(dpi: int) -> None:
    if not DPI_RANGE[0] <= dpi <= DPI_RANGE[1]:
        raise ValueError(f"dpi must be within {DPI_RANGE[0]}-{DPI_RANGE[1]}, got {dpi}")


def page_size_px(dpi: int) -> tuple[int, int]:
    """A4 at ``dpi``: 2480 x 3508 at 300 dpi, 1240 x 1754 at 150."""
    return round(210 / 25.4 * dpi), round(297 / 25.4 * dpi)


def _rasterise(page: _PageLayout, dpi: int, seal_text: str) -> Image.Image:
    scale = dpi / 72
    img = Image.new("L", page_size_px(dpi), 255)
    draw = ImageDraw.Draw(img)
    for op in page.ops:
        if op.kind == "text":
            font = _font(op.face, round(op.pt * scale, 2))
            draw.text((op.x * scale, op.y * scale), op.text, font=font, fill=0, anchor="ls")
        elif op.kind == "justify":
            font = _font(op.face, round(op.pt * scale, 2))
            words = op.text.split(" ")
            widths = [font.getlength(w) for w in words]
            gap = ((op.x2 - op.x) * scale - sum(widths)) / (len(words) - 1)
            x = op.x * scale
            for word, w in zip(words, widths, strict=True):
                draw.text((x, op.y * scale), word, font=font, fill=0, anchor="ls")
                x += w + gap
        else:
            half = max(0.5, 0.03 * op.pt * scale)
            draw.rectangle(
                (
                    round(op.x * scale),
                    round(op.y * scale - half),
                    round(op.x2 * scale),
                    round(op.y * scale + half),
                ),
                fill=0,
            )
    img.info["dpi"] = (dpi, dpi)
    if page.signature is not None:
        img.info[SIGNATURE_BOX_KEY] = tuple(round(v * scale) for v in page.signature)
        img.info[SEAL_TEXT_KEY] = seal_text
    return img


def _iter_pages(markup: str, dpi: int) -> Iterator[tuple[Image.Image, SynthPage]]:
    _check_dpi(dpi)
    layout = _layout(markup)
    if not layout:
        raise ValueError("the markup contains no text")
    seal_text = _seal_text(markup)
    for number, page in enumerate(layout, start=1):
        yield _rasterise(page, dpi, seal_text), SynthPage(number=number, text=page.text())


def render_pages(markup: str, *, dpi: int = 300) -> tuple[list[Image.Image], list[SynthPage]]:
    """Typeset ``markup`` onto clean A4 greyscale pages; returns the images and their ground truth.

    The page holding the signature carries its box (pixels) in ``image.info[SIGNATURE_BOX_KEY]``,
    which ``degrade`` uses to place the pen signature and the seal.
    """
    images: list[Image.Image] = []
    pages: list[SynthPage] = []
    for image, page in _iter_pages(markup, dpi):
        images.append(image)
        pages.append(page)
    return images, pages


# --- seal and signature ---------------------------------------------------------------------------------

_SEAL_RED = np.array([0.86, 0.11, 0.15], dtype=np.float32)
_PEN_BLUE = np.array([0.10, 0.14, 0.45], dtype=np.float32)


def _ring_text(canvas: Image.Image, text: str, centre: float, r_base: float, size_px: float) -> None:
    """Stamp ``text`` clockwise around the top of a circle, letters upright pointing outward."""
    font = _font("seal", size_px)
    advances = [font.getlength(ch) for ch in text]
    natural = sum(advances) / r_base  # radians the text covers at its baseline
    span = min(max(natural, math.radians(290)), math.radians(320))  # stretched to fill the ring
    spacing = (span - natural) / max(1, len(text) - 1) if span > natural else 0.0
    theta = -span / 2
    tile = int(size_px * 2.2) | 1
    for ch, adv in zip(text, advances, strict=True):
        mid = theta + adv / 2 / r_base
        if not ch.isspace():
            glyph = Image.new("L", (tile, tile), 0)
            ImageDraw.Draw(glyph).text((tile / 2, tile / 2), ch, font=font, fill=255, anchor="ms")
            glyph = glyph.rotate(-math.degrees(mid), resample=Image.Resampling.BICUBIC)
            gx = round(centre + r_base * math.sin(mid) - tile / 2)
            gy = round(centre - r_base * math.cos(mid) - tile / 2)
            region = canvas.crop((gx, gy, gx + tile, gy + tile))
            canvas.paste(Image.fromarray(np.maximum(np.asarray(region), np.asarray(glyph))), (gx, gy))
        theta += adv / r_base + spacing


def _seal_alpha(text: str, rng: np.random.Generator, dpi: int) -> FloatArray:
    """Coverage (0-1) of a round office seal: double ring, ring text, star, uneven stamp-pad ink."""
    px = dpi / 25.4
    radius = rng.uniform(17.0, 19.0) * px
    size = int(2 * radius + 6 * px)
    c = size / 2
    img = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(img)
    ring = max(2, round(1.0 * px))
    draw.ellipse((c - radius, c - radius, c + radius, c + radius), outline=255, width=ring)
    r_in = radius - 5.6 * px
    draw.ellipse((c - r_in, c - r_in, c + r_in, c + r_in), outline=255, width=max(1, round(0.4 * px)))
    band = radius - ring - r_in
    size_px = band * 0.78
    text = text.upper()
    # shrink the lettering until it fits the ring, as seal makers do for long agency names
    while (
        _font("seal", size_px).getlength(text) / (r_in + 0.8 * px) > math.radians(320)
        and size_px > band * 0.4
    ):
        size_px *= 0.93
    _ring_text(img, text, c, r_in + 0.18 * band + 0.05 * size_px, size_px)
    star_r = r_in * 0.42
    points = [
        (
            c + (star_r if k % 2 == 0 else star_r * 0.38) * math.sin(math.pi * k / 5),
            c - (star_r if k % 2 == 0 else star_r * 0.38) * math.cos(math.pi * k / 5),
        )
        for k in range(10)
    ]
    draw.polygon(points, fill=255)
    img = img.rotate(float(rng.uniform(-15, 15)), resample=Image.Resampling.BICUBIC)

    alpha = np.asarray(img, dtype=np.float32) / 255
    # stamp-pad ink: broad light/dark patches plus small voids where the rubber did not touch
    patches = cv2.resize(rng.random((6, 6), dtype=np.float32), (size, size), interpolation=cv2.INTER_CUBIC)
    voids = cv2.resize(
        rng.random((size // 4 + 1, size // 4 + 1), dtype=np.float32),
        (size, size),
        interpolation=cv2.INTER_NEAREST,
    )
    ink = np.clip(0.55 + 0.55 * patches, 0.35, 1.0) * np.where(voids < 0.07, 0.35, 1.0)
    alpha = cv2.GaussianBlur(alpha * ink, (0, 0), max(0.4, 0.5 * dpi / 300))
    return np.clip(alpha * rng.uniform(0.8, 0.92), 0, 1).astype(np.float32)


def _signature_alpha(width: int, height: int, rng: np.random.Generator, dpi: int) -> FloatArray:
    """A cursive-looking squiggle: a looping trochoid with wobble, then an underline flourish."""
    mask = np.zeros((height, width), dtype=np.uint8)
    px = dpi / 25.4
    sig_w = min(width * 0.9, rng.uniform(28, 42) * px)
    sig_h = height * rng.uniform(0.4, 0.6)
    loops = int(rng.integers(3, 7))
    phase = rng.uniform(0, 2 * math.pi)
    t = np.linspace(0, 1, 900)
    # each loop its own height and width (one tall "capital" first), so it reads as letters, not a coil
    heights = np.concatenate([[rng.uniform(0.9, 1.3)], rng.uniform(0.3, 0.9, loops)])
    widths = rng.uniform(0.7, 1.4, loops + 1)
    knots = np.linspace(0, 1, loops + 1)
    h_t = np.interp(t, knots, heights)
    r_t = np.interp(t, knots, widths)
    a = sig_w / (2 * math.pi * loops) * rng.uniform(1.1, 1.5)  # > w / (2 pi k): the pen loops back
    wobble = 0.12 * sig_h * np.sin(2 * math.pi * rng.uniform(0.5, 1.5) * t + rng.uniform(0, 6))
    x = sig_w * t + a * r_t * np.cos(2 * math.pi * loops * t + phase)
    y = -0.5 * sig_h * h_t * np.sin(2 * math.pi * loops * t + phase) + wobble
    y -= sig_h * rng.uniform(0.1, 0.4) * t  # handwriting climbs to the right
    x0 = (width - sig_w) / 2 + rng.uniform(-0.08, 0.08) * width
    y0 = height / 2
    thickness = max(1, round(0.35 * px))
    stroke = np.stack([x + x0, y + y0], axis=1)
    tail_t = np.linspace(0, 1, 120)
    tail = np.stack(
        [
            x0 + sig_w * (1.0 - 1.1 * tail_t),
            y0 + 0.45 * sig_h + 0.15 * sig_h * np.sin(math.pi * tail_t) - 0.2 * sig_h * tail_t,
        ],
        axis=1,
    )
    for path in (stroke, tail):
        pts = np.round(path * 16).astype(np.int32).reshape(-1, 1, 2)  # 4 fractional bits
        cv2.polylines(mask, [pts], False, 255, thickness, lineType=cv2.LINE_AA, shift=4)
    return (mask.astype(np.float32) / 255 * 0.95).astype(np.float32)


def _blend(arr: FloatArray, alpha: FloatArray, colour: npt.NDArray[np.float32], cx: int, cy: int) -> None:
    """Multiply ``colour`` into ``arr`` centred at (cx, cy): ink over ink stays dark, like real stamping."""
    h, w = alpha.shape
    x0, y0 = cx - w // 2, cy - h // 2
    ax0, ay0 = max(0, -x0), max(0, -y0)
    px0, py0 = max(0, x0), max(0, y0)
    px1, py1 = min(arr.shape[1], x0 + w), min(arr.shape[0], y0 + h)
    if px1 <= px0 or py1 <= py0:
        return
    a = alpha[ay0 : ay0 + py1 - py0, ax0 : ax0 + px1 - px0, None]
    arr[py0:py1, px0:px1] *= 1 - a * (1 - colour)


def _stamp(
    arr: FloatArray, box: tuple[int, int, int, int], text: str, rng: np.random.Generator, dpi: int
) -> None:
    x0, y0, x1, y1 = box
    px = dpi / 25.4
    gap_w, gap_h = x1 - x0, max(1, y1 - y0)
    col_cx, gap_cy = (x0 + x1) // 2, (y0 + y1) // 2
    sig = _signature_alpha(int(gap_w * 0.8), int(gap_h * 1.3), rng, dpi)
    _blend(arr, sig, _PEN_BLUE, col_cx + int(rng.uniform(-3, 3) * px), gap_cy)
    # the seal goes on last, over the left third of the signature
    seal = _seal_alpha(text, rng, dpi)
    colour = np.clip(_SEAL_RED + rng.uniform(-0.05, 0.05, 3), 0, 1).astype(np.float32)
    cx = col_cx - int(rng.uniform(12, 18) * px)
    cy = gap_cy + int(rng.uniform(-5, 1) * px)  # nearer the title than the printed name
    _blend(arr, seal, colour, cx, cy)


# --- degradation ----------------------------------------------------------------------------------------


def _specks(arr: FloatArray, rng: np.random.Generator, noise: float, dpi: int) -> None:
    """Toner specks and dust from the copier glass, before the page is scanned."""
    h, w = arr.shape[:2]
    count = int(rng.poisson(noise * 2500))
    if count == 0:
        return
    mask = np.zeros((h, w), dtype=np.uint8)
    px = dpi / 25.4
    xs = rng.integers(0, w, count)
    ys = rng.integers(0, h, count)
    radii = np.maximum(1, np.round(rng.uniform(0.04, 0.18, count) * px)).astype(int)
    for x, y, r in zip(xs, ys, radii, strict=True):
        cv2.circle(mask, (int(x), int(y)), int(r), 255, -1, lineType=cv2.LINE_AA)
    arr *= (1 - 0.8 * mask.astype(np.float32) / 255)[..., None]


def _paper(arr: FloatArray, rng: np.random.Generator) -> FloatArray:
    """Tinted paper, uneven lighting, a copier shadow at one edge, toner that is not quite black."""
    h, w = arr.shape[:2]
    gh, gw = 45, 32
    yy, xx = np.mgrid[0:gh, 0:gw].astype(np.float32)
    angle = rng.uniform(0, 2 * math.pi)
    ramp = (xx / gw - 0.5) * math.cos(angle) + (yy / gh - 0.5) * math.sin(angle)
    blobs = cv2.resize(rng.uniform(-1, 1, (4, 3)).astype(np.float32), (gw, gh), interpolation=cv2.INTER_CUBIC)
    coarse = 1 + rng.uniform(0.02, 0.08) * ramp + rng.uniform(0.01, 0.04) * blobs
    light = cv2.resize(coarse.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    if rng.random() < 0.4:
        depth, width = rng.uniform(0.15, 0.45), rng.uniform(0.004, 0.012) * w
        edge = int(rng.integers(0, 4))
        n = w if edge < 2 else h
        d = np.arange(n, dtype=np.float32)
        profile = 1 - depth * np.exp(-(d if edge % 2 == 0 else d[::-1]) / width)
        light *= profile[None, :] if edge < 2 else profile[:, None]
    paper = rng.uniform(0.88, 0.97) * np.array([1.0, rng.uniform(0.96, 0.995), rng.uniform(0.88, 0.96)])
    ink = np.float32(rng.uniform(0.05, 0.16))
    # in place and in float32: a 300 dpi page is 26 M values
    lit = light.astype(np.float32)[..., None] * paper.astype(np.float32)
    lit -= ink
    arr *= lit
    arr += ink
    return arr


def _grain(arr: FloatArray, rng: np.random.Generator, noise: float) -> None:
    """Sensor grain plus salt-and-pepper pixels."""
    h, w = arr.shape[:2]
    arr += (rng.standard_normal((h, w), dtype=np.float32) * np.float32(noise))[..., None]
    n = int(h * w * noise * 0.02)
    flat = arr.reshape(-1, 3)
    flat[rng.integers(0, h * w, n)] = 0.1
    flat[rng.integers(0, h * w, n)] = 1.0


def degrade(page: Image.Image, *, rng: np.random.Generator, config: DegradeConfig, dpi: int) -> Image.Image:
    """Age one clean page like a stamped, photocopied and scanned sheet; returns an RGB image.

    Every random choice comes from ``rng``: the same generator state gives the same bytes. Pixel-scale
    effects (blur, specks, ring width) scale with ``dpi`` so strengths mean the same at 150 and 300 dpi.
    """
    _check_dpi(dpi)
    arr: FloatArray = np.ascontiguousarray(
        np.asarray(page.convert("RGB"), dtype=np.float32) / np.float32(255)
    )
    box = page.info.get(SIGNATURE_BOX_KEY)
    if config.seal and box is not None:
        _stamp(arr, box, str(page.info.get(SEAL_TEXT_KEY, "ỦY BAN NHÂN DÂN")), rng, dpi)
    if config.noise > 0:
        _specks(arr, rng, config.noise, dpi)
    h, w = arr.shape[:2]
    if config.skew_max_deg > 0:
        angle = float(rng.uniform(-config.skew_max_deg, config.skew_max_deg))
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        arr = np.asarray(
            cv2.warpAffine(
                arr,
                matrix,
                (w, h),
                flags=cv2.INTER_LINEAR,
                borderMode=cv2.BORDER_CONSTANT,
                borderValue=(1, 1, 1),
            ),
            dtype=np.float32,
        )
    if config.blur > 0:
        arr = np.asarray(cv2.GaussianBlur(arr, (0, 0), config.blur * dpi / 300), dtype=np.float32)
    if config.background:
        arr = _paper(arr, rng)
    if config.noise > 0:
        _grain(arr, rng, config.noise)
    out = Image.fromarray(np.clip(arr * 255 + 0.5, 0, 255).astype(np.uint8), "RGB")
    if config.jpeg_quality is not None:
        buf = io.BytesIO()
        out.save(buf, "JPEG", quality=config.jpeg_quality)
        buf.seek(0)
        out = Image.open(buf).convert("RGB")
    out.info["dpi"] = (dpi, dpi)
    return out


# --- whole documents ------------------------------------------------------------------------------------


def _forget_save_options(images: list[Image.Image]) -> None:
    # Pillow keeps a save's options on the image (PNG's zlib settings, the PDF's JPEG quality) and reuses
    # them in the next save of that image, where another writer rejects them.
    for image in images:
        image.encoderinfo = {}
        image.encoderconfig = ()


def synthesise(
    markup: str,
    out_stem: Path,
    *,
    dpi: int = 300,
    seed: int = 0,
    config: DegradeConfig | None = None,
    formats: Sequence[str] = ("pdf",),
) -> SynthResult:
    """Render, degrade and write one document; ``<stem>.truth.json`` holds the ground truth.

    Outputs: ``<stem>.pdf`` (image PDF at ``dpi``), ``<stem>-p<N>.png`` (written one page at a time),
    ``<stem>.tiff`` (multi-page, deflate). Page N is degraded with ``default_rng([seed, N])`` so a
    page does not change when other pages are added or removed.
    """
    config = config or DegradeConfig()
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown format(s) {sorted(unknown)}; choose from {FORMATS}")
    out_stem = Path(out_stem)
    out_stem.parent.mkdir(parents=True, exist_ok=True)
    keep = "pdf" in formats or "tiff" in formats
    kept: list[Image.Image] = []
    pages: list[SynthPage] = []
    image_paths: list[Path] = []
    for clean, page in _iter_pages(markup, dpi):
        rng = np.random.default_rng([seed, page.number])
        scanned = degrade(clean, rng=rng, config=config, dpi=dpi)
        pages.append(page)
        if "png" in formats:
            path = out_stem.with_name(f"{out_stem.name}-p{page.number}.png")
            scanned.save(path, "PNG", dpi=(dpi, dpi))
            image_paths.append(path)
        if keep:
            kept.append(scanned)
    if "tiff" in formats:
        tiff_path = out_stem.with_name(out_stem.name + ".tiff")
        _forget_save_options(kept)
        kept[0].save(
            tiff_path,
            "TIFF",
            save_all=True,
            append_images=kept[1:],
            compression="tiff_deflate",
            dpi=(dpi, dpi),
        )
        image_paths.append(tiff_path)
    pdf_path: Path | None = None
    if "pdf" in formats:
        pdf_path = out_stem.with_name(out_stem.name + ".pdf")
        _forget_save_options(kept)
        kept[0].save(
            pdf_path,
            "PDF",
            save_all=True,
            append_images=kept[1:],
            resolution=float(dpi),
            quality=90,
            title=out_stem.name,
            producer="planscan synth",
            creationDate=_PDF_DATE,
            modDate=_PDF_DATE,
        )
    result = SynthResult(
        pdf_path=pdf_path, image_paths=image_paths, pages=pages, dpi=dpi, seed=seed, config=config
    )
    truth = out_stem.with_name(out_stem.name + ".truth.json")
    truth.write_text(
        result.model_dump_json(indent=2, exclude={"pdf_path", "image_paths"}) + "\n", encoding="utf-8"
    )
    return result
