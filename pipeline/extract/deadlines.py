"""Deadlines: dated obligations and milestones, plus recurring deliverables.

Each time cue (FULL_DATE, MONTH_DAY, QUARTER, YEAR) in a clause that carries an obligation (a MILESTONE
cue such as sơ kết, tổng kết, báo cáo) becomes one deadline; a RECURRENCE cue with a deliverable and no
date becomes a recurring one. ``responsible`` is the body the clause opens with, else the actor of the
organisation item that holds it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from spacy.tokens import Doc, Span

from pipeline.extract.bodies import ITEM_MARK, Actor, actor_for, item_actor
from pipeline.extract.doctext import DocText
from pipeline.extract.nlp import cues, doc_text, headings_at
from pipeline.models import Deadline, Evidence
from pipeline.rules import load_rules

CITED_TITLE_TOKENS = 25  # how far a cited document's own description may run
_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_NUMS = re.compile(r"\d+")
_YEAR = re.compile(r"(?:19|20)\d\d")


@dataclass(frozen=True)
class FoundDeadline:
    deadline: Deadline
    evidence: Evidence
    kind: str
    in_rewards: bool = False


def _rules() -> dict[str, Any]:
    rules: dict[str, Any] = load_rules("fields")["deadlines"]
    return rules


def _when(span: Span) -> dict[str, Any] | None:
    when: dict[str, Any] = {
        "date": None,
        "year": None,
        "quarter": None,
        "month_day": None,
        "recurrence": "once",
    }
    numbers = [int(n) for n in _NUMS.findall(span.text)]
    if span.label_ == "FULL_DATE" and len(numbers) >= 3:
        try:
            when["date"] = dt.date(numbers[2], numbers[1], numbers[0]).isoformat()
        except ValueError:
            return None
        when["year"] = numbers[2]
    elif span.label_ == "MONTH_DAY" and len(numbers) >= 2:
        if not (1 <= numbers[1] <= 12 and 1 <= numbers[0] <= 31):
            return None
        when["month_day"] = f"{numbers[1]:02d}-{numbers[0]:02d}"
    elif span.label_ == "QUARTER":
        roman = span.text.split()[1].split("/")[0] if len(span.text.split()) > 1 else ""
        when["quarter"] = _QUARTERS.get(roman)
        years = _YEAR.findall(span.text)
        when["year"] = int(years[-1]) if years else None
    elif span.label_ == "YEAR":
        years = _YEAR.findall(span.text)
        when["year"] = int(years[-1])  # "năm 2021-2022": the end of the range
    return when


_RANGE = re.compile(r"\d\s+den\s+(?:ngay\s+)?\d")
_SYMBOL_PIECE = re.compile(r"\d.*[/-][a-z]|[a-z]-[a-z]")


def _in_citation(doc: Doc, span: Span) -> bool:
    """A date right after a document symbol (even one OCR split in two) dates that document."""
    before = doc[max(0, span.start - 5) : span.start]
    return any(_SYMBOL_PIECE.search(token.text) for token in before)


def _blocked_year(doc: Doc, span: Span) -> bool:
    before = doc_text(doc)[max(0, span.start_char - 16) : span.start_char].strip()
    return any(before.endswith(w) for w in _rules()["not_a_deadline_before_year"])


def _time_cues(doc: Doc, clause: Span) -> list[Span]:
    labels = ("FULL_DATE", "MONTH_DAY", "QUARTER", "YEAR")
    # Time words right after a citation describe the cited document (its date, its title's horizon).
    cited = [
        (s.start, s.end + CITED_TITLE_TOKENS)
        for label in ("SYMBOL", "SYMBOL_HEAD")
        for s in cues(doc, label)
        if clause.start <= s.start < clause.end
    ]
    spans = [
        s
        for label in labels
        for s in cues(doc, label)
        if clause.start <= s.start < clause.end and not any(a <= s.start < b for a, b in cited)
    ]
    # Keep the widest cue where cues overlap ("quý III năm 2022" holds "năm 2022").
    spans.sort(key=lambda s: (s.start, -(s.end - s.start)))
    kept: list[Span] = []
    covered = -1
    for span in spans:
        if span.start < covered:
            continue
        covered = span.end
        if _in_citation(doc, span) or (span.label_ == "YEAR" and _blocked_year(doc, span)):
            continue
        kept.append(span)
    # "từ 17/10 đến 18/11": one range, dated by its end.
    ranged: list[Span] = []
    for span in kept:
        if (
            ranged
            and ranged[-1].label_ == span.label_ == "MONTH_DAY"
            # Either cue may hold the "đến" (a day-month cue ends one token late: it checks that "năm"
            # does not follow).
            and _RANGE.search(doc_text(doc)[ranged[-1].start_char : span.end_char])
        ):
            ranged[-1] = span
        else:
            ranged.append(span)
    return ranged


def _milestone(doc: Doc, clause: Span, at: int) -> Span | None:
    inside = [m for m in cues(doc, "MILESTONE") if clause.start <= m.start < clause.end]
    before = [m for m in inside if m.start <= at]
    return before[-1] if before else (inside[0] if inside else None)


def _deliverable(doc: Doc, clause: Span) -> Span | None:
    """The first milestone in the clause that produces something (a report, plan, review)."""
    wanted = _rules()["deliverables"]
    inside = [m for m in cues(doc, "MILESTONE") if clause.start <= m.start < clause.end]
    return next((m for m in inside if m.id_ in wanted), None)


def _recurrence(doc: Doc, clause: Span, near: int | None = None) -> str | None:
    """The clause's recurrence; with ``near``, the cue closest to that token ("6 tháng … và … hằng năm")."""
    found = [r for r in cues(doc, "RECURRENCE") if clause.start <= r.start < clause.end]
    if not found:
        return None
    if near is None:
        return "half-yearly" if any(r.id_ == "half-yearly" for r in found) else "yearly"
    return min(found, key=lambda r: min(abs(r.start - near), abs(r.end - near))).id_


