"""The area or population a target's figure covers.

A subset of units the text singles out before the figure ("riêng các huyện, xã có tỷ lệ hộ nghèo từ 40%
trở lên giảm …") is the scope as written; a population group named before it ("trong đồng bào dân tộc
thiểu số") is followed by the document's area; otherwise the figure covers the document's own area, the
one its issuer names ("tỉnh Lạng Sơn"). Openers, ends and groups are data in ``models/rules/fields.json``.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from pipeline.extract.doctext import DocText
from pipeline.rules import load_rules

_AREA = re.compile(r"(?<!\w)(?:tỉnh|huyện|thành phố|thị xã|quận|xã|phường|thị trấn)\s+(\w)")


def _rules() -> dict[str, Any]:
    rules: dict[str, Any] = load_rules("fields")["targets"]["scope"]
    return rules


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    rules = _rules()

    def words(phrases: list[str]) -> str:
        # Longest first, so "dong bao dan toc thieu so" wins over "dan toc thieu so".
        ordered = sorted(phrases, key=len, reverse=True)
        return "|".join(r"\s+".join(re.escape(word) for word in p.split()) for p in ordered)

    def bounded(phrases: list[str]) -> re.Pattern[str]:
        return re.compile(rf"(?<![a-z])(?:{words(phrases)})(?![a-z])")

    return bounded(rules["subset_openers"]), bounded(rules["subset_ends"]), bounded(rules["groups"])


def issuer_area(issuer_name: str | None) -> str | None:
    """The area an issuer's name ends with: "Ủy ban nhân dân tỉnh Lạng Sơn" gives "tỉnh Lạng Sơn". The
    unit word must come before a name ("… Thương binh và xã hội tỉnh …" is no "xã")."""
    name = issuer_name or ""
    found = next((m for m in _AREA.finditer(name) if m.group(1).isupper()), None)
    return name[found.start() :] if found else None


def target_scope(text: DocText, start: int, figure: int, area: str | None) -> str | None:
    """The scope of the figure at ``figure``, from the target's words that come before it (``start``)."""
    openers, ends, groups = _patterns()
    folded = text.folded
    for opener in openers.finditer(folded, start, figure):
        end = ends.search(folded, opener.end(), figure)
        if end is not None:
            return text.clean(opener.start(), end.start()) or area
    group = groups.search(folded, start, figure)
    if group is not None:
        named = text.clean(group.start(), group.end())
        return f"{named} {area}" if area else named
    return area
