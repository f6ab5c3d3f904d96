"""Restore Vietnamese diacritics and repair legacy OCR text, keeping lines, tokens and punctuation.

Only word spellings change: whitespace, punctuation, numbers, abbreviations and document symbols come
out as they went in (symbols get their đ back: QD -> QĐ, LDTBXH -> LĐTBXH).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from pydantic import BaseModel

from pipeline.gazetteer import load_gazetteer
from pipeline.restore.corpus_io import SENTENCE_END
from pipeline.restore.model import Restorer, load_restorer
from pipeline.restore.syllables import apply_case, canonical, case_pattern, has_syllable_shape, key
from pipeline.restore.tokens import Piece, join, split
from pipeline.rules import load_rules


class RestoreResult(BaseModel):
    text: str
    mode: str  # "restored" or "unchanged"
    valid_share: float  # share of words that were valid syllables before restoration
    words: int
    changed: int


@lru_cache(maxsize=1)
def default_restorer() -> Restorer:
    return load_restorer()


def _is_protected(token: str, restorer: Restorer) -> bool:
    """Abbreviations and names that are not Vietnamese syllables (MTTQ, UBND, NTM, KBang) stay as written."""
    if len(token) == 1 and token.isalpha() and not restorer.is_valid(token):
        return True  # a list letter ("b)", "đ)") or an initial: one letter is no evidence for a syllable
    if (
        token.isupper()
        and len(token) >= 2
        and not has_syllable_shape(token)
        and not any(c.isdigit() for c in token)
    ):
        return restorer.normal_key(token) not in restorer.lexicon
    # A capitalised place name that is no Vietnamese syllable ("Kbang", "Ayun Pa") is not a garble.
    if token[:1].isupper() and not has_syllable_shape(token):
        gazetteer = load_gazetteer()
        return gazetteer.place(token) is not None or bool(gazetteer.district(token))
    return False


def _fix_symbol(symbol: str) -> str:
    fixes: dict[str, str] = load_rules("header")["symbol_spelling_fixes"]
    return re.sub(r"[A-Za-z]+", lambda m: fixes.get(m.group(0), m.group(0)), symbol)


def _offsets(pieces: list[Piece]) -> list[int]:
    out, at = [], 0
    for piece in pieces:
        out.append(at)
        at += len(piece.text)
    return out


def _channel_score(restorer: Restorer, observed: str, syllable: str) -> float:
    return dict(restorer.candidates(observed)).get(syllable, float("-inf"))


def valid_share(pieces: list[Piece], restorer: Restorer) -> float:
    words = [p.text for p in pieces if p.kind == "word" and not _is_protected(p.text, restorer)]
    if not words:
        return 1.0
    return sum(restorer.is_valid(w) for w in words) / len(words)


def restore_text(
    text: str,
    restorer: Restorer | None = None,
    *,
    force: bool = False,
    editable: Callable[[int, int], bool] | None = None,
    min_channel: float | None = None,
) -> RestoreResult:
    """Restore a garbled or de-accented text; text that already reads as Vietnamese is returned as is.

    ``editable(start, end)`` limits changes to some words (the others are fixed context); ``min_channel``
    keeps a word unless its new spelling is a likely misreading (learned confusion or same base letters).
    """
    restorer = restorer or default_restorer()
    pieces = split(text)
    share = valid_share(pieces, restorer)
    words = [p for p in pieces if p.kind == "word"]
    if not force and share >= restorer.params.garbled_below:
        return RestoreResult(
            text=text, mode="unchanged", valid_share=round(share, 4), words=len(words), changed=0
        )
    changed = 0
    segment: list[tuple[int, str | tuple[str, ...]]] = []

    def flush() -> None:
        nonlocal changed
        if not any(isinstance(item, tuple) for _, item in segment):
            segment.clear()  # nothing here may change: the decoder would only confirm the context
            return
        best = restorer.decode([item for _, item in segment])
        for (index, item), syllable in zip(segment, best, strict=True):
            if isinstance(item, tuple):
                original = pieces[index].text
                if min_channel is not None and _channel_score(restorer, original, syllable) < min_channel:
                    continue
                respelled = apply_case(syllable, case_pattern(original))
                if respelled != original:
                    pieces[index] = Piece(respelled, "word")
                    changed += 1
        segment.clear()

    offsets = _offsets(pieces)
    for index, piece in enumerate(pieces):
        if piece.kind == "word":
            frozen = editable is not None and not editable(offsets[index], offsets[index] + len(piece.text))
            if frozen:
                segment.append((index, canonical(piece.text)))
            elif _is_protected(piece.text, restorer):
                segment.append((index, piece.text.lower()))
            else:
                segment.append((index, (piece.text,)))
        elif piece.kind == "number":
            # In legacy text a lone "6" is more often "ở" than six; the language model weighs both. OCR
            # correction (``editable``) never touches numbers: Tesseract's vie model does not make that slip.
            ambiguous = editable is None and restorer.may_be_letters(piece.text)
            segment.append((index, (piece.text,) if ambiguous else "<num>"))
        elif piece.kind == "symbol":
            fixed = _fix_symbol(piece.text)
            if fixed != piece.text:
                pieces[index] = Piece(fixed, "symbol")
                changed += 1
            segment.append((index, "<sym>"))
        elif SENTENCE_END.search(piece.text):
            flush()
    flush()
    return RestoreResult(
        text=join(pieces), mode="restored", valid_share=round(share, 4), words=len(words), changed=changed
    )


__all__ = ["RestoreResult", "Restorer", "canonical", "default_restorer", "key", "restore_text"]
