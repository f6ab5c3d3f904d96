"""Typed errors with stable codes.

Every error carries a stable ``code`` (documented in the README, never reused) and a ``remedy`` that tells
the user what to do. Errors are data too: ``to_record`` turns one into the ``errors`` entry of a document.
"""

from __future__ import annotations

from typing import ClassVar


class PlanscanError(Exception):
    """Base class: ``code`` is stable across releases; ``remedy`` is shown to the user."""

    code: ClassVar[str] = "PS000"
    default_remedy: ClassVar[str] = "Report this with the input file attached."

    def __init__(self, message: str, *, remedy: str | None = None, page: int | None = None) -> None:
        self.message = message
        self.remedy = remedy or self.default_remedy
        self.page = page
        super().__init__(f"[{self.code}] {message} — {self.remedy}")


class ToolMissing(PlanscanError):
    code = "PS101"
    default_remedy = (
        "Install it: apt-get install tesseract-ocr tesseract-ocr-vie poppler-utils (or `make setup`)."
    )


class LanguageDataMissing(PlanscanError):
    code = "PS102"
    default_remedy = "Install the Vietnamese model: apt-get install tesseract-ocr-vie."


class ToolTimeout(PlanscanError):
    code = "PS103"
    default_remedy = "The page may be corrupt or huge; raise --page-timeout or inspect the page."


class ToolFailed(PlanscanError):
    code = "PS104"
    default_remedy = "Check the input file; run the command shown in the message by hand to see its output."


class SynthFontMissing(PlanscanError):
    code = "PS105"
    default_remedy = "Install a font with Vietnamese letters: apt-get install fonts-liberation2."


class UnsupportedInput(PlanscanError):
    code = "PS201"
    default_remedy = "Supported inputs: PDF, PNG, JPEG, TIFF and UTF-8/TCVN3 text (.txt)."


class EmptyInput(PlanscanError):
    code = "PS202"
    default_remedy = "The file is empty; re-export or re-scan it."


class UnreadablePdf(PlanscanError):
    code = "PS203"
    default_remedy = "The PDF is damaged or truncated; re-export it or repair it with `qpdf --repair`."


class EncryptedPdf(PlanscanError):
    code = "PS204"
    default_remedy = "Remove the password first, e.g. `qpdf --decrypt --password=... in.pdf out.pdf`."


class UnreadableImage(PlanscanError):
    code = "PS205"
    default_remedy = "The image could not be decoded; re-export it as PNG or TIFF."


class ImageTooLarge(PlanscanError):
    code = "PS206"
    default_remedy = "Downscale the image to 300 dpi (under 100 megapixels) before ingesting."


class UndecodableText(PlanscanError):
    code = "PS207"
    default_remedy = (
        "Convert the file to UTF-8 first (for VNI or other legacy encodings use a converter such as UniKey)."
    )


class InputUnreadable(PlanscanError):
    code = "PS208"
    default_remedy = "The file or folder cannot be read (permissions or an I/O error); check access to it."


class SourceMissing(PlanscanError):
    code = "PS209"
    default_remedy = (
        "The input a result was made from is missing or has changed since ingest; "
        "restore it at its recorded path or ingest it again."
    )


class BlankPage(PlanscanError):
    code = "PS301"
    default_remedy = "The page looks blank; check the scan if text was expected."


class OcrFailed(PlanscanError):
    code = "PS302"
    default_remedy = "Re-scan the page at 300 dpi; check the image is not corrupt."


class NotVietnamese(PlanscanError):
    code = "PS303"
    default_remedy = (
        "The text does not read as Vietnamese; it is kept as read and not restored, so fields may be missing."
    )


class RestorerUnavailable(PlanscanError):
    code = "PS501"
    default_remedy = (
        "The restorer's artefacts in models/restorer/ are missing or damaged: `planscan train restorer`."
    )


class SchemaViolation(PlanscanError):
    code = "PS401"
    default_remedy = "This is a bug in planscan: report it with the input file."


class UnexpectedError(PlanscanError):
    code = "PS402"
    default_remedy = "An unexpected error stopped this step: report it with the input file attached."


ALL_ERRORS: tuple[type[PlanscanError], ...] = (
    PlanscanError,
    ToolMissing,
    LanguageDataMissing,
    ToolTimeout,
    ToolFailed,
    SynthFontMissing,
    UnsupportedInput,
    EmptyInput,
    UnreadablePdf,
    EncryptedPdf,
    UnreadableImage,
    ImageTooLarge,
    UndecodableText,
    InputUnreadable,
    SourceMissing,
    BlankPage,
    OcrFailed,
    NotVietnamese,
    RestorerUnavailable,
    SchemaViolation,
    UnexpectedError,
)
