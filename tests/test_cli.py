import json
import subprocess
import sys
from pathlib import Path

from pipeline.cli import EXIT_OK, EXIT_WITH_FAILURES, main
from pipeline.schema import schema_text


def test_extract_writes_json_for_a_text_file(tmp_path: Path) -> None:
    src = tmp_path / "plan.txt"
    header = ["ỦY BAN NHÂN DÂN", "TỈNH NINH THUẬN", "Số: 9/KH-UBND", "Ninh Thuận, ngày 1 tháng 2 năm 2022"]
    src.write_text("\n".join(header) + "\n", "utf-8")
    out = tmp_path / "plan.json"
    assert main(["extract", str(src), "-o", str(out)]) == EXIT_OK
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["fields"]["number"] == "9/KH-UBND"
    assert data["fields"]["issuer"]["name"] == "Ủy ban nhân dân tỉnh Ninh Thuận"


def test_extract_exit_code_reports_failure(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_text("nope")
    assert main(["extract", str(bad), "-o", str(tmp_path / "bad.json")]) == EXIT_WITH_FAILURES


def test_schema_command_prints_the_committed_schema(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["schema"]) == EXIT_OK
    assert capsys.readouterr().out == schema_text()


def test_commands_that_do_not_ingest_never_import_prefect(tmp_path: Path) -> None:
    src = tmp_path / "plan.txt"
    src.write_text("Số: 1/KH-UBND", "utf-8")
    out_json, out_schema = str(tmp_path / "x.json"), str(tmp_path / "s.json")
    code = (
        "import sys; from pipeline.cli import main; "
        f"main(['extract', {str(src)!r}, '-o', {out_json!r}]); main(['schema', '-o', {out_schema!r}]); "
        "assert not any(m == 'prefect' or m.startswith('prefect.') for m in sys.modules), 'prefect imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parent.parent)


def test_library_has_no_prefect_import() -> None:
    root = Path(__file__).resolve().parent.parent / "pipeline"
    sources = {p: p.read_text(encoding="utf-8") for p in root.rglob("*.py")}
    offenders = [p for p, text in sources.items() if "import prefect" in text or "from prefect" in text]
    assert offenders == []
