"""The closing of a document: signature block (authority, title, name) and recipients (Nơi nhận)."""

from __future__ import annotations

import re

from pipeline.extract.view import PageView
from pipeline.landmarks import recipients_at
from pipeline.models import Evidence, Signer
from pipeline.rules import load_rules
from pipeline.textnorm import match_key

_AUTHORITY = re.compile(r"(?<![a-z])(tm|kt|tl|tuq|q)\s*\.\s+(?=[a-z])")
_NAME_WORD = re.compile(r"^[^\W\d_][^\W\d_]*$")
_SPECKS = "=“”\"'`‘’«»<>|~^*_.,;:!?()[]{}-–—"
# A lower-case fragment just before the name ("n Hoàng Tuấn"): the seal probably hid the family name.
_CUT_NAME_NOTE = "the name may be cut (a fragment precedes it, often under the seal): check against the scan"
_COMPLETED_NOTE = "family name completed from the fragment {fragment!r} left by the seal: {family}"
_NO_TITLE_NOTE = "read without its title line (hidden by the seal?)"


def _looks_like_name(text: str) -> bool:
    words = text.split()
    return 2 <= len(words) <= 5 and all(
        _NAME_WORD.match(w) and w[0].isupper() and not w.isupper() for w in words
    )


def closing_pages(pages: list[PageView]) -> list[PageView]:
    """Where to look for the signature, in order: the page of the first "Nơi nhận" and the page after it
    (a draft or an annex may follow the signed document and end with its own closing), then the last page."""
    first = next((i for i, page in enumerate(pages) if recipients_at(page.folded) >= 0), None)
    if first is None:
        return [pages[-1]]
    found = pages[first : first + 2]
    return found if pages[-1] in found else [*found, pages[-1]]


def find_signer(page: PageView) -> tuple[Signer, dict[str, Evidence]] | None:
    """Search the last page's bottom half for "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH / <name>"."""
    canonical_titles: dict[str, str] = load_rules("header")["signer_titles"]
    titles = sorted(canonical_titles, key=len, reverse=True)
    authorities: dict[str, str] = load_rules("header")["authorities"]
    spans = page.lines()
    evidence: dict[str, Evidence] = {}
    authority = title = name = None
    title_line = None
    for index, (start, end) in enumerate(spans):
        folded = page.folded[start:end]
        for match in _AUTHORITY.finditer(folded):
            authority = authorities[match.group(1).upper()]
            evidence["signer.authority"] = page.evidence(
                start + match.start(), start + match.end(1) + 1, 0.85
            )
        for candidate in titles:
            at = re.search(rf"(?<![a-z]){re.escape(candidate)}(?![a-z])", folded)
            if at and page.plain[start + at.start() : start + at.end()].isupper():
                title = canonical_titles[candidate]
                evidence["signer.title"] = page.evidence(start + at.start(), start + at.end(), 0.8)
                title_line = index
                break
    if title_line is None:
        return _name_without_title(page, spans)
    for start, end in spans[title_line + 1 :]:
        chunk = page.clean(start, end)
        # The name is the last capitalised 2-5 word run on its line (the left column may precede it).
        # Seal ink leaves specks glued to the name ("=“Nguyễn"): they are not part of it.
        words = [w.strip(_SPECKS) for w in chunk.split()]
        words = [w for w in words if w]
        for size in (5, 4, 3, 2):
            tail = " ".join(words[-size:]) if len(words) >= size else ""
            if tail and _looks_like_name(tail):
                offset = page.text.rfind(words[-size], start, end)
                name = tail
                cut = len(words) > size and words[-size - 1].isalpha() and words[-size - 1].islower()
                note = _CUT_NAME_NOTE if cut else None
                if cut and (family := complete_surname(words[-size - 1])) is not None:
                    name = f"{family} {tail}"
                    offset = page.text.rfind(words[-size - 1], start, offset)
                    note = _COMPLETED_NOTE.format(fragment=words[-size - 1], family=family)
                evidence["signer.name"] = page.evidence(offset, end, 0.5 if cut else 0.75, note)
                break
    if name:
        name = respell_surname(name)
    signer = Signer(name=name, title=title, authority=authority)
    return signer, evidence


def _name_without_title(
    page: PageView, spans: list[tuple[int, int]]
) -> tuple[Signer, dict[str, Evidence]] | None:
    """The seal often blots the title line; the name below it may still be readable. Only a whole line after
    "Nơi nhận" that starts with a known family name counts, so a recipient ("Báo Quảng Ngãi") does not."""
    at = recipients_at(page.folded)
    if at < 0:
        return None
    surnames = {match_key(s) for s in load_rules("names")["surnames"]}
    for start, end in reversed(spans):
        if start < at:
            break
        words = [w for w in (w.strip(_SPECKS) for w in page.clean(start, end).split()) if w]
        name, confidence, note = " ".join(words), 0.6, _NO_TITLE_NOTE
        if words and words[0].islower() and (family := complete_surname(words[0])) is not None:
            name, confidence = " ".join([family, *words[1:]]), 0.5
            note = f"{note}; {_COMPLETED_NOTE.format(fragment=words[0], family=family)}"
        if _looks_like_name(name) and match_key(name.split()[0]) in surnames:
            offset = page.text.find(words[0], start, end)
            evidence = page.evidence(offset, end, confidence, note)
            return Signer(name=respell_surname(name)), {"signer.name": evidence}
    return None


def complete_surname(fragment: str) -> str | None:
    """The family name a seal left only the end of ("hạm" → "Phạm"), when exactly one ends that way."""
    if len(fragment) < 2 or not fragment.isalpha():
        return None  # one letter ("n") ends too many family names
    endings = {s for s in load_rules("names")["surnames"] if s.lower().endswith(fragment.lower())}
    return endings.pop() if len(endings) == 1 else None


def respell_surname(name: str) -> str:
    """ "Nguyên Văn Dũng" -> "Nguyễn Văn Dũng": the family name in its one common spelling."""
    first, _, rest = name.partition(" ")
    spelled = {match_key(s): s for s in load_rules("names")["surnames"]}
    fixed = spelled.get(match_key(first))
    return f"{fixed} {rest}" if fixed and rest else name


def find_recipients(page: PageView) -> tuple[list[str], Evidence] | None:
    """Items under "Nơi nhận:" up to the first blank line (bullets optional: OCR often drops them)."""
    at = recipients_at(page.folded)
    if at < 0:
        return None
    items: list[str] = []
    first = last = None
    for start, end in page.lines():
        if end <= at:
            continue
        line = page.plain[max(start, at) : end].strip()
        if start <= at:
            line = line.split(":", 1)[1].strip() if ":" in line else ""
            if not line:
                continue
        if not line:
            if items:
                break
            continue
        item = re.sub(r"\s{2,}.*$", "", line.lstrip("-+•– ").strip()).rstrip(";,.")
        if item and sum(ch.isalpha() for ch in item) >= 3:
            items.append(item)
            first = first if first is not None else start
            last = end
    if not items or first is None or last is None:
        return None
    return items, page.evidence(first, last, 0.75)
