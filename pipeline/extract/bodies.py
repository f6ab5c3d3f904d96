"""Responsible bodies: who the organisation section (Tổ chức thực hiện) gives work to, and their role.

Each item of that section opens with its actor ("Sở Lao động - Thương binh và Xã hội chủ trì, …",
"Đề nghị Ủy ban MTTQ Việt Nam tỉnh …"); the words right after the actor give the role. Bodies that
reports are sent to are added as ``report_to``. Names are canonical (abbreviations written out); the
printed form is kept as an alias.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process
from spacy.tokens import Doc, Span

from pipeline.extract.body_names import repair_name
from pipeline.extract.doctext import DocText
from pipeline.extract.nlp import doc_text, heading_kind, section_table
from pipeline.extract.phrases import contains_phrase, starts_with_phrase
from pipeline.models import Evidence, ResponsibleBody
from pipeline.rules import load_rules
from pipeline.textnorm import match_key, strip_diacritics

ACTOR_CHARS = 180
ORGANISATION_SIMILARITY = 85
CANONICAL_SIMILARITY = 95  # one slip in a name of twenty-odd letters ("S& Nội vụ" for "Sở Nội vụ")
TASK_CHARS = 110
ROLE_RANK = {"lead": 3, "advise": 2, "coordinate": 1, "report_to": 0}


# The mark an item or sub-item opens with: "II.", "1.", "2.1", "a)", "-", "•", "+".
ITEM_MARK = r"(?:[ivx]+\.|\d+(?:\.\d+)*[.)]?|[a-zđ]\)|[-–•+])"


@dataclass(frozen=True)
class Actor:
    name: str  # canonical
    printed: str
    start: int
    end: int
    role: str


@dataclass(frozen=True)
class FoundBody:
    body: ResponsibleBody
    evidence: Evidence


def _rules() -> dict[str, Any]:
    rules: dict[str, Any] = load_rules("fields")["bodies"]
    return rules


def _known_name(printed: str) -> str | None:
    known: dict[str, str] = _rules()["canonical_names"]
    found = process.extractOne(match_key(printed), known.keys(), scorer=fuzz.ratio)
    return known[found[0]] if found and found[1] >= CANONICAL_SIMILARITY else None


def canonical(printed: str) -> str:
    rules = _rules()
    fixed = _known_name(printed)
    if fixed:
        return fixed
    # A trailing note in brackets ("Phòng Nội vụ (cơ quan thường trực …)") is not part of the name;
    # a unit in brackets ("Sở Nội vụ (Ban Thi đua - Khen thưởng)") is.
    note = re.search(r"\s*\(([^()]*)\)?$", printed)
    if note and not starts_with_phrase(match_key(note.group(1) or ""), ["ban"]):
        printed = printed[: note.start()]
        fixed = _known_name(printed)
        if fixed:
            return fixed
    printed = printed.replace(" & ", " và ").replace("—", "-").replace("–", "-")
    # "Ban Phong trào, cơ quan chuyên trách Ủy ban MTTQ tỉnh" is the Ban Phong trào of that Ủy ban.
    for filler in rules["name_fillers"]:
        printed = re.sub(rf",?\s+{re.escape(filler)}\s+(?=\S)", " ", printed, flags=re.IGNORECASE)
    words = [
        rules["abbreviations"].get(w.lower(), rules["abbreviations"].get(match_key(w), w))
        for w in printed.split()
    ]
    name = repair_name(" ".join(words).strip(" ,;:."))
    return name[:1].upper() + name[1:]


def is_specific(name: str) -> bool:
    """A body someone could be held to: two words or more, and a group ("Các …") only with an anchor
    (a level or a kind of unit: "Các sở, ban, ngành", "… các xã"); "Các cơ quan có liên quan" is not."""
    key = match_key(name)
    # "Các Phó Trưởng ban", "Cơ quan thường trực của Ban": people or a role some body fills, not a body.
    if len(key.split()) < 2 or starts_with_phrase(key, _rules()["role_names"]):
        return False
    if not key.startswith("cac "):
        return True
    return contains_phrase(key, _rules()["group_anchors"])


def organisation_section(doc: Doc) -> Span | None:
    """The top-level section headed "Tổ chức thực hiện" (or the like), matched loosely for OCR errors."""
    headings = _rules()["organisation_headings"]
    for span in doc.spans["sections"]:
        line = doc_text(doc)[span.start_char : doc_text(doc).find("\n", span.start_char)]
        similar = any(fuzz.partial_ratio(h, line) >= ORGANISATION_SIMILARITY for h in headings)
        if span.label_ == "roman" and len(line) <= 80 and similar:
            return span
    return None


def _phrase_end(folded: str, start: int, limit: int) -> int:
    """Where a body's name ends: the first actor stop (a colon or a verb) or the end of the line."""
    rules = _rules()
    # A name known in another printed order ("Ban Thi đua - Khen thưởng, Sở Nội vụ") runs to its end.
    for printed in rules["canonical_names"]:
        if folded.startswith(printed, start):
            return start + len(printed)
    end = limit
    # A line break ends the name only where the line is a heading ("…:") or a list item follows;
    # elsewhere OCR wrapped the line in the middle of a name.
    for line_break in re.finditer(r"\n", folded[start:limit]):
        at = start + line_break.start()
        if folded[:at].rstrip().endswith(":") or heading_kind(folded[at + 1 : at + 12] + " ") is not None:
            end = at
            break
        if not folded[at + 1 : at + 2].strip():
            end = at  # a blank line ends the item
            break
    # "Văn phòng Điều phối Chương trình mục tiêu quốc gia xây dựng nông thôn mới": a programme's name
    # inside a body's name holds verbs that would otherwise end it.
    held = [
        (m.start(), m.end())
        for phrase in rules["programme_names"]
        for m in re.finditer(re.escape(phrase), folded[:end])
        if m.end() > start
    ]
    for stop in rules["actor_stops"]:
        pattern = re.escape(stop) if not stop[0].isalpha() else rf"(?<![a-z]){re.escape(stop)}(?![a-z])"
        for found in re.compile(pattern).finditer(folded, start, end):
            if any(a <= found.start() < b for a, b in held):
                continue
            before = folded[start : found.start()].split()
            # "Ban Tổ chức", "Sở Kế hoạch": a stop word right after a head word names the unit;
            # "các tổ chức", "Ban Chỉ đạo thực hiện": so it does after these words anywhere.
            if before and not _ends_with_head(before) and before[-1] not in rules["noun_before_stop"]:
                end = found.start()
                break
    return end


