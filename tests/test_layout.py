"""Header and closing zones: where the two-column blocks are cut from the page."""

import numpy as np

from pipeline.layout import Line, Zone, clear_of_ink, find_zones
from pipeline.models import Word


def _page_with_line(top: int, bottom: int) -> np.ndarray:
    grey = np.full((1000, 800), 255, np.uint8)
    grey[top:bottom, 100:700:7] = 0  # a line of text: thin strokes across the page
    return grey


def test_a_zone_is_not_cut_through_a_line() -> None:
    grey = _page_with_line(300, 350)
    zone = clear_of_ink(grey, Zone("header", 100, 320))  # the found bottom falls inside the line
    assert zone.bottom >= 350 and zone.top == 100
    assert not (grey[zone.bottom] < 128).any()


def test_a_zone_starting_inside_a_line_moves_up_above_it() -> None:
    grey = _page_with_line(300, 350)
    zone = clear_of_ink(grey, Zone("closing", 330, 600))
    assert zone.top < 300 and zone.bottom == 600


def test_without_a_blank_row_near_the_zone_stays() -> None:
    grey = np.full((1000, 800), 255, np.uint8)
    grey[:, 50:56] = 0  # a dark border down the whole page: no row is blank
    assert clear_of_ink(grey, Zone("header", 100, 320)) == Zone("header", 100, 320)
    grey[300:350, 100:700:7] = 0  # and a line the found bottom cuts through
    assert clear_of_ink(grey, Zone("header", 100, 320)) == Zone("header", 100, 320)


def _line(text: str, top: int) -> Line:
    words = [
        Word(text=word, confidence=90.0, box=(100 + 120 * i, top, 100, 40), line=0)
        for i, word in enumerate(text.split())
    ]
    return Line(words=words, block=(0, 0))


def test_a_garbled_recipients_label_still_opens_the_closing_zone() -> None:
    body = [_line(f"dòng thứ {i} của nội dung văn bản", 800 + 60 * i) for i in range(5)]
    closing = [_line("Nói nhìn: KT. CHỦ TỊCH", 1200), _line("- Như trên; PHÓ CHỦ TỊCH", 1260)]
    zones = find_zones(body + closing, 3400)
    assert [(z.kind, z.top) for z in zones] == [("closing", 1190)]
