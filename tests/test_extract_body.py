"""Body fields (legal bases, targets, deadlines, responsible bodies) on small hand-written plans and on
the bundled corpus truth; every value carries evidence that quotes its page."""

import json
from pathlib import Path

import pytest

from pipeline.bench.extract_bench import _similar_title, score
from pipeline.extract import extract_fields
from pipeline.extract.scope import document_area
from pipeline.markup import markup_to_text
from pipeline.models import Fields, Issuer, Page
from pipeline.textnorm import normalize_text
from tests.conftest import CORPUS

PLAN = """ỦY BAN NHÂN DÂN
HUYỆN VĂN LÂM
Số: 41/KH-UBND
Văn Lâm, ngày 12 tháng 8 năm 2022

KẾ HOẠCH
Thực hiện Phong trào thi đua "Vì người nghèo - Không để ai bị bỏ lại phía sau" giai đoạn 2021 - 2025

Căn cứ Quyết định số 666/QĐ-TTg ngày 02/6/2022 của Thủ tướng Chính phủ; Nghị quyết số 09-
NQ/TU ngày 26/11/2021 của Ban Thường vụ Tỉnh ủy; Công văn số 2150/LĐT BXH-VPQGGN ngày 23/6/2022
của Bộ Lao động - Thương binh và Xã hội.

I. MỤC TIÊU

- Phấn đấu bình quân mỗi năm giảm từ 1.000 đến 1.500 hộ nghèo.
- Tỷ lệ hộ nghèo giảm bình quân 1,5%/năm; tỷ lệ hộ nghèo dân tộc thiểu số giảm trên 3%/năm.
- Các xã có tỷ lệ hộ nghèo trên 40% giảm từ 4%/năm trở lên.
- Đến năm 2025 tỷ lệ hộ nghèo giảm còn khoảng 2%.
- Đến năm 2025 giảm 1/3 số hộ nghèo so với kết quả rà soát năm 2021.

II. KHEN THƯỞNG

Dịp tổng kết năm 2025, Chủ tịch Ủy ban nhân dân huyện tặng Giấy khen cho không quá 10 tập thể.

III. TỔ CHỨC THỰC HIỆN

1. Phòng Lao động - Thương binh và Xã hội chủ trì, phối hợp với Phòng Nội vụ hướng dẫn thực hiện
Kế hoạch; sơ kết vào năm 2023 và tổng kết vào quý IV năm 2025.

2. Phòng Tài chính - Kế hoạch, Phòng Văn hóa và Thông tin tham mưu bố trí kinh phí.

3. Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam huyện phối hợp vận động Quỹ "Vì người nghèo".

4. Các cơ quan, đơn vị, Ủy ban nhân dân các xã, thị trấn xây dựng kế hoạch trong quý III năm 2022;
báo cáo kết quả về Ủy ban nhân dân huyện trước ngày 20 tháng 11 hằng năm.

5. Các cơ quan có liên quan phối hợp thực hiện.

Nơi nhận:
- UBND tỉnh;
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
Trần Văn Minh
"""


def _extract(text: str) -> tuple[Fields, dict]:
    page = Page(number=1, text=normalize_text(text), ocr_text=None, mean_confidence=None, source="text_file")
    fields, evidence, _ = extract_fields([page])
    return fields, evidence


def _organisation(items: str) -> tuple[Fields, dict]:
    """Extract from the items of an organisation section (the heading is added here)."""
    return _extract("III. TỔ CHỨC THỰC HIỆN\n\n" + items)


def _roles(items: str) -> list[tuple[str, str | None]]:
    """(name, role) of each responsible body found in the items of an organisation section, in order."""
    fields, _ = _organisation(items)
    return [(b.name, b.role) for b in fields.responsible_bodies]


@pytest.fixture(scope="module")
def plan() -> tuple[Fields, dict]:
    return _extract(PLAN)


def test_legal_bases_in_order_with_wrapped_and_split_symbols(plan: tuple[Fields, dict]) -> None:
    fields, _ = plan
    got = [(b.number, b.type, b.date and b.date.isoformat(), b.issuer) for b in fields.legal_bases]
    assert got == [
        ("666/QĐ-TTg", "QĐ", "2022-06-02", "Thủ tướng Chính phủ"),
        ("09-NQ/TU", "NQ", "2021-11-26", "Ban Thường vụ Tỉnh ủy"),
        ("2150/LĐTBXH-VPQGGN", None, "2022-06-23", "Bộ Lao động - Thương binh và Xã hội"),
    ]


