"""Targets: quantitative objectives with value, range, comparator, unit, year and indicator key.

A target is a NUMBER (or WORD_QUANTITY) span followed by a unit, in a clause that states an objective
(an objective verb, or a Mục tiêu/Chỉ tiêu section), outside reward and budget passages. Units,
cues and indicator rules are data in ``models/rules/fields.json``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from spacy.tokens import Doc, Span

from pipeline.extract.doctext import DocText
from pipeline.extract.nlp import cues, doc_text, enclosing_headings, headings_at
from pipeline.extract.numbers import as_plain, parse_number
from pipeline.extract.phrases import contains_phrase
from pipeline.extract.scope import target_scope
from pipeline.models import Evidence, Target
from pipeline.rules import load_rules

_YEAR_TOKEN = re.compile(r"^(?:19|20)\d\d$")
_RANGE_WORDS = {"-", "–", "den", "toi"}
_TARGET_YEAR = re.compile(r"\bden(?:\s+cuoi)?\s+nam\s+((?:19|20)\d\d)\b")
_ANY_YEAR = re.compile(r"\bnam\s+((?:19|20)\d\d)\b")


@dataclass(frozen=True)
class FoundTarget:
    target: Target
    evidence: Evidence


def _rules() -> dict[str, Any]:
    rules: dict[str, Any] = load_rules("fields")["targets"]
    return rules


def _is_objective(doc: Doc, clause: Span) -> bool:
    """The innermost heading that says anything decides; otherwise the clause's own words do."""
    rules = _rules()
    if contains_phrase(clause.text, rules["excluded_cues"]):
        return False
    for heading in reversed(headings_at(doc, clause.start_char)):
        if contains_phrase(heading, rules["objective_sections"]):
            return True
        if contains_phrase(heading, rules["excluded_sections"]):
            return False
    return contains_phrase(clause.text, rules["objective_cues"])


@cache
def _baseline_openers() -> re.Pattern[str]:
    return re.compile("|".join(rf"(?<![a-z])(?:{cue})" for cue in _rules()["baseline_openers"]))


@cache
def _ends_with_baseline_opener() -> re.Pattern[str]:
    return re.compile(rf"(?:{_baseline_openers().pattern})$")


def _year(text: DocText, doc: Doc, words: str, start: int) -> tuple[int | None, str | None]:
    """The target year in a target's own words (starting at ``start``): "đến năm 2025", else a year they
    name that is not a reference's ("so với năm 2019"), else the year its heading sets, with a note."""
    match = _TARGET_YEAR.search(words)
    if match:
        return int(match.group(1)), None
    for match in _ANY_YEAR.finditer(words):
        if not _ends_with_baseline_opener().search(words, 0, match.start()):
            return int(match.group(1)), None
    heading = _heading_year(doc, start)
    if heading is None:
        return None, None
    year, (line_start, line_end) = heading
    return year, f"year {year} from the heading {text.clean(line_start, line_end)!r}"


def _baseline_opener(folded: str, start: int, end: int) -> re.Match[str] | None:
    """What opens the reference a figure is measured against ("so với năm 2015", "theo chuẩn nghèo …")
    between ``start`` and ``end``; the baseline starts where the match ends."""
    return _baseline_openers().search(folded, start, end)


def _heading_year(doc: Doc, offset: int) -> tuple[int, tuple[int, int]] | None:
    """The year a heading above a target sets for the items under it ("2. Chỉ tiêu phấn đấu đến năm
    2020"), innermost heading first, with the heading line's span."""
    for start, line in reversed(enclosing_headings(doc, offset)):
        match = _TARGET_YEAR.search(line)
        if match:
            return int(match.group(1)), (start, start + len(line))
    return None


