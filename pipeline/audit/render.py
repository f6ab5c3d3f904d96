"""Plain renderings of audit results: a terminal table, JSON and a printable Markdown report."""

from __future__ import annotations

import json
import textwrap

from pipeline.audit.models import AuditResult, CheckResult

FORMATS = ("table", "json", "md", "html")
STATUS_LABEL = {"pass": "PASS", "warn": "WARN", "fail": "FAIL", "n/a": "n/a"}
BASIS_LABEL = {"verified": "verified", "expected_by_practice": "expected by practice"}


def squash(text: str) -> str:
    return " ".join(text.split())


def doc_label(r: AuditResult) -> str:
    d = r.document
    title = textwrap.shorten(squash(d.title), 90, placeholder=" …") if d.title else None
    return d.number or title or d.path or r.doc_id


def relation_line(r: AuditResult) -> str:
    via = f" via {', '.join(r.relation_via)}" if r.relation_via else ""
    return f"{r.relation}{via}"


def counts_line(r: AuditResult) -> str:
    return ", ".join(f"{n} {status}" for status, n in r.counts().items())


def render_json(results: list[AuditResult]) -> str:
    data = [r.model_dump(mode="json") for r in results]
    payload = data[0] if len(data) == 1 else data
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def render_table(results: list[AuditResult], width: int = 110) -> str:
    lines: list[str] = []
    for r in results:
        lines.append(f"{doc_label(r)}  [{r.doc_id}]  against {r.reference}")
        lines.append(f"  relation: {relation_line(r)}   ({counts_line(r)})")
        for c in r.checks:
            lines.append(f"  {STATUS_LABEL[c.status]:4}  {c.id:<28} {c.title}")
            body = textwrap.wrap(squash(c.explanation), width - 8)
            lines.extend(f"        {line}" for line in body)
            for q in c.evidence[:2]:
                quote = textwrap.shorten(squash(q.quote), width - 18, placeholder=" …")
                lines.append(f"        p.{q.page}: «{quote}»")
        lines.append("")
    return "\n".join(lines)


def _md(text: str) -> str:
    """Markdown-safe inline text: document strings are shown, never interpreted."""
    text = squash(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "\\`*_[]|#":
        text = text.replace(ch, "\\" + ch)
    return text


def _md_check_evidence(c: CheckResult) -> list[str]:
    out = [f"**{_md(c.title)}** ({STATUS_LABEL[c.status]}, {BASIS_LABEL[c.basis]})", ""]
    for q in c.evidence:
        out.append(f"> p. {q.page}: {_md(q.quote)}")
        out.append(">")
    if c.evidence:
        out.pop()
    out.append("")
    return out


def render_markdown(results: list[AuditResult]) -> str:
    out: list[str] = []
    for i, r in enumerate(results):
        if i:
            out += ['<div style="page-break-after: always"></div>', ""]
        d = r.document
        out += [f"# Audit of {_md(doc_label(r))} against {_md(r.reference)}", ""]
        out.append(
            f"- Reference: {_md(r.reference)} (data version {_md(r.reference_version)}): "
            f"{_md(r.reference_title)}"
        )
        if d.title:
            out.append(f"- Plan: {_md(d.title)}")
        if d.issuer or d.issued_date:
            out.append(f"- Issued by: {_md(d.issuer or '?')}, {_md(d.issued_date or 'date not read')}")
        out.append(f"- Document id: `{r.doc_id}`" + (f", file {_md(d.path)}" if d.path else ""))
        out.append(f"- Relation: **{_md(relation_line(r))}**")
        out.append(f"- Result: {counts_line(r)}")
        out += ["", "| Status | Check | Basis | Finding |", "|---|---|---|---|"]
        for c in r.checks:
            cells = [STATUS_LABEL[c.status], _md(c.title), BASIS_LABEL[c.basis], _md(c.explanation)]
            out.append("| " + " | ".join(cells) + " |")
        comparisons = [(c, cmp) for c in r.checks for cmp in c.comparisons]
        if comparisons:
            out += [
                "",
                "## Targets: national and local side by side",
                "",
                "| Check | National | Local | Verdict |",
                "|---|---|---|---|",
            ]
            for c, cmp in comparisons:
                out.append(
                    f"| {_md(c.title)} | {_md(cmp.national)} | {_md(cmp.local or '—')} | {cmp.verdict} |"
                )
        with_quotes = [c for c in r.checks if c.evidence]
        if with_quotes:
            out += ["", "## Evidence", ""]
            for c in with_quotes:
                out += _md_check_evidence(c)
        out.append("")
    return "\n".join(out)
