"""Finding the reference's movement and period in text, shared by the relation and identity checks."""

from __future__ import annotations

import re

from pipeline.audit.context import AuditContext
from pipeline.audit.reference import Movement
from pipeline.audit.textindex import Hit


def _inside(hit: Hit, span: Hit | None) -> bool:
    return span is None or (hit.page == span.page and span.start <= hit.start and hit.end <= span.end)


def _overlaps(a: Hit, b: Hit) -> bool:
    return a.page == b.page and a.start < b.end and b.start < a.end


def movement_hits(
    ctx: AuditContext, movement: Movement, within: Hit | None = None
) -> tuple[list[Hit], list[tuple[Hit, str, str | None]]]:
    """(occurrences of this movement, occurrences of movements it must not be taken for).

    A name that sits inside a longer, different movement name ("Cả nước chung tay vì người nghèo - ...")
    belongs to that other movement.
    """
    others: list[tuple[Hit, str, str | None]] = []
    for distinct in movement.distinct_from:
        for hit in ctx.text.find_any(distinct.match):
            if _inside(hit, within):
                others.append((hit, distinct.name, distinct.reference))
    own = [
        h
        for h in ctx.text.find_any(movement.match)
        if _inside(h, within) and not any(_overlaps(h, o[0]) for o in others)
    ]
    return own, others


def period_regex(start: int, end: int) -> re.Pattern[str]:
    # "2021-2025", "2021 - 2025", "2021 đến 2025", "2021 - năm 2025" on folded text
    return re.compile(rf"(?<!\d){start}\s*(?:-|den|toi)\s*(?:nam\s*)?{end}(?!\d)")


def period_hits(ctx: AuditContext, start: int, end: int, within: Hit | None = None) -> list[Hit]:
    regex = period_regex(start, end)
    hits = [page.hit(m.start(), m.end()) for page, m in ctx.text.search(regex)]
    return [h for h in hits if _inside(h, within)]


_ANY_PERIOD = re.compile(r"giai\s+doan\s+((?:19|20)\d\d)\s*(?:-|den)\s*(?:nam\s*)?((?:19|20)\d\d)(?!\d)")


def other_periods(ctx: AuditContext) -> dict[tuple[int, int], list[Hit]]:
    """Every 'giai đoạn YYYY-YYYY' the text names, by period."""
    found: dict[tuple[int, int], list[Hit]] = {}
    for page, m in ctx.text.search(_ANY_PERIOD):
        found.setdefault((int(m.group(1)), int(m.group(2))), []).append(page.hit(m.start(), m.end()))
    return found