def _what(text: DocText, clause: Span, milestone: Span | None) -> str:
    start = milestone.start_char if milestone is not None else clause.start_char
    what = text.clean(start, clause.end_char)
    return what[:1].upper() + what[1:]


@cache
def _subject_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """What opens a clause before its subject (an item mark, a time phrase), and the verbs that end it."""
    rules = _rules()
    leads = "|".join(rules["subject_time_leads"])
    stops = "|".join(rules["subject_stops"])
    opening = re.compile(rf"[ \t*]*(?:{ITEM_MARK})?[ \t]*(?:(?:{leads})(?![a-z0-9])[\s,:]*)?")
    return opening, re.compile(rf"(?<![a-z])(?:{stops})(?![a-z])")


def _clause_subject(text: DocText, doc: Doc, clause: Span) -> Actor | None:
    """The body a clause opens with, after an optional time phrase ("Hằng năm, các sở, ban, ngành … tổng
    kết"), up to the first review verb (``subject_stops``): a capitalised name or a group ("các …")."""
    opening, stops = _subject_patterns()
    folded = doc_text(doc)
    found = opening.match(folded, clause.start_char)
    start = found.end() if found else clause.start_char
    verb = stops.search(folded, start, clause.end_char)
    span = doc.char_span(start, verb.start() if verb else clause.end_char, alignment_mode="expand")
    subject = item_actor(text, doc, span) if span is not None else None
    if subject is None:
        return None
    named = text.plain[subject.start : subject.start + 1].isupper() or text.folded.startswith(
        "cac ", subject.start
    )
    return subject if named else None


def find_deadlines(
    text: DocText, doc: Doc, actors: dict[int, Actor], body_start: int, closing_at: int
) -> list[FoundDeadline]:
    rules = _rules()
    found: list[FoundDeadline] = []
    seen: set[tuple[Any, ...]] = set()
    for clause in doc.sents:
        if clause.start_char < body_start or clause.start_char >= closing_at:
            continue
        if any(c in clause.text for c in rules["excluded_cues"]):
            continue
        headings = headings_at(doc, clause.start_char)
        if any(h in line for line in headings for h in rules["excluded_sections"]):
            continue
        in_rewards = any(h in line for line in headings for h in rules["reward_sections"])
        recurrence = _recurrence(doc, clause)
        # The clause's own subject is nearer than the actor of the item that holds it.
        actor = _clause_subject(text, doc, clause) or actor_for(doc, actors, clause.start_char)
        entries: list[tuple[dict[str, Any], Span | None]] = []
        for cue in _time_cues(doc, clause):
            milestone = _milestone(doc, clause, cue.start)
            if milestone is None and cue.label_ not in rules["dated_without_milestone"]:
                continue
            when = _when(cue)
            if when is None:
                continue
            if recurrence and when["date"] is None and when["year"] is None:
                when["recurrence"] = _recurrence(doc, clause, cue.start)
            entries.append((when, milestone))
        if not entries and recurrence:
            milestone = _deliverable(doc, clause)
            if milestone is not None:
                blank = {"date": None, "year": None, "quarter": None, "month_day": None}
                entries.append(({**blank, "recurrence": recurrence}, milestone))
        for when, milestone in entries:
            kind = milestone.id_ if milestone is not None else "dated"
            responsible = actor.name if actor is not None else None
            # A dated milestone said twice is one deadline; undated recurring duties in different
            # clauses are different duties.
            dated = any(when[k] is not None for k in ("date", "year", "quarter", "month_day"))
            key = (tuple(sorted(when.items())), kind, responsible, None if dated else clause.start)
            if key in seen:
                continue
            seen.add(key)
            deadline = Deadline(
                text=text.clean(clause.start_char, clause.end_char),
                what=_what(text, clause, milestone),
                when=when,
                responsible=responsible,
            )
            evidence = text.evidence(clause.start_char, clause.end_char, 0.7)
            found.append(FoundDeadline(deadline, evidence, kind, in_rewards))
    # "Dịp sơ kết năm 2023: … tặng Bằng khen" restates a review the plan schedules elsewhere.
    scheduled = {(f.deadline.when["year"], f.kind) for f in found if not f.in_rewards}
    return [f for f in found if not f.in_rewards or (f.deadline.when["year"], f.kind) not in scheduled]
