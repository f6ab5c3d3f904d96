"""The issuer of a scan whose header block is lost, inferred from what the rest of the document says.

Two cases, both recorded as notes in the evidence:
- the body names the issuer without its locality ("Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh"): the locality
  is the unit of that kind the document names ("Đảng bộ tỉnh Ninh Bình");
- no issuer at all: the signature block gives the body ("TM. ỦY BAN NHÂN DÂN"), the document's references
  to its own area give the level ("toàn huyện", "trên địa bàn huyện"), and a place name of that level in the
  text, checked against the gazetteer, gives the unit ("Kbang" → huyện KBang, Gia Lai).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from pipeline.extract.view import PageView
from pipeline.gazetteer import Unit, load_gazetteer
from pipeline.models import Evidence, Issuer
from pipeline.rules import load_rules

_KINDS = {"tinh": ("Tỉnh", "Thành phố"), "huyen": ("Huyện",), "thi xa": ("Thị xã",), "quan": ("Quận",)}
_LEVELS = {"tinh": "province", "huyen": "district", "thi xa": "district", "quan": "district"}
_WORDS = {"tinh": "tỉnh", "huyen": "huyện", "thi xa": "thị xã", "quan": "quận"}
_NAME = re.compile(r"[A-ZĐ][\wÀ-ỹ]*(?:[ -][A-ZĐ][\wÀ-ỹ]*)?")


def _rules() -> dict[str, Any]:
    rules: dict[str, Any] = load_rules("header")
    return rules


def named_unit(pages: list[PageView], locality: str) -> tuple[Unit, PageView, int, int] | None:
    """The unit of one kind the document names most often, with where it first does."""
    gazetteer = load_gazetteer()
    counts: Counter[Unit] = Counter()
    first: dict[Unit, tuple[PageView, int, int]] = {}
    for page in pages:
        for match in _NAME.finditer(page.plain):
            unit = gazetteer.province(match.group(0)) if locality == "tinh" else None
            if unit is None and locality != "tinh":
                found = [u for u in gazetteer.district(match.group(0)) if u.kind in _KINDS[locality]]
                unit = found[0] if len(found) == 1 else None
            if unit is not None and unit.kind in _KINDS[locality]:
                counts[unit] += 1
                first.setdefault(unit, (page, match.start(), match.end()))
    if not counts:
        return None
    unit = counts.most_common(1)[0][0]
    return (unit, *first[unit])


def complete_locality(issuer: Issuer, pages: list[PageView]) -> tuple[Issuer, Unit, str] | None:
    """ "… tỉnh" with no name: add the name of the province (or district) the document names."""
    name = issuer.name or ""
    match = re.search(r"\s(tỉnh|huyện|thị xã|quận)$", name)
    if not match:
        return None
    locality = {"tỉnh": "tinh", "huyện": "huyen", "thị xã": "thi xa", "quận": "quan"}[match.group(1)]
    found = named_unit(pages, locality)
    if found is None:
        return None
    unit = found[0]
    note = f"locality '{unit.name}' is the {match.group(1)} the document names (gazetteer)"
    return issuer.model_copy(update={"name": f"{name} {unit.name}"}), unit, note


def issuer_from_closing(last: PageView, pages: list[PageView]) -> tuple[Issuer, Evidence, Unit] | None:
    heads = sorted(_rules()["body_heads"], key=lambda h: -len(h["folded"]))
    pattern = "|".join(re.escape(h["folded"]) for h in heads)
    signed = list(re.finditer(rf"(?<![a-z])tm\s*[.,]\s+(?P<head>{pattern})(?![a-z])", last.folded))
    if not signed:
        return None
    head = next(h["canonical"] for h in heads if h["folded"] == signed[-1].group("head"))
    own_area = Counter(
        match.group(1)
        for page in pages
        for match in re.finditer(r"(?:tren dia ban|toan)\s+(tinh|huyen|thi xa|quan)(?![a-z])", page.folded)
    )
    if not own_area:
        return None
    locality = own_area.most_common(1)[0][0]
    found = named_unit(pages, locality)
    if found is None:
        return None
    unit = found[0]
    name = f"{head} {_WORDS[locality]} {unit.name}"
    note = (
        f"no header block: body from the signature ('TM. {head}'), level from the document's own area "
        f"('{_WORDS[locality]}'), unit '{unit.name}' named in the text (gazetteer: {unit.province})"
    )
    evidence = last.evidence(signed[-1].start(), signed[-1].end(), 0.5, note)  # an inference: review it
    return Issuer(name=name, level=_LEVELS[locality], parent=None), evidence, unit  # type: ignore[arg-type]
