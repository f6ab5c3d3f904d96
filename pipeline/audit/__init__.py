"""Audit a digitised plan against a national reference such as Decision 666/QĐ-TTg.

Plain library code (no orchestration imports): ``audit_document(result, "666/QĐ-TTg")`` returns an
``AuditResult``; references are JSON data in models/reference/.
"""

from pipeline.audit.engine import DEFAULT_REFERENCE, audit_document, audit_with
from pipeline.audit.models import AuditResult, CheckResult, Comparison, Quote
from pipeline.audit.reference import Reference, ReferenceError, get_reference, load_references

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
