"""Header fields of page 1: number/symbol, type, place and date, title, period, movement (the issuer is
in ``issuer``).

Each extractor returns ``(value, evidence)`` or ``None``; nothing is guessed: when the text does not say,
the field stays null.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pipeline.extract.view import PageView, fold, mostly_capitals
from pipeline.gazetteer import load_gazetteer
from pipeline.models import SURE_DIGITS_CONFIDENCE, DigitsCandidate, Evidence, NumberReread, Period
from pipeline.rules import load_rules
from pipeline.textnorm import match_key

HEADER_CHARS = 1500  # the header sits in the first lines of page 1
TITLE_MAX_LINES = 6  # a công văn's trích yếu runs to five short lines in its narrow left column
# A reading that stands in for a day ruled out by the digital signature must be at least a tenth as likely
# as the day it replaces: a long shot is no better than that day, which then stays as read, flagged.
STAND_IN_ODDS = 0.1
UNSURE_DIGITS_NOTE = "digits read with low engine confidence (often handwritten): check against the scan"

_SYMBOL = r"(?P<sym>[a-z]{1,8}(?:\s*[-/&]\s*[a-z0-9]{1,10}){0,4})\b"
# "Số: 119/KH-UBND", "So 237/KH-MTTQ-BTT", "S6: 165 /KH-UBND", "Số: 05-CT/TW"
_NUMBER = re.compile(r"\bs[o0-9]\s*[:;.]?\s*(?P<num>\d{1,5})\s*(?P<sep>[/-]?)\s*" + _SYMBOL)
# The same line with unreadable digits: "Số:#4 /TIr -UBND", "Số: ế†I /QĐ-UBND".
_UNREAD_NUMBER = re.compile(r"\bs[o0-9]\s*[:;.]\s*[^\s/]{0,6}\s*/\s*" + _SYMBOL)
_PLACE = r"(?P<place>[^\W\d_][^\n,;:]{1,40}?)\s*,\s*"  # "Quảng Ngãi, "
_PLACE_DAY = _PLACE + r"\w{0,2}g[a-z]y"  # "Quảng Ngãi, ngày"
_DATE = re.compile(
    _PLACE_DAY + r"\s+(?P<d>\d{1,2})\s+th[a-z]{1,2}ng\s+(?P<m>\d{1,2})\s+n[a-z]m\s+(?P<y>\d{4})"
)
# The same line when the day or month is unreadable (handwritten: "ngày@¿ tháng 1] năm 2024"): the place
# is still read; the date only with the day's second reading (pipeline.reread).
_PLACE_LINE = re.compile(
    _PLACE + r"\w{0,2}ga"  # "ngày" may have lost its end: "ngàVW/H†"
    r"\s*[^\n]{0,8}?\s*th[a-z]{1,2}ng\s*(?P<m>[^\n]{0,5}?)\s*n[a-z]m\s+(?P<y>(?:19|20)\d\d)"
)
_PERIOD = re.compile(r"giai\s+doan\s+(?P<a>(?:19|20)\d\d)\s*[-–]\s*(?P<b>(?:19|20)\d\d)")
_UNTIL = re.compile(r"den\s+nam\s+(?P<b>(?:19|20)\d\d)")
_YEAR = re.compile(r"\bnam\s+(?P<y>(?:19|20)\d\d)\b")


@dataclass(frozen=True)
class Found:
    value: object
    evidence: Evidence


def _rules() -> dict:
    return load_rules("header")


def normalise_symbol(symbol: str) -> str:
    fixes: dict[str, str] = _rules()["symbol_spelling_fixes"]
    parts = re.split(r"([-/])", re.sub(r"\s+", "", symbol).upper())
    return "".join(fixes.get(part, part) for part in parts)


def _code_spelling(code: str) -> str | None:
    """The official spelling of a type code ("QD" -> "QĐ", "CTR" -> "CTr"), or None if unknown."""
    for official in _rules()["document_types"]:
        if normalise_symbol(official).upper() == normalise_symbol(code).upper():
            return str(official)
    return None


def _is_label(page: PageView, at: int) -> bool:
    """The document's own "Số:" label: a capital S that opens its line or carries a colon.

    "Kế hoạch số 562/KH-MTTW-BTT" in the body cites another document and must not match.
    """
    if page.plain[at] != "S":
        return False
    line_start = page.plain.rfind("\n", 0, at) + 1
    before = page.plain[line_start:at]
    # Nothing but OCR specks may precede the label on its line.
    return len(before.strip()) <= 3 or ":" in page.plain[at : at + 4] or "  " in before


def find_number(page: PageView) -> Found | None:
    for match in _NUMBER.finditer(page.folded, 0, HEADER_CHARS):
        if not _is_label(page, match.start()):
            continue
        raw_symbol = page.plain[match.start("sym") : match.end("sym")]
        symbol = normalise_symbol(raw_symbol)
        # OCR sometimes drops the slash ("172KH-UBND"); the symbol shape tells it was there.
        separator = match.group("sep") or "/"
        if (separator == "/" and "/" in symbol) or (separator == "-" and "/" not in symbol):
            continue
        number = f"{match.group('num')}{separator}{symbol}"
        confidence = 0.95 if page.folded[match.start() : match.start() + 2] == "so" else 0.75
        if not _known_symbol_head(symbol if separator == "/" else symbol.split("/")[0]):
            confidence = min(confidence, 0.5)  # an unknown code ("QĐĐ") is likely misread: flag it
        note = None
        if not _digits_sure(page, *match.span("num")):
            confidence, note = min(confidence, 0.5), UNSURE_DIGITS_NOTE
            reread = page.number_reread
            if reread is not None and reread.digits:
                first = match.group("num")
                number = f"{reread.digits}{separator}{symbol}"
                # Still flagged when both readings agree: on real scans both misread the same digits.
                note = _reread_note(first, reread)
        return Found(number, page.evidence(match.start(), match.end(), confidence, note))
    return _number_from_reread(page)


def _readings(reread: NumberReread) -> str:
    """Every reading of a second look, for the reviewer: "84, 34, 84; glyph by glyph '24'"."""
    readings = ", ".join(r or "?" for r in reread.readings)
    return readings + (f"; glyph by glyph {reread.shapes!r}" if reread.shapes else "")


def _reread_note(first: str | None, reread: NumberReread) -> str:
    was = f"first read {first!r}; " if first else ""
    return f"{was}digits read again on the crop of the Số line ({_readings(reread)}): check against the scan"


def _number_from_reread(page: PageView) -> Found | None:
    """ "Số: #4 /TTr-UBND": the digits were unreadable in the page's text but the second reading agreed."""
    reread = page.number_reread
    if reread is None or not reread.digits:
        return None
    for match in _UNREAD_NUMBER.finditer(page.folded, 0, HEADER_CHARS):
        if not _is_label(page, match.start()):
            continue
        symbol = normalise_symbol(page.plain[match.start("sym") : match.end("sym")])
        if "/" in symbol or not _known_symbol_head(symbol):
            continue
        number = f"{reread.digits}/{symbol}"
        return Found(number, page.evidence(match.start(), match.end(), 0.5, _reread_note(None, reread)))
    return None