def test_targets_read_vietnamese_numerals_ranges_and_comparators(plan: tuple[Fields, dict]) -> None:
    fields, _ = plan
    got = {
        (t.indicator, round(t.value or 0, 4), t.value_max, t.comparator, t.unit, t.year)
        for t in fields.targets
    }
    assert got == {
        ("poor_households_reduction", 1000, 1500, None, "households_per_year", None),
        ("poverty_rate_reduction", 1.5, None, None, "percent_per_year", None),
        ("ethnic_minority_poverty_rate_reduction", 3, None, ">", "percent_per_year", None),
        ("high_poverty_commune_poverty_rate_reduction", 4, None, ">=", "percent_per_year", None),
        ("poverty_rate_level", 2, None, "about", "percent", 2025),
        ("poor_households_reduction", round(1 / 3, 4), None, None, "fraction", 2025),
    }
    # The 40 % threshold qualifies the communes and the reward count is no objective.
    assert all(t.value not in (40, 10) for t in fields.targets)
    baseline = next(t.baseline for t in fields.targets if t.unit == "fraction")
    assert baseline == "kết quả rà soát năm 2021"


def test_deadlines_carry_when_recurrence_and_actor(plan: tuple[Fields, dict]) -> None:
    fields, _ = plan
    got = {
        (d.when["year"], d.when["quarter"], d.when["month_day"], d.when["recurrence"], d.responsible)
        for d in fields.deadlines
    }
    lead = "Phòng Lao động - Thương binh và Xã hội"
    group = "Các cơ quan, đơn vị, Ủy ban nhân dân các xã, thị trấn"
    assert got == {
        (2023, None, None, "once", lead),
        (2025, 4, None, "once", lead),
        (2022, 3, None, "once", group),
        (None, None, "11-20", "yearly", group),
    }
    # Dates of cited documents and reward occasions are not deadlines.
    assert all(d.when["date"] is None for d in fields.deadlines)


def test_a_clause_that_names_its_own_subject_gives_the_deadline_its_body() -> None:
    fields, _ = _organisation(
        "1. Phòng Nội vụ chủ trì hướng dẫn thực hiện Kế hoạch.\n"
        "- Hằng năm, các cơ quan, đơn vị thông qua tổng kết năm công tác để sơ kết Phong trào.\n"
        "- Năm 2024 Ủy ban nhân dân các xã tiến hành sơ kết Phong trào.\n"
        "- Năm 2025, Sở Tài chính báo cáo kinh phí tổng kết Phong trào.\n"
        "- Sơ kết Phong trào vào năm 2023.\n"
        "- Tổng kết Phong trào vào quý IV năm 2025.\n"
    )
    got = {(d.when["year"], d.when["quarter"], d.when["recurrence"], d.responsible) for d in fields.deadlines}
    assert got == {
        (None, None, "yearly", "Các cơ quan, đơn vị"),  # not "… đơn vị thông qua tổng kết"
        (2024, None, "once", "Ủy ban nhân dân các xã"),  # not "… các xã tiến hành"
        (2025, None, "once", "Sở Tài chính"),  # its name ends at the review verb
        (2023, None, "once", "Phòng Nội vụ"),  # "Sơ kết" is a verb, not "Sở": the item's actor
        (2025, 4, "once", "Phòng Nội vụ"),
    }


def test_responsible_bodies_roles_and_groups(plan: tuple[Fields, dict]) -> None:
    fields, _ = plan
    got = {(b.name, b.role) for b in fields.responsible_bodies}
    assert got == {
        ("Phòng Lao động - Thương binh và Xã hội", "lead"),
        ("Phòng Nội vụ", "coordinate"),
        ("Phòng Tài chính - Kế hoạch", "advise"),
        ("Phòng Văn hóa và Thông tin", "advise"),
        ("Ủy ban Mặt trận Tổ quốc Việt Nam huyện", "coordinate"),
        ("Các cơ quan, đơn vị, Ủy ban nhân dân các xã, thị trấn", "coordinate"),
        ("Ủy ban nhân dân huyện", "report_to"),
    }
    lead = fields.responsible_bodies[0]
    assert lead.tasks and lead.tasks[0].startswith("chủ trì")


