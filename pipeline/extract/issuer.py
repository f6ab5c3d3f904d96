"""The issuer block of page 1 (top left, above the "Số:" line) and, without one, the issuer a body
sentence names; the locality is checked against the gazetteer and spelled as it spells it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from pipeline.extract.header import type_line_parts
from pipeline.extract.view import PageView, mostly_capitals
from pipeline.gazetteer import Unit, load_gazetteer
from pipeline.models import Evidence, Issuer
from pipeline.rules import load_rules
from pipeline.textnorm import match_key


def _rules() -> dict:
    return load_rules("header")


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
        if folded.strip(" -_*") and mostly_capitals(page.plain[start:end]):
            lines.append((start, end))
    return lines


@lru_cache(maxsize=1)
def _type_names_folded() -> tuple[str, ...]:
    return tuple(sorted({match_key(name) for name in _rules()["document_types"].values()}))


def _is_type_line(folded_line: str) -> bool:
    """A line that is only a document type name, allowing an OCR slip ("quyét định" → "quyet inh"), or
    one that names its issuer after it in older documents ("QUYẾT ĐỊNH CỦA ỦY BAN NHÂN DÂN TỈNH")."""
    words = " ".join(re.findall(r"[a-z]+", folded_line))
    heads = {words, type_line_parts(words)[0]}
    return any(
        0 < len(head) <= 24 and fuzz.ratio(head, name) >= 85
        for head in heads
        for name in _type_names_folded()
    )


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