def _digits_sure(page: PageView, start: int, end: int) -> bool:
    """True for text without OCR confidences (text layer, legacy files) or digits read confidently."""
    confidence = page.ocr_confidence(start, end)
    return confidence is None or confidence >= SURE_DIGITS_CONFIDENCE


def _known_symbol_head(symbol: str) -> bool:
    """The first part of a symbol is a type code (KH, QĐ) or, for a công văn, an issuer (UBND)."""
    head = symbol.split("-", 1)[0]
    return _code_spelling(head) is not None or head in _rules()["abbreviations"]


def type_from_number(number: str) -> str | None:
    if "/" not in number:
        return None
    head, tail = number.split("/", 1)
    # Party documents put the type before the slash: 05-CT/TW.
    candidate = head.split("-", 1)[1] if "-" in head else tail.split("-", 1)[0]
    return _code_spelling(candidate)


def type_line_parts(key: str) -> tuple[str, str | None]:
    """A folded capitals line split into its type name and the issuer older documents name after it
    ("quyet dinh cua uy ban nhan dan tinh" → ("quyet dinh", "uy ban nhan dan tinh")); the issuer is ""
    when it wraps to the next line, None when the line names none."""
    for joiner in _rules()["type_line_of_folded"]:
        name, joined, issuer = f"{key} ".partition(f" {joiner} ")
        if joined:
            return name, issuer.strip()
    return key, None


