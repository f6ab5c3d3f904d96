"""The same flow on a real Dask cluster of worker processes gives the same results as the thread pool."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.settings import Settings
from tests.conftest import needs_ocr

distributed = pytest.importorskip("distributed")  # installed with the `flows` extra

pytestmark = [pytest.mark.flow, pytest.mark.ocr, pytest.mark.dask, needs_ocr]


def _scan(path: Path, lines: list[str]) -> None:
    image = Image.new("L", (1240, 700), 255)
    font = ImageFont.truetype("DejaVuSerif.ttf", 44)
    for i, line in enumerate(lines):
        ImageDraw.Draw(image).text((80, 120 + 110 * i), line, font=font, fill=0)
    image.save(path, dpi=(150, 150))


def _comparable(out: Path) -> dict[str, dict]:  # type: ignore[type-arg]
    """Each result without what depends on when and how long it ran."""
    results = {}
    for path in out.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        for key in ("started_at", "duration_s"):
            data["provenance"].pop(key)
        results[path.name] = data
    return results


def test_dask_cluster_gives_the_same_results_as_threads(prefect_harness: None, tmp_path: Path) -> None:
    from flows.ingest import run_ingest

    src = tmp_path / "in"
    src.mkdir()
    _scan(src / "a.png", ["KẾ HOẠCH", "Thực hiện phong trào thi đua", "Ủy ban nhân dân tỉnh Thái Bình"])
    _scan(tmp_path / "p1.png", ["Số: 12/KH-UBND", "Thái Bình, ngày 5 tháng 3 năm 2023"])
    _scan(tmp_path / "p2.png", ["Nơi nhận:", "Lưu: VT"])
    pages = [Image.open(tmp_path / "p1.png"), Image.open(tmp_path / "p2.png")]
    pages[0].save(src / "b.pdf", save_all=True, append_images=pages[1:], resolution=150)
    (src / "c.txt").write_text("Ủy ban nhân dân tỉnh Thái Bình\nSố: 7/KH-UBND", encoding="utf-8")

    local = run_ingest([src], tmp_path / "local", Settings(workers=2))
    cluster = distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    )
    try:
        remote = run_ingest(
            [src], tmp_path / "dask", Settings(workers=2), dask_address=cluster.scheduler_address
        )
    finally:
        cluster.close()

    assert (local.ok, local.pages) == (3, 4)
    assert (remote.ok, remote.failed, remote.pages) == (local.ok, local.failed, local.pages)
    expected, got = _comparable(tmp_path / "local"), _comparable(tmp_path / "dask")
    assert set(got) == set(expected) and len(got) == 3
    for name, data in expected.items():
        assert got[name]["fields"] == data["fields"], name
        assert [p["text"] for p in got[name]["pages"]] == [p["text"] for p in data["pages"]], name
        assert got[name] == data, name
    assert not [p for p in (tmp_path / "dask").iterdir() if p.name.startswith(".")]
