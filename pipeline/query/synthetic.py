"""Synthetic results for the query benchmark: plausible plans from all 63 provinces, with the targets,
deadlines, bodies, legal bases, evidence and page text a real result carries. Deterministic per seed."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from pathlib import Path

from pipeline.gazetteer import Unit, load_gazetteer
from pipeline.models import (
    Deadline,
    DocumentResult,
    Evidence,
    Fields,
    Issuer,
    LegalBasis,
    Page,
    Period,
    Provenance,
    ResponsibleBody,
    Signer,
    Source,
    Target,
    Word,
)
from pipeline.store import atomic_write_text, result_path

# indicator, unit, typical low/high value, comparator, Vietnamese wording ({v} is the value)
_INDICATORS = [
    ("poverty_rate_reduction", "percent_per_year", 1.0, 4.0, ">",
     "giảm tỷ lệ hộ nghèo bình quân trên {v}%/năm"),
    ("poverty_rate_level", "percent", 1.0, 15.0, "<", "tỷ lệ hộ nghèo đa chiều còn dưới {v}%"),
    ("ethnic_minority_poverty_rate_reduction", "percent_per_year", 2.0, 5.0, ">",
     "tỷ lệ hộ nghèo đồng bào dân tộc thiểu số giảm trên {v}%/năm"),
    ("poor_households_reduction", "households_per_year", 300, 3000, None,
     "mỗi năm giảm khoảng {v} hộ nghèo"),
    ("trained_workers_rate", "percent", 60.0, 80.0, ">=", "tỷ lệ lao động qua đào tạo đạt từ {v}% trở lên"),
    ("health_insurance_coverage", "percent", 90.0, 100.0, ">=",
     "tỷ lệ người dân tham gia bảo hiểm y tế đạt {v}%"),
    ("new_rural_communes", "communes", 5, 60, ">=", "có thêm ít nhất {v} xã đạt chuẩn nông thôn mới"),
    ("clean_water_rate", "percent", 85.0, 100.0, ">=", "tỷ lệ dân cư nông thôn sử dụng nước sạch đạt {v}%"),
]  # fmt: skip

_REFERENCES = [
    LegalBasis(number="666/QĐ-TTg", type="QĐ", date=dt.date(2022, 6, 2), issuer="Thủ tướng Chính phủ"),
    LegalBasis(number="90/QĐ-TTg", type="QĐ", date=dt.date(2022, 1, 18), issuer="Thủ tướng Chính phủ"),
    LegalBasis(number="05-CT/TW", type="CT", date=dt.date(2021, 6, 23), issuer="Ban Bí thư"),
    LegalBasis(number="91/2017/NĐ-CP", type="NĐ", date=dt.date(2017, 7, 31), issuer="Chính phủ"),
    LegalBasis(number="263/QĐ-TTg", type="QĐ", date=dt.date(2022, 2, 22), issuer="Thủ tướng Chính phủ"),
    LegalBasis(number="15/2003/QH11", type="Luật", date=dt.date(2003, 11, 26), issuer="Quốc hội"),
]

_BODIES = [
    ("Sở Lao động - Thương binh và Xã hội", "Sở LĐ-TB&XH", "lead"),
    ("Sở Tài chính", None, "coordinate"),
    ("Sở Kế hoạch và Đầu tư", "Sở KH&ĐT", "coordinate"),
    ("Sở Nông nghiệp và Phát triển nông thôn", "Sở NN&PTNT", "coordinate"),
    ("Sở Nội vụ (Ban Thi đua - Khen thưởng)", "Ban Thi đua - Khen thưởng", "advise"),
    ("Ủy ban MTTQ Việt Nam tỉnh", "UBMTTQ tỉnh", "coordinate"),
    ("Ủy ban nhân dân các huyện, thị xã, thành phố", "UBND cấp huyện", "coordinate"),
    ("Sở Thông tin và Truyền thông", None, "coordinate"),
]

_TASKS = [
    "xây dựng kế hoạch triển khai thực hiện",
    "hướng dẫn, kiểm tra, đôn đốc việc thực hiện",
    "tổng hợp, báo cáo kết quả thực hiện về Ủy ban nhân dân tỉnh",
    "bố trí kinh phí thực hiện",
    "tuyên truyền, phổ biến chủ trương, chính sách về giảm nghèo bền vững",
    "sơ kết, tổng kết, khen thưởng theo thẩm quyền",
]

# Ordinary plan prose around the quoted items, so pages are as long as real ones (about 2,000 letters).
_FILLER = [
    "Tổ chức quán triệt, tuyên truyền sâu rộng đến cán bộ, đảng viên và các tầng lớp nhân dân.",
    "Huy động các nguồn lực xã hội, lồng ghép có hiệu quả các chương trình, dự án trên địa bàn.",
    "Các cơ quan, đơn vị căn cứ chức năng, nhiệm vụ được giao chủ động xây dựng kế hoạch cụ thể.",
    "Trong quá trình tổ chức thực hiện, nếu có khó khăn, vướng mắc, kịp thời báo cáo để xem xét.",
    "Kinh phí thực hiện được bố trí từ ngân sách nhà nước và các nguồn vốn hợp pháp khác.",
]

_DEADLINE_WHAT = [
    "Xây dựng kế hoạch, hướng dẫn tổ chức thực hiện",
    "Sơ kết, đánh giá, rút kinh nghiệm",
    "Tổng kết, khen thưởng",
    "Báo cáo kết quả thực hiện về Ủy ban nhân dân tỉnh",
    "Kiểm tra tình hình triển khai thực hiện",
]


def _districts_by_province() -> dict[str, list[Unit]]:
    by_province: dict[str, list[Unit]] = {}
    for units in load_gazetteer().districts.values():
        for unit in units:
            by_province.setdefault(unit.province, []).append(unit)
    return by_province


def _value(rng: random.Random, low: float, high: float) -> float:
    if high > 100 or (low == int(low) and high == int(high) and high >= 5 and low >= 5):
        return float(rng.randint(int(low), int(high)))
    return round(rng.uniform(low, high) * 2) / 2  # plans speak in halves: 1,5%; 2%


def _fmt(v: float) -> str:
    return str(int(v)) if v.is_integer() else str(v).replace(".", ",")


class _Text:
    """Accumulates page text and hands out evidence for each quote placed in it."""

    def __init__(self, rng: random.Random, pages: int) -> None:
        self.rng = rng
        self.pages: list[list[str]] = [[] for _ in range(pages)]
        self.lengths = [0] * pages

    def place(self, quote: str, page: int, confidence: float) -> Evidence:
        start = self.lengths[page - 1]
        self.pages[page - 1].append(quote)
        self.lengths[page - 1] += len(quote) + 1
        return Evidence(
            page=page, start=start, end=start + len(quote), quote=quote, confidence=confidence,
            needs_review=confidence < 0.7,
        )  # fmt: skip


def synthetic_result(index: int, seed: int, rng: random.Random, words: bool = True) -> DocumentResult:
    provinces = sorted(load_gazetteer().provinces.values(), key=lambda u: u.name)
    districts = _districts_by_province()
    province = provinces[index % len(provinces)]
    n_pages = rng.randint(3, 8)
    text = _Text(rng, n_pages)
    evidence: dict[str, Evidence] = {}
    year = rng.choice([2016, 2021, 2021, 2021, 2022, 2023])
    period = Period(start=year if year in (2016, 2021) else 2021, end=2020 if year == 2016 else 2025)
    district_level = rng.random() < 0.3 and districts.get(province.name)
    province_issuer = f"Ủy ban nhân dân {province.kind.lower()} {province.name}"
    if district_level:
        district = rng.choice(districts[province.name])
        issuer = Issuer(name=f"Ủy ban nhân dân {district.kind.lower()} {district.name}", level="district",
                        parent=province_issuer)  # fmt: skip
    else:
        issuer = Issuer(name=province_issuer, level="province")
    number = f"{rng.randint(1, 400)}/{rng.choice(['KH', 'QĐ'])}-UBND"
    issued = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
    scope = issuer.name.removeprefix("Ủy ban nhân dân ") if issuer.name else None

    legal = rng.sample(_REFERENCES, rng.randint(2, 4))
    for i, basis in enumerate(legal):
        evidence[f"legal_bases[{i}]"] = text.place(f"Căn cứ {basis.type} số {basis.number}", 1, 0.95)

    targets: list[Target] = []
    for i, (indicator, unit, low, high, comparator, wording) in enumerate(rng.sample(_INDICATORS, 4)):
        value = _value(rng, low, high)
        quote = wording.format(v=_fmt(value))
        has_range = indicator == "poor_households_reduction" and rng.random() < 0.5
        targets.append(
            Target(
                text=quote, indicator=indicator, value=value,
                value_max=value + 500 if has_range else None, comparator=comparator, unit=unit,
                scope=scope, year=period.end if unit == "percent" else None,
            )
        )  # fmt: skip
        if rng.random() < 0.9:  # some items carry no evidence entry: their page is null
            evidence[f"targets[{i}]"] = text.place(quote, 2, round(rng.uniform(0.6, 0.99), 2))

    deadlines: list[Deadline] = []
    for i in range(rng.randint(3, 6)):
        what = rng.choice(_DEADLINE_WHAT)
        when_year = rng.randint(period.start or 2021, period.end or 2025)
        quarter = rng.choice([None, 1, 2, 3, 4])
        recurrence = rng.choice(["once", "once", "yearly"])
        when: dict[str, str | int | None] = {
            "date": None, "year": None if recurrence == "yearly" else when_year,
            "quarter": quarter, "month_day": "12-15" if recurrence == "yearly" else None,
            "recurrence": recurrence,
        }  # fmt: skip
        quote = f"{what.lower()} trong quý {quarter or 'IV'} năm {when_year}"
        body = rng.choice(_BODIES)[0]
        deadlines.append(Deadline(text=quote, what=what, when=when, responsible=body))
        evidence[f"deadlines[{i}]"] = text.place(quote, min(n_pages, 3), 0.9)

    bodies: list[ResponsibleBody] = []
    for i, (name, alias, role) in enumerate(rng.sample(_BODIES, rng.randint(3, 6))):
        tasks = rng.sample(_TASKS, rng.randint(1, 4))
        bodies.append(ResponsibleBody(name=name, aliases=[alias] if alias else [], role=role, tasks=tasks))
        evidence[f"responsible_bodies[{i}]"] = text.place(name, n_pages, 0.93)

    fields = Fields(
        document_type=number.split("/")[1].split("-")[0], number=number, issued_date=issued,
        place=province.name, province=province.name, issuer=issuer,
        title=f"Thực hiện Chương trình mục tiêu quốc gia giảm nghèo bền vững giai đoạn "
        f"{period.start}-{period.end} trên địa bàn {scope}",
        period=period, legal_bases=legal, targets=targets, deadlines=deadlines, responsible_bodies=bodies,
        signer=Signer(name=f"Nguyễn Văn {chr(65 + index % 26)}", title="Phó Chủ tịch"),
        recipients=["Như trên", "Lưu: VT"],
    )  # fmt: skip
    fields.document_type_name = "Kế hoạch" if fields.document_type == "KH" else "Quyết định"
    pages = []
    for n, lines in enumerate(text.pages, start=1):
        while sum(len(line) + 1 for line in lines) < 2000:
            lines.append(rng.choice(_FILLER))
        body = "\n".join(lines)
        page_words = [
            Word(text=w, confidence=round(rng.uniform(60, 97), 1), box=(40 * j % 1800, 30 * j // 45, 38, 24),
                 line=j // 12)
            for j, w in enumerate(body.split())
        ] if words else []  # fmt: skip
        pages.append(Page(number=n, text=body, ocr_text=body, mean_confidence=88.0, source="ocr",
                          words=page_words))  # fmt: skip
    sha = hashlib.sha256(f"synthetic-{seed}-{index}".encode()).hexdigest()
    return DocumentResult(
        doc_id=sha[:16], status="ok",
        source=Source(path=f"synthetic/{sha[:16]}.pdf", sha256=sha, media_type="application/pdf",
                      pages=n_pages, size_bytes=n_pages * 180_000),
        provenance=Provenance(planscan_version="synthetic", tesseract_version=None, config_hash="synthetic",
                              started_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC), duration_s=2.4 * n_pages),
        pages=pages, fields=fields, evidence=evidence,
        extracted=["document_type", "number", "issued_date", "province", "issuer", "title", "period",
                   "legal_bases", "targets", "deadlines", "responsible_bodies"],
    )  # fmt: skip


def write_synthetic(out_dir: Path, n: int, *, seed: int = 0, words: bool = True) -> list[Path]:
    """``n`` result files in ``out_dir``, laid out as ``planscan ingest`` writes them. pydantic's own
    serialiser is used: the standard ``json`` module takes minutes over a thousand files of word boxes."""
    rng = random.Random(seed)
    paths = []
    for i in range(n):
        result = synthetic_result(i, seed, rng, words)
        path = result_path(out_dir, result.doc_id)
        atomic_write_text(path, result.model_dump_json(indent=2) + "\n")
        paths.append(path)
    return paths