def _ends_with_head(words: list[str]) -> bool:
    """ "Ban" before "Chỉ đạo", "Sở" before "Kế hoạch": a stop word right after a head word that opens a
    name ("Ban Chỉ đạo", "… tỉnh và Ban Chỉ đạo Trung ương") is part of the unit's name."""
    if not words or words[-1] not in _rules()["unit_head_words"]:
        return False
    return len(words) == 1 or words[-2] == "va" or words[-2].endswith(",")


def split_group(text: DocText, start: int, end: int) -> list[tuple[str, int, int]]:
    """Pieces of an enumeration ("Sở Kế hoạch và Đầu tư, Sở Tài chính"): a new piece starts after ", "
    or " và " with a capitalised body word. A named group ("Các sở, ban, ngành, …") stays whole."""
    folded = text.folded
    whole = text.clean(start, end)
    if folded.startswith("cac ", start) or match_key(whole) in _rules()["canonical_names"]:
        return [(whole, start, end)]
    cuts = [start]
    for match in re.finditer(r",\s+|\s+va\s+", folded[start:end]):
        at = start + match.end()
        heads = [*_rules()["body_words"], *_rules()["enumeration_only_words"]]
        if text.plain[at : at + 1].isupper() and starts_with_phrase(folded, heads, at, end):
            cuts.append(at)
    pieces = []
    for index, cut in enumerate(cuts):
        stop = end
        if index + 1 < len(cuts):
            separator = re.search(r"(?:,\s+|\s+va\s+)$", folded[cut : cuts[index + 1]])
            stop = cut + separator.start() if separator else cuts[index + 1]
        # ", cơ quan thường trực" after a name is an apposition, not another body.
        words = "|".join(re.escape(w) for w in _rules()["apposition_words"])
        apposition = re.search(rf",\s+(?:{words})(?![a-z])", folded[cut:stop])
        if apposition and text.plain[cut + apposition.start() + 2 :].lstrip()[:1].islower():
            stop = cut + apposition.start()
        printed = text.clean(cut, stop)
        if len(printed) >= 3:
            pieces.append((printed, cut, stop))
    return pieces


