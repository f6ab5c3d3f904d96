"""Bad inputs built on the spot: each one ends with a status and a reason, in its JSON and in the manifest,
and the batch goes on. The library is exercised directly (fast); the flow once, for its exit code."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader, PdfWriter

from pipeline import batch
from pipeline.document import process_page
from pipeline.ledger import LEDGER_NAME, read_ledger, record
from pipeline.settings import Settings
from pipeline.store import owner_tag, read_result, result_path
from tests.conftest import needs_ocr

LINES = ["KẾ HOẠCH", "Thực hiện phong trào thi đua", "Ủy ban nhân dân tỉnh Thái Bình", "năm 2023"]


def _text_image(lines: list[str] = LINES, size: tuple[int, int] = (1240, 900)) -> Image.Image:
    image = Image.new("L", size, 255)
    font = ImageFont.truetype("DejaVuSerif.ttf", 44)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((80, 120 + 110 * i), line, font=font, fill=0)
    return image


def _blank_pdf(path: Path, pages: int) -> Path:
    images = [Image.new("RGB", (850, 1100), "white") for _ in range(pages)]
    images[0].save(path, save_all=True, append_images=images[1:], resolution=100)
    return path


def _bad_inputs(root: Path) -> dict[str, tuple[str, str]]:
    """Write the bad inputs under ``root``; return file name -> (expected status, expected first code)."""
    root.mkdir(parents=True)
    (root / "empty.pdf").write_bytes(b"")
    good = _blank_pdf(root.parent / "good.pdf", 1)
    (root / "truncated.pdf").write_bytes(good.read_bytes()[:300])
    writer = PdfWriter(clone_from=PdfReader(good))
    writer.encrypt(user_password="secret", owner_password="owner")
    with (root / "locked.pdf").open("wb") as handle:
        writer.write(handle)
    (root / "fake.pdf").write_text("this is a letter, not a PDF")
    Image.new("1", (12000, 9000), 1).save(root / "huge.png")  # 108 MP, tiny on disk
    small, huge = Image.new("L", (100, 100), 255), Image.new("1", (12000, 9000), 1)
    small.save(root / "mixed.tif", save_all=True, append_images=[huge])  # frame 2 is over the limit
    _blank_pdf(root / "blank.pdf", 2)
    Image.new("RGB", (1, 1), "white").save(root / "dot.png")
    english = "The committee approved the annual plan for the district schools and will report. "
    (root / "english.txt").write_text(english * 6, encoding="utf-8")
    (root / "legacy.txt").write_bytes(bytes(range(128, 256)) * 4)
    return {
        "empty.pdf": ("failed", "PS202"),
        "truncated.pdf": ("failed", "PS203"),
        "locked.pdf": ("failed", "PS204"),
        "fake.pdf": ("failed", "PS201"),
        "huge.png": ("failed", "PS206"),
        "mixed.tif": ("failed", "PS206"),
        "blank.pdf": ("failed", "PS301"),
        "dot.png": ("failed", "PS301"),
        "english.txt": ("partial", "PS303"),
        "legacy.txt": ("failed", "PS207"),
    }


def _run_batch(inputs: list[Path], out: Path, settings: Settings) -> batch.BatchSummary:
    """What the flow does, sequentially and without Prefect."""
    plan = batch.plan_batch(inputs, out, settings)
    outputs = list(plan.written)
    with batch.work_directory(out) as work:
        for doc, pages in plan.todo:
            started = dt.datetime.now(dt.UTC)
            outcomes = [process_page(doc, n, work, settings) for n in range(1, pages + 1)]
            outputs.append(
                str(batch.finish_document(doc, outcomes, started_at=started, settings=settings, out_dir=out))
            )
    batch.record_duplicates(plan, out)
    return batch.summarise(outputs, skipped=plan.skipped)


def _by_name(out: Path) -> dict[str, dict]:  # type: ignore[type-arg]
    results = {}
    for path in out.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        results[Path(data["source"]["path"]).name] = data
    return results


@needs_ocr
def test_every_bad_input_ends_with_a_status_and_a_reason(tmp_path: Path) -> None:
    expected = _bad_inputs(tmp_path / "in")
    (tmp_path / "in" / "zz-copy-of-english.txt").write_bytes((tmp_path / "in" / "english.txt").read_bytes())
    out = tmp_path / "out"
    summary = _run_batch([tmp_path / "in"], out, Settings(workers=1))

    assert (summary.ok, summary.partial, summary.failed) == (0, 1, 9)
    results = _by_name(out)
    assert set(results) >= set(expected)
    for name, (status, code) in expected.items():
        data = results[name]
        assert data["status"] == status, name
        assert data["errors"] and data["errors"][0]["code"] == code, (name, data["errors"])
        assert all(e["message"] and e["remedy"] for e in data["errors"]), name
    assert results["mixed.tif"]["errors"][0]["page"] == 2  # refused per frame, before decoding it
    english = results["english.txt"]["pages"][0]
    assert english["text"].startswith("The committee approved"), "another language is never 'restored'"

    ledger = {Path(e.path).name: e for e in read_ledger(out)}
    assert set(ledger) == {*expected, "zz-copy-of-english.txt"}, "every input has its line in the manifest"
    for name, (status, code) in expected.items():
        assert ledger[name].status == status and ledger[name].reason.startswith(code), name
    copy = ledger["zz-copy-of-english.txt"]
    assert copy.status == "skipped" and "same content as" in (copy.reason or "")
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "no scratch may be left behind"


@needs_ocr
@pytest.mark.parametrize("angle", [90, 180])
def test_rotated_pages_are_read_upright(tmp_path: Path, angle: int) -> None:
    scan = tmp_path / f"turned{angle}.png"
    _text_image().rotate(angle, expand=True).save(scan, dpi=(150, 150))
    out = tmp_path / "out"
    summary = _run_batch([scan], out, Settings(workers=1))
    assert summary.ok == 1
    page = _by_name(out)[scan.name]["pages"][0]
    assert page["rotation"] % 360 != 0
    assert "Thái Bình" in page["text"] and "phong trào" in page["text"]


@needs_ocr
def test_a_hanging_tesseract_is_stopped_and_the_batch_goes_on(tmp_path: Path) -> None:
    scans = tmp_path / "in"
    scans.mkdir()
    _text_image().save(scans / "slow.png", dpi=(150, 150))
    (scans / "note.txt").write_text("Ủy ban nhân dân tỉnh Thái Bình", encoding="utf-8")
    out = tmp_path / "out"
    summary = _run_batch([scans], out, Settings(workers=1, page_timeout_s=0.01))
    assert (summary.ok, summary.failed) == (1, 1)
    slow = _by_name(out)["slow.png"]
    assert slow["status"] == "failed"
    assert [(e["stage"], e["page"], e["code"]) for e in slow["errors"]] == [("ocr", 1, "PS103")]
    assert {e.status for e in read_ledger(out)} == {"ok", "failed"}
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_an_unexpected_exception_in_a_page_is_recorded_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scan = tmp_path / "page.png"
    _text_image().save(scan)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise MemoryError("simulated: no memory left for this page")

    monkeypatch.setattr("pipeline.document.preprocess", broken)
    out = tmp_path / "out"
    summary = _run_batch([scan], out, Settings(workers=1))
    assert summary.failed == 1
    data = _by_name(out)["page.png"]
    assert [(e["stage"], e["code"]) for e in data["errors"]] == [("preprocess", "PS402")]
    assert "MemoryError" in data["errors"][0]["message"]


def test_unreadable_files_are_reported_not_fatal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline import load

    src = tmp_path / "in"
    src.mkdir()
    (src / "secret.txt").write_text("Kế hoạch", encoding="utf-8")
    (src / "plan.txt").write_text("Ủy ban nhân dân tỉnh Thái Bình", encoding="utf-8")
    real = load.sniff_media_type

    def denied(path: Path) -> str:  # what a file without read permission does (root would read it anyway)
        if path.name == "secret.txt":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(load, "sniff_media_type", denied)
    out = tmp_path / "out"
    summary = _run_batch([src], out, Settings(workers=1))
    assert (summary.ok, summary.failed) == (1, 1)
    assert _by_name(out)["secret.txt"]["errors"][0]["code"] == "PS208"


def test_stale_scratch_of_a_killed_run_is_swept_and_live_scratch_kept(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    host = owner_tag().split("~")[1]
    dead_pid = 2**22 + 7  # above any pid_max default: no such process
    stale_dir = out / f".planscan-work-~{host}~{dead_pid}~abc123"
    stale_dir.mkdir()
    (stale_dir / "tess_x.tsv").write_text("half")
    stale_tmp = out / f".0123456789abcdef.json.~{host}~{dead_pid}~q1w2.tmp"
    stale_tmp.write_text('{"trunc')
    live = out / f".planscan-work-{owner_tag()}live"
    live.mkdir()
    other_host = out / f".planscan-work-~elsewhere~{dead_pid}~zz"
    other_host.mkdir()
    (tmp_path / "plan.txt").write_text("Ủy ban nhân dân tỉnh Thái Bình", encoding="utf-8")
    batch.plan_batch([tmp_path / "plan.txt"], out, Settings(workers=1))
    assert not stale_dir.exists() and not stale_tmp.exists()
    assert live.exists(), "a running batch's scratch is never touched"
    assert other_host.exists(), "only the host that owns scratch can tell whether it is stale"


def test_a_manifest_line_cut_by_a_kill_spoils_only_itself(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (tmp_path / "a.txt").write_text("Ủy ban nhân dân tỉnh Thái Bình", encoding="utf-8")
    batch.plan_batch([tmp_path / "a.txt"], out, Settings(workers=1))
    with (out / LEDGER_NAME).open("a", encoding="utf-8") as handle:
        handle.write('{"path": "/half/written')  # what a SIGKILL in the middle of a write would leave
    entry = read_ledger(out)[0]
    record(out, entry)
    entries = read_ledger(out)
    assert len(entries) == 2 and entries[1].path == entry.path


def test_resume_skips_done_documents_and_counts_their_earlier_failures(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.txt").write_text("Ủy ban nhân dân tỉnh Thái Bình", encoding="utf-8")
    (src / "bad.txt").write_bytes(bytes(range(128, 256)) * 4)
    out = tmp_path / "out"
    first = _run_batch([src], out, Settings(workers=1))
    assert (first.ok, first.failed, first.skipped) == (1, 1, 0)
    good = result_path(out, read_result(Path(first.outputs[-1])).doc_id)
    before = good.stat().st_mtime_ns
    second = _run_batch([src], out, Settings(workers=1))
    assert second.skipped == 2 and second.skipped_not_ok == 1
    assert good.stat().st_mtime_ns == before


@pytest.mark.flow
@needs_ocr
def test_ingest_command_exit_codes_through_the_flow(prefect_harness: None, tmp_path: Path) -> None:
    from pipeline.cli import EXIT_OK, EXIT_WITH_FAILURES, main

    expected = _bad_inputs(tmp_path / "bad")
    out = tmp_path / "out"
    assert main(["ingest", str(tmp_path / "bad"), "-o", str(out), "--workers", "2", "--no-progress"]) == (
        EXIT_WITH_FAILURES
    )
    ledger = {Path(e.path).name: e for e in read_ledger(out)}
    assert {name: (e.status, (e.reason or "")[:5]) for name, e in ledger.items()} == {
        name: (status, code) for name, (status, code) in expected.items()
    }
    assert not [p for p in out.iterdir() if p.name.startswith(".")]

    good = tmp_path / "good"
    good.mkdir()
    (good / "plan.txt").write_text("Ủy ban nhân dân tỉnh Thái Bình\nSố: 12/KH-UBND", encoding="utf-8")
    out_ok = tmp_path / "out-ok"
    args = ["ingest", str(good), "-o", str(out_ok), "--no-progress", "--export", "events", "--bag"]
    assert main(args) == EXIT_OK
    # --export/--bag: each document of the run gets its archival folder, a valid bag.
    from pipeline.export import verify_bag

    (bag,) = [p for p in (out_ok / "export").iterdir() if p.is_dir()]
    assert (bag / "manifest-sha256.txt").is_file() and verify_bag(bag).ok
    assert main(["ingest", str(good), "-o", str(out_ok), "--no-progress", "--export", "tiff"]) == 2


def _assert_results_whole(out: Path) -> set[str]:
    """Every visible result parses completely; returns the doc_ids present."""
    present = set()
    for path in out.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))  # a truncated file would not parse
        assert data["doc_id"] == path.stem
        present.add(path.stem)
    return present


@pytest.mark.flow
@needs_ocr
def test_ingest_resumes_after_sigkill(prefect_harness: None, tmp_path: Path) -> None:
    import hashlib
    import os
    import signal
    import subprocess
    import sys
    import time

    src = tmp_path / "in"
    src.mkdir()
    for i in range(5):
        _text_image([*LINES[:2], f"Trang số {i + 1}"]).save(src / f"scan{i}.png", dpi=(150, 150))
    (src / "note.txt").write_text("Ủy ban nhân dân tỉnh Thái Bình", encoding="utf-8")
    ids = {hashlib.sha256(p.read_bytes()).hexdigest()[:16]: p.name for p in src.iterdir()}
    scans = {doc_id for doc_id, name in ids.items() if name.endswith(".png")}
    out, scratch = tmp_path / "out", tmp_path / "tmp"
    scratch.mkdir()
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "TMPDIR": str(scratch),
    }
    env.pop("PREFECT_API_URL", None)
    planscan = Path(sys.executable).parent / "planscan"
    command = [str(planscan), "ingest", str(src), "-o", str(out), "--workers", "1", "--no-progress"]

    # Its own session, so the kill reaches the whole group: the ephemeral server and Tesseract too.
    first = subprocess.Popen(command, env=env, start_new_session=True, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while not (_assert_results_whole(out) if out.exists() else set()) & scans:
            assert first.poll() is None, "the first run ended before it could be killed"
            assert time.monotonic() < deadline, "no result appeared in time"
            time.sleep(0.05)
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    done_before = _assert_results_whole(out)
    assert done_before & scans and scans - done_before, "killed with some scans done and some not"
    stamps = {doc_id: (out / f"{doc_id}.json").stat().st_mtime_ns for doc_id in done_before}

    # The re-run goes through the same command in this process, on the session's server (saves a start).
    from pipeline.cli import EXIT_OK, main
    from pipeline.ledger import ledger_size

    offset = ledger_size(out)
    assert main(command[1:]) == EXIT_OK
    assert _assert_results_whole(out) == set(ids)
    for doc_id in done_before:
        assert (out / f"{doc_id}.json").stat().st_mtime_ns == stamps[doc_id], "finished work is not redone"
    by_status = {ids[e.doc_id]: e.status for e in read_ledger(out, offset)}
    assert by_status == {ids[d]: ("skipped" if d in done_before else "ok") for d in ids}
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")], "no temp files or scratch left"
    assert not list(scratch.glob("tess_*")), "Tesseract's temp files stay inside the swept scratch"


@needs_ocr
def test_a_pdf_page_too_large_to_render_is_refused_before_rendering(tmp_path: Path) -> None:
    from pipeline.load import identify

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)  # A4: fine
    writer.add_blank_page(width=14400, height=14400)  # 200 inches square: 3,600 megapixels at 300 dpi
    path = tmp_path / "poster.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    outcome = process_page(identify(path), 2, tmp_path, Settings())
    assert outcome.page.status == "failed"
    assert outcome.error is not None and outcome.error.code == "PS206"
    assert "megapixels" in outcome.error.message
    assert not list(tmp_path.glob("**/*.ppm"))  # nothing was rendered


def test_a_page_task_keeps_library_temp_files_in_the_batch_scratch(tmp_path: Path) -> None:
    import tempfile

    before = tempfile.gettempdir()
    # What pytesseract does for each Tesseract run:
    with batch.temp_files_in(tmp_path), tempfile.NamedTemporaryFile(prefix="tess_") as handle:
        assert Path(handle.name).parent == tmp_path
    assert tempfile.gettempdir() == before