def _unit_after(doc: Doc, token_text: str, end_char: int) -> str | None:
    if re.search(r"%/n[a-z]{0,2}m$", token_text):  # "%/năm", and OCR's "%/niam"
        return "percent_per_year"
    if token_text.endswith("%"):
        return "percent"
    if re.fullmatch(r"\d+/\d+", token_text):
        return "fraction"
    rest = doc_text(doc)[end_char : end_char + 20].lstrip()
    units: dict[str, str] = _rules()["units"]
    for word in sorted(units, key=len, reverse=True):
        if re.match(rf"{re.escape(word)}(?![a-z])", rest):
            return units[word]
    return None


def _comparator(doc: Doc, clause: Span, first: int, last: int) -> str | None:
    for cue in cues(doc, "COMPARATOR"):
        if cue.start < clause.start or cue.end > clause.end:
            continue
        before = 0 <= first - cue.end <= 2
        after = cue.id_ in (">=", "<=") and 0 <= cue.start - last <= 4 and cue.label_ == "COMPARATOR"
        if before or (after and doc[cue.start : cue.end].text in ("tro len", "tro xuong")):
            return cue.id_
    return None


def _indicator(clause: str, unit: str | None) -> str | None:
    for rule in _rules()["indicators"]:
        if rule.get("units") and unit not in rule["units"]:
            continue
        if not all(contains_phrase(clause, [p]) for p in rule.get("all", [])):
            continue
        if rule.get("any") and not contains_phrase(clause, rule["any"]):
            continue
        if rule.get("none") and contains_phrase(clause, rule["none"]):
            continue
        return str(rule["key"])
    return None


def _is_threshold(doc: Doc, start_char: int) -> bool:
    before = doc_text(doc)[max(0, start_char - 30) : start_char].rstrip()
    return any(before.endswith(cue) for cue in _rules()["threshold_cues"])


def _blocked_tokens(doc: Doc) -> set[int]:
    """Tokens of symbols and dates: their digits are not quantities."""
    blocked = doc.user_data.get("quantity_blocked")
    if blocked is None:
        labels = ("SYMBOL", "DATE", "FULL_DATE", "MONTH_DAY")
        blocked = {t.i for label in labels for s in cues(doc, label) for t in s}
        doc.user_data["quantity_blocked"] = blocked
    return set(blocked)


def _unclosed_from(doc: Doc, first: int, last: int, value_max: float | None) -> bool:
    """ "từ N" needs "đến M" or "trở lên": a bare one is a misread word ("tỷ lệ" read as "từ 18")."""
    if value_max is not None or first == 0 or doc[first - 1].text != "tu":
        return False
    after = doc_text(doc)[doc[last].idx : doc[last].idx + 40]
    return not contains_phrase(after, _rules()["range_closers"])


def _quantities(doc: Doc, clause: Span) -> list[tuple[int, int, float, float | None, str]]:
    """(first token, last token, value, value_max, token text of the unit-bearing number) per quantity."""
    blocked = _blocked_tokens(doc)
    numbers = [
        s
        for label in ("NUMBER", "NUMBER_RANGE")
        for s in cues(doc, label)
        if clause.start <= s.start < clause.end and s.start not in blocked and not _YEAR_TOKEN.match(s.text)
    ]
    numbers.sort(key=lambda s: s.start)
    found: list[tuple[int, int, float, float | None, str]] = []
    skip: set[int] = set()
    for index, span in enumerate(numbers):
        if span.start in skip:
            continue
        first = span.start
        last, value_max, unit_text = span.start, None, span.text
        if span.label_ == "NUMBER_RANGE":  # "2-3", "4–5%/năm" written as one token
            low, high = re.split(r"[-–]", span.text, maxsplit=1)
            value, value_max = parse_number(low), parse_number(high)
        else:
            value = parse_number(span.text)
        if value is None:
            continue
        following = numbers[index + 1] if index + 1 < len(numbers) else None
        if following is not None and 1 <= following.start - span.start <= 2:
            between = {t.text for t in doc[span.end : following.start]}
            if between and between <= _RANGE_WORDS:
                value_max = parse_number(following.text)
                last, unit_text = following.start, following.text
                skip.add(following.start)
        found.append((first, last, value, value_max, unit_text))
    return found


