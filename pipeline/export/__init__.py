"""Archival outputs for finished results: searchable PDF, ALTO and hOCR, provenance events, BagIt fixity.

Plain library code (no Prefect): ``export_document`` is cheap to call once per document, from the ingest
flow or from ``planscan export`` on results that already exist.
"""

from pipeline.export.document import KINDS, ExportReport, bag_dir_for, export_document
from pipeline.export.fixity import BagReport, verify_bag, write_bag

__all__ = [
    "KINDS",
    "BagReport",
    "ExportReport",
    "bag_dir_for",
    "export_document",
    "verify_bag",
    "write_bag",
]
