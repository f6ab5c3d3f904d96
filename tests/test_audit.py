"""Auditing plans against national references: 666/QĐ-TTg, and any other reference added as data."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from pipeline.audit import (
    AuditResult,
    CheckResult,
    ReferenceError,
    audit_document,
    get_reference,
    load_references,
)
from pipeline.audit.command import add_parser, run
from pipeline.audit.html import render_html
from pipeline.audit.reference import REFERENCE_DIR, load_reference_file, parse_reference
from pipeline.audit.render import render_json, render_markdown, render_table
from pipeline.document import process_document
from pipeline.models import DocumentResult, Evidence, Fields, Page, Provenance, Source, Target
from pipeline.settings import Settings
from pipeline.textnorm import normalize_text
from tests.conftest import ROOT, seed_path

SHARED = Path(__file__).resolve().parents[2] / "shared"  # the user's documents; never copied here

PREAMBLE = (
    "Căn cứ Quyết định số 666/QĐ-TTg ngày 02/6/2022 của Thủ tướng Chính phủ, Ủy ban nhân dân tỉnh "
    'Hòa Bình ban hành Kế hoạch tổ chức Phong trào thi đua "Vì người nghèo - Không để ai bị bỏ lại '
    'phía sau" giai đoạn 2021-2025 như sau:\n\n'
)


def make_doc(
    text: str, fields: Fields | None = None, evidence: dict[str, Evidence] | None = None
) -> DocumentResult:
    text = normalize_text(text)
    return DocumentResult(
        doc_id="0123456789abcdef",
        status="ok",
        source=Source(path="synthetic.txt", sha256="0" * 64, media_type="text/plain", pages=1, size_bytes=1),
        provenance=Provenance(
            planscan_version="test",
            tesseract_version=None,
            config_hash="test",
            started_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
            duration_s=0.0,
        ),
        pages=[Page(number=1, text=text, ocr_text=text, mean_confidence=None, source="text_file")],
        fields=fields or Fields(),
        evidence=evidence or {},
    )


def check(result: AuditResult, check_id: str) -> CheckResult:
    return next(c for c in result.checks if c.id == check_id)


@cache
def seed_result(prefix: str) -> DocumentResult:
    return process_document(seed_path(prefix), Settings())


@pytest.fixture(scope="module")
def seed_audits() -> dict[str, AuditResult]:
    if not (SHARED / "seeds").is_dir():
        pytest.skip(f"the user's documents are not present at {SHARED / 'seeds'}; seed audits need them")
    return {p: audit_document(seed_result(p), "666/QĐ-TTg") for p in ("000", "001", "002", "003", "004")}


# --- references are data -----------------------------------------------------------------------------


def test_reference_files_validate() -> None:
    files = sorted(REFERENCE_DIR.glob("*.json"))
    refs = [load_reference_file(f) for f in files]
    assert {r.id for r in refs} >= {"666/QĐ-TTg", "1258/QĐ-TTg"}
    for ref in refs:
        assert ref.version
        for check_spec in ref.checks:
            assert check_spec.basis in ("verified", "expected_by_practice")
            assert ref.sources[check_spec.source]
    ref666 = get_reference("666/QĐ-TTg")
    assert (ref666.period.start, ref666.period.end) == (2021, 2025)
    assert ref666.document.date == dt.date(2022, 6, 2)
    # DOMAIN §3: reporting deadlines and the review timeline are not verified inside 666 itself.
    kinds = {c.kind: c.basis for c in ref666.checks if c.kind in ("review", "yearly_report")}
    assert set(kinds.values()) == {"expected_by_practice"}


def test_reference_ids_resolve_from_data() -> None:
    assert get_reference("666/QD-TTg").id == "666/QĐ-TTg"
    assert get_reference("666 / QĐ - TTg").id == "666/QĐ-TTg"
    second = get_reference("1258/QĐ-TTg")
    assert (second.period.start, second.period.end) == (2016, 2020)
    assert "chung tay" in second.movement.name
    with pytest.raises(ReferenceError, match="no reference"):
        get_reference("999/QĐ-TTg")


def test_a_new_reference_is_one_more_json_file(tmp_path: Path) -> None:
    data = json.loads((REFERENCE_DIR / "1258-QD-TTg.json").read_text(encoding="utf-8"))
    data.update(id="77/QĐ-TTg", aliases=[])
    data["document"].update(number="77/QĐ-TTg", date="2026-01-05")
    data["movement"].update(name="Thi đua làm đường liên thôn", match=["làm đường liên thôn"])
    data["period"].update(start=2026, end=2030)
    (tmp_path / "77.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    doc = make_doc(
        'Thực hiện Quyết định số 77/QĐ-TTg ngày 05/01/2026 về Phong trào "Thi đua làm đường liên thôn" '
        "giai đoạn 2026-2030, Ủy ban nhân dân huyện ban hành Kế hoạch như sau:\n\n"
        "- Phòng Lao động - Thương binh và Xã hội chủ trì, theo dõi việc thực hiện.\n"
    )
    result = audit_document(doc, "77/QĐ-TTg", directory=tmp_path)
    assert result.relation == "direct"
    assert check(result, "movement").status == "pass"
    assert check(result, "period").status == "pass"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["checks"].append(dict(d["checks"][0])), "duplicate check ids"),
        (lambda d: d["checks"][1].update(source="nowhere"), "sources not declared"),
        (lambda d: d["checks"][1].update(kind="astrology"), "astrology"),
        (lambda d: d["checks"][4]["national"].update(value=2, value_max=1), "value_max is below value"),
    ],
)
def test_invalid_references_are_refused(change: Callable[[dict], object], message: str) -> None:
    data = json.loads((REFERENCE_DIR / "666-QD-TTg.json").read_text(encoding="utf-8"))
    change(data)
    with pytest.raises(ReferenceError, match=message):
        parse_reference(data)


# --- checks on small synthetic plans --------------------------------------------------------------------


def test_looser_target_warns_with_both_numbers() -> None:
    doc = make_doc(PREAMBLE + "- Phấn đấu giảm tỷ lệ hộ nghèo đa chiều bình quân 0,5%/năm.\n")
    found = check(audit_document(doc), "targets.poverty_rate")
    assert found.status == "warn"
    assert "0.5 %/year" in found.explanation and "1-1.5 %/year" in found.explanation
    (cmp,) = found.comparisons
    assert (cmp.local, cmp.national, cmp.verdict) == ("0.5 %/year", "1-1.5 %/year", "looser")
    assert found.evidence and "0,5%/năm" in found.evidence[0].quote


def test_stricter_and_equal_targets_pass() -> None:
    doc = make_doc(
        PREAMBLE
        + "- Giảm tỷ lệ hộ nghèo toàn tỉnh bình quân trên 2%/năm;\n"
        + "- Tỷ lệ hộ nghèo trong đồng bào dân tộc thiểu số giảm trên 3%/năm;\n"
        + "- Các huyện nghèo giảm tỷ lệ hộ nghèo từ 4 - 5%/năm.\n"
    )
    result = audit_document(doc)
    assert check(result, "targets.poverty_rate").comparisons[0].verdict == "stricter"
    assert check(result, "targets.ethnic_minority").comparisons[0].verdict == "same"
    assert check(result, "targets.poor_districts").comparisons[0].verdict == "same"
    for cid in (
        "targets.poverty_rate",
        "targets.ethnic_minority",
        "targets.poor_districts",
        "targets.present",
    ):
        assert check(result, cid).status == "pass", cid


def test_exactly_three_percent_is_looser_than_more_than_three() -> None:
    doc = make_doc(PREAMBLE + "- Giảm tỷ lệ hộ nghèo dân tộc thiểu số bình quân 3%/năm.\n")
    found = check(audit_document(doc), "targets.ethnic_minority")
    assert found.status == "warn"
    assert found.comparisons[0].verdict == "looser"


def test_extracted_targets_are_used_with_their_evidence() -> None:
    text = PREAMBLE + "- Mỗi năm giảm tỷ lệ hộ nghèo 0,8%.\n"
    quote = "Mỗi năm giảm tỷ lệ hộ nghèo 0,8%"
    start = normalize_text(text).index(quote)
    target = Target(text=quote, indicator="poverty_rate_reduction", value=0.8, unit="percent_per_year")
    evidence = {
        "targets[0]": Evidence(page=1, start=start, end=start + len(quote), quote=quote, confidence=0.9)
    }
    found = check(audit_document(make_doc(text, Fields(targets=[target]), evidence)), "targets.poverty_rate")
    assert found.status == "warn"
    assert found.source == "fields"
    assert found.evidence[0].quote == quote and found.evidence[0].start == start


def test_expected_by_practice_never_fails() -> None:
    # Cites 666, names the movement and period, and says nothing else: every practice check has nothing
    # to find, so each one would fail if it were allowed to.
    result = audit_document(make_doc(PREAMBLE))
    practice = [c for c in result.checks if c.basis == "expected_by_practice"]
    assert practice
    assert all(c.status in ("warn", "n/a", "pass") for c in practice)
    assert any(c.status == "warn" for c in practice)
    assert check(result, "body.lead").status == "warn"


def test_reviews_and_yearly_report_from_text() -> None:
    doc = make_doc(
        PREAMBLE
        + "- Năm 2024: các sở, ngành tiến hành sơ kết Phong trào thi đua;\n"
        + "- Tổng kết Phong trào thi đua vào năm 2025.\n"
        + "- Các huyện báo cáo kết quả hằng năm về Sở Lao động - Thương binh và Xã hội "
        + "trước ngày 15 tháng 12.\n"
    )
    result = audit_document(doc)
    midterm = check(result, "review.midterm")
    assert midterm.status == "warn" and "2024" in midterm.explanation
    assert check(result, "review.final").status == "pass"
    report = check(result, "reporting.yearly")
    assert report.status == "pass"
    assert "Sở Lao động - Thương binh và Xã hội" in report.explanation
    assert "15 tháng 12" in report.explanation


def test_indirect_relation_needs_a_later_plan_for_the_same_movement_and_period() -> None:
    body = (
        "Thực hiện Kế hoạch số 45/KH-UBND ngày {date} của Ủy ban nhân dân tỉnh về thực hiện "
        'Phong trào thi đua "Vì người nghèo - Không để ai bị bỏ lại phía sau" giai đoạn 2021-2025, '
        "Ủy ban nhân dân huyện ban hành Kế hoạch như sau:\n"
    )
    later = audit_document(make_doc(body.format(date="10/8/2022")))
    assert later.relation == "indirect"
    assert later.relation_via == ["45/KH-UBND"]
    assert check(later, "relation").status == "pass"
    earlier = audit_document(make_doc(body.format(date="10/8/2021")))
    assert earlier.relation == "none"


def test_upstream_documents_are_not_a_route_to_the_reference() -> None:
    doc = make_doc("Thực hiện Nghị quyết số 160/NQ-CP của Chính phủ về giảm nghèo bền vững đến năm 2030.\n")
    result = audit_document(doc)
    assert result.relation == "none"
    assert "upstream" in check(result, "relation").explanation
    assert check(result, "relation").status == "fail"
    assert check(result, "targets.present").status == "n/a"


# --- the user's documents --------------------------------------------------------------------------------

EXPECTED_RELATION = {"000": "indirect", "001": "direct", "002": "direct", "003": "none", "004": "none"}


@pytest.mark.parametrize("prefix", sorted(EXPECTED_RELATION))
def test_seed_relation(seed_audits: dict[str, AuditResult], prefix: str) -> None:
    result = seed_audits[prefix]
    assert result.relation == EXPECTED_RELATION[prefix]
    relation = check(result, "relation")
    assert relation.evidence or result.relation == "none"
    if result.relation == "direct":
        assert result.relation_via == ["666/QĐ-TTg"]
    if prefix == "000":
        assert set(result.relation_via) == {"562/KH-MTTW-BTT", "132/KH-UBND"}
    if prefix == "004":
        assert "1258/QĐ-TTg" in relation.explanation
    if prefix == "003":
        assert "05-CT/TW" in relation.explanation


def test_seed_quotes_are_exact_page_text(seed_audits: dict[str, AuditResult]) -> None:
    for prefix, result in seed_audits.items():
        pages = {p.number: p.text for p in seed_result(prefix).pages}
        for c in result.checks:
            assert c.status != "fail" or c.basis == "verified", (prefix, c.id)
            for q in c.evidence:
                assert q.start is not None and q.end is not None
                assert pages[q.page][q.start : q.end] == q.quote, (prefix, c.id)


def test_seed_2016_2020_plan_is_direct_under_1258() -> None:
    result = audit_document(seed_result("004"), "1258/QĐ-TTg")
    assert result.relation == "direct"
    assert check(result, "period").status == "pass"
    assert check(result, "targets.poverty_rate").status == "pass"


# --- rendering and the command ---------------------------------------------------------------------------


def test_html_escapes_document_strings() -> None:
    hostile = '<script>alert("x")</script>'
    doc = make_doc(PREAMBLE + f"- Giảm tỷ lệ hộ nghèo bình quân 0,5%/năm {hostile}.\n", Fields(title=hostile))
    result = audit_document(doc)
    html = render_html([result, result])
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert html.count('class="plan"') == 2 and "page-break-after: always" in html
    markdown = render_markdown([result])
    assert "<script>" not in markdown and "&lt;script&gt;" in markdown
    assert "0.5 %/year" in markdown and "1-1.5 %/year" in markdown


def test_renderings_carry_every_check() -> None:
    result = audit_document(make_doc(PREAMBLE))
    data = json.loads(render_json([result]))
    assert set(data) >= {"doc_id", "reference", "relation", "relation_via", "checks"}
    assert {c["id"] for c in data["checks"]} == {c.id for c in result.checks}
    assert set(data["checks"][0]) >= {"id", "title", "status", "explanation", "evidence"}
    table = render_table([result])
    assert all(c.id in table for c in result.checks)


def _run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="planscan")
    add_parser(parser.add_subparsers(dest="command", required=True))
    return run(parser.parse_args(["audit", *argv]))


def test_command_audits_saved_results_and_reports_unreadable_ones(tmp_path: Path) -> None:
    saved = tmp_path / "plan.json"
    saved.write_text(make_doc(PREAMBLE).model_dump_json(), encoding="utf-8")
    out = tmp_path / "audit.json"
    assert _run_cli(str(saved), "--format", "json", "-o", str(out)) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["relation"] == "direct"
    report = tmp_path / "audit.html"
    assert _run_cli(str(saved), str(tmp_path / "missing.json"), "--format", "html", "-o", str(report)) == 3
    assert report.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    broken = tmp_path / "broken.json"
    broken.write_text('{"doc_id": "x", "pages": [', encoding="utf-8")
    assert _run_cli(str(broken)) == 3
    assert _run_cli(str(saved), "--reference", "999/QĐ-TTg") == 2


def test_command_reads_raw_inputs(tmp_path: Path) -> None:
    plan = tmp_path / "plan.txt"
    plan.write_text(PREAMBLE + "- Giảm tỷ lệ hộ nghèo bình quân 1,5%/năm.\n", encoding="utf-8")
    out = tmp_path / "audit.md"
    assert _run_cli(str(plan), "--format", "md", "-o", str(out)) == 0
    assert "direct" in out.read_text(encoding="utf-8")


def test_audit_never_imports_prefect() -> None:
    code = (
        "import sys, pipeline.audit, pipeline.audit.command, pipeline.audit.html\n"
        "sys.exit(1 if any(m == 'prefect' or m.startswith('prefect.') for m in sys.modules) else 0)\n"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False).returncode == 0


def test_all_references_load_together() -> None:
    ids = [r.id for r in load_references()]
    assert len(ids) == len(set(ids)) >= 2
