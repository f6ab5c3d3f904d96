"""Searchable PDF: each page is the cleaned page image with the result's words as an invisible text layer.

The text layer is drawn from the word boxes the result already holds, so no page is OCR'd twice and the
PDF's text is the text in the JSON. Glyphs use Tesseract's glyphless font (``pdf.ttf`` in its tessdata) when
it is installed, with a ToUnicode map so that copy, search and text extraction return the real letters.
Born-digital pages (``source == "text_layer"``) are copied from the source PDF as they are.

Pages are rasterised one at a time; only the compressed page images are held until the file is written.
"""

from __future__ import annotations

import glob
import os
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from pipeline import __version__
from pipeline.errors import PlanscanError, UnreadableImage, UnreadablePdf
from pipeline.export.files import atomic_write
from pipeline.export.lines import clean_text, page_lines, page_size
from pipeline.export.pageimage import page_image
from pipeline.load import InputDocument
from pipeline.models import ErrorRecord, Page
from pipeline.settings import Settings

JPEG_QUALITY = 60  # cleaned pages are near black-and-white: 60 keeps letters crisp at a third of the size
A4_PT = (595.28, 841.89)
FONT = NameObject("/F0")
IMAGE = NameObject("/Im0")
_SIZE_TOLERANCE = 0.02  # a rebuilt image this much off the recorded size means the boxes may not fit


@dataclass
class PdfOutcome:
    path: Path
    pages: int
    problems: list[ErrorRecord] = field(default_factory=list)


@lru_cache(maxsize=1)
def glyphless_font() -> bytes | None:
    """Tesseract's own invisible-text font, if its data is installed; None otherwise."""
    roots = [os.environ.get("TESSDATA_PREFIX", "")]
    roots += sorted(glob.glob("/usr/share/tesseract-ocr/*/tessdata"), reverse=True)
    roots += ["/usr/share/tessdata", "/usr/local/share/tessdata"]
    for root in roots:
        candidate = Path(root) / "pdf.ttf"
        if root and candidate.is_file():
            return candidate.read_bytes()
    return None


def _to_unicode_cmap() -> bytes:
    """Character code = Unicode code point (UTF-16 BMP); each range stays within one high byte."""
    ranges = [f"<{hi:02X}00> <{hi:02X}FF> <{hi:02X}00>" for hi in range(256) if not 0xD8 <= hi <= 0xDF]
    chunks = []
    for start in range(0, len(ranges), 100):  # the CMap syntax allows at most 100 entries per block
        part = ranges[start : start + 100]
        chunks.append(f"{len(part)} beginbfrange\n" + "\n".join(part) + "\nendbfrange")
    body = "\n".join(chunks)
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        f"{body}\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode("ascii")


def _stream(writer: PdfWriter, data: bytes, entries: dict[str, object] | None = None) -> IndirectObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    for key, value in (entries or {}).items():
        stream[NameObject(key)] = value
    return writer._add_object(stream.flate_encode())


def _add_font(writer: PdfWriter) -> IndirectObject:
    """A Type0 font whose codes are Unicode code points, every glyph 500 units wide and invisible."""
    descriptor = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/FontDescriptor"),
            NameObject("/FontName"): NameObject("/GlyphLessFont"),
            NameObject("/Flags"): NumberObject(5),
            NameObject("/FontBBox"): ArrayObject([NumberObject(v) for v in (0, 0, 500, 1000)]),
            NameObject("/ItalicAngle"): NumberObject(0),
            NameObject("/Ascent"): NumberObject(1000),
            NameObject("/Descent"): NumberObject(0),
            NameObject("/CapHeight"): NumberObject(1000),
            NameObject("/StemV"): NumberObject(80),
        }
    )
    font_file = glyphless_font()
    cid_to_gid: object = NameObject("/Identity")
    if font_file is not None:
        descriptor[NameObject("/FontFile2")] = _stream(
            writer, font_file, {"/Length1": NumberObject(len(font_file))}
        )
        # The glyphless font has one real glyph (GID 1): map every code to it.
        cid_to_gid = _stream(writer, b"\x00\x01" * 65536)
    cid_font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/CIDFontType2"),
            NameObject("/BaseFont"): NameObject("/GlyphLessFont"),
            NameObject("/CIDSystemInfo"): DictionaryObject(
                {
                    NameObject("/Registry"): TextStringObject("Adobe"),
                    NameObject("/Ordering"): TextStringObject("Identity"),
                    NameObject("/Supplement"): NumberObject(0),
                }
            ),
            NameObject("/FontDescriptor"): writer._add_object(descriptor),
            NameObject("/DW"): NumberObject(500),
            NameObject("/CIDToGIDMap"): cid_to_gid,
        }
    )
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type0"),
            NameObject("/BaseFont"): NameObject("/GlyphLessFont"),
            NameObject("/Encoding"): NameObject("/Identity-H"),
            NameObject("/DescendantFonts"): ArrayObject([writer._add_object(cid_font)]),
            NameObject("/ToUnicode"): _stream(writer, _to_unicode_cmap()),
        }
    )
    return writer._add_object(font)


def _hex(text: str) -> str:
    # Codes are two bytes: a letter outside the BMP (never Vietnamese) becomes U+FFFD.
    return "".join(f"{ord(ch) if ord(ch) <= 0xFFFF else 0xFFFD:04X}" for ch in text)


