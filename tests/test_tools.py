"""The wrapped external programs: what they return, in the project's coordinates."""

from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline import tools

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")


def test_character_boxes_are_in_top_left_coordinates(tmp_path: Path) -> None:
    if not FONT.exists():
        pytest.skip(f"{FONT} is missing (install fonts-dejavu-core)")
    page = Image.new("L", (700, 200), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(str(FONT), 60)
    slash = draw.textbbox((40 + draw.textlength("12", font=font), 100), "/", font=font)
    draw.text((40, 100), "12/KH", font=font, fill=0)
    path = tmp_path / "line.png"
    page.save(path)
    boxes = tools.line_character_boxes(path, lang="eng", timeout=60)
    assert "".join(char for char, _ in boxes) == "12/KH"
    x, y, width, height = next(box for char, box in boxes if char == "/")
    assert abs(x - slash[0]) <= 6 and abs(x + width - slash[2]) <= 6
    assert abs(y - slash[1]) <= 8 and abs(y + height - slash[3]) <= 8  # rows count from the top
