"""Header fields of page 1: number/symbol, type, place and date, issuer, title, period.

Each extractor returns ``(value, evidence)`` or ``None``; nothing is guessed: when the text does not say,
the field stays null.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from pipeline.extract.gazetteer import Unit, load_gazetteer
from pipeline.extract.rules import load_rules
from pipeline.extract.view import PageView, fold
from pipeline.models import SURE_DIGITS_CONFIDENCE, Evidence, Issuer, NumberReread, Period
from pipeline.textnorm import match_key

HEADER_CHARS = 1500  # the header sits in the first lines of page 1
TITLE_MAX_LINES = 6  # a công văn's trích yếu runs to five short lines in its narrow left column
UNSURE_DIGITS_NOTE = "digits read with low engine confidence (often handwritten): check against the scan"

# "Số: 119/KH-UBND", "So 237/KH-MTTQ-BTT", "S6: 165 /KH-UBND", "Số: 05-CT/TW"
_NUMBER = re.compile(
    r"\bs[o0-9]\s*[:;.]?\s*(?P<num>\d{1,5})\s*(?P<sep>[/-]?)\s*"
    r"(?P<sym>[a-z]{1,8}(?:\s*[-/&]\s*[a-z0-9]{1,10}){0,4})\b"
)
# The same line with unreadable digits: "Số:#4 /TIr -UBND", "Số: ế†I /QĐ-UBND".
_UNREAD_NUMBER = re.compile(
    r"\bs[o0-9]\s*[:;.]\s*[^\s/]{0,6}\s*/\s*(?P<sym>[a-z]{1,8}(?:\s*[-/&]\s*[a-z0-9]{1,10}){0,4})\b"
)
_DATE = re.compile(
    r"(?P<place>[^\W\d_][^\n,;:]{1,40}?)\s*,\s*\w{0,2}g[a-z]y\s+(?P<d>\d{1,2})\s+th[a-z]{1,2}ng\s+(?P<m>\d{1,2})\s+n[a-z]m\s+(?P<y>\d{4})"
)
# The same line when the day or month is unreadable (handwritten: "ngày@¿ tháng 1] năm 2024"): the place
# is still read, the date is not.
_PLACE_LINE = re.compile(
    r"(?P<place>[^\W\d_][^\n,;:]{1,40}?)\s*,\s*\w{0,2}g[a-z]y\s*[^\n]{0,6}?\s*th[a-z]{1,2}ng\s*[^\n]{0,5}?\s*n[a-z]m\s+(?:19|20)\d\d"
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


def _reread_note(first: str | None, reread: NumberReread) -> str:
    readings = ", ".join(r or "?" for r in reread.readings)
    was = f"first read {first!r}; " if first else ""
    return f"{was}digits read again on the crop of the Số line ({readings}): check against the scan"


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


def find_type_line(page: PageView) -> tuple[str, Evidence] | None:
    """A line that is only a type name in capitals, e.g. "KẾ HOẠCH"."""
    names = {name.lower(): code for code, name in _rules()["document_types"].items()}
    folded_names = {match_key(name): code for name, code in names.items()}
    for start, end in page.lines():
        if start > HEADER_CHARS * 2:
            break
        line = page.plain[start:end].strip()
        if not line or line.upper() != line:
            continue
        code = folded_names.get(match_key(line).strip(" .,:;-_^'`~*"))
        if code:
            return code, page.evidence(start, end, 0.9)
    return None


def _place_evidence(page: PageView, match: re.Match[str]) -> tuple[str, Evidence] | None:
    place_start, place_end = match.span("place")
    place = _place_suffix(page.plain[place_start:place_end])
    offset = page.plain.rfind(place, place_start, place_end) if place else -1
    if offset < 0:
        return None
    return place, page.evidence(offset, offset + len(place), 0.9)


def find_date(page: PageView) -> tuple[dt.date | None, str, Evidence | None, Evidence] | None:
    """The place-and-date line: (date, place, date evidence, place evidence); the date is None when the
    line is there but its day or month cannot be read."""
    for match in _DATE.finditer(page.folded, 0, HEADER_CHARS + 500):
        try:
            date = dt.date(int(match.group("y")), int(match.group("m")), int(match.group("d")))
        except ValueError:
            continue
        place = _place_evidence(page, match)
        if place is None:
            continue
        sure = _digits_sure(page, *match.span("d"))
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
            return None, place[0], None, place[1]
    return None


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
    if type_line is not None:
        cursor = type_line.end
    elif vv is not None:
        cursor = vv.end()
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
            _starts_body(original, line) or _mostly_capitals(original) or _BODY_DATE.match(original)
        ):
            break  # the body starts, or an authority line such as "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH …"
        if len(collected) >= TITLE_MAX_LINES:
            break
        collected.append((start, end))
    if not collected:
        return None
    start, end = collected[0][0], collected[-1][1]
    title = page.clean(start, end)
    return Found(title, page.evidence(start, end, 0.85)) if len(title) >= 8 else None


# --- issuer ---------------------------------------------------------------------------------------------


def _canonical_case(folded_name: str, original: str) -> str:
    """Government casing: body heads as written in rules, locality names in title case."""
    rules = _rules()
    text = " ".join(original.split())
    lower_fold = " ".join(folded_name.split())
    for head in sorted(rules["body_heads"], key=lambda h: -len(h["folded"])):
        if lower_fold.startswith(head["folded"]):
            rest_original = text[len(head["folded"]) :].strip()
            return f"{head['canonical']} {_locality_case(rest_original)}".strip()
    return _locality_case(text)


def _locality_case(text: str) -> str:
    """ "TỈNH HÀ NAM" -> "tỉnh Hà Nam"; abbreviations stay in capitals."""
    rules = _rules()
    abbreviations = set(rules["abbreviations"])
    localities = {loc["folded"]: loc["canonical"] for loc in rules["locality_types"]}
    words = text.split()
    out: list[str] = []
    i = 0
    while i < len(words):
        pair = match_key(" ".join(words[i : i + 2]))
        single = match_key(words[i])
        if pair in localities:
            out.append(localities[pair])
            i += 2
            continue
        if single in localities and i + 1 < len(words):
            out.append(localities[single])
            i += 1
            continue
        word = words[i]
        out.append(word if word in abbreviations else _title_word(word))
        i += 1
    return " ".join(out)


def _title_word(word: str) -> str:
    return "-".join(part[:1].upper() + part[1:].lower() for part in word.split("-"))


def _with_unit_name(name: str, unit: Unit | None) -> str:
    """Spell the locality as the gazetteer does ("Lang Son" from OCR becomes "Lạng Sơn")."""
    if unit is None:
        return name
    match = re.search(r"\b(tỉnh|huyện|thành phố|thị xã|quận)\s+(.+)$", name)
    return f"{name[: match.start(2)]}{unit.name}" if match else name


def _level_of(name_folded: str, gazetteer_unit: Unit | None) -> str | None:
    rules = _rules()
    for central in rules["central_bodies_folded"]:
        if name_folded.startswith(central):
            return "central"
    for loc in rules["locality_types"]:
        if re.search(rf"\b{re.escape(loc['folded'])}\b", name_folded):
            level = str(loc["level"])
            if level == "province_or_district":
                return "province" if gazetteer_unit and gazetteer_unit.kind == "Thành phố" else "district"
            return level
    return None


def _locality_unit(name_folded: str, original: str) -> Unit | None:
    """The gazetteer unit named after the locality keyword ("tỉnh Hà Nam", "huyện KBang")."""
    gazetteer = load_gazetteer()
    match = re.search(r"\b(tinh|huyen|thanh pho|thi xa|quan)\s+(.+)$", name_folded)
    if not match:
        return None
    name = original[match.start(2) : match.end(2)]
    if match.group(1) == "tinh":
        return gazetteer.province(name)
    if match.group(1) == "thanh pho":
        return gazetteer.province(name) or gazetteer.place(name)
    return gazetteer.place(name)


@dataclass(frozen=True)
class IssuerFound:
    issuer: Issuer
    evidence: Evidence
    unit: Unit | None


def _motto_start(folded_line: str) -> int | None:
    """Where the national motto starts on a line, tolerating OCR errors ("cong hoa xa hqi chu nghia")."""
    best = None
    for phrase in _rules()["national_motto_folded"]:
        if len(folded_line) < 8:
            continue
        found = fuzz.partial_ratio_alignment(phrase, folded_line, score_cutoff=75)
        if (
            found is not None
            and found.dest_end - found.dest_start >= min(len(phrase), len(folded_line)) * 0.6
        ):
            best = found.dest_start if best is None else min(best, found.dest_start)
    return best


def _header_lines(page: PageView, stop: int) -> list[tuple[int, int]]:
    lines: list[tuple[int, int]] = []
    for start, end in page.lines():
        if start >= stop:
            break
        folded = page.folded[start:end]
        at = _motto_start(folded)
        if at is not None:
            end = start + at  # keep only what precedes the motto on an interleaved line
            folded = folded[:at]
        if re.match(r"\s*s[o0-9]\s*[:;.]", folded):
            # The "Số:" line closes the issuer block, even when its number could not be read; what came
            # before it without a body head was a stamp or noise, not the block.
            if any(_has_head(page.folded[s:e]) for s, e in lines):
                break
            lines.clear()
            continue
        if _is_type_line(folded):
            break  # "TỜ TRÌNH", "QUYẾT ĐỊNH": the title block has begun, the issuer block is above it
        if folded.strip(" -_*") and _mostly_capitals(page.plain[start:end]):
            lines.append((start, end))
    return lines


@lru_cache(maxsize=1)
def _type_names_folded() -> tuple[str, ...]:
    return tuple(sorted({match_key(name) for name in _rules()["document_types"].values()}))


def _is_type_line(folded_line: str) -> bool:
    """A line that is only a document type name, allowing an OCR slip ("quyét định" → "quyet inh")."""
    words = " ".join(re.findall(r"[a-z]+", folded_line))
    return 0 < len(words) <= 24 and any(fuzz.ratio(words, name) >= 85 for name in _type_names_folded())


def _has_head(folded_line: str) -> bool:
    squeezed = " ".join(folded_line.split())
    return any(head["folded"] in squeezed for head in _rules()["body_heads"])


def _from_first_head(texts: list[str], heads: tuple[str, ...]) -> tuple[int, list[str]] | None:
    """Drop what precedes the first body head ("TRUNG TÂM CÔNG BÁO … ỦY BAN NHÂN DÂN" → "ỦY BAN NHÂN DÂN"):
    the index of the line it starts on and the lines from there."""
    for index, text in enumerate(texts):
        words = text.split()
        for at in range(len(words)):
            if match_key(" ".join(words[at:])).startswith(heads):
                return index, [" ".join(words[at:]), *texts[index + 1 :]]
    return None


def _mostly_capitals(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and sum(ch.isupper() for ch in letters) >= 0.8 * len(letters)


def _capital_words(text: str) -> str:
    """Drop OCR specks (lower-case or symbol-only tokens) from a capital header line."""
    return " ".join(w for w in text.split() if any(ch.isalnum() for ch in w) and w.upper() == w)


def find_issuer_in_header(page: PageView, stop: int) -> IssuerFound | None:
    """The issuer block: capital lines above the "Số:" line, the national motto removed."""
    heads = [h["folded"] for h in _rules()["body_heads"]]
    lines = _header_lines(page, stop)
    blocks = [(s, e) for s, e in lines if re.search(r"[a-z]", page.folded[s:e])]
    if not blocks:
        return None
    headed = _from_first_head([_capital_words(page.clean(s, e)) for s, e in blocks], tuple(heads))
    if headed is None:
        return None
    first_line, texts = headed
    blocks = blocks[first_line:]
    folded = [match_key(t) for t in texts]
    # A line that starts a new body after a complete one (with its locality) means "parent / issuer".
    parent_idx = None
    for i in range(len(folded) - 1):
        joined = " ".join(folded[: i + 1])
        if folded[i + 1].startswith(tuple(heads)) and _locality_unit(joined, " ".join(texts[: i + 1])):
            parent_idx = i
    if parent_idx is None:
        name_text, parent = " ".join(texts), None
    else:
        parent_text = " ".join(texts[: parent_idx + 1])
        parent = _canonical_case(match_key(parent_text), parent_text)
        own = " ".join(texts[parent_idx + 1 :])
        name_text = own
    name_folded = match_key(name_text)
    unit = _locality_unit(name_folded, name_text)
    name = _with_unit_name(_canonical_case(name_folded, name_text), unit)
    if parent and unit is None and match_key(parent).startswith(("uy ban mttq", "uy ban mat tran")):
        name = f"{name} {parent}"  # "Ban Thường trực" of the Front committee above it
        unit = _locality_unit(match_key(parent), parent)
    elif parent and unit is None:
        unit = _locality_unit(match_key(parent), parent)
    level = _level_of(match_key(name), unit) or (_level_of(match_key(parent), unit) if parent else None)
    note = None
    if (
        parent is None
        and unit is not None
        and level == "district"
        and match_key(name).startswith("uy ban nhan dan")
    ):
        # A district people's committee answers to its province's committee (Luật Tổ chức CQĐP).
        province = load_gazetteer().province(unit.province)
        kind = province.kind.lower() if province else "tỉnh"
        parent = f"Ủy ban nhân dân {kind} {unit.province}"
        note = f"parent inferred: {unit.kind} {unit.name} belongs to {unit.province} (gazetteer)"
    evidence = page.evidence(blocks[0][0], blocks[-1][1], 0.85, note=note)
    return IssuerFound(Issuer(name=name, level=level, parent=parent), evidence, unit)  # type: ignore[arg-type]


def _spaced(folded_phrase: str) -> str:
    """A rule phrase as a regex that tolerates line breaks and double spaces between its words."""
    return r"\s+".join(re.escape(word) for word in folded_phrase.split())


def find_issuer_in_body(page: PageView, place_unit: Unit | None) -> IssuerFound | None:
    """ "Ủy ban nhân dân tỉnh ban hành Kế hoạch…": the issuer names itself in the opening paragraph."""
    rules = _rules()
    heads = "|".join(
        re.escape(h["folded"]) for h in sorted(rules["body_heads"], key=lambda h: -len(h["folded"]))
    )
    locality = "|".join(_spaced(loc["folded"]) for loc in rules["locality_types"])
    verbs = "|".join(_spaced(v) for v in rules["issuing_verbs_folded"])
    pattern = re.compile(
        rf"\b(?P<name>(?:{heads})(?:\s+(?:{heads}))*)(?:\s+(?P<loc>{locality}))?"
        rf"\s+(?:{verbs})\s+(?:ke\s+hoach|quyet\s+dinh|chi\s+thi|van\s+ban)"
    )
    match = None
    for candidate in pattern.finditer(page.folded, 0, min(len(page.folded), 6000)):
        # The issuer opens its own clause ("…, Ủy ban nhân dân tỉnh ban hành"); "… của Thủ tướng Chính phủ
        # ban hành Kế hoạch" names the issuer of a cited document instead.
        before = page.folded[max(0, candidate.start() - 40) : candidate.start()].rstrip()
        if not before or before[-1] in ",;.:)" or before.endswith("\n"):
            match = candidate
            break
    if not match:
        return None
    name_text = page.clean(match.start("name"), match.end("loc") if match.group("loc") else match.end("name"))
    name = _canonical_case(match_key(name_text), name_text)
    unit = None
    note = "issuer named in the body; no header block"
    loc = match.group("loc")
    if loc and place_unit is not None:
        expected = {
            "tinh": "Tỉnh",
            "huyen": "Huyện",
            "quan": "Quận",
            "thi xa": "Thị xã",
            "thanh pho": "Thành phố",
        }
        if place_unit.kind == expected.get(loc) or (loc == "tinh" and place_unit.kind == "Thành phố"):
            name = f"{name} {place_unit.name}"
            unit = place_unit
            note += f"; locality '{place_unit.name}' from the place line"
    level = _level_of(match_key(name), unit)
    evidence = page.evidence(match.start("name"), match.end(), 0.7, note=note)
    return IssuerFound(Issuer(name=name, level=level, parent=None), evidence, unit)  # type: ignore[arg-type]


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
