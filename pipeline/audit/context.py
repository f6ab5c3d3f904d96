"""What every check needs: the document, the reference, the searchable text and evidence helpers."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.audit.models import Quote
from pipeline.audit.reference import Reference
from pipeline.audit.textindex import DocText, Hit
from pipeline.models import DocumentResult

QUOTE_MAX = 320


def quote_hit(hit: Hit, anchor: Hit | None = None, max_len: int = QUOTE_MAX) -> Quote:
    """An exact quote; a long sentence is cut at word boundaries around ``anchor``."""
    start, end = hit.start, hit.end
    if end - start > max_len:
        centre = (anchor.start + anchor.end) // 2 if anchor else start + max_len // 2
        start = max(hit.start, centre - max_len // 2)
        end = min(hit.end, start + max_len)
        start = max(hit.start, end - max_len)
        if start > hit.start:
            space = hit.text.find(" ", start - hit.start)
            start = hit.start + space + 1 if 0 <= space < end - hit.start else start
        if end < hit.end:
            space = hit.text.rfind(" ", 0, end - hit.start)
            end = hit.start + space if space > start - hit.start else end
    text = hit.text[start - hit.start : end - hit.start]
    return Quote(page=hit.page, quote=text, start=start, end=end)


@dataclass
class AuditContext:
    result: DocumentResult
    reference: Reference
    text: DocText
    related: bool = True
    notes: dict[str, object] = field(default_factory=dict)

    @classmethod
    def build(cls, result: DocumentResult, reference: Reference) -> AuditContext:
        return cls(result=result, reference=reference, text=DocText(result.pages))

    def field_quote(self, key: str) -> Quote | None:
        """The evidence the extractor recorded for a field path such as 'legal_bases[0]' or 'title'."""
        ev = self.result.evidence.get(key)
        if ev is None:
            return None
        return Quote(page=ev.page, quote=ev.quote, start=ev.start, end=ev.end)

    def quote(self, hit: Hit, *, sentence: bool = True, anchor: Hit | None = None) -> Quote:
        around = self.text.clause(hit) if sentence else hit
        return quote_hit(around, anchor or hit)

    @property
    def issuer_level(self) -> str | None:
        return self.result.fields.issuer.level