def test_movement_comes_from_the_title(plan: tuple[Fields, dict]) -> None:
    assert plan[0].movement == "Vì người nghèo - Không để ai bị bỏ lại phía sau"


def test_every_list_item_has_evidence_quoting_its_page(plan: tuple[Fields, dict]) -> None:
    fields, evidence = plan
    text = normalize_text(PLAN)
    for name in ("legal_bases", "targets", "deadlines", "responsible_bodies"):
        for index in range(len(getattr(fields, name))):
            item = evidence[f"{name}[{index}]"]
            assert text[item.start : item.end] == item.quote
            assert item.page == 1


def test_evidence_points_at_the_page_that_holds_the_value() -> None:
    first, second = PLAN.split("III. TỔ CHỨC")
    pages = [
        Page(number=n, text=normalize_text(t), ocr_text=None, mean_confidence=None, source="text_file")
        for n, t in ((1, first), (2, "III. TỔ CHỨC" + second))
    ]
    fields, evidence, _ = extract_fields(pages)
    index = next(i for i, b in enumerate(fields.responsible_bodies) if b.name == "Phòng Nội vụ")
    item = evidence[f"responsible_bodies[{index}]"]
    assert item.page == 2
    assert pages[1].text[item.start : item.end] == item.quote


DOCUMENTS = sorted((CORPUS / "documents").glob("*.txt"))


@pytest.mark.parametrize("markup", DOCUMENTS, ids=lambda p: p.stem[:13])
def test_corpus_legal_bases_and_targets_match_the_truth(markup: Path) -> None:
    truth = json.loads((CORPUS / "truth" / f"{markup.stem}.json").read_text(encoding="utf-8"))
    text = normalize_text(markup_to_text(markup.read_text(encoding="utf-8")))
    fields, _ = _extract(text)
    result = score(markup.stem, fields, truth)
    assert [b.number for b in fields.legal_bases] == [b["number"] for b in truth["legal_bases"]]
    targets = result.lists["targets"]
    assert targets.matched == targets.gold == targets.predicted
    assert result.lists["deadlines"].recall == 1.0


def test_scorer_counts_a_wrong_value_as_both_a_miss_and_a_false_alarm() -> None:
    truth = json.loads(next((CORPUS / "truth").glob("fictional_01_*.json")).read_text(encoding="utf-8"))
    gold_fields = Fields.model_validate({k: v for k, v in truth.items() if k in Fields.model_fields})
    perfect = score("self", gold_fields, truth)
    assert all(s.f1 == 1.0 for s in perfect.lists.values())
    gold_fields.targets[0].value = 9.9
    worse = score("changed", gold_fields, truth).lists["targets"]
    assert worse.matched == worse.gold - 1 and worse.precision < 1.0 and worse.recall < 1.0


def test_scorer_compares_a_deadline_with_the_gold_item_that_says_the_same_thing() -> None:
    yearly = {"date": None, "year": None, "quarter": None, "month_day": None, "recurrence": "yearly"}
    gold = {
        "deadlines": [
            {"text": "Hằng năm xây dựng kế hoạch giám sát", "when": yearly, "responsible": "Ban Dân chủ"},
            {"text": "Hằng năm tổ chức kiểm tra", "when": yearly, "responsible": "Ban Phong trào"},
        ]
    }
    # Predicted in the other order: matched by when alone, each would meet the other's body.
    predicted = Fields.model_validate({"deadlines": [dict(item) for item in reversed(gold["deadlines"])]})
    deadlines = score("order", predicted, gold).lists["deadlines"]
    assert deadlines.matched == 2 and deadlines.agree["responsible"] == 2


def test_a_name_the_gold_masks_masks_the_same_tail_of_the_title() -> None:
    gold = "Về việc bổ nhiệm ngạch Thanh tra viên đối với ông [họ tên]"
    assert _similar_title("Về việc bổ nhiệm ngạch Thanh tra viên đối với ông Đỗ Văn Khải", gold)
    misread = "Về việc bồ nhiệm ngạch Thanh tra viên đôi với ông Đỗ Văn Khải"  # two marks off
    assert _similar_title(misread, gold)
    assert not _similar_title("Về việc điều động công chức đối với ông Đỗ Văn Khải", gold)
    assert not _similar_title(gold.replace("[họ tên]", "Đỗ Văn Khải. Căn cứ Luật Tổ chức chính quyền"), gold)
    assert not _similar_title("Về việc bổ nhiệm ngạch Thanh tra viên đối với ông", gold)  # no name
    assert _similar_title("Cử bà Lê Thị Hoa đi học", "Cử bà [họ tên] đi học")  # text after the mask too
    assert not _similar_title("Cử bà Lê Thị Hoa về hưu", "Cử bà [họ tên] đi học")
    assert not _similar_title("Về việc bổ nhiệm ngạch Thanh tra viên", "Về việc bổ nhiệm ngạch Kế toán viên")


