"""hOCR (XHTML) for a whole document, one ``ocr_page`` per page, from the result's own word boxes."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from pipeline import __version__
from pipeline.export.lines import clean_text, page_lines, page_size, union
from pipeline.models import DocumentResult, Page
from pipeline.store import atomic_write_text

XHTML_NS = "http://www.w3.org/1999/xhtml"
XML_NS = "http://www.w3.org/XML/1998/namespace"
_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"'
    ' "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
)


def _bbox(box: tuple[int, int, int, int]) -> str:
    left, top, width, height = box
    return f"bbox {left} {top} {left + width} {top + height}"


def _page(body: ET.Element, result: DocumentResult, page: Page) -> None:
    n = page.number
    size = page_size(page)
    title = [f'image "{Path(result.source.path).name}"', f"ppageno {n - 1}"]
    if size is not None:
        title.insert(1, _bbox((0, 0, size[0], size[1])))
    if page.dpi:
        title.append(f"scan_res {page.dpi} {page.dpi}")
    div = ET.SubElement(body, "div", {"class": "ocr_page", "id": f"page_{n}", "title": "; ".join(title)})
    lines = page_lines(page)
    if not lines:
        return
    # One content area and paragraph per page: the result records lines, not blocks.
    area = ET.SubElement(
        div,
        "div",
        {"class": "ocr_carea", "id": f"block_{n}_1", "title": _bbox(union([ln.box for ln in lines]))},
    )
    par = ET.SubElement(area, "p", {"class": "ocr_par", "id": f"par_{n}_1", "lang": "vie"})
    par.set("title", _bbox(union([ln.box for ln in lines])))
    for line in lines:
        line_id = f"line_{n}_{line.index + 1}"
        span = ET.SubElement(par, "span", {"class": "ocr_line", "id": line_id, "title": _bbox(line.box)})
        for k, word in enumerate(line.words, start=1):
            conf = round(min(max(word.confidence, 0.0), 100.0))
            w = ET.SubElement(
                span,
                "span",
                {
                    "class": "ocrx_word",
                    "id": f"word_{n}_{line.index + 1}_{k}",
                    "title": f"{_bbox(word.box)}; x_wconf {conf}",
                },
            )
            w.text = clean_text(word.text)
            w.tail = " "


def hocr_document(result: DocumentResult) -> str:
    # Plain tags plus an explicit xmlns keep the usual unprefixed XHTML that hOCR readers expect.
    html = ET.Element("html", {"xmlns": XHTML_NS, f"{{{XML_NS}}}lang": "vi", "lang": "vi"})
    head = ET.SubElement(html, "head")
    ET.SubElement(head, "title").text = f"{result.doc_id} ({Path(result.source.path).name})"
    ET.SubElement(head, "meta", {"http-equiv": "Content-Type", "content": "text/html;charset=utf-8"})
    engine = f"planscan {__version__}"
    if result.provenance.tesseract_version:
        engine += f" (tesseract {result.provenance.tesseract_version})"
    ET.SubElement(head, "meta", {"name": "ocr-system", "content": engine})
    ET.SubElement(
        head, "meta", {"name": "ocr-capabilities", "content": "ocr_page ocr_carea ocr_par ocr_line ocrx_word"}
    )
    ET.SubElement(head, "meta", {"name": "ocr-number-of-pages", "content": str(len(result.pages))})
    body = ET.SubElement(html, "body")
    for page in result.pages:
        _page(body, result, page)
    ET.indent(html, space=" ")
    return _HEAD + ET.tostring(html, encoding="unicode") + "\n"


def write_hocr(result: DocumentResult, path: Path) -> Path:
    atomic_write_text(path, hocr_document(result))
    return path