def _partners(text: DocText, item: Span) -> list[tuple[str, int, int]]:
    """Bodies named after "phối hợp với" inside an item."""
    found = []
    for match in re.finditer(
        r"(?<![a-z])phoi hop (?:voi|cung)\s+", text.folded[item.start_char : item.end_char]
    ):
        start = item.start_char + match.end()
        # Names are capitalised: "phối hợp với sở …" in lower case is no body. A sector is named by its
        # department's capitalised name: "phối hợp với ngành Lao động - Thương binh và Xã hội".
        sector = next((w for w in _rules()["sector_words"] if text.folded.startswith(w + " ", start)), None)
        if sector and text.plain[start + len(sector) + 1 : start + len(sector) + 2].isupper():
            department = _department_at(text.folded, start + len(sector) + 1)
            if department:
                end = start + len(sector) + 1 + len(department)
                found.append((text.clean(start, end), start, end))
            continue
        if not text.plain[start : start + 1].isupper() or not starts_with_phrase(
            text.folded, _rules()["body_words"], start
        ):
            continue
        end = _phrase_end(text.folded, start, min(item.end_char, start + ACTOR_CHARS))
        found.extend(split_group(text, start, end))
    return found


def _department_at(folded: str, start: int) -> str | None:
    """The known department name (folded) that ``folded`` continues with at ``start``, longest first."""
    names = sorted((match_key(d) for d in load_rules("bodies")["departments"]), key=len, reverse=True)
    return next((n for n in names if starts_with_phrase(folded, [n], start)), None)


def _body_word_opens(text: DocText, start: int) -> bool:
    """Does a body word ("Sở", "Ủy ban", "các") open the text at ``start``? Folded, the verbs "Sơ kết" and
    "Bố trí" would pass for "Sở" and "Bộ", so a word written with its marks must be a body word as marked
    (``body_words_marked``); a word without marks (legacy text) is judged folded."""
    if not starts_with_phrase(text.folded, _rules()["body_words"], start):
        return False
    word = re.match(r"\w+", text.plain[start : start + 24])
    if word is None or strip_diacritics(word.group(0)) == word.group(0):
        return True
    written = text.lowered[start : start + 24]
    return any(
        re.match(rf"{re.escape(head.lower())}(?!\w)", written) for head in _rules()["body_words_marked"]
    )


def item_actor(text: DocText, doc: Doc, item: Span) -> Actor | None:
    """The actor an item opens with, or None when the item does not start with a body."""
    rules = _rules()
    folded = doc_text(doc)
    start = item.start_char
    mark = re.match(rf"[ \t*]*{ITEM_MARK}[ \t]*", folded[start : start + 12])
    if mark:
        start += mark.end()
    # "Đề nghị …" asks a body outside the issuer's authority: a partner unless a verb says more.
    # "Giao …" only introduces the actor.
    role = "task"
    prefix = next((p for p in rules["coordinate_prefixes"] if folded.startswith(p + " ", start)), None)
    if prefix:
        start += len(prefix) + 1
    assigned = next((p for p in rules["assignment_prefixes"] if folded.startswith(p + " ", start)), None)
    if assigned:
        start += len(assigned) + 1
    opens_with_body = _body_word_opens(text, start)
    if not opens_with_body and not text.plain[start : start + 1].isupper():
        return None
    end = _phrase_end(folded, start, min(item.end_char, start + ACTOR_CHARS))
    if not opens_with_body and not _misread_known_unit(text.clean(start, end)):
        return None
    printed = text.clean(start, end)
    if len(printed) < 3:
        return None
    after = folded[end : end + 40].lstrip(" ,:")
    if not after.strip() or after.startswith("\n"):
        # "1. Sở Lao động - Thương binh và Xã hội:" with its tasks in sub-items below: read the first one.
        after = re.sub(
            r"^[\s*]*(?:[-–•+]|[a-zđ]\)|\d+(?:\.\d+)*[.)])?\s*", "", folded[end : end + 80].lstrip(" ,:")
        )
    # "Sở Nội vụ (cơ quan thường trực của Hội đồng …)": the bracket says what "là cơ quan thường trực" would.
    note = re.search(r"\(([^()]*)\)?\s*$", folded[start:end])
    if starts_with_phrase(after, rules["lead_after_actor"]) or (
        note and starts_with_phrase(note.group(1).strip(), rules["lead_notes"])
    ):
        role = "lead"
    elif starts_with_phrase(after, rules["advise_after_actor"]):
        role = "advise"
    else:
        role = "coordinate"
    return Actor(canonical(printed), printed, start, end, role)


