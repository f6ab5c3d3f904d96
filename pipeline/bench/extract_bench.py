"""``planscan bench extract``: field extraction against the team's gold.

Gold: tests/gold/fields (the user's five documents, read from ../shared/seeds and run through the whole
text pipeline, restoration included) and corpus/truth (the bundled fictional documents). Scores:
header fields as exact-match rates; legal bases matched by number, targets by value and range,
deadlines by their ``when``, bodies by canonical name (fuzzy) — precision, recall and F1 per list.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from pipeline.extract import extract_fields
from pipeline.extract.bodies import canonical as canonical_body_name
from pipeline.markup import markup_to_text
from pipeline.models import Evidence, Fields, Page
from pipeline.rules import load_rules
from pipeline.textnorm import match_key, normalize_text

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"
FIELD_GOLD = ROOT / "tests" / "gold" / "fields"
REALSCAN_GOLD = ROOT / "tests" / "gold" / "realscans" / "headers.json"
REAL_SCANS = ROOT.parent / "shared" / "scans" / "real"
CORPUS = ROOT / "corpus"
HEADER_FIELDS = (
    "document_type",
    "number",
    "issued_date",
    "place",
    "province",
    "issuer.name",
    "issuer.level",
    "title",
    "period",
    "movement",
    "signer.name",
)
BODY_NAME_SIMILARITY = 88
# A title is long: a scan's stray misread letter should not fail it, a wrong or cut title should.
TITLE_SIMILARITY = 95
MASKED_NAME = "[họ tên]"  # the gold's stand-in for a private person's name (tests/gold/realscans/README.md)
MASKED_NAME_WORDS = 5  # a Vietnamese full name runs two to five words (OCR may glue two into one)
SURE_OR_FLAGGED = ("number", "issued_date")  # a wrong value here must carry needs_review


@dataclass
class ListScore:
    predicted: int = 0
    gold: int = 0
    matched: int = 0
    agree: dict[str, int] = field(default_factory=dict)  # matched pairs that also agree on an attribute

    def add(self, other: ListScore) -> None:
        self.predicted += other.predicted
        self.gold += other.gold
        self.matched += other.matched
        for key, count in other.agree.items():
            self.agree[key] = self.agree.get(key, 0) + count

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class DocScore:
    name: str
    header: dict[str, bool] = field(default_factory=dict)
    lists: dict[str, ListScore] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)
    confident_wrong: list[str] = field(default_factory=list)  # wrong number or date not flagged for review


def _value(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = obj.get(part) if isinstance(obj, dict) else None
    return obj


def _same_text(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        quotes = str.maketrans({"“": '"', "”": '"', "–": "-"})
        return " ".join(normalize_text(a).translate(quotes).casefold().split()) == " ".join(
            normalize_text(b).translate(quotes).casefold().split()
        )
    return bool(a == b)


def _close(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-6


def _match(
    pred: list[dict[str, Any]],
    gold: list[dict[str, Any]],
    same: Callable[[dict, dict], bool],
    attributes: tuple[str, ...] = (),
) -> ListScore:
    """One-to-one matching of the pairs ``same`` accepts, the pairs whose texts are most alike first (in
    document order on ties); ``attributes`` are compared on matched pairs. Several deadlines fall
    "hằng năm": their attributes must be compared with the gold item that says the same thing. Where
    ``same`` is fuzzy (bodies) this need not pair the most items; on the seeds and corpus it pairs as many
    as matching in document order did."""
    pairs = sorted(
        (
            (-_text_similarity(item, wanted), p, g)
            for p, item in enumerate(pred)
            for g, wanted in enumerate(gold)
            if same(item, wanted)
        )
    )
    used_pred: set[int] = set()
    used_gold: set[int] = set()
    score = ListScore(predicted=len(pred), gold=len(gold), agree=dict.fromkeys(attributes, 0))
    for _, p, g in pairs:
        if p in used_pred or g in used_gold:
            continue
        used_pred.add(p)
        used_gold.add(g)
        score.matched += 1
        for name in attributes:
            score.agree[name] += _same_text(pred[p].get(name), gold[g].get(name))
    return score


def _text_similarity(a: dict[str, Any], b: dict[str, Any]) -> float:
    texts = [match_key(str(x.get("text") or x.get("name") or "")) for x in (a, b)]
    return float(fuzz.partial_ratio(*texts))


def _number_key(item: dict[str, Any]) -> str:
    return match_key(item.get("number") or "").replace(" ", "")


def _similar_title(predicted: Any, gold: Any) -> bool:
    """Titles agree at TITLE_SIMILARITY. A person's name the gold masks ("… đối với bà [họ tên]") stands
    for a few words of the prediction: the text before and after the mask is compared, and what the
    prediction has in its place must be a name's length."""
    if not (isinstance(predicted, str) and isinstance(gold, str)):
        return bool(predicted == gold)
    predicted, gold = (" ".join(text.casefold().split()) for text in (predicted, gold))
    if MASKED_NAME not in gold:
        return fuzz.ratio(predicted, gold) >= TITLE_SIMILARITY
    before, after = (part.strip() for part in gold.split(MASKED_NAME, 1))
    name_end = len(predicted) - len(after)
    name = predicted[len(before) : name_end].split()
    return (
        1 <= len(name) <= MASKED_NAME_WORDS
        and fuzz.ratio(predicted[: len(before)], before) >= TITLE_SIMILARITY
        and fuzz.ratio(predicted[name_end:].strip(), after) >= TITLE_SIMILARITY
    )