def test_issuer_locality_comes_from_the_unit_the_body_names() -> None:
    text = (
        "Thực hiện Kế hoạch số 12/KH-MTTW-BTT ngày 05/7/2022, Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh "
        "ban hành Kế hoạch thực hiện trên địa bàn tỉnh như sau:\n\n"
        "I. MỤC ĐÍCH\n\n- Thực hiện Nghị quyết Đại hội Đảng bộ tỉnh Hà Giang lần thứ XVII.\n"
    )
    fields, evidence = _extract(text)
    assert fields.issuer.name == "Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh Hà Giang"
    assert fields.province == "Hà Giang"
    assert "Hà Giang" in (evidence["issuer.name"].note or "")


def test_issuer_of_a_scan_without_header_from_signature_area_and_gazetteer() -> None:
    text = (
        "KẾ HOẠCH\nTổ chức thực hiện Phong trào thi đua năm 2023\n\n"
        "- Giảm tỷ lệ hộ nghèo toàn huyện bình quân trên 4%/năm.\n"
        '- Phát động phong trào "Mường Lát chung tay vì người nghèo".\n\n'
        "Nơi nhận:\n- Như trên;\n- Lưu: VT.\nTM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nHà Văn Tuấn\n"
    )
    fields, evidence = _extract(text)
    assert fields.issuer.name == "Ủy ban nhân dân huyện Mường Lát"
    assert fields.issuer.level == "district"
    assert fields.province == "Thanh Hóa"
    assert evidence["issuer.name"].needs_review


def test_restorer_keeps_a_place_name_that_is_no_syllable() -> None:
    from pipeline.restore import default_restorer, restore_text

    restored = restore_text('Phong trao "Kbang chung tay vi nguoi ngheo"', default_restorer(), force=True)
    assert restored.text == 'Phong trào "Kbang chung tay vì người nghèo"'


def test_signer_family_name_takes_its_common_spelling() -> None:
    from pipeline.extract.closing import respell_surname

    assert respell_surname("Nguyên Văn Dũng") == "Nguyễn Văn Dũng"
    assert respell_surname("Hộ Văn An") == "Hồ Văn An"
    assert respell_surname("Giàng Thị Hương") == "Giàng Thị Hương"  # not in the list: left as read


def test_range_in_one_token_and_a_bare_from_that_is_no_quantity() -> None:
    text = (
        "I. MỤC TIÊU\n\n- Hằng năm giám sát từ 2-3 cơ quan, đơn vị.\n"
        "- Giảm từ 18 hộ nghèo toàn huyện bình quân trên 2%/năm.\n"
    )
    fields, _ = _extract(text)
    got = {(t.value, t.value_max, t.unit, t.comparator) for t in fields.targets}
    assert got == {(2, 3, "agencies_per_year", None), (2, None, "percent_per_year", ">")}


def test_an_indicator_phrase_that_wraps_onto_the_next_line_is_still_named() -> None:
    text = "I. MỤC TIÊU\n\n- Phấn đấu giảm tỷ lệ hộ\nnghèo bình quân 3%/năm.\n"
    fields, _ = _extract(text)
    assert [(t.indicator, t.value, t.unit) for t in fields.targets] == [
        ("poverty_rate_reduction", 3, "percent_per_year")
    ]


def test_a_heading_that_names_the_target_year_dates_the_items_under_it() -> None:
    text = (
        "I. MỤC TIÊU\n\n1. Chỉ tiêu phấn đấu đến năm 2025\n\n"
        "- Có ít nhất 03 xã thoát khỏi tình trạng đặc biệt khó khăn.\n"
        "- Tỷ lệ hộ nghèo giảm bình quân 2%/năm.\n"
        "- Có 70% số thôn đạt chuẩn văn hóa vào năm 2024.\n\n"
        "2. Chỉ tiêu khác\n\n- Có ít nhất 05 xã thoát khỏi tình trạng đặc biệt khó khăn.\n"
    )
    fields, evidence = _extract(text)
    assert [(t.value, t.year) for t in fields.targets] == [(3, 2025), (2, None), (70, 2024), (5, None)]
    note = evidence["targets[0]"].note
    assert note and "Chỉ tiêu phấn đấu đến năm 2025" in note
    assert evidence["targets[2]"].note is None  # its own year: nothing borrowed


