"""Loads the reviewable rule data in ``models/rules/`` once."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from pipeline.artefacts import MODELS_DIR


@cache
def load_rules(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((MODELS_DIR / "rules" / f"{name}.json").read_text(encoding="utf-8"))
    return data