def _misread_known_unit(printed: str) -> bool:
    """ "Trung tim Văn hóa - Thông tin và Thể thao": OCR broke the head word of a known unit's name."""
    repaired = repair_name(printed)
    return repaired != printed and starts_with_phrase(match_key(repaired), _rules()["body_words"])


def _items(doc: Doc, section: Span | None, body_start: int, closing_at: int) -> list[Span]:
    """Items of the organisation section; without one (a công văn, a quyết định), the body's numbered
    items, where such documents assign their tasks."""
    if section is None:
        kinds: tuple[str, ...] = ("arabic",)
        start, end = body_start, closing_at
    else:
        kinds = ("arabic", "subarabic", "letter", "dash", "plus")
        start, end = section.start_char, min(section.end_char, closing_at)
    return [s for s in doc.spans["sections"] if s.label_ in kinds and start < s.start_char < end]


def _named_after(text: DocText, doc: Doc, item: Span, cues: list[str]) -> list[tuple[str, int, int]]:
    """Bodies named right after a cue: where reports go ("báo cáo về Sở …") or whom a body advises
    ("tham mưu Ủy ban nhân dân tỉnh …")."""
    rules = _rules()
    folded = doc_text(doc)
    found: list[tuple[str, int, int]] = []
    levels = "|".join(re.escape(w) for w in rules["name_levels"])
    level_then_cac = re.compile(rf"(?<![a-z])(?:{levels}) (cac )")
    for cue in sorted(cues, key=len, reverse=True):
        # "…" in a cue stands for up to four words: "báo cáo … về" reads "báo cáo kết quả hằng năm về".
        pattern = r"(?:\s+\S+){0,4}?\s+".join(re.escape(part.strip()) for part in cue.split("…"))
        for match in re.finditer(rf"(?<![a-z]){pattern}\s+", folded[item.start_char : item.end_char]):
            start = item.start_char + match.end()
            # "báo cáo Chủ tịch Ủy ban nhân dân tỉnh": the report goes to the body its head leads.
            title = next((t for t in rules["office_titles"] if folded.startswith(t + " ", start)), None)
            if title and starts_with_phrase(folded, rules["body_words"], start + len(title) + 1):
                start += len(title) + 1
            # "báo cáo sơ bộ kết quả": the folded "so" is Sở only when capitalised.
            if not text.plain[start : start + 1].isupper() or not starts_with_phrase(
                folded, rules["body_words"], start
            ):
                continue
            end = _phrase_end(folded, start, min(item.end_char, start + 90))
            if not any(folded.startswith(k, start) for k in rules["canonical_names"]):
                for stop in rules["report_stops"]:
                    hit = folded.find(stop, start, end)
                    end = hit if hit > start and not _ends_with_head(folded[start:hit].split()) else end
            # "tham mưu Ủy ban nhân dân tỉnh các chủ trương": after its level a name stops before "các".
            level_then_group = level_then_cac.search(folded, start, end)
            if level_then_group:
                end = level_then_group.start(1) - 1
            printed = text.clean(start, end)
            if printed and all(printed != p for p, _, _ in found):
                found.append((printed, start, end))
    return found