def test_new_countryside_and_assistance_targets_get_their_indicators() -> None:
    text = (
        "I. MỤC TIÊU\n\n"
        "- Có 40% số xã, thôn, bản vùng núi thoát khỏi tình trạng đặc biệt khó khăn.\n"
        "- Có ít nhất 03 huyện, thị xã đạt chuẩn nông thôn mới.\n"
        "- Bình quân toàn huyện đạt 17 tiêu chí/xã; không còn xã dưới 14 tiêu chí.\n"
        "- Mỗi cơ quan, đơn vị cấp tỉnh nhận giúp đỡ ít nhất 02 hộ nghèo.\n"
    )
    fields, _ = _extract(text)
    got = [(t.indicator, t.value, t.unit, t.comparator) for t in fields.targets]
    assert got == [
        ("extremely_difficult_commune_exit", 40, "percent", None),  # named after the list's commas
        ("ntm_district_count", 3, "districts", ">="),
        ("avg_ntm_criteria_per_commune", 17, "criteria_per_commune", None),
        ("min_ntm_criteria_per_commune", 14, "criteria", ">="),  # "no commune below 14": at least 14
        ("households_assisted_per_agency", 2, "households", ">="),
    ]


def _district_scopes(objectives: str) -> list[tuple[float, str | None]]:
    """(value, scope) of the targets in a district plan's objectives (its header is added here)."""
    header = "ỦY BAN NHÂN DÂN\nHUYỆN MƯỜNG LÁT\nSố: 45/KH-UBND\n\nKẾ HOẠCH\nGiảm nghèo năm 2024\n\n"
    fields, _ = _extract(header + "I. MỤC TIÊU\n\n" + objectives)
    return [(t.value, t.scope) for t in fields.targets]


def test_a_targets_scope_is_the_part_it_singles_out_or_the_documents_area() -> None:
    scopes = _district_scopes(
        "- Tỷ lệ hộ nghèo toàn huyện giảm 3%/năm; riêng các xã có tỷ lệ hộ nghèo trên 40% giảm 5%/năm.\n"
        "- Giảm tỷ lệ hộ nghèo trong đồng bào dân tộc thiểu số trên 4%/năm.\n"
        "- Có 30% số xã đặc biệt khó khăn vùng đồng bào dân tộc thiểu số thoát khỏi tình trạng"
        " đặc biệt khó khăn.\n"
    )
    assert scopes == [
        (3, "huyện Mường Lát"),
        (5, "các xã có tỷ lệ hộ nghèo trên 40%"),
        (4, "đồng bào dân tộc thiểu số huyện Mường Lát"),
        (30, "huyện Mường Lát"),  # a share of the district's communes: the group comes after the figure
    ]


def test_the_documents_area_is_the_unit_its_issuer_names() -> None:
    assert document_area(Issuer(name="Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh Ninh Bình"), None) == (
        "tỉnh Ninh Bình"
    )
    assert (
        document_area(Issuer(name="Sở Lao động - Thương binh và xã hội tỉnh Hà Nam"), None) == "tỉnh Hà Nam"
    )
    assert document_area(Issuer(name="Ủy ban nhân dân quận 1"), None) == "quận 1"
    parent = Issuer(name="Ban Chỉ đạo 138", parent="Ủy ban nhân dân tỉnh Quảng Ngãi")
    assert document_area(parent, None) == "tỉnh Quảng Ngãi"
    assert document_area(Issuer(name="Ban Chỉ đạo"), "Hà Nội") == "thành phố Hà Nội"  # from the gazetteer
    assert document_area(Issuer(name="Bộ Tài chính"), None) is None and document_area(None, None) is None


