"""Legal bases: every other document the text cites, in order of first mention, deduplicated.

A citation is a SYMBOL span (``666/qd-ttg``) with a type word (DOC_TYPE) shortly before it in the same
clause. Its date and issuer are read from the words that follow ("ngày 02/6/2022 của Thủ tướng Chính
phủ"). The document's own number and the recipient list (which names documents sent with it) are not
legal bases.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from pipeline.extract.doctext import DocText
from pipeline.extract.header import normalise_symbol
from pipeline.extract.nlp import CLAUSE_END, cues, doc_text
from pipeline.models import Evidence, LegalBasis
from pipeline.rules import load_rules
from pipeline.textnorm import match_key

TYPE_WINDOW = 8  # tokens between a type word and its symbol ("Luật Thi đua, khen thưởng số 15/2003/QH11")
_DATE_PARTS = re.compile(r"(\d{1,2})\D+(\d{1,2})\D+((?:19|20)\d\d)")


@dataclass(frozen=True)
class Citation:
    basis: LegalBasis
    evidence: Evidence


def _date(span: Span) -> dt.date | None:
    match = _DATE_PARTS.search(span.text)
    if not match:
        return None
    try:
        return dt.date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    except ValueError:
        return None


def _issuer(text: DocText, doc: Doc, after: int) -> tuple[str | None, int]:
    """ "của <issuer>" right after the citation, up to the first stop word; returns (issuer, end offset)."""
    folded = doc_text(doc)
    at = re.match(r"[\s,]*cua\s+", folded[after : after + 12])
    if not at:
        return None, after
    start = after + at.end()
    stops: list[str] = load_rules("fields")["issuer_stops"]
    end = min(len(folded), start + 120)
    for stop in stops:
        found = folded.find(stop, start, end)
        if found > start:
            end = found
    name = text.clean(start, end)
    words = name.split()
    expand: dict[str, str] = load_rules("fields")["issuer_abbreviations"]
    name = " ".join(expand.get(match_key(w), w) for w in words)
    return (name or None), end


_CODE = re.compile(r"[A-ZĐ&][A-ZĐa-z0-9&./-]*")


def _glued(doc: Doc, index: int) -> int:
    """End token of the run that starts at ``index`` with no whitespace inside ("bxh", "-", "vpqggn")."""
    end = index + 1
    while end < len(doc) and not doc[end - 1].whitespace_ and not doc[end].is_space:
        if doc[end].is_punct and doc[end].text not in ("-", "/", "&"):
            break
        end += 1
    return end


def _whole_symbol(text: DocText, doc: Doc, span: Span) -> Span | None:
    """The symbol with the pieces OCR or a line wrap cut off: "09-⏎NQ/TU", "2150/LĐT BXH-VPQGGN"."""
    end = span.end
    opened = doc[end - 1].text.endswith(("-", "/"))
    nxt = end + 1 if end < len(doc) and doc[end].is_space else end
    if nxt < len(doc):
        run_end = _glued(doc, nxt)
        piece = text.plain[doc[nxt].idx : doc[run_end - 1].idx + len(doc[run_end - 1])]
        is_code = bool(_CODE.fullmatch(piece)) and sum(ch.isupper() for ch in piece) >= 2
        if is_code and (opened or ("-" in piece and doc[end - 1].whitespace_ == " ")):
            return doc[span.start : run_end]
    return None if opened else span


def find_legal_bases(text: DocText, doc: Doc, own_number: str | None, closing_at: int) -> list[Citation]:
    types = cues(doc, "DOC_TYPE")
    dates = cues(doc, "DATE")
    seen: set[str] = set()
    found: list[Citation] = []
    own_key = match_key(own_number or "").replace(" ", "")
    candidates = sorted([*cues(doc, "SYMBOL"), *cues(doc, "SYMBOL_HEAD")], key=lambda s: s.start)
    for candidate in candidates:
        if candidate.start_char >= closing_at:
            break
        symbol = _whole_symbol(text, doc, candidate)
        if symbol is None:
            continue
        number = normalise_symbol(text.plain[symbol.start_char : symbol.end_char])
        key = match_key(number)
        if key == own_key or key in seen:
            continue
        kind = next(
            (t for t in reversed(types) if t.end <= symbol.start and symbol.start - t.end <= TYPE_WINDOW),
            None,
        )
        if kind is None or any(tok.text in CLAUSE_END for tok in doc[kind.end : symbol.start]):
            continue
        seen.add(key)
        date_span = next((d for d in dates if 0 <= d.start - symbol.end <= 2), None)
        after = date_span.end_char if date_span is not None else symbol.end_char
        issuer, end = _issuer(text, doc, after)
        basis = LegalBasis(
            number=number,
            type=kind.id_ or None,
            date=_date(date_span) if date_span is not None else None,
            issuer=issuer,
        )
        found.append(Citation(basis, text.evidence(kind.start_char, max(end, after), 0.85)))
    return found