def find_type_line(page: PageView) -> tuple[str, Evidence] | None:
    """A line in capitals that is only a type name, e.g. "KẾ HOẠCH", or, in older documents, a type name
    and its issuer ("QUYẾT ĐỊNH CỦA ỦY BAN NHÂN DÂN TỈNH"). The first such line: a decision's enacting
    "QUYẾT ĐỊNH:" further down is not its type line."""
    names = {name.lower(): code for code, name in _rules()["document_types"].items()}
    folded_names = {match_key(name): code for name, code in names.items()}
    lines = page.lines()
    for index, (start, end) in enumerate(lines):
        if start > HEADER_CHARS * 2:
            break
        line = page.plain[start:end].strip()
        if not line or line.upper() != line:
            continue
        key = match_key(line).strip(" .,:;-_^'`~*")
        name, issuer = type_line_parts(key)
        code = folded_names.get(key) or folded_names.get(name)
        if code:
            if issuer == "" and index + 1 < len(lines):
                end = lines[index + 1][1]  # "QUYẾT ĐỊNH CỦA" ends its line: the issuer is the next one
            return code, page.evidence(start, end, 0.9)
    return None


def _place_evidence(page: PageView, match: re.Match[str]) -> tuple[str, Evidence] | None:
    place_start, place_end = match.span("place")
    place = _place_suffix(page.plain[place_start:place_end])
    offset = page.plain.rfind(place, place_start, place_end) if place else -1
    if offset < 0:
        return None
    return place, page.evidence(offset, offset + len(place), 0.9)


def find_date(
    page: PageView, *, signed_on: dt.date | None = None
) -> tuple[dt.date | None, str, Evidence | None, Evidence] | None:
    """The place-and-date line: (date, place, date evidence, place evidence); the date is None when the
    line is there but its day or month cannot be read. ``signed_on``: the day of the document's digital
    signature, which a day read again on its crop cannot come after."""
    for match in _DATE.finditer(page.folded, 0, HEADER_CHARS + 500):
        try:
            date = dt.date(int(match.group("y")), int(match.group("m")), int(match.group("d")))
        except ValueError:
            continue
        place = _place_evidence(page, match)
        if place is None:
            continue
        sure = _digits_sure(page, *match.span("d"))
        reread = None if sure else _date_from_reread(page, match, signed_on, first=match.group("d"))
        if reread is not None:  # the crop's reading replaces an unsure first one, as for the number
            return reread[0], place[0], reread[1], place[1]
        date_ev = page.evidence(
            match.start("d") - len("ngày "),
            match.end(),
            0.95 if sure else 0.5,
            None if sure else UNSURE_DIGITS_NOTE,
        )
        return date, place[0], date_ev, place[1]
    for match in _PLACE_LINE.finditer(page.folded, 0, HEADER_CHARS + 500):
        place = _place_evidence(page, match)
        if place is not None:
            dated = _date_from_reread(page, match, signed_on)
            return (dated[0] if dated else None), place[0], (dated[1] if dated else None), place[1]
    return None


def _date_from_reread(
    page: PageView, match: re.Match[str], signed_on: dt.date | None, *, first: str | None = None
) -> tuple[dt.date, Evidence] | None:
    """The day from its second reading, with the printed month and year of the line; always flagged.
    ``first`` is the day the page text gave, if any. A document is not signed before it is issued: a day
    after its digital signature (``signed_on``) gives way to the likeliest of the classifier's readings
    that is not, when that one is at least ``STAND_IN_ODDS`` as likely as the day it replaces."""
    reread = page.day_reread
    month = printed_month(match.group("m"))
    if reread is None or not reread.digits or month is None:
        return None
    year = int(match.group("y"))
    date = _day_of(year, month, reread.digits)
    if date is None:
        return None
    was = f"day read {first!r} with low confidence" if first else "day unreadable in the page text"
    note = f"{was}, read again on its crop ({_readings(reread)})"
    if signed_on is not None and date > signed_on:
        stand_in = _stand_in(reread, year, month, signed_on)
        if stand_in is not None:
            earlier, candidate = stand_in
            note += (
                f"; {date.day} would be after the digital signature of {signed_on.isoformat()}, so "
                f"{candidate.digits} (p {candidate.probability:.2f}) stands in"
            )
            date = earlier
    start = match.end("place")
    while page.plain[start] in ", ":
        start += 1
    return date, page.evidence(start, match.end(), 0.5, f"{note}: check the scan")


