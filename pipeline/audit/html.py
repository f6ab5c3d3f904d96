"""A printable HTML report: one page per plan, every string from a document escaped."""

from __future__ import annotations

from html import escape

from pipeline.audit.models import AuditResult, CheckResult
from pipeline.audit.render import BASIS_LABEL, STATUS_LABEL, counts_line, doc_label, relation_line, squash

_CSS = """
body { font-family: "DejaVu Serif", "Liberation Serif", serif; font-size: 11pt; margin: 1.5cm; color: #111; }
section.plan { break-after: page; page-break-after: always; }
section.plan:last-of-type { break-after: auto; page-break-after: auto; }
h1 { font-size: 15pt; margin: 0 0 .4em; }
h2 { font-size: 12pt; margin: 1.2em 0 .4em; }
table { border-collapse: collapse; width: 100%; margin: .4em 0; }
th, td { border: 1px solid #999; padding: 3px 5px; vertical-align: top; text-align: left; }
th { background: #eee; }
tr { break-inside: avoid; page-break-inside: avoid; }
.status { font-weight: bold; white-space: nowrap; }
.pass { color: #11621d; } .warn { color: #8a5a00; } .fail { color: #a40000; } .na { color: #666; }
blockquote { margin: .2em 0 .6em 1em; padding-left: .6em; border-left: 3px solid #bbb; }
.page { color: #555; font-size: 9pt; }
dl { display: grid; grid-template-columns: max-content auto; gap: 2px 12px; }
dt { font-weight: bold; }
"""


def _e(text: object) -> str:
    return escape(squash(str(text)), quote=True)


def _status(c: CheckResult) -> str:
    css = "na" if c.status == "n/a" else c.status
    return f'<span class="status {css}">{STATUS_LABEL[c.status]}</span>'


def _plan(r: AuditResult) -> str:
    d = r.document
    rows = [
        ("Reference", f"{r.reference} (data version {r.reference_version}): {r.reference_title}"),
        ("Plan", d.title or "title not read"),
        ("Issued by", f"{d.issuer or '?'}, {d.issued_date or 'date not read'}"),
        ("Document id", r.doc_id + (f" ({d.path})" if d.path else "")),
        ("Relation", relation_line(r)),
        ("Result", counts_line(r)),
    ]
    parts = [f'<section class="plan"><h1>Audit of {_e(doc_label(r))} against {_e(r.reference)}</h1>', "<dl>"]
    parts += [f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in rows]
    parts.append("</dl>")
    parts.append(
        "<h2>Checks</h2><table><tr><th>Status</th><th>Check</th><th>Basis</th>"
        "<th>Finding and evidence</th></tr>"
    )
    for c in r.checks:
        quotes = "".join(
            f'<blockquote><span class="page">p. {q.page}</span> {_e(q.quote)}</blockquote>'
            for q in c.evidence
        )
        parts.append(
            f"<tr><td>{_status(c)}</td><td>{_e(c.title)}</td><td>{_e(BASIS_LABEL[c.basis])}</td>"
            f"<td>{_e(c.explanation)}{quotes}</td></tr>"
        )
    parts.append("</table>")
    comparisons = [(c, cmp) for c in r.checks for cmp in c.comparisons]
    if comparisons:
        parts.append("<h2>Targets: national and local side by side</h2>")
        parts.append("<table><tr><th>Check</th><th>National</th><th>Local</th><th>Verdict</th></tr>")
        for c, cmp in comparisons:
            parts.append(
                f"<tr><td>{_e(c.title)}</td><td>{_e(cmp.national)}</td><td>{_e(cmp.local or '—')}</td>"
                f"<td>{_e(cmp.verdict)}</td></tr>"
            )
        parts.append("</table>")
    parts.append("</section>")
    return "\n".join(parts)


def render_html(results: list[AuditResult]) -> str:
    title = "Audit: " + ", ".join(doc_label(r) for r in results[:3]) + ("…" if len(results) > 3 else "")
    body = "\n".join(_plan(r) for r in results)
    return (
        '<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head>\n<body>\n{body}\n</body></html>\n"
    )
