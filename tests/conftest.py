"""Shared fixtures. The user's documents are read from ../shared at run time and never copied here."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
REAL_SCANS = SHARED / "scans" / "real"
CORPUS = ROOT / "corpus"


def seed_path(prefix: str) -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"../shared/seeds is not present next to the project ({SEEDS}); seed tests need it")
    matches = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not matches:
        pytest.skip(f"seed {prefix} not found in {SEEDS}")
    return matches[0]


def has_tesseract_vie() -> bool:
    if shutil.which("tesseract") is None:
        return False
    langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, check=False).stdout
    return "vie" in langs.split()


needs_ocr = pytest.mark.skipif(
    not has_tesseract_vie(), reason="tesseract with the `vie` language is not installed"
)


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One ephemeral Prefect server for the whole session (it costs 10-30 s to start on 2 cores)."""
    home = tmp_path_factory.mktemp("prefect-home")
    os.environ["PREFECT_HOME"] = str(home)
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield
