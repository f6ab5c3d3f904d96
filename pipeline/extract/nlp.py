"""The spaCy pipeline behind body-field extraction.

It runs on the document's *folded* text (lower case, no diacritics, same length as the page text), so
restored or OCR'd text with residual diacritic errors still matches, and every span's character offsets
quote the original text. Tokens are syllables: pyvi's word segmenter needs correct diacritics and splits
document symbols such as ``666/QĐ-TTg`` into five tokens, while the rules here want them whole.

Components (in order):
- ``planscan_clauses``: sentence starts at line starts and after ``;`` or a full stop (items of a plan
  are clauses, not prose sentences);
- ``planscan_sections``: numbered headings (I., 1., a), -, +) as ``doc.spans["sections"]``;
- ``planscan_cues``: a SpanRuler whose patterns are the reviewable JSONL files in ``models/patterns``.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import numpy
import spacy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

from pipeline.artefacts import MODELS_DIR
from pipeline.rules import load_rules

PATTERNS_DIR = MODELS_DIR / "patterns"
_HEADING = re.compile(
    r"^[ \t*]*(?P<mark>(?P<roman>[ivx]{1,5})\.|(?P<subarabic>\d{1,2}(?:\.\d{1,2})+)[.)]?|"
    r"(?P<arabic>\d{1,2})[.)]|(?P<letter>[a-zđ])\)|"
    r"(?P<dash>[-–•])|(?P<plus>\+))[ \t]",
    re.MULTILINE,
)
CLAUSE_END = {";", ".", "!", "?", "./."}


def _tokenizer(nlp: Language) -> Tokenizer:
    keep_whole = re.compile(load_rules("fields")["tokenizer"]["keep_whole"])
    # ";" and ":" must split even inside "2022;" so clause boundaries are tokens of their own.
    suffixes = [*(nlp.Defaults.suffixes or []), r"[;:,]"]
    return Tokenizer(
        nlp.vocab,
        # A list dash glued to its word ("-Năm 2023:") is a token of its own.
        prefix_search=compile_prefix_regex([*(nlp.Defaults.prefixes or []), r"[-–•+]"]).search,
        suffix_search=compile_suffix_regex(suffixes).search,
        infix_finditer=compile_infix_regex(nlp.Defaults.infixes or []).finditer,
        token_match=keep_whole.match,
    )


def _break_ends_clause(text: str, previous_end: int, next_start: int) -> bool:
    """A line break ends a clause after a blank line, after a colon, or before a numbered item;
    elsewhere the line was wrapped (OCR keeps the scan's line breaks mid-sentence)."""
    gap = text[previous_end:next_start]
    if gap.count("\n") >= 2 or text[:previous_end].endswith(":"):
        return True
    return heading_kind(text[next_start : next_start + 12] + " ") is not None


def _is_mark_dot(doc: Doc, index: int) -> bool:
    """The dot of a heading mark ("1.", "II.") at the start of a line, which does not end a clause."""
    if index == 0 or doc[index].text != ".":
        return False
    mark = doc[index - 1]
    line_start = mark.i == 0 or "\n" in doc[mark.i - 1].text_with_ws
    return line_start and bool(re.fullmatch(r"\d{1,2}(?:\.\d{1,2})*|[ivx]{1,5}", mark.text))


@Language.component("planscan_clauses")
def clauses(doc: Doc) -> Doc:
    text = doc.text
    starts = numpy.full((len(doc), 1), -1, dtype="int64")
    last_word = None
    for token in doc:
        if token.is_space:
            continue
        if last_word is None or (last_word.text in CLAUSE_END and not _is_mark_dot(doc, last_word.i)):
            starts[token.i, 0] = 1
        elif "\n" in text[last_word.idx + len(last_word) : token.idx]:
            starts[token.i, 0] = (
                int(_break_ends_clause(text, last_word.idx + len(last_word), token.idx)) * 2 - 1
            )
        last_word = token
    if len(doc):
        starts[0, 0] = 1
    # One bulk write: setting ``is_sent_start`` token by token rescans the whole doc each time.
    # -1 ("not a start") wraps in uint64, as spaCy expects.
    doc.from_array([SENT_START], starts.astype("uint64"))  # type: ignore[arg-type]
    return doc


# Outermost first: "1.2." sits inside "1.", a letter item inside either.
HEADING_ORDER = ("roman", "arabic", "subarabic", "letter", "dash", "plus")


def heading_kind(line: str) -> str | None:
    """The kind of numbered heading a folded line opens with, or None."""
    match = _HEADING.match(line)
    if not match:
        return None
    return next(k for k in HEADING_ORDER if match.group(k))


def _capitals_heading(line: str) -> bool:
    """A short line in capitals ("TỔ CHỨC THỰC HIỆN"): a top-level heading whose numeral OCR may have lost."""
    letters = [ch for ch in line if ch.isalpha()]
    return (
        8 <= len(letters) <= 70
        and len(line.split()) >= 2
        and sum(ch.isupper() for ch in letters) >= 0.9 * len(letters)
    )


@Language.component("planscan_sections")
def sections(doc: Doc) -> Doc:
    """Each heading line starts a section that runs to the next heading of the same or a higher kind."""
    order = list(HEADING_ORDER)
    found: list[tuple[int, str]] = []
    offset = 0
    text = doc.text
    plain = doc.user_data.get("plain", "")
    for line in text.split("\n"):
        kind = heading_kind(line)
        if kind is None and plain and _capitals_heading(plain[offset : offset + len(line)]):
            kind = "roman"
        if kind is not None:
            found.append((offset + len(line) - len(line.lstrip(" \t*")), kind))
        offset += len(line) + 1
    spans: list[Span] = []
    for index, (start, kind) in enumerate(found):
        end = len(text)
        for later_start, later_kind in found[index + 1 :]:
            if order.index(later_kind) <= order.index(kind):
                end = later_start
                break
        span = doc.char_span(start, end, label=kind, alignment_mode="expand")
        if span is not None:
            spans.append(span)
    doc.spans["sections"] = spans
    return doc


def _patterns() -> list[dict[str, Any]]:
    patterns: list[dict[str, Any]] = []
    for path in sorted(PATTERNS_DIR.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.lstrip().startswith("//"):
                patterns.append(json.loads(line))
    return patterns


@cache
def load_nlp() -> Language:
    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
    nlp.tokenizer = _tokenizer(nlp)
    nlp.add_pipe("planscan_clauses")
    nlp.add_pipe("planscan_sections")
    ruler = nlp.add_pipe("span_ruler", name="planscan_cues", config={"spans_key": "cues"})
    ruler.add_patterns(_patterns())  # type: ignore[attr-defined]
    return nlp


def parse(folded: str, plain: str) -> Doc:
    """Run the pipeline on folded text; ``plain`` (same offsets, case kept) lets components see capitals."""
    nlp = load_nlp()
    doc = nlp.make_doc(folded)
    doc.user_data["plain"] = plain
    for _, component in nlp.pipeline:
        doc = component(doc)
    return doc


def cues(doc: Doc, label: str) -> list[Span]:
    """Cue spans of one label, in text order (grouped once per doc: extractors ask many times)."""
    grouped = doc.user_data.get("cues_by_label")
    if grouped is None:
        grouped = {}
        for span in sorted(doc.spans["cues"], key=lambda s: (s.start, s.end)):
            grouped.setdefault(span.label_, []).append(span)
        doc.user_data["cues_by_label"] = grouped
    found: list[Span] = grouped.get(label, [])
    return found


HEADING_CHARS = 100  # a longer first line is a paragraph item, not a heading


def doc_text(doc: Doc) -> str:
    """``doc.text`` rebuilds the string from every token on each call; extractors read it often."""
    text = doc.user_data.get("text")
    if text is None:
        text = doc.user_data["text"] = doc.text
    return str(text)


def section_table(doc: Doc) -> list[tuple[int, int, str, str]]:
    """(start, end, kind, first line) of every section, in text order; built once per doc."""
    table = doc.user_data.get("section_table")
    if table is None:
        folded = doc_text(doc)
        table = []
        for span in doc.spans["sections"]:
            line_end = folded.find("\n", span.start_char)
            line = folded[span.start_char : line_end if line_end >= 0 else span.end_char]
            table.append((span.start_char, span.end_char, span.label_, line))
        doc.user_data["section_table"] = table
    return list(table)


def headings_at(doc: Doc, offset: int) -> list[str]:
    """Heading lines of the sections that enclose ``offset``, outermost first (folded text)."""
    return [line for _, line in enclosing_headings(doc, offset)]


def enclosing_headings(doc: Doc, offset: int) -> list[tuple[int, str]]:
    """(start, heading line) of the sections that enclose ``offset``, outermost first (folded text)."""
    return [
        (start, line)
        for start, end, _, line in section_table(doc)
        if start <= offset < end and len(line) <= HEADING_CHARS
    ]