def _same_when(a: dict[str, Any], b: dict[str, Any]) -> bool:
    keys = ("date", "year", "quarter", "month_day", "recurrence")
    return all(a["when"].get(k) == b["when"].get(k) for k in keys)


def _same_body(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Names compare in canonical form: gold written "Ủy ban MTTQ Việt Nam tỉnh" is the body that
    extraction names "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"."""
    key_a, key_b = (match_key(canonical_body_name(x["name"])) for x in (a, b))
    # A province's body and a district's differ by a word or two, well within the fuzzy margin; a list
    # of levels may name one more ("các huyện, thị xã, thành phố").
    levels_a, levels_b = _levels(key_a), _levels(key_b)
    if not (levels_a <= levels_b or levels_b <= levels_a):
        return False
    return fuzz.ratio(key_a, key_b) >= BODY_NAME_SIMILARITY


def _levels(key: str) -> set[str]:
    levels: list[str] = load_rules("fields")["bodies"]["name_levels"]
    return {level for level in levels if re.search(rf"(?<![a-z]){level}(?![a-z])", key)}


def _annotated(gold: dict[str, Any], path: str) -> bool:
    head, _, rest = path.partition(".")
    return head in gold and (not rest or (isinstance(gold[head], dict) and rest in gold[head]))


def score(
    name: str, predicted: Fields, gold: dict[str, Any], evidence: dict[str, Evidence] | None = None
) -> DocScore:
    pred = predicted.model_dump(mode="json")
    result = DocScore(name)
    for path in HEADER_FIELDS:
        if not _annotated(gold, path):
            continue  # real-scan gold covers the header only
        if path == "title":
            ok = _similar_title(_value(pred, path), _value(gold, path))
        else:
            ok = _same_text(_value(pred, path), _value(gold, path))
        result.header[path] = ok
        if not ok:
            result.misses.append(f"{path}: got {_value(pred, path)!r}, gold {_value(gold, path)!r}")
            found = (evidence or {}).get(path)
            if path in SURE_OR_FLAGGED and found is not None and not found.needs_review:
                value = _value(pred, path)
                result.confident_wrong.append(f"{path}: {value!r} (confidence {found.confidence})")
    result.lists["legal_bases"] = _match(
        pred["legal_bases"],
        gold.get("legal_bases", []),
        lambda a, b: _number_key(a) == _number_key(b),
        ("type", "date"),
    )
    result.lists["targets"] = _match(
        pred["targets"],
        gold.get("targets", []),
        lambda a, b: _close(a["value"], b["value"]) and _close(a.get("value_max"), b.get("value_max")),
        ("indicator", "unit", "comparator", "year", "scope", "baseline"),
    )
    result.lists["deadlines"] = _match(
        pred["deadlines"], gold.get("deadlines", []), _same_when, ("responsible",)
    )
    result.lists["responsible_bodies"] = _match(
        pred["responsible_bodies"], gold.get("responsible_bodies", []), _same_body, ("role",)
    )
    return result


def _seed_cases() -> Iterator[tuple[str, list[Page], dict[str, Any]]]:
    from pipeline.document import process_document
    from pipeline.settings import Settings

    for gold_path in sorted(FIELD_GOLD.glob("*.json")):
        found = sorted(SEEDS.glob(f"{gold_path.stem}_*.txt"))
        if not found:
            continue
        result = process_document(found[0], Settings())
        yield f"seed {gold_path.stem}", result.pages, json.loads(gold_path.read_text(encoding="utf-8"))


def _corpus_cases() -> Iterator[tuple[str, list[Page], dict[str, Any]]]:
    for truth_path in sorted((CORPUS / "truth").glob("*.json")):
        source = CORPUS / "documents" / f"{truth_path.stem}.txt"
        text = normalize_text(markup_to_text(source.read_text(encoding="utf-8")))
        page = Page(number=1, text=text, ocr_text=None, mean_confidence=None, source="text_file")
        yield f"corpus {truth_path.stem[:13]}", [page], json.loads(truth_path.read_text(encoding="utf-8"))


def _ten_page_seconds() -> float:
    """``planscan extract`` on a clean ten-page text file (corpus documents joined with form feeds)."""
    import tempfile

    from pipeline.document import process_document
    from pipeline.settings import Settings

    sources = sorted((CORPUS / "documents").glob("*.txt"))
    pages = [markup_to_text(p.read_text(encoding="utf-8")) for p in sources]
    pages = (pages * 2)[:10]
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "ten-pages.txt"
        path.write_text("\f".join(pages), encoding="utf-8")
        process_document(path, Settings())  # models load once per process, as in a real run
        started = time.perf_counter()
        process_document(path, Settings())
        return time.perf_counter() - started


def _scan_pages(path: Path) -> list[Page]:
    from pipeline.document import process_document
    from pipeline.settings import Settings

    return process_document(path, Settings()).pages


def _realscan_cases(workers: int) -> Iterator[tuple[str, list[Page], dict[str, Any]]]:
    """The real scans with header gold, OCR'd through the whole pipeline (one process per core)."""
    from concurrent.futures import ProcessPoolExecutor

    gold: dict[str, dict[str, Any]] = json.loads(REALSCAN_GOLD.read_text(encoding="utf-8"))
    found = [(name, REAL_SCANS / name) for name in sorted(gold) if (REAL_SCANS / name).exists()]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for (name, _), pages in zip(found, pool.map(_scan_pages, [path for _, path in found]), strict=True):
            yield f"scan {name}", pages, gold[name]


def run(
    realscans: bool = False, workers: int = 2, only_realscans: bool = False
) -> tuple[dict[str, list[DocScore]], float]:
    groups: dict[str, list[DocScore]] = {}
    sources: list[tuple[str, Iterator[tuple[str, list[Page], dict[str, Any]]]]] = []
    if not only_realscans:
        groups.update({"seeds": [], "corpus": []})
        sources += [("seeds", _seed_cases()), ("corpus", _corpus_cases())]
    if realscans or only_realscans:
        groups["real scans (header only)"] = []
        sources.append(("real scans (header only)", _realscan_cases(workers)))
    seconds = 0.0
    for group, cases in sources:
        for name, pages, gold in cases:
            started = time.perf_counter()
            fields, evidence, _ = extract_fields(pages)
            seconds += time.perf_counter() - started
            groups[group].append(score(name, fields, gold, evidence))
    return groups, seconds


def report(
    groups: dict[str, list[DocScore]], seconds: float, verbose: bool = False, title: str = "extract"
) -> str:
    lines = [f"planscan bench {title}", ""]
    for group, docs in groups.items():
        if not docs:
            lines.append(f"{group}: no documents (../shared/seeds absent?)")
            continue
        lines.append(f"{group} ({len(docs)} documents)")
        exact_docs = sum(all(d.header.values()) for d in docs)
        lines.append(f"  header: all fields exact on {exact_docs}/{len(docs)} documents")
        for path in HEADER_FIELDS:
            scored = [d.header[path] for d in docs if path in d.header]
            if scored:
                similar = f" (≥ {TITLE_SIMILARITY}% similar)" if path == "title" else ""
                lines.append(f"    {path:<14} {sum(scored)}/{len(scored)}{similar}")
        wrong = [f"{d.name} {w}" for d in docs for w in d.confident_wrong]
        lines.append(f"  confident-wrong number or date (wrong, not flagged needs_review): {len(wrong)}")
        lines.extend(f"    {w}" for w in wrong)
        for name in ("legal_bases", "targets", "deadlines", "responsible_bodies"):
            if all(name not in d.lists or d.lists[name].gold == 0 for d in docs) and group.startswith("real"):
                continue
            total = ListScore()
            for doc in docs:
                total.add(doc.lists[name])
            lines.append(
                f"  {name:<19} P {total.precision:.2f}  R {total.recall:.2f}  F1 {total.f1:.2f}"
                f"  (predicted {total.predicted}, gold {total.gold}, matched {total.matched})"
            )
            if total.matched and total.agree:
                agreement = ", ".join(f"{k} {v}/{total.matched}" for k, v in total.agree.items())
                lines.append(f"  {'':<19} on matched items: {agreement}")
        if verbose:
            for doc in docs:
                per_list = ", ".join(f"{k} {v.matched}/{v.gold}/{v.predicted}" for k, v in doc.lists.items())
                lines.append(f"    {doc.name}: {per_list}")
                lines.extend(f"      miss {m}" for m in doc.misses)
        lines.append("")
    lines.append(f"extraction time: {seconds:.2f} s in total (text pipeline excluded)")
    if title == "extract":
        lines.append(f"10-page text document, whole pipeline: {_ten_page_seconds():.2f} s")
    return "\n".join(lines)