def _task(text: DocText, actor: Actor, item: Span) -> str | None:
    end = min(item.end_char, actor.end + TASK_CHARS)
    for stop in (";", ".\n", "\n"):
        at = text.folded.find(stop, actor.end, end)
        if at > actor.end:
            end = at
    task = text.clean(actor.end, end)
    return task or None


def find_bodies(
    text: DocText, doc: Doc, body_start: int, closing_at: int
) -> tuple[list[FoundBody], dict[int, Actor]]:
    """Bodies in order of first mention, and the actor of each item (by item start) for deadlines."""
    section = organisation_section(doc)
    bodies: dict[str, FoundBody] = {}
    actors: dict[int, Actor] = {}

    def add(printed: str, start: int, end: int, role: str, task: str | None, confidence: float) -> None:
        name = canonical(printed)
        # A line in capitals ("ỦY BAN NHÂN DÂN", "CHỦ TỊCH") is a heading or the signature, not an actor.
        if not is_specific(name) or printed.isupper():
            return
        key = _body_key(name)
        if key not in bodies:
            aliases = [printed] if printed != name else []
            body = ResponsibleBody(name=name, aliases=aliases, role=role, tasks=[])
            bodies[key] = FoundBody(body, text.evidence(start, end, confidence))
        elif len(name) > len(bodies[key].body.name):
            # "Ủy ban MTTQ tỉnh" first, "Ủy ban MTTQ Việt Nam tỉnh" later: the body goes by its full name.
            known = bodies[key].body
            aliases = [*known.aliases, *([known.name] if known.name not in known.aliases else [])]
            renamed = known.model_copy(update={"name": name, "aliases": aliases})
            bodies[key] = FoundBody(renamed, bodies[key].evidence)
        if ROLE_RANK.get(role, 0) > ROLE_RANK.get(bodies[key].body.role or "", 0):
            # A body keeps its main role: one that leads an item and partners in another is a lead.
            # The evidence moves to the mention that says so.
            upgraded = bodies[key].body.model_copy(update={"role": role})
            bodies[key] = FoundBody(upgraded, text.evidence(start, end, confidence))
        if task and task not in bodies[key].body.tasks:
            bodies[key].body.tasks.append(task)

    items = _items(doc, section, body_start, closing_at)
    item_actors = {item.start_char: item_actor(text, doc, item) for item in items}
    for item in items:
        actor = item_actors[item.start_char]
        if actor is not None and _is_group_heading(actor, item, items, item_actors):
            actors[item.start_char] = actor  # its deadlines still belong to the group
            actor = None
        if actor is not None:
            actors[item.start_char] = actor
            task = _task(text, actor, item)
            for piece, start, end in split_group(text, actor.start, actor.end):
                add(piece, start, end, actor.role, task, 0.8)
        for sentence in _later_sentences(doc, item, items):
            subject = item_actor(text, doc, sentence)
            if subject is not None and text.plain[subject.start : subject.start + 1].isupper():
                for piece, start, end in split_group(text, subject.start, subject.end):
                    add(piece, start, end, subject.role, _task(text, subject, sentence), 0.7)
        for clause in _clauses(text, doc, item, items):
            subject = item_actor(text, doc, clause)
            # "…: Sở Kế hoạch và Đầu tư là cơ quan thường trực tổng hợp; Sở Lao động … là cơ quan thường
            # trực …": a clause names a body only when it says the body leads.
            if subject is not None and subject.role == "lead":
                for piece, start, end in split_group(text, subject.start, subject.end):
                    add(piece, start, end, subject.role, _task(text, subject, clause), 0.7)
        for printed, start, end in _partners(text, item):
            add(printed, start, end, "coordinate", None, 0.7)
        for _, start, end in _named_after(text, doc, item, _rules()["report_cues"]):
            for piece, piece_start, piece_end in split_group(text, start, end):
                add(piece, piece_start, piece_end, "report_to", None, 0.7)
        # The body advised receives the work, as a report's addressee does; a council that exists to
        # advise (Hội đồng Thi đua - Khen thưởng) keeps that role.
        for _, start, end in _named_after(text, doc, item, _rules()["advised_cues"]):
            for piece, piece_start, piece_end in split_group(text, start, end):
                advisory = starts_with_phrase(match_key(canonical(piece)), _rules()["advisory_bodies"])
                add(piece, piece_start, piece_end, "advise" if advisory else "report_to", None, 0.7)
    _merge_short_forms(bodies)
    # Deadlines elsewhere (a "Tiến độ" section) also belong to the actor their item names.
    for item in _items(doc, None, body_start, closing_at):
        if item.start_char not in actors and (actor := item_actor(text, doc, item)) is not None:
            actors[item.start_char] = actor
    return list(bodies.values()), actors