def _day_of(year: int, month: int, day: str) -> dt.date | None:
    try:
        return dt.date(year, month, int(day))
    except ValueError:
        return None


def _stand_in(
    reread: NumberReread, year: int, month: int, signed_on: dt.date
) -> tuple[dt.date, DigitsCandidate] | None:
    """The likeliest of the classifier's readings whose date is not after ``signed_on``, if it is at least
    ``STAND_IN_ODDS`` as likely as the reading it replaces (the classifier's likeliest when the day came
    from Tesseract's vote alone)."""
    if not reread.candidates:
        return None
    replaced = next(
        (c.probability for c in reread.candidates if c.digits == reread.digits),
        max(c.probability for c in reread.candidates),
    )
    fitting = [
        (date, candidate)
        for candidate in reread.candidates
        if candidate.probability >= replaced * STAND_IN_ODDS
        and (date := _day_of(year, month, candidate.digits)) is not None
        and date <= signed_on
    ]
    return max(fitting, key=lambda found: found[1].probability, default=None)


def printed_month(text: str) -> int | None:
    """The printed month of a place-date line, through the marks the engine gives for a printed digit
    ("1]" for 11); None unless it is 1-12."""
    misreads: dict[str, str] = _rules()["printed_digit_misreads"]
    digits = "".join(misreads.get(ch, ch) for ch in text.strip())
    return int(digits) if digits.isdigit() and 1 <= int(digits) <= 12 else None


def _place_suffix(chunk: str) -> str:
    """The place name at the end of a chunk that may hold bleed from the left column ("KH-UBND Lạng Sơn")."""
    words = chunk.replace("*", " ").split()
    gazetteer = load_gazetteer()
    for size in range(min(4, len(words)), 0, -1):
        candidate = " ".join(words[-size:])
        if gazetteer.place(candidate) is not None:
            return candidate
    kept: list[str] = []
    for word in reversed(words):
        if any(ch.isdigit() or ch in "/|" for ch in word) or len(kept) >= 4:
            break
        kept.insert(0, word)
    return " ".join(kept).strip(" ,")


def find_period(page: PageView, title_span: tuple[int, int] | None) -> Found | None:
    """The period the document covers: its title decides; the first page only when the title is silent."""
    if title_span:
        start, end = title_span
        match = _PERIOD.search(page.folded, start, end)
        if match and int(match.group("a")) < int(match.group("b")):
            period = Period(start=int(match.group("a")), end=int(match.group("b")))
            return Found(period, page.evidence(match.start(), match.end(), 0.9))
        until = _UNTIL.search(page.folded, start, end)
        if until:
            found = Period(start=None, end=int(until.group("b")))
            return Found(found, page.evidence(until.start(), until.end(), 0.8))
        year = _YEAR.search(page.folded, start, end)
        if year:
            found = Period(start=int(year.group("y")), end=int(year.group("y")))
            return Found(found, page.evidence(year.start(), year.end(), 0.75))
    match = _PERIOD.search(page.folded, 0, min(len(page.text), HEADER_CHARS * 2))
    if match and int(match.group("a")) < int(match.group("b")):
        period = Period(start=int(match.group("a")), end=int(match.group("b")))
        return Found(period, page.evidence(match.start(), match.end(), 0.7))
    return None


# A body that opens with its date ("Ngày 03/01/2025, Phó Chủ tịch …"); inside a title "ngày" is lower case.
_BODY_DATE = re.compile(r"Ngày\s+\d")
_CONTINUED = re.compile(r"(?:,|-|\b(?:và|của|về|với|tại|đến))\s*$")


def _continues(line: str) -> bool:
    """A title line that cannot end the title (OCR may put a blank line after "… đến năm 2020,")."""
    return bool(_CONTINUED.search(line.strip()))


def _starts_body(original: str, folded: str) -> bool:
    lowered = original.lower()
    has_marks = fold(lowered) != lowered
    return any(
        lowered.startswith(stop) if has_marks else folded.startswith(fold(stop))
        for stop in _rules()["title_stops"]
    )


