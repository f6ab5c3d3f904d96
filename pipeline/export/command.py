"""``planscan export`` and ``planscan verify-bag``: archival outputs for results that already exist.

Works from the result JSON files alone (no Prefect, no second OCR pass); the source file is read only for
the searchable PDF and the bag, and a missing source is reported per document, not fatal.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

from pydantic import ValidationError

from pipeline.export.document import KINDS, ExportReport, export_document
from pipeline.export.fixity import BagReport, verify_bag, write_bag
from pipeline.models import DocumentResult
from pipeline.settings import Settings
from pipeline.store import read_result

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_WITH_PROBLEMS = 3


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="searchable PDF, ALTO, hOCR, provenance events and a BagIt bag for existing results",
        description="Without a format option every format is written. Outputs go to <to>/<doc_id>/data/.",
    )
    p.add_argument("doc_ids", nargs="*", metavar="DOC_ID", help="doc_ids or their prefixes (default: all)")
    p.add_argument("--outputs", type=Path, default=Path("outputs"), help="results folder (default outputs/)")
    p.add_argument("--to", type=Path, default=None, help="export folder (default <outputs>/export)")
    p.add_argument("--pdf", action="store_true", help="searchable PDF (page images + invisible text)")
    p.add_argument("--alto", action="store_true", help="ALTO v4 XML, one file per page")
    p.add_argument("--hocr", action="store_true", help="hOCR, one file per document")
    p.add_argument("--events", action="store_true", help="provenance events (<doc_id>.events.json)")
    p.add_argument("--bag", action="store_true", help="make each document folder a BagIt bag (sha256)")
    p.add_argument(
        "--copy-inputs", action="store_true", help="put the source files in the bag instead of fetch.txt"
    )
    p.add_argument("--dpi", type=int, default=None, help="PDF rasterising dpi (default: as at ingest)")
    p.add_argument("--page-timeout", type=float, default=180.0)
    p.set_defaults(export_command="export")

    v = sub.add_parser("verify-bag", help="recompute the sha256 of every file in a bag (or a folder of bags)")
    v.add_argument("dir", type=Path)
    v.set_defaults(export_command="verify-bag")


def run(args: argparse.Namespace) -> int:
    if getattr(args, "export_command", "export") == "verify-bag":
        return run_verify(args.dir)
    return run_export(args)


def _select(outputs: Path, prefixes: list[str]) -> tuple[list[Path], list[str]]:
    """Result files for the given doc_id prefixes (all results when none), and prefixes that match none."""
    results = sorted(p for p in outputs.glob("*.json") if not p.name.startswith(".") and p.is_file())
    if not prefixes:
        return results, []
    chosen: list[Path] = []
    unmatched: list[str] = []
    for prefix in prefixes:
        hits = [p for p in results if p.name.startswith(prefix)]
        if not hits:
            unmatched.append(prefix)
        chosen += [p for p in hits if p not in chosen]
    return chosen, unmatched


def ingest_dpi(result: DocumentResult, default: int = 300) -> int:
    """The dpi pages were rasterised at, so that rebuilt page images match the recorded word boxes."""
    seen = Counter(p.dpi for p in result.pages if p.source == "ocr" and p.dpi)
    if not seen:
        return default
    return min(max(seen.most_common(1)[0][0], 72), 600)


def _print_report(report: ExportReport, bag: BagReport | None, out: Path) -> None:
    kinds = ", ".join(sorted(k for k in report.written if k != "result")) or "result only"
    print(f"{report.doc_id}  {kinds}  -> {report.folder}")
    for kind, reason in sorted(report.skipped.items()):
        print(f"  {kind}: not written ({reason})")
    for problem in report.problems:
        where = f" page {problem.page}" if problem.page else ""
        print(f"  [{problem.code}] {problem.stage}{where}: {problem.message}", file=sys.stderr)
    if bag is not None:
        print(f"  bag: {bag.checked} files checked, {'valid' if bag.ok else 'INVALID'}")


def run_export(args: argparse.Namespace) -> int:
    outputs: Path = args.outputs
    if not outputs.is_dir():
        print(f"planscan export: {outputs} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    kinds = {k for k in KINDS if getattr(args, k)} or set(KINDS)
    target: Path = args.to or outputs / "export"
    files, unmatched = _select(outputs, list(args.doc_ids))
    for prefix in unmatched:
        print(f"planscan export: no result matches {prefix!r} in {outputs}", file=sys.stderr)
    if not files:
        print(f"planscan export: no results to export in {outputs}", file=sys.stderr)
        return EXIT_USAGE
    trouble = bool(unmatched)
    with tempfile.TemporaryDirectory(prefix="planscan-export-") as work:
        for path in files:
            try:
                result = read_result(path)
            except (ValidationError, ValueError, OSError) as exc:
                print(f"planscan export: {path.name} is not a planscan result: {exc}", file=sys.stderr)
                trouble = True
                continue
            settings = Settings(dpi=args.dpi or ingest_dpi(result), page_timeout_s=args.page_timeout)
            source = Path(result.source.path)
            report = export_document(result, source, target, kinds, Path(work), settings)
            bag = None
            if args.bag:
                inputs = [source] if source.is_file() else []
                if not inputs:
                    print(f"  source {source} is missing: the bag lists outputs only", file=sys.stderr)
                    trouble = True
                write_bag(
                    report.folder,
                    inputs,
                    copy_inputs=args.copy_inputs,
                    info={"External-Identifier": result.doc_id},
                )
                bag = verify_bag(report.folder)
            _print_report(report, bag, target)
            trouble = trouble or not report.ok or (bag is not None and not bag.ok)
    return EXIT_WITH_PROBLEMS if trouble else EXIT_OK


def _bags(root: Path) -> list[Path]:
    if (root / "bagit.txt").is_file():
        return [root]
    return sorted(p.parent for p in root.glob("*/bagit.txt"))


def run_verify(root: Path) -> int:
    bags = _bags(root)
    if not bags:
        print(f"planscan verify-bag: no bag (bagit.txt) in {root} or its sub-folders", file=sys.stderr)
        return EXIT_USAGE
    bad = 0
    for bag in bags:
        report = verify_bag(bag)
        print(f"{bag}: {report.checked} files checked, {'valid' if report.ok else 'INVALID'}")
        for label, items in (
            ("changed", report.mismatched),
            ("missing", report.missing),
            ("not in the manifest", report.unlisted),
            ("problem", report.problems),
        ):
            for item in items:
                print(f"  {label}: {item}")
        bad += not report.ok
    return EXIT_WITH_PROBLEMS if bad else EXIT_OK
