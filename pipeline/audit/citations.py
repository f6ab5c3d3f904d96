"""Documents a plan cites: from ``fields.legal_bases`` when extracted, and from the page text always."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from pipeline.audit.context import AuditContext
from pipeline.audit.models import Quote
from pipeline.audit.reference import id_key
from pipeline.audit.textindex import Hit

# 666/QĐ-TTg, 562/KH-MTTW-BTT, 91/2017/NĐ-CP, 24/2021/QH15 (folded: 666/qd-ttg ...).
_STATE_NUMBER = re.compile(
    r"(?<![0-9a-z/])\d{1,5}\s*/\s*(?:\d{4}\s*/\s*)?[a-z]{1,8}\d{0,2}(?: [a-z]{2,6}(?=[ \t]*-))?"
    r"(?:[ \t]*-\s*[a-z0-9&]{1,12}){0,3}(?![a-z0-9])"
)
# Party documents put the hyphen before the body: 05-CT/TW, 09-NQ/TU.
_PARTY_NUMBER = re.compile(r"(?<![0-9a-z/])\d{1,4}\s*-\s*[a-z]{2,4}\s*/\s*[a-z]{2,6}(?![a-z0-9])")
_DATE_NUMERIC = re.compile(r"^[^.;]{0,40}?(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})")
_DATE_WORDS = re.compile(r"^[^.;]{0,40}?ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})")


@dataclass
class Citation:
    number: str
    key: str
    date: dt.date | None = None
    hits: list[Hit] = field(default_factory=list)
    field_index: int | None = None

    @property
    def from_fields(self) -> bool:
        return self.field_index is not None


def _date(y: str, m: str, d: str) -> dt.date | None:
    try:
        return dt.date(int(y), int(m), int(d))
    except ValueError:
        return None


def _text_citations(ctx: AuditContext) -> list[tuple[str, Hit, dt.date | None]]:
    found: list[tuple[str, Hit, dt.date | None]] = []
    for regex in (_STATE_NUMBER, _PARTY_NUMBER):
        for page, match in ctx.text.search(regex):
            hit = page.hit(match.start(), match.end())
            number = re.sub(r"\s+", "", hit.text)
            tail = page.folded[match.end() : match.end() + 80]
            when = None
            for pattern in (_DATE_NUMERIC, _DATE_WORDS):
                m = pattern.match(tail)
                if m and not _STATE_NUMBER.search(tail[: m.start(1)]):
                    when = _date(m.group(3), m.group(2), m.group(1))
                    break
            found.append((number, hit, when))
    return sorted(found, key=lambda f: (f[1].page, f[1].start))


def find_citations(ctx: AuditContext) -> list[Citation]:
    """Every cited document once, in order of first mention; field values win over text guesses.

    The plan's own number (from its header) is not a citation.
    """
    own = id_key(ctx.result.fields.number) if ctx.result.fields.number else None
    by_key: dict[str, Citation] = {}
    for i, basis in enumerate(ctx.result.fields.legal_bases):
        if not basis.number:
            continue
        key = id_key(basis.number)
        cite = by_key.setdefault(key, Citation(number=basis.number, key=key))
        cite.field_index = i if cite.field_index is None else cite.field_index
        cite.date = cite.date or basis.date
    for number, hit, when in _text_citations(ctx):
        key = id_key(number)
        cite = by_key.setdefault(key, Citation(number=number, key=key))
        cite.hits.append(hit)
        cite.date = cite.date or when
    return [c for c in by_key.values() if c.key != own]


def citation_quotes(ctx: AuditContext, cite: Citation, limit: int = 2) -> list[Quote]:
    quotes: list[Quote] = []
    if cite.field_index is not None:
        q = ctx.field_quote(f"legal_bases[{cite.field_index}]")
        if q:
            quotes.append(q)
    for hit in cite.hits:
        if len(quotes) >= limit:
            break
        q = ctx.quote(hit)
        if not any(q.page == o.page and q.start == o.start for o in quotes):
            quotes.append(q)
    return quotes
