"""ALTO XML v4, one file per page, written from a result's own word boxes (no second OCR pass)."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

from pipeline import __version__
from pipeline.export.lines import clean_text, confidence01, page_lines, page_size, union
from pipeline.models import DocumentResult, Page
from pipeline.store import atomic_write_text

ALTO_NS = "http://www.loc.gov/standards/alto/ns-v4#"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
ALTO_SCHEMA = "http://www.loc.gov/standards/alto/v4/alto-4-4.xsd"


def _box_attrs(element: ET.Element, box: tuple[int, int, int, int]) -> None:
    left, top, width, height = box
    element.set("HPOS", str(left))
    element.set("VPOS", str(top))
    element.set("WIDTH", str(width))
    element.set("HEIGHT", str(height))


def _q(tag: str) -> str:
    # Plain tag names under an explicit xmlns: ElementTree cannot give a default namespace to a tree
    # whose attributes are unqualified, and ALTO's attributes are.
    return tag


def alto_page(result: DocumentResult, page: Page, *, created: dt.datetime | None = None) -> str:
    """The ALTO document of one page; a page without word boxes gets an empty ``Page`` element."""
    root = ET.Element(
        _q("alto"),
        {"xmlns": ALTO_NS, "xmlns:xsi": XSI_NS, "xsi:schemaLocation": f"{ALTO_NS} {ALTO_SCHEMA}"},
    )
    description = ET.SubElement(root, _q("Description"))
    ET.SubElement(description, _q("MeasurementUnit")).text = "pixel"
    image_info = ET.SubElement(description, _q("sourceImageInformation"))
    ET.SubElement(image_info, _q("fileName")).text = Path(result.source.path).name
    ET.SubElement(image_info, _q("documentIdentifier")).text = result.doc_id
    processing = ET.SubElement(description, _q("Processing"), {"ID": "proc1"})
    when = (created or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    ET.SubElement(processing, _q("processingDateTime")).text = when
    ET.SubElement(processing, _q("processingStepDescription")).text = (
        f"page {page.number}: text source {page.source}"
        + (f", Tesseract {result.provenance.tesseract_version}" if page.source == "ocr" else "")
    )
    software = ET.SubElement(processing, _q("processingSoftware"))
    ET.SubElement(software, _q("softwareName")).text = "planscan"
    ET.SubElement(software, _q("softwareVersion")).text = __version__

    layout = ET.SubElement(root, _q("Layout"))
    pid = f"P{page.number}"
    page_el = ET.SubElement(
        layout, _q("Page"), {"ID": pid, "PHYSICAL_IMG_NR": str(page.number), "PROCESSING": "proc1"}
    )
    size = page_size(page)
    if size is not None:
        page_el.set("WIDTH", str(size[0]))
        page_el.set("HEIGHT", str(size[1]))
    lines = page_lines(page)
    if size is None or not lines:
        return _serialise(root)
    space = ET.SubElement(page_el, _q("PrintSpace"))
    _box_attrs(space, (0, 0, size[0], size[1]))
    # The result keeps lines, not blocks: one block per page holds them in reading order.
    block = ET.SubElement(space, _q("TextBlock"), {"ID": f"{pid}_B1"})
    _box_attrs(block, union([line.box for line in lines]))
    for line in lines:
        line_el = ET.SubElement(block, _q("TextLine"), {"ID": f"{pid}_L{line.index + 1}"})
        _box_attrs(line_el, line.box)
        for n, word in enumerate(line.words, start=1):
            if n > 1:
                previous = line.words[n - 2].box
                gap_left = previous[0] + previous[2]
                sp = ET.SubElement(line_el, _q("SP"))
                sp.set("WIDTH", str(max(word.box[0] - gap_left, 0)))
                sp.set("HPOS", str(gap_left))
                sp.set("VPOS", str(word.box[1]))
            string = ET.SubElement(
                line_el,
                _q("String"),
                {"ID": f"{pid}_L{line.index + 1}_W{n}", "CONTENT": clean_text(word.text)},
            )
            _box_attrs(string, word.box)
            string.set("WC", f"{confidence01(word):g}")
    return _serialise(root)


def _serialise(root: ET.Element) -> str:
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="unicode") + "\n"


def write_alto(result: DocumentResult, directory: Path) -> list[Path]:
    """``directory/p00001.xml`` … one per page, in page order."""
    created = dt.datetime.now(dt.UTC)
    written = []
    for page in result.pages:
        path = directory / f"p{page.number:05d}.xml"
        atomic_write_text(
            path, '<?xml version="1.0" encoding="UTF-8"?>\n' + alto_page(result, page, created=created)
        )
        written.append(path)
    return written
