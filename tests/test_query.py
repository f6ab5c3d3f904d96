"""planscan query / compare / chart over a small hand-made outputs folder (no timing asserts)."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipeline.models import (
    Deadline,
    DigitalSignature,
    DocumentResult,
    Evidence,
    Fields,
    Issuer,
    LegalBasis,
    Period,
    Provenance,
    ResponsibleBody,
    Source,
    Target,
)
from pipeline.query import command
from pipeline.query.index import index_path, open_index
from pipeline.store import write_result

ROOT = Path(__file__).resolve().parent.parent
QD_666 = LegalBasis(number="666/QĐ-TTg", type="QĐ", date=dt.date(2022, 6, 2), issuer="Thủ tướng Chính phủ")
CT_05 = LegalBasis(number="05-CT/TW", type="CT", date=dt.date(2021, 6, 23), issuer="Ban Bí thư")
QD_90 = LegalBasis(number="90/QĐ-TTg", type="QĐ", date=dt.date(2022, 1, 18), issuer="Thủ tướng Chính phủ")


def _ev(page: int) -> Evidence:
    return Evidence(page=page, start=0, end=10, quote="…", confidence=0.9)


def _result(doc_id: str, fields: Fields, evidence: dict[str, Evidence] | None = None) -> DocumentResult:
    return DocumentResult(
        doc_id=doc_id,
        status="ok",
        source=Source(
            path=f"{doc_id}.pdf", sha256=doc_id * 4, media_type="application/pdf", pages=3, size_bytes=1000
        ),
        provenance=Provenance(
            planscan_version="test",
            tesseract_version=None,
            config_hash="x",
            started_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
            duration_s=1.0,
        ),
        fields=fields,
        evidence=evidence or {},
    )


THAI_BINH = _result(
    "aaaa000000000001",
    Fields(
        document_type="KH",
        number="119/KH-UBND",
        issued_date=dt.date(2022, 9, 7),
        province="Thái Bình",
        issuer=Issuer(name="Ủy ban nhân dân tỉnh Thái Bình", level="province"),
        period=Period(start=2021, end=2025),
        legal_bases=[QD_666, CT_05],
        targets=[
            Target(
                text="giảm tỷ lệ hộ nghèo bình quân 1,5%/năm",
                indicator="poverty_rate_reduction",
                value=1.5,
                comparator=">",
                unit="percent_per_year",
            ),
            Target(
                text="giảm 1.000-1.500 hộ nghèo mỗi năm",
                indicator="poor_households_reduction",
                value=1000,
                value_max=1500,
                unit="households_per_year",
                year=2025,
            ),
        ],
        deadlines=[
            Deadline(
                text="trong quý III năm 2023",
                what="Sơ kết, đánh giá",
                when={"year": 2023, "quarter": 3, "recurrence": "once"},
                responsible="Sở Nội vụ",
            )
        ],
        responsible_bodies=[
            ResponsibleBody(
                name="Sở Lao động - Thương binh và Xã hội", role="lead", tasks=["tổng hợp báo cáo"]
            )
        ],
    ),
    {"targets[0]": _ev(2), "targets[1].value": _ev(3), "legal_bases[0]": _ev(1), "deadlines[0]": _ev(3)},
)

THANH_HOA = _result(
    "bbbb000000000002",
    Fields(
        document_type="KH",
        number="172/KH-UBND",
        issued_date=dt.date(2022, 7, 22),
        province="Thanh Hóa",
        issuer=Issuer(name="Ủy ban nhân dân tỉnh Thanh Hóa", level="province"),
        period=Period(start=2021, end=2025),
        legal_bases=[QD_666],
        targets=[
            Target(
                text="giảm tỷ lệ hộ nghèo bình quân 1,2%/năm",
                indicator="poverty_rate_reduction",
                value=1.2,
                comparator=">",
                unit="percent_per_year",
            )
        ],
        deadlines=[
            Deadline(text="năm 2024", what="Sơ kết, đánh giá", when={"year": 2024, "recurrence": "once"})
        ],
        responsible_bodies=[
            ResponsibleBody(
                name="Sở Lao động - Thương binh và Xã hội",
                role="lead",
                tasks=["tổng hợp báo cáo", "kiểm tra"],
            )
        ],
    ),
)

KBANG = _result(
    "cccc000000000003",
    Fields(
        document_type="KH",
        number="87/KH-UBND",
        issued_date=dt.date(2022, 5, 4),
        province="Gia Lai",
        issuer=Issuer(
            name="Ủy ban nhân dân huyện KBang", level="district", parent="Ủy ban nhân dân tỉnh Gia Lai"
        ),
        period=Period(start=2021, end=2025),
        legal_bases=[QD_90],
        targets=[
            Target(
                text="giảm tỷ lệ hộ nghèo trên 2%/năm",
                indicator="poverty_rate_reduction",
                value=2,
                comparator=">",
                unit="percent_per_year",
            ),
            Target(
                text="tỷ lệ hộ nghèo còn dưới 8% năm 2025",
                indicator="poverty_rate_level",
                value=8,
                comparator="<",
                unit="percent",
                year=2025,
            ),
        ],
    ),
)


@pytest.fixture
def outputs(tmp_path: Path) -> Path:
    out = tmp_path / "outputs"
    for result in (THAI_BINH, THANH_HOA, KBANG):
        write_result(result, out)
    (out / "manifest.jsonl").write_text('{"path": "x"}\n', encoding="utf-8")
    return out


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="planscan")
    command.add_parsers(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    runner = {"query": command.run_query, "compare": command.run_compare, "chart": command.run_chart}
    return runner[args.command](args)


def query_json(outputs: Path, *argv: str) -> list[dict[str, object]]:
    out = outputs.parent / "result.json"
    assert run("query", *argv, "--outputs", str(outputs), "--format", "json", "-o", str(out)) == 0
    rows: list[dict[str, object]] = json.loads(out.read_text(encoding="utf-8"))
    return rows


@pytest.mark.parametrize("name", ["thai binh", "THÁI BÌNH", "Thai Binh", "tỉnh Thái Bình", "thaibinh"])
def test_province_filter_ignores_case_and_diacritics(outputs: Path, name: str) -> None:
    rows = query_json(outputs, "targets", "--province", name)
    assert [(r["province"], r["indicator"]) for r in rows] == [
        ("Thái Bình", "poor_households_reduction"),
        ("Thái Bình", "poverty_rate_reduction"),
    ]


def test_several_provinces_and_level(outputs: Path) -> None:
    rows = query_json(outputs, "documents", "--province", "thanh hoa", "--province", "gia lai")
    assert [r["province"] for r in rows] == ["Gia Lai", "Thanh Hóa"]
    rows = query_json(outputs, "targets", "--level", "district")
    assert {r["issuer_name"] for r in rows} == {"Ủy ban nhân dân huyện KBang"}


def test_indicator_filter_exact_and_wildcard(outputs: Path) -> None:
    rows = query_json(outputs, "targets", "--indicator", "poverty_rate_reduction")
    assert sorted((r["province"], r["value"]) for r in rows) == [
        ("Gia Lai", 2.0), ("Thanh Hóa", 1.2), ("Thái Bình", 1.5)
    ]  # fmt: skip
    assert len(query_json(outputs, "targets", "--indicator", "POVERTY_RATE*")) == 4
    assert query_json(outputs, "targets", "--indicator", "poverty") == []
    docs = query_json(outputs, "documents", "--indicator", "poverty_rate_level")
    assert [d["doc_id"] for d in docs] == [KBANG.doc_id]


def test_year_filter(outputs: Path) -> None:
    targets = query_json(outputs, "targets", "--year", "2025")
    assert sorted(r["indicator"] for r in targets) == ["poor_households_reduction", "poverty_rate_level"]
    deadlines = query_json(outputs, "deadlines", "--year", "2023")
    assert [(d["province"], d["when_quarter"]) for d in deadlines] == [("Thái Bình", 3)]
    assert len(query_json(outputs, "documents", "--year", "2023")) == 3  # all cover 2021-2025
    assert query_json(outputs, "documents", "--year", "2019") == []
    assert len(query_json(outputs, "bodies", "--year", "2022")) == 2


@pytest.mark.parametrize("number", ["666/QĐ-TTg", "666/QD-TTg", "666/qd-ttg", "666 / QĐ - TTg"])
def test_implements_filter_is_normalised(outputs: Path, number: str) -> None:
    docs = query_json(outputs, "documents", "--implements", number)
    assert sorted(d["doc_id"] for d in docs) == [THAI_BINH.doc_id, THANH_HOA.doc_id]
    targets = query_json(outputs, "targets", "--implements", number, "--province", "thanh hoa")
    assert [t["value"] for t in targets] == [1.2]
    assert query_json(outputs, "deadlines", "--implements", "90/QĐ-TTg") == []


def test_page_comes_from_item_evidence(outputs: Path) -> None:
    rows = query_json(outputs, "targets", "--province", "thai binh")
    pages = {r["indicator"]: r["page"] for r in rows}
    # targets[0] has its own entry; targets[1] only a sub-field entry ("targets[1].value").
    assert pages == {"poverty_rate_reduction": 2, "poor_households_reduction": 3}
    assert {r["page"] for r in query_json(outputs, "targets", "--province", "gia lai")} == {None}
    deadlines = query_json(outputs, "deadlines", "--province", "thai binh")
    assert deadlines[0]["page"] == 3


def test_csv_json_table_and_parquet_outputs(
    outputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_csv = tmp_path / "t.csv"
    assert run("query", "targets", "--outputs", str(outputs), "--format", "csv", "-o", str(out_csv)) == 0
    rows = list(csv.DictReader(io.StringIO(out_csv.read_text(encoding="utf-8"))))
    assert len(rows) == 5
    assert {r["province"] for r in rows} == {"Thái Bình", "Thanh Hóa", "Gia Lai"}
    assert "province_key" not in rows[0]

    assert run("query", "bodies", "--outputs", str(outputs), "--format", "json") == 0
    bodies = json.loads(capsys.readouterr().out)
    assert [b["province"] for b in bodies] == ["Thái Bình", "Thanh Hóa"]  # ordered without diacritics
    assert bodies[1]["tasks"] == ["tổng hợp báo cáo", "kiểm tra"]

    assert run("query", "documents", "--outputs", str(outputs)) == 0
    table = capsys.readouterr().out
    assert "Thái Bình" in table and "119/KH-UBND" in table

    out_pq = tmp_path / "t.parquet"
    assert run("query", "targets", "--outputs", str(outputs), "--format", "parquet", "-o", str(out_pq)) == 0
    back = (
        duckdb.connect()
        .execute("SELECT province, value, value_max FROM read_parquet(?) ORDER BY value", [str(out_pq)])
        .fetchall()
    )
    assert back[0] == ("Thanh Hóa", 1.2, None)
    assert back[-1] == ("Thái Bình", 1000.0, 1500.0)
    # Parquet goes to a file only.
    assert run("query", "targets", "--outputs", str(outputs), "--format", "parquet") == 2


def test_sql_command(outputs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sql = "SELECT province, count(*) AS n FROM targets GROUP BY province ORDER BY province"
    assert run("query", "sql", sql, "--outputs", str(outputs), "--format", "json") == 0
    assert json.loads(capsys.readouterr().out) == [
        {"province": "Gia Lai", "n": 2}, {"province": "Thanh Hóa", "n": 1}, {"province": "Thái Bình", "n": 2}
    ]  # fmt: skip
    sql = "SELECT reference FROM implements WHERE doc_id = 'aaaa000000000001' ORDER BY 1"
    assert run("query", "sql", sql, "--outputs", str(outputs), "--format", "csv") == 0
    assert capsys.readouterr().out.splitlines() == ["reference", "05-CT/TW", "666/QĐ-TTg"]
    trailing = "SELECT doc_id FROM documents;"  # wrapped for --limit: the ";" must go
    assert run("query", "sql", trailing, "--limit", "1", "--outputs", str(outputs)) == 0
    assert "1 rows" in capsys.readouterr().out
    assert run("query", "sql", "SELECT nope FROM targets", "--outputs", str(outputs)) == 2
    # The index is opened read-only for queries: SQL cannot damage it.
    assert run("query", "sql", "DROP TABLE targets", "--outputs", str(outputs)) == 2
    assert len(query_json(outputs, "targets")) == 5


def test_usage_errors(outputs: Path, tmp_path: Path) -> None:
    assert run("query", "bodies", "--indicator", "x", "--outputs", str(outputs)) == 2
    assert run("query", "targets", "--outputs", str(tmp_path / "missing")) == 2


def test_refresh_picks_up_new_changed_and_removed_files(outputs: Path) -> None:
    with open_index(outputs) as index:
        assert index.report.added == 3 and index.path == index_path(outputs)
    with open_index(outputs) as index:
        assert not index.report.changed and index.report.unchanged == 3

    extra = THANH_HOA.model_copy(deep=True)
    extra.doc_id = "dddd000000000004"
    extra.fields.province = "Hà Nội"
    write_result(extra, outputs)
    with open_index(outputs) as index:
        assert (index.report.added, index.report.removed) == (1, 0)
    assert [r["doc_id"] for r in query_json(outputs, "documents", "--province", "ha noi")] == [extra.doc_id]

    (outputs / f"{THANH_HOA.doc_id}.json").unlink()
    with open_index(outputs) as index:
        assert index.report.removed == 1
    assert query_json(outputs, "targets", "--province", "thanh hoa") == []
    assert query_json(outputs, "deadlines", "--province", "thanh hoa") == []

    changed = KBANG.model_copy(deep=True)
    changed.fields.targets = changed.fields.targets[:1]
    write_result(changed, outputs)
    with open_index(outputs) as index:
        assert index.report.updated == 1
        count = index.con.execute("SELECT count(*) FROM targets WHERE doc_id = ?", [KBANG.doc_id]).fetchone()
        assert count == (1,)


def test_bad_files_warn_every_time_and_never_stop_the_index(outputs: Path) -> None:
    (outputs / "broken.json").write_text('{"doc_id": "eeee", "status": ', encoding="utf-8")
    bad = json.loads((outputs / f"{KBANG.doc_id}.json").read_text(encoding="utf-8"))
    bad["doc_id"], bad["status"] = "ffff000000000006", "done"
    (outputs / "invalid.json").write_text(json.dumps(bad), encoding="utf-8")
    (outputs / "summary.json").write_text('{"documents": 3}', encoding="utf-8")  # not a result: skipped

    for _ in range(2):  # the second open finds nothing changed and still warns
        warnings: list[str] = []
        with open_index(outputs, warn=warnings.append) as index:
            docs = index.con.execute("SELECT count(*) FROM documents").fetchone()
        assert docs == (3,)
        assert len(warnings) == 2
        assert "broken.json" in warnings[0] and "not valid JSON" in warnings[0]
        assert "invalid.json" in warnings[1] and "status" in warnings[1]


def test_bad_file_warning_reaches_stderr(outputs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (outputs / "broken.json").write_text("{", encoding="utf-8")
    assert len(query_json(outputs, "documents")) == 3
    assert "broken.json" in capsys.readouterr().err


def test_duplicate_doc_id_is_indexed_once_and_reported(outputs: Path) -> None:
    original = outputs / f"{KBANG.doc_id}.json"
    shutil.copy(original, outputs / "copy-of-kbang.json")
    warnings: list[str] = []
    with open_index(outputs, warn=warnings.append) as index:
        assert index.con.execute("SELECT count(*) FROM documents").fetchone() == (3,)
    assert len(warnings) == 1 and "repeats doc_id" in warnings[0]
    original.unlink()  # the copy takes over
    warnings.clear()
    with open_index(outputs, warn=warnings.append) as index:
        row = index.con.execute("SELECT file FROM documents WHERE doc_id = ?", [KBANG.doc_id]).fetchone()
    assert row == ("copy-of-kbang.json",) and warnings == []


def test_damaged_index_file_is_rebuilt(outputs: Path) -> None:
    with open_index(outputs):
        pass
    index_path(outputs).write_bytes(b"this is not a database")
    (outputs / "x.json").write_text("{}", encoding="utf-8")  # a change, so the writer opens the file
    warnings: list[str] = []
    with open_index(outputs, warn=warnings.append) as index:
        assert index.con.execute("SELECT count(*) FROM documents").fetchone() == (3,)
    assert any("rebuilding" in w for w in warnings)


def test_compare_marks_differences(outputs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("compare", "aaaa", "bbbb", "--outputs", str(outputs), "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    sections = {s["title"]: s["rows"] for s in data["sections"]}
    header = {r["label"]: r for r in sections["header"]}
    assert header["province"]["mark"] == "differs"
    assert (header["province"]["a"], header["province"]["b"]) == ("Thái Bình", "Thanh Hóa")
    assert header["period"]["mark"] == "same"
    targets = {r["label"]: r["mark"] for r in sections["targets"]}
    assert targets == {"poverty_rate_reduction": "differs", "poor_households_reduction": "only_a"}
    bases = {r["label"]: r["mark"] for r in sections["legal_bases"]}
    assert bases == {"666/QĐ-TTg": "same", "05-CT/TW": "only_a"}
    bodies = sections["bodies"]
    assert [(b["label"], b["mark"]) for b in bodies] == [("Sở Lao động - Thương binh và Xã hội", "differs")]

    path_b = str(outputs / f"{THANH_HOA.doc_id}.json")
    assert run("compare", THAI_BINH.doc_id, path_b, "--outputs", str(outputs)) == 0
    table = capsys.readouterr().out
    assert "≠" in table and "A only" in table and "Thanh Hóa" in table


def test_compare_unknown_or_ambiguous_reference(outputs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("compare", "9999", "aaaa", "--outputs", str(outputs)) == 2
    write_result(THAI_BINH.model_copy(update={"doc_id": "aaaa000000000009"}), outputs)
    assert run("compare", "aaaa", "bbbb", "--outputs", str(outputs)) == 2
    assert "matches 2 results" in capsys.readouterr().err


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_chart_writes_a_file(outputs: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"chart{suffix}"
    assert run("chart", "targets", "--outputs", str(outputs), "-o", str(out)) == 0
    data = out.read_bytes()
    assert len(data) > 1000
    assert data.startswith(b"\x89PNG") if suffix == ".png" else b"<svg" in data[:2000]
    one = tmp_path / f"one{suffix}"
    assert run("chart", "targets", "--indicator", "poverty_rate_reduction", "--outputs", str(outputs),
               "-o", str(one)) == 0  # fmt: skip
    assert one.stat().st_size > 1000


def test_chart_refuses_nothing_to_draw_and_unknown_suffix(outputs: Path, tmp_path: Path) -> None:
    assert run("chart", "targets", "--indicator", "nope", "--outputs", str(outputs), "-o",
               str(tmp_path / "c.png")) == 2  # fmt: skip
    assert run("chart", "targets", "--outputs", str(outputs), "-o", str(tmp_path / "c.txt")) == 2


def test_query_commands_never_import_prefect(outputs: Path, tmp_path: Path) -> None:
    code = (
        "import sys, argparse; from pipeline.query import command; "
        "p = argparse.ArgumentParser(); command.add_parsers(p.add_subparsers(dest='c')); "
        f"a = p.parse_args(['query', 'targets', '--province', 'thai binh', '--outputs', {str(outputs)!r}]); "
        "assert command.run_query(a) == 0; "
        f"a = p.parse_args(['compare', 'aaaa', 'bbbb', '--outputs', {str(outputs)!r}]); "
        "assert command.run_compare(a) == 0; "
        "assert not any(m == 'prefect' or m.startswith('prefect.') for m in sys.modules), 'prefect imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, capture_output=True)


def test_synthetic_benchmark_results_are_valid(tmp_path: Path) -> None:
    from pipeline.query.bench import run as bench_run
    from pipeline.query.synthetic import write_synthetic
    from pipeline.store import read_result

    paths = write_synthetic(tmp_path / "syn", 3, words=False)
    results = [read_result(p) for p in paths]
    assert len({r.fields.province for r in results}) == 3
    assert all(r.fields.targets and r.fields.deadlines and r.fields.responsible_bodies for r in results)
    report = bench_run(4, words=False, repeats=1)
    assert "index build (cold)" in report and "query sql" in report


def test_signing_time_and_fields_to_review_are_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    signed = dt.datetime(2025, 1, 17, 8, 56, 9, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    fields = Fields(number="660/TB-UBND", digital_signature=DigitalSignature(signed_at=signed))
    flagged = Evidence(page=1, start=0, end=3, quote="…", confidence=0.5, needs_review=True)
    out = tmp_path / "outputs"
    write_result(_result("cccc000000000001", fields, {"number": flagged, "place": _ev(1)}), out)
    sql = "SELECT epoch(signed_at) AS t, needs_review FROM documents"
    assert run("query", "sql", sql, "--outputs", str(out), "--format", "json") == 0
    assert json.loads(capsys.readouterr().out) == [{"t": signed.timestamp(), "needs_review": ["number"]}]
