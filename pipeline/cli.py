"""The ``planscan`` command. Only ``ingest`` imports Prefect; every other command stays fast."""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import PlanscanError

if TYPE_CHECKING:
    from flows.local_api import LocalApi
    from pipeline.settings import Settings

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_WITH_FAILURES = 3  # the batch finished, but some documents are partial or failed
EXIT_ENVIRONMENT = 4  # a required program or language pack is missing


def _add_ingest(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ingest", help="ingest files and folders through the Prefect flow")
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument(
        "-o", "--output", type=Path, default=Path("outputs"), help="output folder (default outputs/)"
    )
    p.add_argument("--workers", type=int, default=None, help="parallel Tesseract processes (default: cores)")
    p.add_argument("--dpi", type=int, default=300)
    p.add_argument(
        "--page-timeout", type=float, default=180.0, help="seconds per page for each external program"
    )
    p.add_argument("--no-progress", action="store_true")
    p.add_argument(
        "--export",
        default="",
        metavar="KINDS",
        help="also write archival outputs per document: any of pdf,alto,hocr,events (see planscan export)",
    )
    p.add_argument("--bag", action="store_true", help="make each exported document a BagIt bag (sha256)")
    dask = p.add_mutually_exclusive_group()
    dask.add_argument(
        "--dask-address",
        default=None,
        metavar="tcp://HOST:PORT",
        help="run the page tasks on this existing Dask cluster (workers must see the inputs and -o)",
    )
    dask.add_argument(
        "--dask-local", type=int, default=None, metavar="N", help="start a local Dask cluster of N processes"
    )


def _add_extract(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("extract", help="run the pipeline on one file without Prefect and print its JSON")
    p.add_argument("file", type=Path)
    p.add_argument("-o", "--output", type=Path, default=None, help="write the JSON here instead of stdout")
    p.add_argument("--dpi", type=int, default=300)
    p.add_argument("--no-words", action="store_true", help="leave word boxes out of the printed JSON")


def _add_synth(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("synth", help="render marked-up documents into realistic scans with ground truth")
    p.add_argument("inputs", nargs="+", type=Path, help="marked-up .txt documents (see corpus/README.md)")
    p.add_argument("-o", "--output", type=Path, required=True)
    p.add_argument("--dpi", type=int, default=200)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--formats", default="pdf", help="comma-separated: pdf,png,tiff")
    p.add_argument("--clean", action="store_true", help="no degradation (no skew, noise, blur or seal)")
    p.add_argument(
        "--truth-dir",
        type=Path,
        default=None,
        help="put the <name>.truth.json files here (default: with the scans)",
    )


def _add_schema(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("schema", help="print the JSON Schema of the output")
    p.add_argument("-o", "--output", type=Path, default=None)


def _add_models(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("models", help="list the model artefacts and verify their sha256 against the manifest")
    p.add_argument("--refresh", action="store_true", help="rewrite models/manifest.json from the files")


def _add_bench(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="benchmarks: numbers for notes, not pass/fail tests")
    which = p.add_subparsers(dest="bench", required=True)
    scans = which.add_parser(
        "scans", help="OCR error rates, header accuracy and speed on generated corpus scans"
    )
    scans.add_argument("--dpi", type=int, default=200)
    scans.add_argument("--seed", type=int, default=7)
    restore = which.add_parser(
        "restore", help="diacritic restoration: WER/CER vs raw input and pyvi on the seeds"
    )
    restore.add_argument("--workers", type=int, default=None)
    extract = which.add_parser(
        "extract", help="field extraction: exact-match and P/R/F1 against the gold for seeds and corpus"
    )
    extract.add_argument("--verbose", action="store_true", help="per-document counts and header misses")
    extract.add_argument(
        "--realscans", action="store_true", help="also OCR ../shared/scans/real and score their header gold"
    )
    extract.add_argument("--workers", type=int, default=None)
    real = which.add_parser(
        "realscans",
        help="header fields of ../shared/scans/real against the team's gold, with confident-wrong counts, "
        "and body CER of its born-digital PDFs rendered and OCR'd",
    )
    real.add_argument("--verbose", action="store_true", help="per-document header misses")
    real.add_argument("--workers", type=int, default=None)
    ingest = which.add_parser(
        "ingest", help="end-to-end ingest time vs raw Tesseract and OCRmyPDF on rendered corpus scans"
    )
    ingest.add_argument("--copies", type=int, default=3, help="renders of the 17-page corpus (default 3)")
    ingest.add_argument("--workers", type=int, default=None)
    query = which.add_parser("query", help="index build and query times on generated result files")
    query.add_argument("-n", "--n", type=int, default=1000, help="number of generated documents")


def _add_restore(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("restore", help="restore diacritics in garbled or de-accented Vietnamese text")
    p.add_argument("file", nargs="?", default="-", help="text file, or - for standard input")
    p.add_argument("--force", action="store_true", help="restore even text that already reads as Vietnamese")
    p.add_argument("--stats", action="store_true", help="print what was done to standard error")


def _add_train(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="rebuild trained artefacts in models/")
    which = p.add_subparsers(dest="model", required=True)
    restorer = which.add_parser("restorer", help="lexicon, language model and OCR channel of the restorer")
    restorer.add_argument("--workers", type=int, default=None)
    which.add_parser("digits", help="the handwritten-digit classifier of the number's second reading")


def add_audit_parser(sub: argparse._SubParsersAction) -> None:
    from pipeline.audit.command import add_parser

    add_parser(sub)


def add_query_parsers(sub: argparse._SubParsersAction) -> None:
    from pipeline.query import command

    command.add_parsers(sub)


def cmd_query(args: argparse.Namespace) -> int:
    from pipeline.query import command

    return command.run_query(args)


def cmd_compare(args: argparse.Namespace) -> int:
    from pipeline.query import command

    return command.run_compare(args)


def cmd_chart(args: argparse.Namespace) -> int:
    from pipeline.query import command

    return command.run_chart(args)


def add_export_parsers(sub: argparse._SubParsersAction) -> None:
    from pipeline.export.command import add_parser

    add_parser(sub)


def cmd_export(args: argparse.Namespace) -> int:
    from pipeline.export.command import run

    return run(args)


def cmd_audit(args: argparse.Namespace) -> int:
    from pipeline.audit.command import run

    return run(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="planscan", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    _add_ingest(sub)
    _add_extract(sub)
    _add_synth(sub)
    _add_schema(sub)
    _add_models(sub)
    _add_bench(sub)
    _add_restore(sub)
    _add_train(sub)
    add_audit_parser(sub)
    add_query_parsers(sub)
    add_export_parsers(sub)
    return parser


def _watch_progress(out_dir: Path, total: int, offset: int, stop: threading.Event) -> None:
    """Follow the manifest while the flow runs (the flow itself knows nothing of the terminal): documents
    and pages done, failures and an ETA, on standard error."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn

    from pipeline.ledger import LedgerTally, read_ledger_from

    tally = LedgerTally()
    started = time.monotonic()
    columns = (TextColumn("ingesting"), BarColumn(), TextColumn("{task.fields[detail]}"))
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        bar = progress.add_task("docs", total=max(total, 1), detail="")
        while True:
            entries, offset = read_ledger_from(out_dir, offset)
            tally.add(entries)
            detail = tally.describe(total, time.monotonic() - started)
            progress.update(bar, completed=min(tally.docs, total), detail=detail)
            if stop.wait(0.5):
                break


def cmd_ingest(args: argparse.Namespace) -> int:
    unknown = {k.strip() for k in args.export.split(",") if k.strip()} - {"pdf", "alto", "hocr", "events"}
    if unknown:
        print(
            f"planscan: --export knows pdf, alto, hocr, events, not {', '.join(sorted(unknown))}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    from pipeline import tools
    from pipeline.load import walk_files
    from pipeline.settings import Settings

    if args.dask_local is not None and args.dask_local < 1:
        print("planscan: --dask-local needs at least 1 worker", file=sys.stderr)
        return EXIT_USAGE
    settings = Settings(
        dpi=args.dpi, page_timeout_s=args.page_timeout, **({"workers": args.workers} if args.workers else {})
    )
    tools.require_tesseract(settings.lang)
    # Only counted here (no hashing): the flow identifies every file itself.
    total = sum(1 for root in args.paths if root.exists() for _ in walk_files(root))
    from flows.local_api import local_prefect_api

    with local_prefect_api() as api:  # boots while Prefect is imported and the batch is planned
        return _ingest_with(args, settings, total, api)


def _ingest_with(args: argparse.Namespace, settings: Settings, total: int, api: LocalApi | None) -> int:
    from flows.ingest import run_ingest  # Prefect is imported here only
    from pipeline.ledger import LedgerTally, ledger_size, read_ledger_from

    args.output.mkdir(parents=True, exist_ok=True)
    offset = ledger_size(args.output)  # this run's manifest lines start here
    stop = threading.Event()
    watcher = None
    if not args.no_progress and sys.stderr.isatty():
        watcher = threading.Thread(
            target=_watch_progress, args=(args.output, total, offset, stop), daemon=True
        )
        watcher.start()
    t0 = time.perf_counter()
    try:
        summary = run_ingest(
            list(args.paths),
            args.output,
            settings,
            dask_address=args.dask_address,
            dask_local=args.dask_local,
            api=api,
        )
    finally:
        stop.set()
        if watcher:
            watcher.join()
    elapsed = time.perf_counter() - t0
    tally = LedgerTally()
    tally.add(read_ledger_from(args.output, offset)[0])
    rate = f", {summary.pages / elapsed:.2f} pages/s" if summary.pages and elapsed > 0 else ""
    print(
        f"{len(summary.outputs)} documents ({summary.pages} pages) in {elapsed:.1f} s{rate}: "
        f"{summary.ok} ok, {summary.partial} partial, {summary.failed} failed, "
        f"{summary.skipped} already done "
        f"-> {args.output}/",
        file=sys.stderr,
    )
    for entry in tally.failures[:10]:
        print(f"  {entry.status}: {entry.path}: {entry.reason}", file=sys.stderr)
    if len(tally.failures) > 10:
        print(f"  … {len(tally.failures) - 10} more", file=sys.stderr)
    if tally.failures or summary.skipped_not_ok:
        print(f"  every input and its reason: {args.output / 'manifest.jsonl'}", file=sys.stderr)
    failures = summary.partial + summary.failed + summary.skipped_not_ok
    exported = _export_after_ingest(args, [Path(p).stem for p in summary.outputs])
    return EXIT_OK if failures == 0 and exported == EXIT_OK else EXIT_WITH_FAILURES


def _export_after_ingest(args: argparse.Namespace, doc_ids: list[str]) -> int:
    """``--export``/``--bag``: the archival outputs of this run's documents, as ``planscan export`` writes."""
    if not (args.export or args.bag) or not doc_ids:
        return EXIT_OK
    from pipeline.export.command import run_export

    kinds = {k.strip() for k in args.export.split(",") if k.strip()}
    options = {kind: kind in kinds for kind in ("pdf", "alto", "hocr", "events")}
    if not any(options.values()):
        options["events"] = True  # a bag alone still records how each document was made
    export_args = argparse.Namespace(
        outputs=args.output,
        to=None,
        doc_ids=doc_ids,
        dpi=args.dpi,
        page_timeout=args.page_timeout,
        bag=args.bag,
        copy_inputs=False,
        **options,
    )
    return run_export(export_args)


def cmd_extract(args: argparse.Namespace) -> int:
    from pipeline.document import process_document
    from pipeline.settings import Settings
    from pipeline.store import atomic_write_text, to_json

    result = process_document(args.file, Settings(dpi=args.dpi))
    if args.no_words:
        for page in result.pages:
            page.words = []
    text = to_json(result)
    if args.output:
        atomic_write_text(args.output, text)
    else:
        sys.stdout.write(text)
    return EXIT_OK if result.status == "ok" else EXIT_WITH_FAILURES


def cmd_synth(args: argparse.Namespace) -> int:
    from pipeline.synth import DegradeConfig, synthesise

    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    config = (
        DegradeConfig(skew_max_deg=0, blur=0, noise=0, jpeg_quality=None, seal=False, background=False)
        if args.clean
        else None
    )
    for i, path in enumerate(args.inputs):
        markup = path.read_text(encoding="utf-8")
        stem = args.output / path.stem
        result = synthesise(markup, stem, dpi=args.dpi, seed=args.seed + i, config=config, formats=formats)
        if args.truth_dir:
            # Keeps the scan folder ingestible as it is: only documents in it, no sidecar files.
            args.truth_dir.mkdir(parents=True, exist_ok=True)
            truth = stem.with_name(f"{path.stem}.truth.json")
            truth.replace(args.truth_dir / truth.name)
        print(f"{path.name}: {len(result.pages)} pages -> {stem}.*", file=sys.stderr)
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from pipeline.schema import schema_text

    if args.output:
        args.output.write_text(schema_text(), encoding="utf-8")
    else:
        sys.stdout.write(schema_text())
    return EXIT_OK


def cmd_models(args: argparse.Namespace) -> int:
    from pipeline.artefacts import DESCRIBED, load_manifest, refresh_manifest, verify_manifest

    if args.refresh:
        refresh_manifest(DESCRIBED)
    bad = set(verify_manifest())
    for artefact in load_manifest():
        state = "CHANGED" if artefact.name in bad else "ok"
        size = f"{artefact.size_bytes:>10,} B"
        print(f"{artefact.name:24} {artefact.sha256[:12]}  {size}  {state}  {artefact.path}")
    return EXIT_OK if not bad else EXIT_WITH_FAILURES


def cmd_bench(args: argparse.Namespace) -> int:
    if args.bench == "ingest":
        from pipeline.bench import ingest_bench

        bench = ingest_bench.run(copies=args.copies, workers=args.workers or os.cpu_count() or 1)
        print(ingest_bench.report(bench))
        return EXIT_OK
    if args.bench == "query":
        from pipeline.query import command

        print(command.bench_query(args.n))
        return EXIT_OK
    if args.bench == "extract":
        from pipeline.bench import extract_bench

        groups, seconds = extract_bench.run(args.realscans, args.workers or os.cpu_count() or 1)
        print(extract_bench.report(groups, seconds, verbose=args.verbose))
        return EXIT_OK
    if args.bench == "realscans":
        from pipeline.bench import born_digital, extract_bench

        groups, seconds = extract_bench.run(workers=args.workers or os.cpu_count() or 1, only_realscans=True)
        print(extract_bench.report(groups, seconds, verbose=args.verbose, title="realscans"))
        pdfs = born_digital.born_digital(sorted(extract_bench.REAL_SCANS.glob("*.pdf")))
        print("\n".join(born_digital.report([s for pdf in pdfs for s in born_digital.score(pdf)])))
        return EXIT_OK
    if args.bench == "restore":
        from pipeline.bench import restore_bench

        rows, stats = restore_bench.run(workers=args.workers or os.cpu_count() or 1)
        print(restore_bench.report(rows, stats))
        return EXIT_OK
    from pipeline.bench import corpus_scans

    print(corpus_scans.report(corpus_scans.run(dpi=args.dpi, seed=args.seed)))
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from pipeline.restore import restore_text
    from pipeline.textnorm import normalize_text

    raw = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
    result = restore_text(normalize_text(raw), force=args.force)
    sys.stdout.write(result.text)
    if args.stats:
        print(
            f"{result.mode}: {result.changed} of {result.words} words changed "
            f"(valid syllables before: {result.valid_share:.1%})",
            file=sys.stderr,
        )
    return EXIT_OK


def cmd_train(args: argparse.Namespace) -> int:
    import json

    from pipeline.artefacts import DESCRIBED, refresh_manifest

    if args.model == "digits":
        from pipeline.digits_train import train_digits

        stats = train_digits()
    else:
        from pipeline.restore.train import train
        from pipeline.restore.tune import tune

        workers = args.workers or os.cpu_count() or 1
        stats = train(workers=workers)
        stats["tuning"] = tune(workers=workers)
    refresh_manifest(DESCRIBED)
    print(json.dumps(stats, ensure_ascii=False, indent=2))
    return EXIT_OK


COMMANDS = {
    "ingest": cmd_ingest,
    "extract": cmd_extract,
    "synth": cmd_synth,
    "schema": cmd_schema,
    "models": cmd_models,
    "bench": cmd_bench,
    "restore": cmd_restore,
    "train": cmd_train,
    "audit": cmd_audit,
    "query": cmd_query,
    "compare": cmd_compare,
    "chart": cmd_chart,
    "export": cmd_export,
    "verify-bag": cmd_export,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except PlanscanError as exc:
        print(f"planscan: {exc}", file=sys.stderr)
        return EXIT_ENVIRONMENT if exc.code.startswith("PS1") else EXIT_WITH_FAILURES


if __name__ == "__main__":
    sys.exit(main())
