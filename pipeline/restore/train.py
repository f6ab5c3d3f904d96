"""``planscan train restorer``: rebuild the restorer's artefacts in ``models/restorer/`` deterministically.

Sources (all offline): syllable lexicons from hunspell-vi, Tesseract's own `vie` word list and pyvi's word
list; the team's own Vietnamese text in ``corpus/``; and parallel data made by rendering that text and
OCR-ing it with ``tesseract -l eng`` (which reproduces legacy garble). The user's documents are never used.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from importlib import resources
from pathlib import Path

import numpy as np
from rapidfuzz.distance import Levenshtein

from pipeline import tools
from pipeline.artefacts import MODELS_DIR
from pipeline.markup import markup_to_text
from pipeline.ocr import assemble_page, parse_tsv
from pipeline.restore.corpus_io import sentences
from pipeline.restore.lm import NgramLM
from pipeline.restore.model import RESTORER_DIR, Params
from pipeline.restore.syllables import canonical, has_syllable_shape, key
from pipeline.textnorm import nfc, normalize_text, strip_diacritics

CORPUS = MODELS_DIR.parent / "corpus"
HUNSPELL_DIC = Path("/usr/share/hunspell/vi_VN.dic")
TESSDATA_VIE = Path("/usr/share/tesseract-ocr/5/tessdata/vie.traineddata")
# Held out for tuning and measuring; never counted by the language model or the channel.
DEV_FILES = ("admin_29.txt", "admin_30.txt", "admin_31.txt", "admin_32.txt")


def _natural_order(path: Path) -> str:
    """admin_98 before admin_100: page seeds follow file order, so new files must not renumber old ones."""
    return re.sub(r"\d+", lambda m: m.group().zfill(6), path.name)


def corpus_split() -> tuple[list[Path], list[Path]]:
    files = sorted((CORPUS / "text").glob("*.txt"), key=_natural_order)
    return [f for f in files if f.name not in DEV_FILES], [f for f in files if f.name in DEV_FILES]


def training_texts() -> list[str]:
    train, _dev = corpus_split()
    texts = [nfc(p.read_text(encoding="utf-8")) for p in train]
    texts += [
        markup_to_text(p.read_text(encoding="utf-8")) for p in sorted((CORPUS / "documents").glob("*.txt"))
    ]
    return [normalize_text(t) for t in texts]


# --- lexicon --------------------------------------------------------------------------------------------


def _hunspell_words() -> list[str]:
    if not HUNSPELL_DIC.exists():
        raise FileNotFoundError(f"{HUNSPELL_DIC} is missing: apt-get install hunspell-vi")
    lines = HUNSPELL_DIC.read_text(encoding="utf-8").splitlines()[1:]
    return [line.split("/", 1)[0] for line in lines]


def _tesseract_words() -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        prefix = Path(tmp) / "vie."
        tools.run(["combine_tessdata", "-u", str(TESSDATA_VIE), str(prefix)], timeout=60)
        out = Path(tmp) / "words.txt"
        tools.run(
            ["dawg2wordlist", f"{prefix}lstm-unicharset", f"{prefix}lstm-word-dawg", str(out)], timeout=60
        )
        return out.read_text(encoding="utf-8").split()


def _pyvi_words() -> list[str]:
    text = resources.files("pyvi").joinpath("models/words.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


def place_name_sentences() -> list[list[str]]:
    """'tỉnh lạng sơn', 'huyện kbang': the gazetteer's spellings, so place names restore as places."""
    from pipeline.gazetteer import load_gazetteer

    gazetteer = load_gazetteer()
    out = []
    for unit in gazetteer.provinces.values():
        out.append([*canonical(unit.kind).split(), *canonical(unit.name).split()])
    for units in gazetteer.districts.values():
        for unit in units:
            out.append([*canonical(unit.kind).split(), *canonical(unit.name).split()])
    return out