def test_scope_words_are_read_with_their_marks_and_a_share_of_units_covers_the_area() -> None:
    scopes = _district_scopes(
        "- Các xã có đất sản xuất bị thu hồi giảm tỷ lệ hộ nghèo 4%/năm.\n"
        "- Tỷ lệ các xã đạt chuẩn nông thôn mới đạt 60%.\n"
        "- Tỷ lệ hộ nghèo toàn huyện giảm 3%/năm trong đó đồng bào dân tộc thiểu số giảm 5%/năm.\n"
        "- Thu nhập bình quân tăng 1,5 lần; riêng các xã đặc biệt khó khăn tăng 1,5 lần.\n"
    )
    assert scopes == [
        (4, "các xã có đất sản xuất bị thu hồi"),  # "đất" is no "đạt"
        (60, "huyện Mường Lát"),
        (3, "huyện Mường Lát"),
        (5, "đồng bào dân tộc thiểu số huyện Mường Lát"),  # no comma before it: read from the 3%
        (1.5, "huyện Mường Lát"),
        (1.5, "các xã đặc biệt khó khăn"),  # the same figure for another scope is another target
    ]


def test_a_baseline_is_what_the_figure_is_measured_against_not_its_source() -> None:
    text = (
        "I. MỤC TIÊU\n\n"
        "- Giảm tỷ lệ hộ nghèo bình quân 2%/năm theo chuẩn nghèo đa chiều giai đoạn 2022-2025.\n"
        "- Thu nhập bình quân đầu người tăng ít nhất 1,5 lần so với năm 2020.\n"
        "- Giảm tỷ lệ hộ nghèo năm 2023 từ 3% trở lên theo Nghị quyết của Hội đồng nhân dân tỉnh.\n"
        "- So với năm 2019, số hộ nghèo giảm 500 hộ.\n"
    )
    fields, _ = _extract(text)
    assert [(t.value, t.baseline, t.year) for t in fields.targets] == [
        (2, "chuẩn nghèo đa chiều giai đoạn 2022-2025", None),
        (1.5, "năm 2020", None),  # the baseline's year is not the target's
        (3, None, 2023),
        (500, None, None),  # a reference before the figure: no baseline running past it, no year
    ]


def test_a_figure_before_a_comma_does_not_take_the_next_figures_words() -> None:
    text = "I. MỤC TIÊU\n\n- Có 50% số thôn đạt chuẩn văn hóa, tỷ lệ hộ nghèo giảm 3%/năm.\n"
    fields, _ = _extract(text)
    got = [(t.indicator, t.value, t.unit) for t in fields.targets]
    assert got == [(None, 50, "percent"), ("poverty_rate_reduction", 3, "percent_per_year")]


def test_body_names_misread_by_ocr_are_repaired_against_known_units() -> None:
    from pipeline.extract.body_names import repair_name

    assert repair_name("Ban Dân chơi - Pháp luật tỉnh") == "Ban Dân chủ - Pháp luật tỉnh"
    assert repair_name("Sở Tai chinh") == "Sở Tài chính"
    # Two bodies joined by "và các" are not one misspelt name.
    joined = "Ủy ban Mặt trận Tổ quốc và các tổ chức đoàn thể"
    assert repair_name(joined) == joined


def test_a_group_heading_over_numbered_sub_items_is_not_a_body() -> None:
    text = (
        "1. Các Ban và Văn phòng cơ quan Ủy ban MTTQ Việt Nam tỉnh\n\n"
        "1.1. Ban Phong trào chủ trì, hướng dẫn triển khai Kế hoạch.\n\n"
        "1.2. Văn phòng tham mưu bố trí kinh phí.\n"
    )
    assert set(_roles(text)) == {
        ("Ban Phong trào", "lead"),
        ("Văn phòng", "advise"),
    }


def test_a_body_keeps_its_main_role_and_a_known_name_survives_an_ocr_slip() -> None:
    text = (
        "1. Ban Thi đua - Khen thưởng, Sở Nội vụ phối hợp với Sở Tài chính đề xuất kinh phí khen thưởng.\n\n"
        "2. Sở Tài chính bố trí kinh phí thực hiện Kế hoạch.\n\n"
        "3. Ban Thi đua - Khen thưởng, S& Nội vụ (cơ quan thường trực của Hội đồng Thi đua - Khen thưởng "
        "tỉnh) theo dõi, tổng hợp kết quả thực hiện Kế hoạch.\n"
    )
    fields, evidence = _organisation(text)
    roles = {b.name: b.role for b in fields.responsible_bodies}
    # One body under its canonical name, led (item 3) though it first appears as a partner (item 1).
    assert roles == {"Sở Nội vụ (Ban Thi đua - Khen thưởng)": "lead", "Sở Tài chính": "coordinate"}
    index = next(i for i, b in enumerate(fields.responsible_bodies) if b.role == "lead")
    assert "cơ quan thường trực" in evidence[f"responsible_bodies[{index}]"].quote


