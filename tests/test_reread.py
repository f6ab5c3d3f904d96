"""The second reading of the document number: only when the first was unsure, on the crop between the
"Số:" label and the symbol, and a vote that leaves disagreeing digits unknown."""

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline import digits, reread
from pipeline.extract import extract_fields
from pipeline.extract.header import printed_month
from pipeline.models import DigitsCandidate, Evidence, Fields, NumberReread, Page, Word
from pipeline.reread import majority, reread_day, reread_number

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")


Boxes = list[tuple[str, tuple[int, int, int, int]]]


def _page() -> np.ndarray:
    if not FONT.exists():
        pytest.skip(f"{FONT} is missing (install fonts-dejavu-core)")
    return np.full((3400, 2400), 255, np.uint8)


def _printed(grey: np.ndarray, texts: tuple[str, ...], x: int, *, gap: int) -> tuple[Boxes, int]:
    """Words printed on one line from ``x``, each followed by ``gap``; their boxes and the next x."""
    font = ImageFont.truetype(str(FONT), 50)
    page = Image.fromarray(grey)
    draw = ImageDraw.Draw(page)
    boxes: Boxes = []
    for text in texts:
        left, top, right, bottom = draw.textbbox((x, 400), text, font=font)
        draw.text((x, 400), text, font=font, fill=0)
        boxes.append((text, (left, top, right - left, bottom - top)))
        x = right + gap
    grey[:] = np.array(page)
    return boxes, x


def _pen(grey: np.ndarray, digits: str, x: int, baseline: int, *, spacing: int = 8) -> int:
    """Digits written with a pen-like script stroke from ``x``, ``spacing`` apart (less than 0: they
    overlap); the x after them."""
    for digit in digits:
        cv2.putText(grey, digit, (x, baseline), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 2.0, 0, 6, cv2.LINE_AA)
        x += cv2.getTextSize(digit, cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 2.0, 6)[0][0] + spacing
    return x


def _saved(grey: np.ndarray, tmp_path: Path) -> Path:
    path = tmp_path / "page.png"
    cv2.imwrite(str(path), grey)
    return path


def _number_line(tmp_path: Path) -> tuple[Path, Boxes]:
    """A 300 dpi page top with "Số: 280 /BC-UBND" and the box of each of its three words."""
    grey = _page()
    words, _ = _printed(grey, ("Số:", "280", "/BC-UBND"), 300, gap=30)
    return _saved(grey, tmp_path), words


def _loader(image: Path) -> Callable[[], np.ndarray]:
    return lambda: cv2.imread(str(image), cv2.IMREAD_GRAYSCALE)


def _words(boxes: list[tuple[str, tuple[int, int, int, int]]], digits_confidence: float) -> list[Word]:
    return [
        Word(text=text, confidence=digits_confidence if text.isdigit() else 95.0, box=box, line=0)
        for text, box in boxes
    ]


def test_unsure_digits_are_read_again_on_their_crop(tmp_path: Path) -> None:
    image, boxes = _number_line(tmp_path)
    # The first reading dropped a digit and said so with a low confidence.
    words = _words([(t if t != "280" else "80", b) for t, b in boxes], digits_confidence=40.0)
    reread = reread_number(_loader(image), words, 3400, tmp_path, lang="vie", timeout=60)
    assert reread is not None
    assert reread.digits == "280"
    assert len(reread.readings) == 3
    assert not list(tmp_path.glob("number-*.png")), "crops are removed"


def test_a_reading_shorter_than_what_the_first_reading_saw_is_not_trusted(tmp_path: Path) -> None:
    image, boxes = _number_line(tmp_path)
    # The first reading saw four marks where the digits are; three digits mean one was lost.
    words = _words([(t if t != "280" else "2#80", b) for t, b in boxes], digits_confidence=40.0)
    reread = reread_number(_loader(image), words, 3400, tmp_path, lang="vie", timeout=60)
    assert reread is not None
    assert reread.readings.count("280") >= 2
    assert reread.digits == reread.shapes  # the vote is set aside; only the glyph classifier may answer


