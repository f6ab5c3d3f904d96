"""The area or population a target's figure covers.

A subset of units the text singles out before the figure ("riêng các huyện, xã có tỷ lệ hộ nghèo từ 40%
trở lên giảm …") is the scope as written; a population group named before it ("trong đồng bào dân tộc
thiểu số") is followed by the document's area; otherwise the figure covers the document's own area, the
one its issuer names ("tỉnh Lạng Sơn"). Openers, ends and groups are data in ``models/rules/fields.json``,
matched with their marks: folded, "đất" and "tầng" would pass for "đạt" and "tăng".
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from pipeline.extract.doctext import DocText
from pipeline.gazetteer import load_gazetteer
from pipeline.models import Issuer
from pipeline.rules import load_rules

# A unit word before a name or a number ("quận 1"); "… và xã hội tỉnh …" has no name after "xã".
_AREA = re.compile(r"(?<!\w)(?:tỉnh|huyện|thành phố|thị xã|quận|xã|phường|thị trấn)\s+(\w)")


def _rules() -> dict[str, Any]:
    rules: dict[str, Any] = load_rules("fields")["targets"]["scope"]
    return rules


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    rules = _rules()

    def words(fragments: list[str]) -> str:
        # Longest first, so "đồng bào dân tộc thiểu số" wins over "dân tộc thiểu số".
        ordered = sorted(fragments, key=len, reverse=True)
        return "|".join(fragment.replace(" ", r"\s+") for fragment in ordered)

    def bounded(fragments: list[str]) -> re.Pattern[str]:
        return re.compile(rf"(?<!\w)(?:{words(fragments)})(?!\w)")

    share = re.compile(rf"(?<!\w)(?:{words(rules['share_words'])})\s+$")
    return bounded(rules["subset_openers"]), bounded(rules["subset_ends"]), bounded(rules["groups"]), share


def _area_of(name: str | None) -> str | None:
    named = (m for m in _AREA.finditer(name or "") if m.group(1).isupper() or m.group(1).isdigit())
    found = next(named, None)
    return name[found.start() :] if name and found else None


def document_area(issuer: Issuer | None, province: str | None) -> str | None:
    """The area a document covers: the one its issuer's name ends with ("Ủy ban nhân dân tỉnh Lạng Sơn"
    gives "tỉnh Lạng Sơn"), else its parent's, else its province as the gazetteer names it."""
    area = _area_of(issuer.name if issuer else None) or _area_of(issuer.parent if issuer else None)
    if area is None and province:
        unit = load_gazetteer().province(province)
        area = f"{unit.kind.lower()} {unit.name}" if unit else None
    return area


def target_scope(text: DocText, start: int, figure: int, area: str | None) -> str | None:
    """The scope of the figure at ``figure``, from the words between ``start`` (the end of the figure
    before it, or its clause's start) and the figure."""
    openers, ends, groups, share = _patterns()
    marked = text.lowered
    for opener in openers.finditer(marked, start, figure):
        if share.search(marked, max(start, opener.start() - 12), opener.start()):
            continue  # "tỷ lệ các xã …": a share of the units, over the whole area
        end = ends.search(marked, opener.end(), figure)
        if end is not None:
            subset = text.clean(opener.start(), end.start())
            return subset[:1].lower() + subset[1:] if subset else area
    group = groups.search(marked, start, figure)
    if group is not None:
        named = text.clean(group.start(), group.end())
        return f"{named} {area}" if area else named
    return area