def test_a_bracket_that_names_the_standing_body_makes_it_the_lead() -> None:
    text = (
        "1. Phòng Nội vụ (cơ quan thường trực Hội đồng Thi đua - Khen thưởng huyện) hướng dẫn các xã "
        "đăng ký thi đua.\n"
    )
    assert _roles(text) == [("Phòng Nội vụ", "lead")]


def test_a_report_to_the_head_of_a_body_goes_to_that_body() -> None:
    text = (
        "1. Sở Lao động - Thương binh và Xã hội chủ trì tổng hợp kết quả, báo cáo Chủ tịch Ủy ban nhân dân "
        "tỉnh trước ngày 15 tháng 12 hằng năm.\n"
    )
    assert ("Ủy ban nhân dân tỉnh", "report_to") in _roles(text)


def test_the_body_advised_receives_the_work_and_an_advisory_council_keeps_its_role() -> None:
    text = (
        "1. Phòng Nội vụ tham mưu Hội đồng Thi đua - Khen thưởng huyện hướng dẫn hồ sơ khen thưởng.\n\n"
        "2. Phòng Tài chính - Kế hoạch tham mưu Ủy ban nhân dân huyện các giải pháp bố trí kinh phí.\n"
    )
    assert set(_roles(text)) == {
        ("Phòng Nội vụ", "advise"),
        ("Hội đồng Thi đua - Khen thưởng huyện", "advise"),
        ("Phòng Tài chính - Kế hoạch", "advise"),
        # The name ends at its level: "các giải pháp" is the advice, not part of the body.
        ("Ủy ban nhân dân huyện", "report_to"),
    }


def test_a_short_name_and_a_name_without_viet_nam_are_the_body_named_in_full() -> None:
    text = (
        "1. Ban Dân vận Ủy ban MTTQ tỉnh chủ trì tổng hợp, báo cáo Ban Thường trực Ủy ban MTTQ Việt Nam "
        "tỉnh trước ngày 10 tháng 12 hằng năm.\n\n"
        "2. Văn phòng tham mưu Ban Thường trực bố trí kinh phí.\n\n"
        "3. Ủy ban Mặt trận Tổ quốc Việt Nam các huyện chủ động triển khai; Ban Dân vận Ủy ban Mặt trận "
        "Tổ quốc Việt Nam tỉnh theo dõi.\n"
    )
    fields, _ = _organisation(text)
    names = [b.name for b in fields.responsible_bodies]
    assert names.count("Ban Thường trực Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh") == 1
    assert "Ban Thường trực" not in names
    # One body, printed with and without "Việt Nam", under its full name.
    full = "Ban Dân vận Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"
    assert [n for n in names if n.startswith("Ban Dân vận")] == [full]


def test_a_decision_names_standing_bodies_in_clauses_and_not_the_roles_themselves() -> None:
    text = (
        "Điều 1. Thành lập Ban Chỉ đạo giảm nghèo tỉnh, gồm các ông (bà) có tên sau đây:\n\n"
        "1. Các Phó Trưởng ban:\n\n"
        "- Ông Lê Văn Tâm, Giám đốc Sở Tài chính.\n\n"
        "2. Cơ quan thường trực của Ban Chỉ đạo: Sở Y tế là cơ quan thường trực về bảo hiểm y tế; "
        "Văn phòng Điều phối Chương trình mục tiêu quốc gia xây dựng nông thôn mới tỉnh là cơ quan thường "
        "trực về nông thôn mới.\n\n"
        "3. Cơ quan thường trực chủ trì tổng hợp, báo cáo Ủy ban nhân dân tỉnh và Ban Chỉ đạo Trung ương "
        "trước ngày 20 tháng 12 hằng năm.\n"
    )
    fields, _ = _extract(text)
    assert {(b.name, b.role) for b in fields.responsible_bodies} == {
        ("Sở Y tế", "lead"),
        ("Văn phòng Điều phối Chương trình mục tiêu quốc gia xây dựng nông thôn mới tỉnh", "lead"),
        ("Ủy ban nhân dân tỉnh", "report_to"),
        ("Ban Chỉ đạo Trung ương", "report_to"),
    }