def _pen_number_line(tmp_path: Path, *, first_reading: str) -> tuple[Path, Boxes]:
    """ "Số:" printed, "53" written with a pen-like script stroke, then the printed symbol. The first
    reading saw the digits apart ("#3"), glued to the label ("Số:#3"), or not at all while the label's box
    stretched over them ("Số:")."""
    grey = _page()
    [(label, (left, top, width, height))], _ = _printed(grey, ("Số:",), 300, gap=0)
    right, bottom = left + width, top + height
    digits_right = _pen(grey, "53", right + (30 if first_reading == "apart" else 4), bottom + 2)
    [symbol], _ = _printed(grey, ("/BC-UBND",), digits_right + 30, gap=0)
    stretched = (left, top - 10, digits_right - left, height + 20)
    if first_reading == "glued":
        words = [("Số:#3", stretched), symbol]
    elif first_reading == "stretched":
        words = [("Số:", stretched), symbol]
    else:
        words = [(label, (left, top, width, height)), ("#3", (right + 30, top, 80, 60)), symbol]
    return _saved(grey, tmp_path), words


@pytest.mark.parametrize("first_reading", ["apart", "glued", "stretched"])
def test_pen_digits_are_read_glyph_by_glyph_after_the_label(tmp_path: Path, first_reading: str) -> None:
    image, boxes = _pen_number_line(tmp_path, first_reading=first_reading)
    words = _words(boxes, digits_confidence=40.0)
    reread = reread_number(_loader(image), words, 3400, tmp_path, lang="vie", timeout=60)
    assert reread is not None
    assert reread.shapes == "53"
    assert reread.digits == "53"  # the classifier's sure reading stands over Tesseract's vote


def test_sure_digits_are_not_read_again(tmp_path: Path) -> None:
    image, boxes = _number_line(tmp_path)
    assert reread_number(_loader(image), _words(boxes, 96.0), 3400, tmp_path, lang="vie", timeout=60) is None


def test_pen_digits_glued_to_the_symbol_end_at_its_printed_slash(tmp_path: Path) -> None:
    # "Số: 574/UBND-KTTH" with the pen digits wider than print: the first reading kept "†4/UBND-KTTH",
    # where the slash's place in the text falls inside the digits.
    grey = _page()
    [label], x = _printed(grey, ("Số:",), 300, gap=30)
    digits_right = _pen(grey, "574", x, label[1][1] + label[1][3] + 2)
    [(_, symbol_box)], _ = _printed(grey, ("/UBND-KTTH",), digits_right, gap=0)
    glued = (x, symbol_box[1], symbol_box[0] + symbol_box[2] - x, symbol_box[3])
    words = _words([label, ("†4/UBND-KTTH", glued)], digits_confidence=40.0)
    reread = reread_number(_loader(_saved(grey, tmp_path)), words, 3400, tmp_path, lang="vie", timeout=60)
    assert reread is not None
    assert reread.shapes == "574"
    assert reread.box[0] + reread.box[2] < symbol_box[0] + 5  # the crop ends at the slash
    assert not list(tmp_path.glob("symbol*.png")), "the symbol's strip is removed"


def test_tesseract_vote_settles_a_glyph_the_classifier_is_unsure_of(monkeypatch: pytest.MonkeyPatch) -> None:
    # Two glyphs: the classifier takes the first for an 8 at 0.6 and a 6 at 0.3; the second is a 0.
    unsure = np.full((2, 10), 0.01)
    unsure[0, [8, 6]] = [0.6, 0.3]
    unsure[1, 0] = 0.9
    unsure /= unsure.sum(axis=1, keepdims=True)

    class Reader:
        def probabilities(self, features: np.ndarray) -> np.ndarray:
            return unsure

    monkeypatch.setattr(digits, "_segment", lambda strip, at_least: ([strip, strip], []))
    monkeypatch.setattr(digits, "load_digit_reader", Reader)
    strip = np.zeros((10, 10), np.uint8)
    strip[2:8, 4:6] = 255
    assert reread._classified(strip, max_digits=5, vote=None).digits == "80"
    assert reread._classified(strip, max_digits=5, vote="60").digits == "60"  # the engine read a 6 there
    assert reread._classified(strip, max_digits=5, vote="50").digits == "80"  # a 5 it all but ruled out
    assert reread._classified(strip, max_digits=5, vote="600").digits == "80"  # another length says nothing