def build_lexicon(texts: Iterable[str]) -> tuple[dict[str, list[str]], dict[str, int]]:
    """key -> syllables. A syllable needs support from hunspell, the team's text, or two other sources."""
    support: dict[str, set[str]] = defaultdict(set)
    sources = {"hunspell": _hunspell_words(), "tesseract": _tesseract_words(), "pyvi": _pyvi_words()}
    for name, words in sources.items():
        for word in words:
            for syllable in normalize_text(word).split():
                support[canonical(syllable)].add(name)
    for text in texts:
        for sentence in sentences(text):
            for syllable in sentence:
                support[syllable].add("corpus")
    for sentence in place_name_sentences():
        for syllable in sentence:
            support[syllable].add("corpus")
    kept = sorted(
        s
        for s, where in support.items()
        if has_syllable_shape(s) and ({"hunspell", "corpus"} & where or len(where) >= 2)
    )
    lexicon: dict[str, list[str]] = defaultdict(list)
    for syllable in kept:
        lexicon[key(syllable)].append(syllable)
    counts = {name: len(words) for name, words in sources.items()}
    return dict(sorted(lexicon.items())), counts


# --- parallel data --------------------------------------------------------------------------------------


def _render_and_ocr(job: tuple[str, int, str]) -> tuple[str, str]:
    """One page: render the text, degrade it slightly, OCR with the English model; (truth, garble)."""
    from pipeline.synth import DegradeConfig, degrade, render_pages

    markup, seed, work = job
    images, pages = render_pages(markup, dpi=300)
    image = degrade(
        images[0],
        rng=np.random.default_rng(seed),
        config=DegradeConfig(seal=False, skew_max_deg=0.3),
        dpi=300,
    )
    path = Path(work) / f"page-{seed}.png"
    image.save(path)
    garble = assemble_page(parse_tsv(tools.ocr_tsv(path, lang="eng", psm=6))).text
    path.unlink()
    return pages[0].text, garble


def _page_markups(text: str, words_per_page: int = 330) -> list[str]:
    """Cut a text into page-sized chunks of whole lines, so each renders to one page."""
    chunks: list[str] = []
    current: list[str] = []
    count = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        n = len(line.split())
        if current and count + n > words_per_page:
            chunks.append("\n\n".join(current))
            current, count = [], 0
        current.append(line.replace("||", " ").lstrip("# "))
        count += n
    if current:
        chunks.append("\n\n".join(current))
    return chunks


def _cache_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "planscan" / "parallel"


def parallel_pages(texts: list[str], workers: int) -> list[tuple[str, str]]:
    """(truth, garble) per rendered page. Pages are cached by content, engine version and seed, so a
    rebuild after a change elsewhere takes seconds; the cache never changes the result."""
    markups = [m for text in texts for m in _page_markups(text)]
    version = tools.tesseract_version()
    cache = _cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    names = [
        hashlib.sha256(f"{version}\n{seed}\n{markup}".encode()).hexdigest()[:24] + ".json"
        for seed, markup in enumerate(markups)
    ]
    results: dict[int, tuple[str, str]] = {}
    for i, name in enumerate(names):
        if (cache / name).exists():
            truth, garble = json.loads((cache / name).read_text(encoding="utf-8"))
            results[i] = (truth, garble)
    todo = [i for i in range(len(markups)) if i not in results]
    if todo:
        with tempfile.TemporaryDirectory(prefix="planscan-parallel-") as work:
            jobs = [(markups[i], i, work) for i in todo]
            with ProcessPoolExecutor(max_workers=workers) as pool:
                for i, pair in zip(todo, pool.map(_render_and_ocr, jobs, chunksize=2), strict=True):
                    results[i] = pair
                    (cache / names[i]).write_text(json.dumps(pair, ensure_ascii=False), encoding="utf-8")
    return [results[i] for i in range(len(markups))]


def align_words(truth: str, garble: str) -> list[tuple[str, str]]:
    """(observed, truth) word pairs from a character alignment of the diacritic-free texts."""
    a = " ".join(truth.split())
    b = " ".join(garble.split())
    a_fold, b_fold = strip_diacritics(a).lower(), strip_diacritics(b).lower()
    to_b = [0] * (len(a) + 1)
    for op in Levenshtein.opcodes(a_fold, b_fold):
        tag, i1, i2, j1, j2 = op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end
        for offset in range(i2 - i1):
            to_b[i1 + offset] = j1 + (min(offset, j2 - j1 - 1) if tag != "delete" and j2 > j1 else 0)
        to_b[i2] = j2
    pairs = []
    start = 0
    for word in a.split(" "):
        end = start + len(word)
        observed = b[to_b[start] : to_b[end]].strip()
        if observed and " " not in observed:
            pairs.append((observed, word))
        start = end + 1
    return pairs


