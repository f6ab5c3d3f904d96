"""The team's gold annotations stay well-formed (they are what benchmarks measure against)."""

import json
import unicodedata
from pathlib import Path

import pytest

from pipeline.models import Fields

GOLD = Path(__file__).resolve().parent / "gold"
EXTRA_KEYS = {"movement", "fictional"}


@pytest.mark.parametrize("path", sorted((GOLD / "fields").glob("*.json")), ids=lambda p: p.stem)
def test_seed_field_gold_fits_the_output_contract(path: Path) -> None:
    raw = path.read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", raw)
    data = json.loads(raw)
    Fields.model_validate({k: v for k, v in data.items() if k not in EXTRA_KEYS})


def test_restoration_gold_is_line_aligned_nfc_text() -> None:
    for name in ("000", "001", "004"):
        text = (GOLD / "restoration" / f"{name}.txt").read_text(encoding="utf-8")
        assert unicodedata.is_normalized("NFC", text) and len(text.splitlines()) > 100


def test_real_scan_header_gold_covers_all_24_scans() -> None:
    headers = json.loads((GOLD / "realscans" / "headers.json").read_text(encoding="utf-8"))
    assert len(headers) == 24
    for name, entry in headers.items():
        assert name.endswith(".pdf")
        assert {"document_type", "number", "issued_date", "issuer", "title", "signer"} <= set(entry)
