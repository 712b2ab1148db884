"""Region lists: the shipped CSV files, loading, and tolerant matching of typed names."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.storage.db import make_engine
from bot.storage.models import Region
from bot.storage.regions import DEMO_REGION_FILES, RegionFileError, load_region_files, read_region_rows
from bot.store import load_regions
from conversations.understanding.places import MatchKind, RegionDirectory


@pytest.fixture(scope="module")
def directory() -> RegionDirectory:
    """The demo regions, without a database."""
    from conversations.understanding.places import Area

    areas = []
    for path in DEMO_REGION_FILES:
        for row in read_region_rows(path):
            areas.append(Area(row.code, row.name, row.level, row.parent_code, row.kind, row.timezone, row.regency_name))
    return RegionDirectory.from_areas(areas)


def test_demo_files_hold_the_real_counts() -> None:
    counts = {}
    for path in DEMO_REGION_FILES:
        rows = read_region_rows(path)
        counts[path.stem] = (sum(r.level == "kecamatan" for r in rows), sum(r.level == "kelurahan" for r in rows))
    assert counts == {"kota_bengkulu": (9, 67), "kota_metro": (5, 22)}


@pytest.mark.parametrize(
    ("typed", "kind", "name"),
    [
        ("Metro Pusat", MatchKind.EXACT, "Metro Pusat"),
        ("metro pusat", MatchKind.EXACT, "Metro Pusat"),
        ("Kec. Metro Pusat", MatchKind.EXACT, "Metro Pusat"),
        ("kecamatan  metro   pusat", MatchKind.EXACT, "Metro Pusat"),
        ("METROPUSAT", MatchKind.EXACT, "Metro Pusat"),
        ("metro pusaat", MatchKind.CLOSE, "Metro Pusat"),
        ("gading cempak", MatchKind.CLOSE, "Gading Cempaka"),
        ("selebaar", MatchKind.CLOSE, "Selebar"),
        ("teluk segar", MatchKind.CLOSE, "Teluk Segara"),
        ("metro", MatchKind.SEVERAL, None),
        ("jakarta selatan", MatchKind.NONE, None),
        ("", MatchKind.NONE, None),
    ],
)
def test_kecamatan_matching(directory: RegionDirectory, typed: str, kind: MatchKind, name: str | None) -> None:
    match = directory.match(typed, directory.kecamatan())
    assert match.kind is kind, match
    if name:
        assert match.areas[0].name == name


def test_kelurahan_matching_within_kecamatan(directory: RegionDirectory) -> None:
    metro_pusat = next(a for a in directory.kecamatan() if a.name == "Metro Pusat")
    options = directory.kelurahan(metro_pusat.code)
    assert [a.name for a in options] == ["Hadimulyo Barat", "Hadimulyo Timur", "Imopuro", "Metro", "Yosomulyo"]
    assert directory.match("kel. yosomulyo", options).areas[0].name == "Yosomulyo"
    assert directory.match("yosomulya", options).kind is MatchKind.CLOSE
    assert directory.match("hadimulyo", options).kind is MatchKind.SEVERAL


def test_loading_replaces_and_appends(tmp_path: Path, sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    metro = next(p for p in DEMO_REGION_FILES if p.stem == "kota_metro")
    with Session(engine) as db:
        assert load_region_files(db, DEMO_REGION_FILES).kelurahan == 89
        assert load_region_files(db, [metro]).kecamatan == 5
        assert len(db.exec(select(Region)).all()) == 27
        directory = load_regions(db)
    assert directory.regency_name == "Kota Metro"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("kecamatan,kelurahan\nA,B\n", "missing column"),
        (
            "kode_kabupaten,kabupaten,kode_kecamatan,kecamatan,kode_kelurahan,kelurahan\n"
            "18.72,Kota Metro,18.72.01,Metro Pusat,18.72.02.1001,Metro\n",
            "does not start",
        ),
        (
            "kode_kabupaten,kabupaten,kode_kecamatan,kecamatan,kode_kelurahan,kelurahan\n"
            "18.72,Kota Metro,18.72.01,,18.72.01.1001,Metro\n",
            "needs a value",
        ),
    ],
)
def test_bad_files_are_refused_with_the_reason(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RegionFileError, match=problem):
        read_region_rows(path)
