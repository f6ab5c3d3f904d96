"""``planscan audit``: check plans against a national reference and print or write a report.

A DOC is a planscan result JSON, or any input planscan reads (it is extracted on the fly).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pydantic import ValidationError

from pipeline.audit.models import AuditResult
from pipeline.audit.reference import DEFAULT_REFERENCE, ReferenceError, get_reference, load_references
from pipeline.audit.render import FORMATS, render_json, render_markdown, render_table
from pipeline.errors import PlanscanError
from pipeline.models import DocumentResult

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_UNREADABLE = 3


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help="check plans against a national reference such as 666/QĐ-TTg")
    p.add_argument("docs", nargs="+", type=Path, metavar="DOC", help="planscan JSON or any input file")
    p.add_argument(
        "--reference", default=DEFAULT_REFERENCE, help=f"reference id (default {DEFAULT_REFERENCE})"
    )
    p.add_argument("--format", choices=FORMATS, default="table")
    p.add_argument("-o", "--output", type=Path, default=None, help="write the report here instead of stdout")


class Unreadable(Exception):
    pass


def _looks_like_result(path: Path) -> bool:
    if path.suffix.lower() != ".json":
        return False
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:4096]
    except OSError:
        return False
    return '"doc_id"' in head and '"pages"' in head


def load_document(path: Path) -> DocumentResult:
    """A planscan result as saved, or the pipeline's result for any other input."""
    if not path.is_file():
        raise Unreadable(f"{path}: no such file")
    if _looks_like_result(path):
        try:
            return DocumentResult.model_validate(json.loads(path.read_text(encoding="utf-8")))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise Unreadable(f"{path}: not a valid planscan result: {exc}") from exc
    from pipeline.document import process_document  # the pipeline is only needed for raw inputs
    from pipeline.settings import Settings

    try:
        doc = process_document(path, Settings())
    except PlanscanError as exc:
        raise Unreadable(f"{path}: {exc}") from exc
    if doc.status == "failed":
        reasons = "; ".join(f"[{e.code}] {e.message}" for e in doc.errors) or "no text"
        raise Unreadable(f"{path}: could not be read: {reasons}")
    return doc


def render(results: list[AuditResult], fmt: str) -> str:
    if fmt == "json":
        return render_json(results)
    if fmt == "md":
        return render_markdown(results)
    if fmt == "html":
        from pipeline.audit.html import render_html

        return render_html(results)
    return render_table(results)


def run(args: argparse.Namespace) -> int:
    from pipeline.audit.engine import audit_with  # the checks load spaCy: not needed to build the parser

    try:
        reference = get_reference(args.reference)
        known = load_references()
    except ReferenceError as exc:
        print(f"planscan audit: {exc}", file=sys.stderr)
        return EXIT_USAGE
    results: list[AuditResult] = []
    unreadable = 0
    for path in args.docs:
        try:
            doc = load_document(path)
        except Unreadable as exc:
            print(f"planscan audit: {exc}", file=sys.stderr)
            unreadable += 1
            continue
        if doc.status == "partial":
            print(f"planscan audit: {path}: some pages failed; auditing what was read", file=sys.stderr)
        results.append(audit_with(doc, reference, known))
    if results:
        text = render(results, args.format)
        if args.output:
            from pipeline.store import atomic_write_text

            atomic_write_text(args.output, text)
        else:
            sys.stdout.write(text)
    return EXIT_UNREADABLE if unreadable else EXIT_OK
