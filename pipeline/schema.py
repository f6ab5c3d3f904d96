"""The JSON Schema of ``DocumentResult``, generated from the pydantic models and committed in ``schema/``."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.models import SCHEMA_VERSION, DocumentResult

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema" / "document.schema.json"


def schema_dict() -> dict:
    schema = DocumentResult.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"planscan/document/{SCHEMA_VERSION}"
    return schema


def schema_text() -> str:
    return json.dumps(schema_dict(), ensure_ascii=False, indent=2) + "\n"
