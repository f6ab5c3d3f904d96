"""Vietnamese numerals: "1.000" is one thousand, "1,5" one and a half, "1/3" a third, "03" three."""

from __future__ import annotations

import re

_GROUPED = re.compile(r"^\d{1,3}(?:\.\d{3})+$")  # 1.000 / 12.500.000


def parse_number(text: str) -> float | None:
    core = text.split("%", 1)[0].strip()
    if re.fullmatch(r"\d+/\d+", core):
        top, bottom = (int(x) for x in core.split("/"))
        return top / bottom if bottom else None
    if _GROUPED.match(core):
        return float(core.replace(".", ""))
    core = core.replace(".", "").replace(",", ".") if core.count(",") == 1 else core
    try:
        return float(core)
    except ValueError:
        return None


def as_plain(value: float) -> float | int:
    """3.0 -> 3 so JSON and tables show what the document wrote."""
    return int(value) if value.is_integer() else value