def test_the_vote_needs_a_majority() -> None:
    assert majority(["280", "280", "980"]) == "280"
    assert majority(["84", "34", ""]) is None
    assert majority(["", "", ""]) is None
    assert majority(["24", "", ""]) is None


HEADER = (
    "ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NGÃI\nSố: {num} /BC-UBND\nQuảng Ngãi, ngày 22 tháng 11 năm 2024\nBÁO CÁO"
)


def _ocr_page(num: str, reread: NumberReread | None) -> Page:
    text = HEADER.format(num=num)
    words = [
        Word(text=t, confidence=40.0 if t == num else 96.0, box=(10 * i, 0, 9, 9), line=0)
        for i, t in enumerate(text.split())
    ]
    return Page(
        number=1, text=text, ocr_text=text, mean_confidence=90.0, source="ocr", words=words,
        number_reread=reread,
    )  # fmt: skip


def test_the_second_reading_replaces_the_first_but_stays_flagged() -> None:
    reread = NumberReread(digits="280", readings=["280", "280", "980"], box=(0, 0, 9, 9))
    fields, evidence, _ = extract_fields([_ocr_page("80", reread)])
    assert fields.number == "280/BC-UBND"
    assert evidence["number"].needs_review
    assert evidence["number"].note and "'80'" in evidence["number"].note


def test_an_unreadable_number_is_completed_from_the_second_reading() -> None:
    reread = NumberReread(digits="24", readings=["24", "24", ""], box=(0, 0, 9, 9))
    fields, evidence, _ = extract_fields([_ocr_page("#4", reread)])
    assert fields.number == "24/BC-UBND"
    assert evidence["number"].needs_review


def test_disagreeing_readings_leave_the_number_unknown() -> None:
    reread = NumberReread(digits=None, readings=["84", "34", ""], box=(0, 0, 9, 9))
    fields, _, _ = extract_fields([_ocr_page("#4", reread)])
    assert fields.number is None


def _pen_day_line(tmp_path: Path, day: str = "23", *, spacing: int = 8) -> tuple[Path, Boxes]:
    """ "Quảng Ngãi, ngày" printed, the day written with a pen-like stroke, then "tháng 11 năm 2024"."""
    grey = _page()
    boxes, x = _printed(grey, ("Quảng", "Ngãi,", "ngày"), 300, gap=24)
    _, (_, top, _, height) = boxes[-1]
    day_left = x + 10
    x = _pen(grey, day, day_left, top + height + 2, spacing=spacing)
    boxes.append(("#@", (day_left, top, x - day_left, height)))
    rest, _ = _printed(grey, ("tháng", "11", "năm", "2024"), x + 40, gap=24)
    return _saved(grey, tmp_path), boxes + rest


def test_an_unsure_day_is_read_again_between_ngay_and_thang(tmp_path: Path) -> None:
    image, boxes = _pen_day_line(tmp_path)
    words = [Word(text=t, confidence=30.0 if t == "#@" else 95.0, box=b, line=0) for t, b in boxes]
    day = reread_day(_loader(image), words, 3400, tmp_path, lang="vie", timeout=60)
    assert day is not None
    assert day.shapes == "23"
    # Tesseract reads this script 3 as a 5; the classifier, made for pen digits and sure of both glyphs,
    # comes first. Tesseract's readings are kept for the reviewer.
    assert day.digits == "23"
    assert len(day.readings) == 3
    assert day.candidates[0].digits == "23" and len(day.candidates) > 1  # the others, for a witness
    assert all(1 <= int(c.digits) <= 31 for c in day.candidates), "only days are kept"
    assert not list(tmp_path.glob("day-*.png")), "crops are removed"
    sure = [w.model_copy(update={"text": "23", "confidence": 96.0}) if w.text == "#@" else w for w in words]
    assert reread_day(_loader(image), sure, 3400, tmp_path, lang="vie", timeout=60) is None