def find_title(page: PageView, type_line: Evidence | None) -> Found | None:
    """The trích yếu: lines after the type name (or the "V/v" line of a công văn)."""
    vv = re.search(r"\bv/v\b\s*[:.]?\s*", page.folded[: HEADER_CHARS * 2])
    headless = False
    if type_line is not None:
        cursor = type_line.end
    elif vv is not None:
        cursor = vv.end()
    elif _has_no_header(page):
        cursor, headless = 0, True  # a scan that lost its header may still open with its trích yếu
    else:
        return None
    collected: list[tuple[int, int]] = []
    for start, end in page.lines():
        if end <= cursor:
            continue
        start = max(start, cursor)
        line = page.folded[start:end].strip()
        if not line:
            if collected and not _continues(page.plain[collected[-1][0] : collected[-1][1]]):
                break
            continue
        original = page.plain[start:end].strip()
        if collected and (
            _starts_body(original, line) or mostly_capitals(original) or _BODY_DATE.match(original)
        ):
            break  # the body starts, or an authority line such as "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH …"
        if len(collected) >= TITLE_MAX_LINES:
            break
        collected.append((start, end))
    if not collected:
        return None
    start, end = collected[0][0], collected[-1][1]
    title = page.clean(start, end)
    if headless:
        # Only opening lines that the body's "Căn cứ …"/"Thực hiện …" follows read as a title, and a reader
        # should check them.
        after = next(((a, b) for a, b in page.lines() if a >= end and page.folded[a:b].strip()), None)
        body_follows = after is not None and _starts_body(
            page.plain[after[0] : after[1]].strip(), page.folded[after[0] : after[1]].strip()
        )
        if not body_follows or not title[:1].isupper():
            return None
        return Found(title, page.evidence(start, end, 0.5, _HEADLESS_TITLE_NOTE)) if len(title) >= 8 else None
    return Found(title, page.evidence(start, end, 0.85)) if len(title) >= 8 else None


_HEADLESS_TITLE_NOTE = "the page has no header: its opening lines, which the body follows, read as the title"


def _has_no_header(page: PageView) -> bool:
    """No sign of a header on the page's first lines: no "Số:", no Quốc hiệu, no place-and-date."""
    head = page.folded[:HEADER_CHARS]
    return not re.search(r"(?<![a-z])so\s*:|cong hoa|doc lap|ngay\s+\S+\s+thang", head)


_MOVEMENT = re.compile(r"phong\s+trao(?:\s+thi\s+dua)?\s*[\"“”'](?P<name>[^\"“”']{5,160})[\"“”']")


def find_movement(page: PageView, title: Evidence | None) -> Found | None:
    """The emulation movement a plan belongs to: the quoted name after "Phong trào (thi đua)" in its title."""
    if title is None:
        return None
    match = _MOVEMENT.search(page.folded, title.start, title.end + 1)
    if not match:
        return None
    name = page.clean(match.start("name"), match.end("name"))
    return Found(name, page.evidence(match.start("name"), match.end("name"), 0.9))


def find_movement_in_body(page: PageView) -> Found | None:
    """Without a title (a scan that lost its first lines), the first movement the body names."""
    match = _MOVEMENT.search(page.folded, 0, HEADER_CHARS * 2)
    if not match:
        return None
    name = page.clean(match.start("name"), match.end("name"))
    note = "the document has no title here: the first movement its body names"
    return Found(name, page.evidence(match.start("name"), match.end("name"), 0.6, note))


def find_type_in_closing(page: PageView, types: dict[str, str]) -> tuple[str, Evidence] | None:
    """The type a document gives itself in its closing ("Trên đây là Kế hoạch …")."""
    names = {match_key(name): code for code, name in types.items()}
    pattern = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    found = list(
        re.finditer(rf"tren day\s+\S{{1,3}}\s+(?P<name>{pattern})(?![a-z])", page.folded)
    )  # "là" often misread
    if not found:
        return None
    match = found[-1]  # the closing sentence
    note = "no type line in the header: the type the closing sentence gives"
    return names[match.group("name")], page.evidence(match.start(), match.end(), 0.7, note)