def text_layer_ops(page: Page, scale: float, height_pt: float) -> list[str]:
    """Invisible text (render mode 3): one run per word, stretched to cover the word and the gap after it."""
    ops = ["BT", "3 Tr"]
    for line in page_lines(page):
        _, top, _, line_h = line.box
        size = max(line_h * scale, 1.0)
        baseline = height_pt - (top + line_h) * scale  # descent 0: glyphs sit on the line's bottom edge
        for i, word in enumerate(line.words):
            last = i == len(line.words) - 1
            text = clean_text(word.text) + ("" if last else " ")
            if not text:
                continue
            left, _, width, _ = word.box
            reach = width if last else max(line.words[i + 1].box[0] - left, width)
            stretch = 100.0 * reach * scale / (len(text) * 0.5 * size)
            at = f"1 0 0 1 {left * scale:.2f} {baseline:.2f} Tm"
            ops.append(f"/F0 {size:.2f} Tf {stretch:.2f} Tz {at} <{_hex(text)}> Tj")
    ops.append("ET")
    return ops


class _Builder:
    def __init__(self, writer: PdfWriter) -> None:
        self.writer = writer
        self._font: IndirectObject | None = None
        self.last_size = A4_PT

    def font(self) -> IndirectObject:
        if self._font is None:
            self._font = _add_font(self.writer)
        return self._font

    def image_page(self, grey: np.ndarray, page: Page, dpi: int) -> str | None:
        """Add one page; returns a warning when the rebuilt image does not match the recorded size."""
        img_h, img_w = grey.shape[:2]
        frame_w, frame_h = page_size(page) or (img_w, img_h)
        warning = None
        if abs(img_w / frame_w - 1) > _SIZE_TOLERANCE or abs(img_h / frame_h - 1) > _SIZE_TOLERANCE:
            warning = (
                f"rebuilt image is {img_w}x{img_h} px, the result recorded {frame_w}x{frame_h}: "
                "the text layer may sit off the letters"
            )
        scale = 72.0 / dpi
        width_pt, height_pt = frame_w * scale, frame_h * scale
        ok, jpeg = cv2.imencode(".jpg", grey, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        if not ok:
            raise UnreadableImage(f"page {page.number} could not be encoded as JPEG", page=page.number)
        image = DecodedStreamObject()
        image.set_data(jpeg.tobytes())
        image.update(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Image"),
                NameObject("/Width"): NumberObject(img_w),
                NameObject("/Height"): NumberObject(img_h),
                NameObject("/ColorSpace"): NameObject("/DeviceGray"),
                NameObject("/BitsPerComponent"): NumberObject(8),
                NameObject("/Filter"): NameObject("/DCTDecode"),
            }
        )
        resources = DictionaryObject(
            {NameObject("/XObject"): DictionaryObject({IMAGE: self.writer._add_object(image)})}
        )
        ops = [f"q {width_pt:.2f} 0 0 {height_pt:.2f} 0 0 cm /Im0 Do Q"]
        if page.words:
            resources[NameObject("/Font")] = DictionaryObject({FONT: self.font()})
            ops += text_layer_ops(page, scale, height_pt)
        pdf_page = self.writer.add_blank_page(width_pt, height_pt)
        pdf_page[NameObject("/Resources")] = resources
        pdf_page[NameObject("/Contents")] = _stream(self.writer, "\n".join(ops).encode("ascii"))
        self.last_size = (width_pt, height_pt)
        return warning

    def placeholder(self) -> None:
        """An empty page keeps page N of the PDF on page N of the source when a page cannot be drawn."""
        self.writer.add_blank_page(*self.last_size)


def _problem(page: int, code: str, message: str, remedy: str | None = None) -> ErrorRecord:
    return ErrorRecord(stage="export.pdf", page=page, code=code, message=message, remedy=remedy)


def write_searchable_pdf(
    pages: list[Page], doc: InputDocument, path: Path, work_dir: Path, settings: Settings, *, title: str
) -> PdfOutcome:
    """One PDF page per result page; a page that cannot be rebuilt becomes an empty page and a problem."""
    writer = PdfWriter()
    writer.add_metadata({"/Producer": f"planscan {__version__}", "/Title": title})
    builder = _Builder(writer)
    outcome = PdfOutcome(path=path, pages=0)
    reader: PdfReader | None = None
    work_dir.mkdir(parents=True, exist_ok=True)
    for page in pages:
        try:
            if page.source == "text_layer" and doc.media_type == "application/pdf":
                reader = reader or PdfReader(doc.path)
                writer.add_page(reader.pages[page.number - 1])
                continue
            with tempfile.TemporaryDirectory(prefix=f"export-p{page.number:05d}-", dir=work_dir) as tmp:
                image_path = page_image(doc, page, Path(tmp), settings)
                grey = cv2.imread(str(image_path), cv2.IMREAD_GRAYSCALE)
                if grey is None:
                    raise UnreadableImage(f"page {page.number} could not be read back", page=page.number)
                dpi = page.dpi or settings.dpi
                warning = builder.image_page(grey, page, dpi)
                del grey
            if warning:
                remedy = "Export with the dpi the document was ingested at (planscan export --dpi)."
                outcome.problems.append(_problem(page.number, "PS205", warning, remedy))
        except PlanscanError as exc:
            outcome.problems.append(_problem(page.number, exc.code, exc.message, exc.remedy))
            builder.placeholder()
        except (PyPdfError, IndexError, OSError) as exc:
            error = UnreadablePdf(f"page {page.number} could not be copied: {exc}", page=page.number)
            outcome.problems.append(_problem(page.number, error.code, error.message, error.remedy))
            builder.placeholder()
    outcome.pages = len(writer.pages)
    atomic_write(path, writer.write)
    return outcome
