"""Turn one page of an input document into one PNG file (never a whole document in memory)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, UnidentifiedImageError

from pipeline import tools
from pipeline.errors import ImageTooLarge, UnreadableImage
from pipeline.load import InputDocument
from pipeline.settings import Settings

# Pillow's own bomb guard would raise before our typed check; we enforce the limit ourselves.
Image.MAX_IMAGE_PIXELS = None


def _open_image(path: Path, settings: Settings) -> Image.Image:
    try:
        image = Image.open(path)
    except (UnidentifiedImageError, OSError) as exc:
        raise UnreadableImage(f"{path.name} cannot be decoded as an image: {exc}") from exc
    megapixels = image.width * image.height / 1e6
    if megapixels > settings.max_megapixels:
        image.close()
        raise ImageTooLarge(
            f"{path.name} is {megapixels:.0f} megapixels (limit {settings.max_megapixels:.0f})"
        )
    return image


def count_pages(doc: InputDocument, settings: Settings) -> int:
    if doc.media_type == "application/pdf":
        return tools.pdf_info(doc.path, timeout=settings.page_timeout_s).pages
    if doc.media_type == "image/tiff":
        with _open_image(doc.path, settings) as image:
            return getattr(image, "n_frames", 1)
    return 1


def image_dpi(image: Image.Image) -> int | None:
    dpi = image.info.get("dpi")
    if not dpi:
        return None
    value = round(float(dpi[0]))
    return value if value > 1 else None


def _check_pdf_page_size(doc: InputDocument, number: int, settings: Settings) -> None:
    """Refuse a page whose image at the chosen dpi would exceed the pixel limit, before rendering it."""
    size = tools.pdf_page_size(doc.path, number, timeout=settings.page_timeout_s)
    if size is None:
        return
    megapixels = (size[0] / 72 * settings.dpi) * (size[1] / 72 * settings.dpi) / 1e6
    if megapixels > settings.max_megapixels:
        raise ImageTooLarge(
            f"{doc.path.name}: page {number} would be {megapixels:.0f} megapixels at {settings.dpi} dpi "
            f"(limit {settings.max_megapixels:.0f})",
            page=number,
        )


def rasterise_page(
    doc: InputDocument, number: int, work_dir: Path, settings: Settings
) -> tuple[Path, int | None]:
    """Write page ``number`` (1-based) as PNG under ``work_dir``; return its path and resolution."""
    work_dir.mkdir(parents=True, exist_ok=True)
    if doc.media_type == "application/pdf":
        _check_pdf_page_size(doc, number, settings)
        path = tools.rasterise_pdf_page(
            doc.path, number, dpi=settings.dpi, out_dir=work_dir, timeout=settings.page_timeout_s
        )
        return path, settings.dpi
    with _open_image(doc.path, settings) as image:
        if doc.media_type != "image/tiff":
            return doc.path, image_dpi(image)  # OpenCV reads PNG and JPEG directly: no copy needed
    out = work_dir / f"p{number:05d}.png"
    with _open_image(doc.path, settings) as image:
        try:
            if number > 1:
                image.seek(number - 1)
            image.load()
        except (EOFError, OSError) as exc:
            raise UnreadableImage(
                f"{doc.path.name}: page {number} cannot be decoded: {exc}", page=number
            ) from exc
        dpi = image_dpi(image)
        frame = image.convert("RGB") if image.mode not in ("RGB", "L") else image
        frame.save(out, format="PNG", compress_level=1)
    return out, dpi
