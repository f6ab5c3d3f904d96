"""Header and closing zones: where the two-column blocks are cut from the page."""

import numpy as np

from pipeline.layout import Zone, clear_of_ink


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