@pytest.mark.parametrize("first_reading", ["2|", "#", "#@"])
def test_touching_digits_are_parted_when_the_first_reading_saw_two_marks(
    tmp_path: Path, first_reading: str
) -> None:
    # The pen "2" and "5" overlap into one blob that is not wide enough to look like two digits.
    image, boxes = _pen_day_line(tmp_path, "25", spacing=-27)
    words = [
        Word(text=first_reading if t == "#@" else t, confidence=30.0 if t == "#@" else 95.0, box=b, line=0)
        for t, b in boxes
    ]
    day = reread_day(_loader(image), words, 3400, tmp_path, lang="vie", timeout=60)
    assert day is not None
    if first_reading == "2|":
        assert day.shapes == "25"
    else:  # one mark, or marks that are no digits: nothing says the blob holds two
        assert day.shapes is None or len(day.shapes) == 1


def _merged(boxes: Boxes, first: str, last: str, text: str) -> Boxes:
    """The words from ``first`` to ``last`` as one word with ``text``, as the engine sometimes reads them."""
    names = [name for name, _ in boxes]
    start, end = names.index(first), names.index(last)
    parts = [box for _, box in boxes[start : end + 1]]
    left, top = parts[0][0], min(b[1] for b in parts)
    right, bottom = max(b[0] + b[2] for b in parts), max(b[1] + b[3] for b in parts)
    return [*boxes[:start], (text, (left, top, right - left, bottom - top)), *boxes[end + 1 :]]


@pytest.mark.parametrize(
    ("first", "last", "text"),
    [
        ("ngày", "#@", "ngày#@"),  # the box of "ngày" stretched over the day
        ("#@", "tháng", "#@tháng"),  # the day glued to the month word
        ("ngày", "tháng", "ngày#@tháng"),  # all three in one word
    ],
)
def test_a_day_glued_to_its_neighbours_is_still_found(
    tmp_path: Path, first: str, last: str, text: str
) -> None:
    image, boxes = _pen_day_line(tmp_path)
    merged = _merged(boxes, first, last, text)
    words = [Word(text=t, confidence=30.0 if "#" in t else 95.0, box=b, line=0) for t, b in merged]
    day = reread_day(_loader(image), words, 3400, tmp_path, lang="vie", timeout=60)
    assert day is not None
    assert day.shapes == "23"


def _dated_page(day: NumberReread | None, first: str = "#@") -> Page:
    date_line = f"Quảng Ngãi, ngày {first} tháng 11 năm 2024"
    text = f"ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NGÃI\nSố: 280/BC-UBND\n{date_line}\nBÁO CÁO"
    words = [
        Word(text=t, confidence=40.0 if t == first else 96.0, box=(10 * i, 0, 9, 9), line=0)
        for i, t in enumerate(text.split())
    ]
    return Page(
        number=1, text=text, ocr_text=text, mean_confidence=90.0, source="ocr", day_reread=day, words=words
    )  # fmt: skip


def test_an_unreadable_day_is_completed_from_its_second_reading_and_flagged() -> None:
    day = NumberReread(digits="23", readings=["23", "23", ""], shapes="23", box=(0, 0, 9, 9))
    fields, evidence, _ = extract_fields([_dated_page(day)])
    assert fields.issued_date is not None and fields.issued_date.isoformat() == "2024-11-23"
    assert fields.place == "Quảng Ngãi"
    assert evidence["issued_date"].needs_review and evidence["issued_date"].confidence <= 0.5
    assert evidence["issued_date"].quote.startswith("ngày")
    fields, _, _ = extract_fields([_dated_page(None)])
    assert fields.issued_date is None and fields.place == "Quảng Ngãi"


def test_an_unsure_day_in_the_text_gives_way_to_its_second_reading() -> None:
    # The page text read "4" with low confidence where the pen wrote 24; the crop's classifier read 24.
    day = NumberReread(digits="24", readings=["4", "4", "4"], shapes="24", box=(0, 0, 9, 9))
    fields, evidence, _ = extract_fields([_dated_page(day, first="4")])
    assert fields.issued_date is not None and fields.issued_date.isoformat() == "2024-11-24"
    assert evidence["issued_date"].needs_review
    assert evidence["issued_date"].note and "'4'" in evidence["issued_date"].note
    fields, evidence, _ = extract_fields([_dated_page(None, first="4")])
    assert fields.issued_date is not None and fields.issued_date.day == 4  # no second reading: kept, flagged
    assert evidence["issued_date"].needs_review


