"""Split text into pieces that the restorer may respell and pieces it must keep byte for byte.

Whitespace, punctuation, numbers, document symbols (562/KH-MTTW-BTT), e-mail and web addresses and
abbreviations are kept; word tokens are candidates, and so is a lone "@" (a misread "ở"). Joining the
pieces back gives the input exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A word may carry OCR debris that stands for letters ("s6" số, "1a" là, "x4" xã, "[én" lên, "ctia" của).
# Symbols like ¢ @ € ¥ are read for letters too ("tro¢" trợ); glued to a word they belong to it.
_WORD = re.compile(r"[^\W_](?:[^\W_]|[¢@€¥]|[\[|!{}](?=[^\W\d_]))*|[\[|](?=[^\W\d_])(?:[^\W_])+", re.UNICODE)
_SYMBOL_CHUNK = re.compile(r"\S*\d\S*/\S+|\S+/\S*\d\S*|\S*[A-ZĐ]{2,}\S*/\S*|\S*/\S*[A-ZĐ]{2,}\S*")
_NUMBER = re.compile(r"^[\d.,/%-]+$")
_LONE_AT = re.compile(r"^@[.,;:]*$")
_ADDRESS = re.compile(r"[^\s@]+@[^\s@]+\.[a-z]{2,}|https?://|www\.", re.IGNORECASE)  # e-mail, web address


@dataclass
class Piece:
    text: str
    kind: str  # "word", "symbol", "number", "other"


def split(text: str) -> list[Piece]:
    pieces: list[Piece] = []
    for chunk in re.split(r"(\s+)", text):
        if not chunk:
            continue
        if chunk.isspace():
            pieces.append(Piece(chunk, "other"))
        elif _SYMBOL_CHUNK.fullmatch(chunk.strip(".,;:()[]\"'“”")) and "/" in chunk:
            pieces.append(Piece(chunk, "symbol"))
        elif _ADDRESS.search(chunk):
            pieces.append(Piece(chunk, "other"))
        elif _LONE_AT.match(chunk):  # "@" alone is a misread "ở"; inside an address it is part of a word
            pieces.append(Piece("@", "word"))
            if len(chunk) > 1:
                pieces.append(Piece(chunk[1:], "other"))
        else:
            pieces.extend(_split_chunk(chunk))
    return pieces


def _split_chunk(chunk: str) -> list[Piece]:
    out: list[Piece] = []
    at = 0
    for match in _WORD.finditer(chunk):
        if match.start() > at:
            out.append(Piece(chunk[at : match.start()], "other"))
        word = match.group(0)
        out.append(Piece(word, "number" if _NUMBER.match(word) else "word"))
        at = match.end()
    if at < len(chunk):
        out.append(Piece(chunk[at:], "other"))
    return out


def join(pieces: list[Piece]) -> str:
    return "".join(p.text for p in pieces)