def _body_key(name: str) -> str:
    """One key for one body however it is printed: "Mặt trận Tổ quốc" goes with or without "Việt Nam"."""
    return match_key(name).replace("mat tran to quoc viet nam", "mat tran to quoc")


def _merge_short_forms(bodies: dict[str, FoundBody]) -> None:
    """ "Ban Thường trực" after "Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh" is that body, named short.
    A longer name that adds another body ("… tỉnh và các đoàn thể") is a group, not a full form."""
    for short in list(bodies):
        full = next(
            (
                k
                for k in bodies
                if k != short
                and k.startswith(short + " ")
                and not re.search(r",|(?<![a-z])va(?![a-z])", k[len(short) :])
            ),
            None,
        )
        if full is None:
            continue
        gone, kept = bodies.pop(short), bodies[full]
        printed = gone.body.aliases or [gone.body.name]
        aliases = [*kept.body.aliases, *(a for a in printed if a not in kept.body.aliases)]
        tasks = [*kept.body.tasks, *(t for t in gone.body.tasks if t not in kept.body.tasks)]
        better = ROLE_RANK.get(gone.body.role or "", 0) > ROLE_RANK.get(kept.body.role or "", 0)
        winner = gone if better else kept
        body = kept.body.model_copy(update={"role": winner.body.role, "aliases": aliases, "tasks": tasks})
        bodies[full] = FoundBody(body, winner.evidence)


def _own_end(item: Span, items: list[Span]) -> int:
    """Where an item's own text ends: at its first sub-item, or with the item."""
    children = [i.start_char for i in items if item.start_char < i.start_char < item.end_char]
    return min(children) if children else item.end_char


def _later_sentences(doc: Doc, item: Span, items: list[Span]) -> list[Span]:
    """Sentences after the first in an item's own text (before its sub-items): each may name another actor
    ("… tham mưu bố trí kinh phí. Sở Thông tin và Truyền thông, Báo … tuyên truyền …")."""
    own_end = _own_end(item, items)
    found = []
    for sentence in doc.sents:
        inside = item.start_char < sentence.start_char < own_end
        if inside and sentence.start > 0 and doc[sentence.start - 1].text == ".":
            found.append(sentence)
    return found


def _clauses(text: DocText, doc: Doc, item: Span, items: list[Span]) -> list[Span]:
    """Clauses after a colon or a semicolon in an item's own text, each starting with a capital."""
    own_end = _own_end(item, items)
    found = []
    for mark in re.finditer(r"[;:]\s+", text.plain[item.start_char : own_end]):
        start = item.start_char + mark.end()
        if not text.plain[start : start + 1].isupper():
            continue
        clause = doc.char_span(start, own_end, alignment_mode="expand")
        if clause is not None:
            found.append(clause)
    return found


def _is_group_heading(actor: Actor, item: Span, items: list[Span], actors: dict[int, Actor | None]) -> bool:
    """ "1. Các Ban và Văn phòng …" over sub-items that each name their own body is a heading, not a body."""
    if not match_key(actor.printed).startswith("cac "):
        return False
    inner = [i for i in items if item.start_char < i.start_char < item.end_char]
    return any(actors.get(i.start_char) is not None for i in inner)


def actor_for(doc: Doc, actors: dict[int, Actor], offset: int) -> Actor | None:
    """The actor of the innermost organisation item that holds ``offset``."""
    best: Actor | None = None
    for start, end, _, _ in section_table(doc):
        if start <= offset < end and start in actors:
            best = actors[start]
    return best