def _window_end(folded: str, unit_end: int, limit: int, stops: str = ",;") -> int:
    """A target's words run on to the next comma or semicolon (or the next quantity)."""
    found = [at for at in (folded.find(stop, unit_end, limit) for stop in stops) if at >= 0]
    return min(found) if found else limit


def find_targets(
    text: DocText, doc: Doc, body_start: int, closing_at: int, area: str | None = None
) -> list[FoundTarget]:
    """Each quantity is read in its own window: from the previous target in the clause to the next
    comma, so one clause with three figures gives three targets with their own cues. ``area``: the
    document's own area, the scope of a figure whose words single out no part of it."""
    rules = _rules()
    folded = doc_text(doc)
    results: list[FoundTarget] = []
    seen: set[tuple[Any, ...]] = set()
    word_quantities = cues(doc, "WORD_QUANTITY")
    for clause in doc.sents:
        if clause.start_char < body_start or clause.start_char >= closing_at:
            continue
        if not _is_objective(doc, clause):
            continue
        quantities = _quantities(doc, clause)
        for cue in word_quantities:
            if clause.start <= cue.start < clause.end:
                quantities.append((cue.start, cue.end - 1, float(cue.id_), None, "%"))
        accepted = []
        for first, last, value, value_max, unit_text in sorted(quantities):
            if _is_threshold(doc, doc[first].idx) or _unclosed_from(doc, first, last, value_max):
                continue
            unit = _unit_after(doc, unit_text, doc[last].idx + len(doc[last].text))
            if unit is not None:
                accepted.append((first, last, value, value_max, unit))
        window_start = scope_start = clause.start_char
        for index, (first, last, value, value_max, unit) in enumerate(accepted):
            limit = doc[accepted[index + 1][0]].idx if index + 1 < len(accepted) else clause.end_char
            unit_end = doc[last].idx + len(doc[last].text)
            window_end = _window_end(folded, unit_end, limit)
            window = folded[window_start:window_end]
            if not unit.endswith(("_per_year", "fraction")) and contains_phrase(window, rules["yearly_cues"]):
                unit = f"{unit}_per_year"
            # The reference comes after the figure ("tăng 1,8 lần so với năm 2015"); its year is not the
            # target's.
            opener = _baseline_opener(folded, unit_end, window_end)
            year, year_note = None, None
            if not unit.endswith("_per_year"):  # a yearly rate has no target year
                own_words = folded[window_start : opener.start() if opener else window_end]
                year, year_note = _year(text, doc, own_words, window_start)
            baseline = (text.clean(opener.end(), window_end) or None) if opener else None
            indicator, quote_end = _indicator(window, unit), window_end
            if indicator is None and index + 1 == len(accepted):
                # The clause's last figure: a comma may part a list inside it ("50% số xã, thôn, bản đặc
                # biệt khó khăn … thoát khỏi …"), and the words up to the next semicolon may name it.
                # Earlier figures stop at their comma: the words after it belong to the next one.
                wider = _window_end(folded, window_end + 1, limit, stops=";")
                indicator = _indicator(folded[window_start:wider], unit)
                quote_end = wider if indicator is not None else window_end
            target = Target(
                text=text.clean(window_start, quote_end),
                indicator=indicator,
                value=as_plain(value),
                value_max=as_plain(value_max) if value_max is not None else None,
                comparator=_comparator(doc, clause, first, last),
                unit=unit,
                scope=target_scope(text, scope_start, doc[first].idx, area),
                baseline=baseline,
                year=year,
            )
            evidence = text.evidence(window_start, quote_end, 0.75, year_note)
            window_start, scope_start = window_end, unit_end
            same = ("indicator", "value", "value_max", "unit", "scope", "baseline")
            key = tuple(getattr(target, name) for name in same)
            if key in seen:
                continue
            seen.add(key)
            results.append(FoundTarget(target, evidence))
    return results
