"""The ingest command's own Prefect API: started ahead, used, stopped; a user's server is left alone."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import httpx
import pytest

from flows.local_api import local_prefect_api


@pytest.fixture
def no_api_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect-home"))


def test_a_configured_server_is_used_and_nothing_is_started(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREFECT_API_URL", "http://prefect.example:4200/api")
    with local_prefect_api() as api:
        assert api is None
        assert os.environ["PREFECT_API_URL"] == "http://prefect.example:4200/api"
    assert os.environ["PREFECT_API_URL"] == "http://prefect.example:4200/api"


@pytest.mark.usefixtures("no_api_url")
def test_the_local_server_answers_and_is_stopped_afterwards() -> None:
    with local_prefect_api() as api:
        assert api is not None
        assert os.environ["PREFECT_API_URL"] == api.url
        assert api.wait_ready(), api.log.read_text(errors="replace")
        assert httpx.get(f"{api.url}/health").status_code == 200
        process = api.process
    assert process.poll() is not None
    assert "PREFECT_API_URL" not in os.environ


@pytest.mark.usefixtures("no_api_url")
def test_a_server_that_exits_is_reported_not_ready_at_once() -> None:
    with local_prefect_api([sys.executable, "-c", "raise SystemExit(3)"]) as api:
        assert api is not None
        assert not api.wait_ready(timeout_s=30)
        assert api.process.returncode == 3


@pytest.mark.usefixtures("no_api_url")
def test_when_the_local_server_never_comes_up_the_flow_runs_on_prefects_own(tmp_path: Path) -> None:
    from flows.ingest import run_ingest
    from pipeline.settings import Settings

    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "ke-hoach.txt").write_text(
        "ỦY BAN NHÂN DÂN TỈNH LÀO CAI\nSố: 12/KH-UBND\nKẾ HOẠCH\nThực hiện công tác giảm nghèo năm 2024\n",
        encoding="utf-8",
    )
    warnings: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: warnings.append(record.getMessage())  # type: ignore[method-assign]
    logging.getLogger("planscan.ingest").addHandler(handler)  # Prefect reconfigures the root logger
    failing = [sys.executable, "-c", "print('port in use'); raise SystemExit(3)"]
    try:
        with local_prefect_api(failing) as api:
            summary = run_ingest([inputs], tmp_path / "out", Settings(workers=1), api=api)
            assert "PREFECT_API_URL" not in os.environ
    finally:
        logging.getLogger("planscan.ingest").removeHandler(handler)
    assert summary.ok == 1
    assert any("did not come up (port in use)" in message for message in warnings)
    assert len(list((tmp_path / "out").glob("*.json"))) == 1
