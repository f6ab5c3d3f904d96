from pathlib import Path

import pytest
from PIL import Image

from pipeline.errors import EmptyInput, UnsupportedInput
from pipeline.load import discover, identify, sniff_media_type


def _png(path: Path) -> Path:
    Image.new("RGB", (20, 10), "white").save(path, format="PNG")
    return path


def test_media_type_comes_from_content_not_name(tmp_path: Path) -> None:
    fake = tmp_path / "scan.pdf"
    fake.write_text("not a pdf at all")
    with pytest.raises(UnsupportedInput, match="not a PDF"):
        sniff_media_type(fake)
    disguised = _png(tmp_path / "page.dat")
    assert sniff_media_type(disguised) == "image/png"


def test_empty_file_is_rejected_with_its_code(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(EmptyInput) as info:
        sniff_media_type(empty)
    assert info.value.code == "PS202"


def test_doc_id_is_stable_and_content_based(tmp_path: Path) -> None:
    a = tmp_path / "a.txt"
    b = tmp_path / "sub" / "b.txt"
    b.parent.mkdir()
    a.write_text("Kế hoạch", encoding="utf-8")
    b.write_text("Kế hoạch", encoding="utf-8")
    assert identify(a).doc_id == identify(b).doc_id
    assert len(identify(a).doc_id) == 16


def test_discover_walks_recursively_and_reports_every_file(tmp_path: Path) -> None:
    (tmp_path / "deep" / "er").mkdir(parents=True)
    _png(tmp_path / "deep" / "er" / "p.png")
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    (tmp_path / "plan.txt").write_text("Số: 1/KH-UBND", encoding="utf-8")
    found, rejected = discover([tmp_path, tmp_path / "missing.pdf"])
    assert sorted(d.path.name for d in found) == ["p.png", "plan.txt"]
    assert sorted(r.path.name for r in rejected) == ["missing.pdf", "notes.docx"]
    assert all(r.code == "PS201" for r in rejected)