def test_scorer_matches_bodies_by_canonical_name_not_by_abbreviation() -> None:
    printed = "Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh"
    gold = {"responsible_bodies": [{"name": printed, "role": "report_to"}]}
    full = "Ban Thường trực Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"
    predicted = Fields.model_validate({"responsible_bodies": [{"name": full, "role": "lead"}]})
    bodies = score("abbreviated gold", predicted, gold).lists["responsible_bodies"]
    assert bodies.matched == 1 and bodies.agree["role"] == 0
    district = "Ban Thường trực Ủy ban MTTQ Việt Nam huyện"
    other = Fields.model_validate({"responsible_bodies": [{"name": district}]})
    assert score("another body", other, gold).lists["responsible_bodies"].matched == 0


def test_a_report_sent_about_its_results_names_where_it_goes() -> None:
    text = (
        "1. Ban Thường trực Ủy ban MTTQ Việt Nam các huyện xây dựng kế hoạch; định kỳ báo cáo kết quả hằng "
        "năm về Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh trước ngày 15/11.\n"
    )
    assert ("Ban Thường trực Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "report_to") in _roles(text)


def test_recipients_under_a_garbled_heading_beside_the_authority_are_no_bodies() -> None:
    text = (
        "1. Phòng Nội vụ chủ trì hướng dẫn các xã đăng ký thi đua, theo dõi việc tổ chức thực hiện phong "
        "trào thi đua của các cơ quan, đơn vị, địa phương và đề xuất khen thưởng kịp thời các tập thể, cá "
        "nhân có thành tích tiêu biểu.\n\n"
        "Noimhim: TM. ỦY BAN NHÂN DÂN\n- Ban Thi đua - KT tỉnh;\n- UBND các xã, thị trấn;\n- Lưu: VT.\n"
    )
    fields, _ = _organisation(text)
    assert [b.name for b in fields.responsible_bodies] == ["Phòng Nội vụ"]


def test_a_known_unit_whose_head_word_ocr_broke_is_still_an_actor() -> None:
    text = (
        "1. Trung tim Văn hóa - Thông tin và Thể thao: Tuyên truyền các mô hình giảm nghèo hiệu quả.\n\n"
        "2. Tăng cường kiểm tra việc bình xét hộ nghèo ở các thôn.\n"
    )
    assert _roles(text) == [("Trung tâm Văn hóa - Thông tin và Thể thao", "coordinate")]


def test_a_sector_partner_and_a_body_named_with_its_parent_agency() -> None:
    text = (
        "1. Ban Dân chủ - Pháp luật cơ quan chuyên trách Ủy ban MTTQ Việt Nam huyện chủ trì, phối hợp với "
        "ngành Lao động - Thương binh và Xã hội và các ngành có liên quan rà soát hộ cận nghèo.\n\n"
        "2. Văn phòng phối hợp với ngành chức năng bố trí kinh phí.\n"
    )
    assert _roles(text) == [
        ("Ban Dân chủ - Pháp luật Ủy ban Mặt trận Tổ quốc Việt Nam huyện", "lead"),
        ("Ngành Lao động - Thương binh và Xã hội", "coordinate"),
        ("Văn phòng", "coordinate"),
    ]


def test_a_spelled_out_day_range_is_one_deadline_dated_by_its_end() -> None:
    text = (
        "1. Ủy ban MTTQ Việt Nam huyện tổ chức Tháng cao điểm vận động Quỹ từ ngày 17 tháng 10 đến ngày "
        "18 tháng 11 hằng năm.\n"
    )
    fields, _ = _organisation(text)
    assert [(d.when["month_day"], d.when["recurrence"]) for d in fields.deadlines] == [("11-18", "yearly")]


def test_a_year_that_scopes_poverty_figures_is_no_deadline() -> None:
    text = (
        "1. Phòng Lao động - Thương binh và Xã hội hướng dẫn các xã tổng hợp kết quả giảm tỷ lệ hộ nghèo đa "
        "chiều năm 2024 và báo cáo số hộ cận nghèo năm 2024; tổ chức sơ kết vào năm 2025.\n"
    )
    fields, _ = _organisation(text)
    assert [d.when["year"] for d in fields.deadlines] == [2025]
