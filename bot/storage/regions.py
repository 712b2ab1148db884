"""Loading the deployment's region list from CSV (format documented in docs/regions.md)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete
from sqlmodel import Session, func, select

from bot.storage.models import Region
from conversations.understanding.places import Area

DEMO_REGION_FILES = sorted((Path(__file__).resolve().parents[2] / "data" / "regions").glob("*.csv"))
# A deployment with no area set: one city, so that `chat` asks what a regency's office would ask and nothing more
# (the two demo lists together are a two-city deployment, which asks the city first).
DEFAULT_REGION_FILES = [path for path in DEMO_REGION_FILES if path.stem == "kota_metro"]
REQUIRED_COLUMNS = ("kode_kabupaten", "kabupaten", "kode_kecamatan", "kecamatan", "kode_kelurahan", "kelurahan")


class RegionFileError(ValueError):
    """The CSV does not follow the documented format."""


@dataclass(frozen=True)
class LoadResult:
    """How many areas a load wrote."""

    kecamatan: int
    kelurahan: int


def read_region_rows(path: Path) -> list[Region]:
    """Parse one CSV file into Region rows (kecamatan first, then kelurahan/desa)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise RegionFileError(f"{path}: missing column(s): {', '.join(missing)}")
        kecamatan: dict[str, Region] = {}
        kelurahan: list[Region] = []
        for line, row in enumerate(reader, start=2):
            values = {k: (row.get(k) or "").strip() for k in reader.fieldnames or []}
            if not all(values.get(c) for c in REQUIRED_COLUMNS):
                raise RegionFileError(f"{path}:{line}: every required column needs a value")
            if not values["kode_kelurahan"].startswith(values["kode_kecamatan"]):
                raise RegionFileError(f"{path}:{line}: kelurahan code does not start with its kecamatan code")
            timezone = values.get("zona_waktu") or "Asia/Jakarta"
            kec_code = values["kode_kecamatan"]
            kecamatan.setdefault(
                kec_code,
                Region(
                    code=kec_code,
                    name=values["kecamatan"],
                    level="kecamatan",
                    regency_code=values["kode_kabupaten"],
                    regency_name=values["kabupaten"],
                    timezone=timezone,
                ),
            )
            kelurahan.append(
                Region(
                    code=values["kode_kelurahan"],
                    name=values["kelurahan"],
                    level="kelurahan",
                    kind=values.get("jenis") or None,
                    parent_code=kec_code,
                    regency_code=values["kode_kabupaten"],
                    regency_name=values["kabupaten"],
                    timezone=timezone,
                )
            )
    codes = [r.code for r in kelurahan]
    if len(codes) != len(set(codes)):
        raise RegionFileError(f"{path}: a kelurahan code appears twice")
    return [*kecamatan.values(), *kelurahan]


def load_region_files(db: Session, paths: list[Path], replace: bool = True) -> LoadResult:
    """Store the areas of `paths`; with `replace`, areas not in the files are removed."""
    return store_regions(db, [row for path in paths for row in read_region_rows(path)], replace)


def store_regions(db: Session, rows: list[Region], replace: bool = True) -> LoadResult:
    """Store region rows; with `replace`, areas not among them are removed."""
    if replace:
        db.exec(delete(Region))
    for row in rows:
        db.merge(row)
    db.commit()
    return LoadResult(
        kecamatan=sum(r.level == "kecamatan" for r in rows),
        kelurahan=sum(r.level == "kelurahan" for r in rows),
    )


def ensure_regions(db: Session, paths: list[Path] | None = None) -> LoadResult | None:
    """Load `paths` (default: the demo list of Kota Metro) when the deployment has no regions yet."""
    count = db.exec(select(func.count()).select_from(Region)).one()
    if count:
        return None
    return load_region_files(db, paths or DEFAULT_REGION_FILES)


def area_of(region: Region) -> Area:
    """A region row as the conversation's `Area`."""
    return Area(
        code=region.code,
        name=region.name,
        level=region.level,
        parent_code=region.parent_code,
        kind=region.kind,
        timezone=region.timezone,
        regency_name=region.regency_name,
        regency_code=region.regency_code,
    )