def _strip_punct(token: str) -> str:
    return token.strip(".,;:!?()\"'“”‘’«»-–—…")


def learn_channel(pairs: list[tuple[str, str]]) -> tuple[dict[str, dict[str, int]], dict[str, str]]:
    confusions: dict[str, Counter[str]] = defaultdict(Counter)
    chars: dict[str, Counter[str]] = defaultdict(Counter)
    numbers: Counter[str] = Counter()  # digits read as themselves: how often "6" really was a 6
    for observed, truth in pairs:
        obs, gold = _strip_punct(observed), _strip_punct(truth)
        if obs.isdigit() and obs == gold:
            numbers[obs] += 1
            continue
        if not obs or not gold or not gold.replace("đ", "d").isalpha():
            continue
        gold = canonical(gold)
        confusions[canonical(obs)][gold] += 1
        o_key, g_key = key(obs), key(gold)
        if len(o_key) == len(g_key):
            for oc, gc in zip(o_key, g_key, strict=True):
                if not ("a" <= oc <= "z"):
                    chars[oc][gc] += 1
    for obs, counts in confusions.items():
        if obs.isdigit() and numbers[obs]:
            counts[obs] = numbers[obs]  # the number itself stays a candidate, with its own odds
    table = {
        obs: dict(sorted(counts.items()))
        for obs, counts in sorted(confusions.items())
        if sum(counts.values()) >= 2 and not (len(counts) == 1 and obs in counts)
    }
    char_map = {
        c: counts.most_common(1)[0][0] for c, counts in sorted(chars.items()) if sum(counts.values()) >= 3
    }
    return table, char_map


# --- the whole build ------------------------------------------------------------------------------------


def train(out_dir: Path = RESTORER_DIR, *, workers: int = 2, log: bool = True) -> dict[str, object]:
    started = time.perf_counter()
    texts = training_texts()
    lexicon, source_counts = build_lexicon(texts)
    lm_sentences = [s for text in texts for s in sentences(text)]
    lm_sentences += [canonical(w).split() for w in _pyvi_words() if " " in w]
    lm_sentences += place_name_sentences()
    lm = NgramLM.count(lm_sentences)
    if log:
        print(
            f"lexicon {sum(map(len, lexicon.values()))} syllables; LM {len(lm.trigrams)} trigrams", flush=True
        )
    pages = parallel_pages(texts, workers)
    pairs = [pair for truth, garble in pages for pair in align_words(truth, garble)]
    confusions, char_map = learn_channel(pairs)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "lexicon.json").write_text(json.dumps(lexicon, ensure_ascii=False, indent=0) + "\n", "utf-8")
    with gzip.GzipFile(out_dir / "lm.json.gz", "wb", mtime=0) as handle:  # mtime=0: byte-identical rebuilds
        handle.write(json.dumps(lm.to_json(), ensure_ascii=False).encode("utf-8"))
    channel = {"confusions": confusions, "char_map": char_map}
    (out_dir / "channel.json").write_text(json.dumps(channel, ensure_ascii=False, indent=0) + "\n", "utf-8")
    params_path = out_dir / "params.json"
    if not params_path.exists():
        params_path.write_text(Params().model_dump_json(indent=2) + "\n", "utf-8")
    stats = {
        "seconds": round(time.perf_counter() - started, 1),
        "lexicon_syllables": sum(map(len, lexicon.values())),
        "lexicon_keys": len(lexicon),
        "sources": source_counts,
        "lm_sentences": len(lm_sentences),
        "lm": {"unigrams": len(lm.unigrams), "bigrams": len(lm.bigrams), "trigrams": len(lm.trigrams)},
        "parallel_pages": len(pages),
        "parallel_pairs": len(pairs),
        "confusions": len(confusions),
        "char_map": char_map,
        "training_text_sha256": hashlib.sha256("\n".join(texts).encode()).hexdigest(),
    }
    (out_dir / "training-stats.json").write_text(
        json.dumps(stats, ensure_ascii=False, indent=2) + "\n", "utf-8"
    )
    return stats
