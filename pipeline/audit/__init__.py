"""Audit a digitised plan against a national reference such as Decision 666/QĐ-TTg.

Plain library code (no orchestration imports): ``audit_document(result, "666/QĐ-TTg")`` returns an
``AuditResult``; references are JSON data in models/reference/.
"""

from typing import Any

from pipeline.audit.models import AuditResult, CheckResult, Comparison, Quote
from pipeline.audit.reference import (
    DEFAULT_REFERENCE,
    Reference,
    ReferenceError,
    get_reference,
    load_references,
)

__all__ = [
    "DEFAULT_REFERENCE",
    "AuditResult",
    "CheckResult",
    "Comparison",
    "Quote",
    "Reference",
    "ReferenceError",
    "audit_document",
    "audit_with",
    "get_reference",
    "load_references",
]


def __getattr__(name: str) -> Any:
    # The engine's checks load spaCy; importing the package (as ``planscan --help`` does) should not.
    if name in ("audit_document", "audit_with"):
        from pipeline.audit import engine

        return getattr(engine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
