"""Provinces and districts in force before the 2025 reorganisation (63 provinces), from the
``vietnamadminunits`` package's own data, looked up by diacritic-free keys."""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipeline.textnorm import match_key


@dataclass(frozen=True)
class Unit:
    name: str  # short name with diacritics: "Thái Bình", "KBang"
    kind: str  # "Tỉnh", "Thành phố", "Huyện", "Quận", "Thị xã"
    province: str  # short name of the province (itself for a province)


def _key(text: str) -> str:
    return match_key(text).replace(" ", "").replace("-", "")


@dataclass(frozen=True)
class Gazetteer:
    provinces: dict[str, Unit]
    districts: dict[str, list[Unit]]

    def province(self, name: str) -> Unit | None:
        return self.provinces.get(_key(name))

    def district(self, name: str) -> list[Unit]:
        return self.districts.get(_key(name), [])

    def place(self, name: str) -> Unit | None:
        """A province, or a district whose name is unique in the country."""
        found = self.province(name)
        if found:
            return found
        candidates = self.district(name)
        return candidates[0] if len(candidates) == 1 else None


def _package_data(package: str, relative: str) -> str:
    """A data file of an installed package, found without importing it: importing vietnamadminunits runs
    its address parsers' set-up (about a second), and only its data is needed here."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{package} is not installed: pip install {package}")
    return (Path(next(iter(spec.submodule_search_locations))) / relative).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    data = json.loads(_package_data("vietnamadminunits", "data/parser_legacy.json"))
    provinces: dict[str, Unit] = {}
    districts: dict[str, list[Unit]] = {}
    for key, entry in data["DICT_PROVINCE"].items():
        short = entry["provinceShort"]
        kind = entry["province"].removesuffix(short).strip()
        unit = Unit(name=short, kind=kind, province=short)
        provinces[_key(short)] = unit
        for district in data["DICT_PROVINCE_DISTRICT"].get(key, {}).values():
            d_unit = Unit(name=district["districtShort"], kind=district["districtType"], province=short)
            bucket = districts.setdefault(_key(district["districtShort"]), [])
            if d_unit not in bucket:
                bucket.append(d_unit)
    return Gazetteer(provinces=provinces, districts=districts)