_SIGNED_20_NOVEMBER = "Ký bởi: Ủy ban nhân dân tỉnh Quảng Ngãi\nThời gian ký: 20/11/2024 16:32:29\n"


def _signed_reread(candidates: list[tuple[str, float]], month: int = 11) -> tuple[Fields, Evidence]:
    ranked = [DigitsCandidate(digits=d, probability=p) for d, p in candidates]
    day = NumberReread(digits="27", readings=["", "2", ""], shapes="27", box=(0, 0, 9, 9), candidates=ranked)
    page = _dated_page(day)
    text = page.text.replace("tháng 11", f"tháng {month}")
    update = {"text_layer": _SIGNED_20_NOVEMBER, "text": text, "ocr_text": text}
    fields, evidence, _ = extract_fields([page.model_copy(update=update)])
    return fields, evidence["issued_date"]


def test_a_reread_day_after_the_digital_signature_gives_way_to_the_likeliest_day_before_it() -> None:
    # The classifier took a pen 0 for a 7 by a hair; the document was signed on the 20th.
    fields, evidence = _signed_reread([("27", 0.49), ("26", 0.3), ("20", 0.2), ("29", 0.01)])
    assert fields.issued_date == dt.date(2024, 11, 20)
    assert evidence.needs_review and evidence.confidence <= 0.5
    assert evidence.note and "27 would be after the digital signature of 2024-11-20" in evidence.note
    assert "20 (p 0.20) stands in" in evidence.note


def test_a_long_shot_does_not_replace_a_day_after_the_signature() -> None:
    fields, evidence = _signed_reread([("27", 0.9), ("20", 0.05)])
    assert fields.issued_date == dt.date(2024, 11, 27)  # kept as read, questioned by the signature
    assert evidence.needs_review and evidence.note and "later than the digital signature" in evidence.note
    fields, _ = _signed_reread([("27", 0.5), ("20", 0.05)])  # exactly a tenth as likely: it may stand in
    assert fields.issued_date == dt.date(2024, 11, 20)


def test_only_a_day_in_the_signatures_month_is_bounded_by_it() -> None:
    fields, evidence = _signed_reread([("27", 0.49), ("20", 0.2)], month=10)  # October: any day is fine
    assert fields.issued_date == dt.date(2024, 10, 27)
    assert evidence.note and "stands in" not in evidence.note
    fields, evidence = _signed_reread([("27", 0.49), ("20", 0.2)], month=12)  # every December day is later
    assert fields.issued_date == dt.date(2024, 12, 27)
    assert evidence.note and "later than the digital signature" in evidence.note


def test_a_misread_printed_month_is_repaired_for_a_reread_day() -> None:
    day = NumberReread(digits="22", readings=["2", "2", ""], shapes="22", box=(0, 0, 9, 9))
    page = _dated_page(day)
    text = page.text.replace("tháng 11", "tháng 1]")
    fields, evidence, _ = extract_fields([page.model_copy(update={"text": text, "ocr_text": text})])
    assert fields.issued_date is not None and fields.issued_date.isoformat() == "2024-11-22"
    assert evidence["issued_date"].needs_review


def test_printed_month_takes_only_months() -> None:
    assert printed_month(" 1] ") == 11
    assert printed_month("O5") == 5
    assert printed_month("13") is None
    assert printed_month("#") is None


def test_a_date_cited_in_the_body_is_not_the_place_date_line(tmp_path: Path) -> None:
    cited = ["Thực", "hiện", "Chỉ", "thị", "số", "11/CT-TTg", "ngày", "#@", "tháng", "4", "năm", "2021"]
    words = [
        Word(text=t, confidence=30.0, box=(300 + 90 * i, 400, 80, 50), line=0) for i, t in enumerate(cited)
    ]

    def no_page() -> np.ndarray:
        raise AssertionError("no crop should be needed")

    assert reread_day(no_page, words, 3400, tmp_path, lang="vie", timeout=60) is None
