"""Plain reading-order text of the corpus markup (see corpus/README.md).

Consecutive two-column rows (``left || right``) read as the whole left column, then the whole right
column, as a person reads a header or a signature block; ``# `` titles and paragraphs read as written.
"""

from __future__ import annotations


def markup_to_text(markup: str) -> str:
    out: list[str] = []
    left: list[str] = []
    right: list[str] = []

    def flush() -> None:
        if left or right:
            out.extend(left)
            out.extend(right)
            out.append("")
            left.clear()
            right.clear()

    for raw in markup.splitlines():
        if " || " in f" {raw} " and "||" in raw:
            a, _, b = raw.partition("||")
            if a.strip():
                left.append(a.strip())
            if b.strip():
                right.append(b.strip())
            continue
        flush()
        line = raw.strip()
        out.append(line[2:].strip() if line.startswith("# ") else line)
    flush()
    return "\n".join(out).strip() + "\n"
