"""A province's Dinas (Nusa Tenggara Barat, REGION_CODES=52): officers scoped to a whole regency, segments, rekap and
export by kabupaten/kota, and the regency named wherever an officer sees several.

The region table is the real national list of NTB (ten regencies and cities); owners' businesses are rows in two of
them, Kabupaten Lombok Timur and Kota Mataram, with real kecamatan and desa codes. Segments, rekap and export run on
SQLite and PostgreSQL; the commands run on the real `lapor-ikm` app, the pages over real HTTP.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner, Result

from bot.cli.app import app
from bot.config import Settings, get_settings
from bot.officers.accounts import create_officer, issue_link_code, update_officer
from bot.officers.broadcasts import create_broadcast, preview
from bot.officers.chat import rekap_text
from bot.officers.export import COLUMNS, export_rows
from bot.officers.rekap import rekap
from bot.service import ConversationService
from bot.storage.db import make_engine
from bot.storage.models import Business, Officer, Owner
from bot.storage.national import use_regions
from bot.storage.segments import Segment, regency_kecamatan, segment_count, segment_owner_ids
from conversations import Inbound
from tests.dialog import rendered
from tests.seed import NOW, seed_owner
from tests.telegram_harness import running_app

LOMBOK_TIMUR, MATARAM = "52.03", "52.71"
SAKRA, SELONG, MASBAGIK = "52.03.02", "52.03.07", "52.03.05"
AMPENAN, CAKRANEGARA = "52.71.01", "52.71.03"
# name: (regency, kecamatan, desa/kelurahan, NIB status)
OWNERS = {
    "Sri": (LOMBOK_TIMUR, SAKRA, "52.03.02.2002", "terbit"),  # desa Sakra
    "Budi": (LOMBOK_TIMUR, SELONG, "52.03.07.1001", "belum"),  # kelurahan Pancor
    "Lia": (LOMBOK_TIMUR, MASBAGIK, "52.03.05.2001", "diurus"),  # desa Kesik
    "Wayan": (MATARAM, AMPENAN, "52.71.01.1004", "belum"),  # Ampenan Selatan
    "Made": (MATARAM, CAKRANEGARA, "52.71.03.1004", "terbit"),  # Cakranegara Selatan
}
IN_LOMBOK_TIMUR, IN_MATARAM = {"Sri", "Budi", "Lia"}, {"Wayan", "Made"}
# The export's columns as docs/design promise them, in this order; "kabupaten" comes after them.
DOCUMENTED = (
    "business_name owner_name phone kecamatan kelurahan commodity nib_status nib_number pirt_status pirt_number "
    "pirt_expires halal_status halal_number bpom_status bpom_number needs channel registered_at last_report_at"
).split()
PASSWORD = "kata-sandi-rahasia-1"
OFFICE = "Dinas Perindustrian Provinsi NTB"


def fill_province(engine: Engine) -> None:
    """NTB's national region list, and the five owners' businesses in Lombok Timur and Kota Mataram."""
    with Session(engine) as db:
        use_regions(db, ["52"])
        for name, (regency, kecamatan, village, nib) in OWNERS.items():
            owner = seed_owner(db, name, kecamatan, nib=nib, phone=f"+62812{len(name)}{ord(name[0])}0000")
            business = db.exec(select(Business).where(Business.owner_id == owner.id)).one()
            business.regency_code, business.kelurahan_code = regency, village
            db.add(business)
        db.commit()


@pytest.fixture
def province(db_url: str) -> Iterator[Engine]:
    """A province deployment on SQLite and on PostgreSQL."""
    engine = make_engine(db_url)
    fill_province(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def province_lite(sqlite_url: str) -> str:
    """The URL of a SQLite file holding the province deployment (for the commands and pages)."""
    engine = make_engine(sqlite_url)
    fill_province(engine)
    engine.dispose()
    return sqlite_url


def names_in(db: Session, segment: Segment) -> set[str]:
    """The owners a segment reaches, by name."""
    ids = segment_owner_ids(db, segment)
    return {owner.name or "" for owner in db.exec(select(Owner).where(col(Owner.id).in_(ids))).all()}


def lombok_timur_scope(db: Session) -> tuple[str, ...]:
    """Every kecamatan code of Kabupaten Lombok Timur: a regency officer's scope."""
    return regency_kecamatan(db)[LOMBOK_TIMUR]


# --- segments, rekap, export (SQLite and PostgreSQL) -----------------------------------------------------------------


def test_a_regency_segment_reaches_that_regencys_owners(province: Engine) -> None:
    with Session(province) as db:
        assert names_in(db, Segment(kabupaten=(LOMBOK_TIMUR,))) == IN_LOMBOK_TIMUR
        assert names_in(db, Segment(kabupaten=(MATARAM,))) == IN_MATARAM
        assert segment_count(db, Segment(kabupaten=(LOMBOK_TIMUR, MATARAM))) == 5
        assert names_in(db, Segment(kabupaten=(MATARAM,), permits=("nib:belum",))) == {"Wayan"}
        assert preview(db, Segment(kabupaten=(LOMBOK_TIMUR,)), None).reachable == 3
        stored = Segment(kabupaten=(MATARAM,), commodity=("makanan",)).to_json()
        assert stored == {"kabupaten": [MATARAM], "commodity": ["makanan"]}
        assert Segment.from_json(stored) == Segment(kabupaten=(MATARAM,), commodity=("makanan",))


def test_a_scoped_officer_cannot_widen_a_regency_segment(province: Engine) -> None:
    with Session(province) as db:
        scope = lombok_timur_scope(db)
        regencies = regency_kecamatan(db)
        assert len(scope) == 21
        # Kota Mataram is outside a Lombok Timur officer's scope: it reaches nobody, never the province.
        assert preview(db, Segment(kabupaten=(MATARAM,)), scope).reachable == 0
        assert names_in(db, Segment(kabupaten=(MATARAM,)).restricted_to(scope)) == set()
        assert names_in(db, Segment().restricted_to(scope)) == IN_LOMBOK_TIMUR
        assert names_in(db, Segment(kabupaten=(LOMBOK_TIMUR,)).restricted_to((SAKRA,))) == {"Sri"}
        # Within a scope: a regency only when every kecamatan of it is in the scope.
        assert Segment(kabupaten=(LOMBOK_TIMUR,)).within(scope, regencies)
        assert not Segment(kabupaten=(LOMBOK_TIMUR,)).within((SAKRA, SELONG), regencies)
        assert not Segment(kabupaten=(MATARAM,)).within(scope, regencies)
        assert not Segment(kabupaten=(LOMBOK_TIMUR, MATARAM)).within(scope, regencies)
        assert not Segment(kabupaten=(LOMBOK_TIMUR,)).within(scope)  # not knowing the regency's kecamatan: outside
        assert Segment(kabupaten=(MATARAM,)).within(None, regencies)


def test_rekap_by_kabupaten_and_by_kecamatan_names_the_regency(province: Engine) -> None:
    with Session(province) as db:
        by_regency = rekap(db, "kabupaten")
        counts = {r.label: (r.businesses, r.permits["nib"]) for r in by_regency.rows}
        assert counts == {
            "Kabupaten Lombok Timur": (3, {"have": 1, "processing": 1, "lack": 1, "not_needed": 0}),
            "Kota Mataram": (2, {"have": 1, "processing": 0, "lack": 1, "not_needed": 0}),
        }
        assert by_regency.total.businesses == 5
        shown = [r.shown for r in rekap(db, "kecamatan").rows]
        assert shown == [
            "Sakra (Kab. Lombok Timur)",
            "Masbagik (Kab. Lombok Timur)",
            "Selong (Kab. Lombok Timur)",
            "Ampenan (Kota Mataram)",
            "Cakranegara (Kota Mataram)",
        ]
        # A regency's officer sees one regency: no suffix on every line, and nothing of Kota Mataram.
        scoped = rekap(db, "kecamatan", lombok_timur_scope(db))
        assert [r.shown for r in scoped.rows] == ["Sakra", "Masbagik", "Selong"]
        assert [r.label for r in rekap(db, "kabupaten", lombok_timur_scope(db)).rows] == ["Kabupaten Lombok Timur"]
        text = rekap_text(db, "kabupaten", None)
        assert "Kabupaten Lombok Timur: 3 usaha" in text and "Kota Mataram: 2 usaha" in text


def test_export_keeps_the_documented_columns_and_adds_kabupaten_last(province: Engine) -> None:
    assert list(COLUMNS[: len(DOCUMENTED) + 1]) == [*DOCUMENTED, "kabupaten"]  # the newer columns come after it
    with Session(province) as db:
        rows = list(export_rows(db, "Asia/Makassar"))
        scoped = list(export_rows(db, "Asia/Makassar", Segment().restricted_to(lombok_timur_scope(db))))
    by_owner = {r["owner_name"]: r for r in rows}
    assert {name: r["kabupaten"] for name, r in by_owner.items()} == {
        **dict.fromkeys(IN_LOMBOK_TIMUR, "Kabupaten Lombok Timur"),
        **dict.fromkeys(IN_MATARAM, "Kota Mataram"),
    }
    assert (by_owner["Sri"]["kecamatan"], by_owner["Sri"]["kelurahan"]) == ("Sakra", "Sakra")
    assert (by_owner["Made"]["kecamatan"], by_owner["Made"]["kelurahan"]) == ("Cakranegara", "Cakranegara Selatan")
    assert {r["owner_name"] for r in scoped} == IN_LOMBOK_TIMUR


# --- the commands -----------------------------------------------------------------------------------------------------


def lapor(args: list[str], db_url: str) -> Result:
    """`lapor-ikm ARGS` in this process, as the province's deployment runs it (REGION_CODES=52)."""
    get_settings.cache_clear()
    try:
        env = {"DATABASE_URL": db_url, "OFFICE_NAME": OFFICE, "REGION_CODES": "52", "REGIONS_FILE": None}
        return CliRunner().invoke(app, args, env={**env, "DEFAULT_TIMEZONE": "Asia/Makassar"})
    finally:
        get_settings.cache_clear()


def read_csv(path: Path) -> list[dict[str, str]]:
    """The rows of an exported CSV file (header checked apart)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_an_officer_scoped_to_a_regency_by_the_cli_sees_only_it(province_lite: str, tmp_path: Path) -> None:
    added = lapor(
        ["officer", "add", "--username", "timur", "--name", "Petugas Timur", "--kabupaten", "lombok timr"],
        province_lite,
    )
    assert added.exit_code == 0, added.output
    assert "covering Kab. Lombok Timur (21 kecamatan)." in added.stdout
    assert added.stderr.strip() == "Kabupaten/kota 'lombok timr': Kabupaten Lombok Timur (52.03)."
    engine = make_engine(province_lite)
    with Session(engine) as db:
        officer = db.exec(select(Officer).where(Officer.username == "timur")).one()
        assert sorted(officer.kecamatan_scope or ()) == list(lombok_timur_scope(db))
    engine.dispose()
    listed = lapor(["officer", "list"], province_lite)
    assert listed.stdout.rstrip("\n").endswith("\tofficer\tKab. Lombok Timur (21 kecamatan)"), listed.stdout

    out = tmp_path / "timur.csv"
    exported = lapor(["export", "--officer", "timur", "--output", str(out)], province_lite)
    assert exported.exit_code == 0, exported.output
    rows = read_csv(out)
    assert {r["owner_name"] for r in rows} == IN_LOMBOK_TIMUR
    assert {r["kabupaten"] for r in rows} == {"Kabupaten Lombok Timur"} and list(rows[0]) == list(COLUMNS)

    wider = lapor(["export", "--officer", "timur", "--kabupaten", "kota mataram", "--output", str(out)], province_lite)
    assert wider.exit_code == 1 and "outside the officer's scope" in wider.stderr

    everything = tmp_path / "ntb.csv"
    mataram = lapor(["export", "--kabupaten", "52.71", "--output", str(everything)], province_lite)
    assert mataram.exit_code == 0 and {r["owner_name"] for r in read_csv(everything)} == IN_MATARAM


def test_officer_change_moves_an_officer_to_another_regency(province_lite: str) -> None:
    assert lapor(["officer", "add", "--username", "sari", "--name", "Sari", "--kecamatan", "sakra"], province_lite)
    changed = lapor(["officer", "change", "sari", "--kabupaten", "52.71", "--kecamatan", "Sakra"], province_lite)
    assert changed.exit_code == 0, changed.output
    assert changed.stdout.startswith("Officer sari changed: officer, covering Kota Mataram (6 kecamatan), 52.03.02,")
    refused = lapor(["officer", "change", "sari", "--role", "admin", "--kabupaten", "52.71"], province_lite)
    assert refused.exit_code == 1 and "An admin sees every kecamatan" in refused.stderr
    several = lapor(["officer", "change", "sari", "--kabupaten", "lombok"], province_lite)
    assert several.exit_code == 1 and "'lombok' matches several: Kabupaten Lombok Barat (52.01)," in several.stderr
    unknown = lapor(["officer", "change", "sari", "--kabupaten", "Jakarta Pusat"], province_lite)
    assert unknown.exit_code == 1 and "Unknown kabupaten/kota 'Jakarta Pusat'; closest:" in unknown.stderr
    engine = make_engine(province_lite)
    with Session(engine) as db:
        officer = db.exec(select(Officer).where(Officer.username == "sari")).one()
        assert sorted(officer.kecamatan_scope or ()) == [SAKRA, *regency_kecamatan(db)[MATARAM]]
    engine.dispose()


def test_rekap_and_broadcast_by_kabupaten_from_the_cli(province_lite: str) -> None:
    table = lapor(["rekap", "--by", "kabupaten"], province_lite)
    assert table.exit_code == 0, table.output
    assert "Kabupaten Lombok Timur: 3 usaha" in table.stdout and "Kota Mataram: 2 usaha" in table.stdout
    by_kecamatan = lapor(["rekap"], province_lite).stdout
    assert "Sakra (Kab. Lombok Timur): 1 usaha" in by_kecamatan and "Ampenan (Kota Mataram): 1 usaha" in by_kecamatan
    assert lapor(["rekap", "--by", "desa"], province_lite).exit_code == 1

    sent = lapor(
        ["broadcast", "send", "--kabupaten", "kota mataram", "--text", "Pelatihan kemasan", "--yes"], province_lite
    )
    assert sent.exit_code == 0, sent.output
    assert sent.stdout.startswith("2 owners will receive it.")
    several = lapor(["broadcast", "send", "--kabupaten", "bima", "--text", "Info untuk Bima", "--yes"], province_lite)
    assert (
        several.exit_code == 1 and "Kabupaten Bima (52.06)" in several.stderr and "Kota Bima (52.72)" in several.stderr
    )


# --- the pages --------------------------------------------------------------------------------------------------------


@pytest.fixture
def site(province_lite: str, tmp_path: Path) -> Iterator[str]:
    """The dashboard of the province: an admin, and "timur" scoped to Lombok Timur by the CLI."""
    assert (
        lapor(
            ["officer", "add", "--username", "timur", "--name", "Petugas Timur", "--kabupaten", "lombok timur"],
            province_lite,
        ).exit_code
        == 0
    )
    engine = make_engine(province_lite)
    with Session(engine) as db:
        create_officer(db, "admin", "Admin Provinsi", "admin", None, PASSWORD, "test", NOW)
        timur = db.exec(select(Officer).where(Officer.username == "timur")).one()
        update_officer(db, timur, "test", NOW, password=PASSWORD)
        db.commit()
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=province_lite,
        secret_key="x" * 40,
        office_name=OFFICE,
        region_codes="52",
        default_timezone="Asia/Makassar",
        media_dir=str(tmp_path / "media"),
    )
    with running_app(settings, engine) as server:
        yield server.url
    engine.dispose()


def login(base: str, username: str) -> httpx.Client:
    """A signed-in dashboard client."""
    client = httpx.Client(base_url=base, timeout=10)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/admin/login").text).group(1)  # type: ignore[union-attr]
    response = client.post("/admin/login", data={"username": username, "password": PASSWORD, "csrf": token})
    assert response.status_code == 303, response.text
    return client


def cells(page: str) -> list[str]:
    """The text of each table cell of a page, in order (tags inside a cell left out)."""
    found = re.findall(r"<td\b[^>]*>(.*?)</td>", page, flags=re.DOTALL)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in found]


def in_a_row(page: str, *texts: str) -> bool:
    """Do these cells follow one another in a row of the page?"""
    found = cells(page)
    return any(found[i : i + len(texts)] == list(texts) for i in range(len(found)))


def listed_owners(page: str) -> set[str]:
    """The owners in the business table of a page."""
    table = page.split('id="businesses"', 1)[1]
    return {name for name in OWNERS if name in cells(table)}


def exported(client: httpx.Client, **filters: str) -> list[dict[str, str]]:
    """The CSV the page's download link gives."""
    response = client.get("/admin/ekspor", params={"format": "csv", **filters})
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_a_regency_officer_sees_only_their_regency_on_the_dashboard(site: str) -> None:
    timur = login(site, "timur")
    page = timur.get("/admin/usaha").text
    assert listed_owners(page) == IN_LOMBOK_TIMUR
    assert 'name="kabupaten"' not in page  # one regency in view: nothing to choose
    assert listed_owners(timur.get("/admin/usaha", params={"kabupaten": MATARAM}).text) == set()
    rows = exported(timur)
    assert {r["owner_name"] for r in rows} == IN_LOMBOK_TIMUR and {r["kabupaten"] for r in rows} == {
        "Kabupaten Lombok Timur"
    }
    assert exported(timur, kabupaten=MATARAM) == []
    overview = timur.get("/admin").text
    assert 'id="rekap-kabupaten"' not in overview
    assert "Sakra" in cells(overview) and "Ampenan" not in overview


def test_a_province_admin_sees_both_regencies_named(site: str) -> None:
    admin = login(site, "admin")
    page = admin.get("/admin/usaha").text
    assert listed_owners(page) == IN_LOMBOK_TIMUR | IN_MATARAM
    assert "Kabupaten Lombok Timur" in cells(page) and "Kota Mataram" in cells(page)
    assert f'<option value="{MATARAM}"' in page and "Sakra (Kab. Lombok Timur)" in page
    filtered = admin.get("/admin/usaha", params={"kabupaten": MATARAM}).text
    assert listed_owners(filtered) == IN_MATARAM
    assert f"kabupaten={MATARAM}" in filtered  # the download links keep the filter
    assert {r["owner_name"] for r in exported(admin, kabupaten=MATARAM)} == IN_MATARAM
    overview = admin.get("/admin").text
    assert overview.index('id="rekap-kabupaten"') < overview.index('id="rekap-kecamatan"')
    per_regency = overview.split('id="rekap-kabupaten"', 1)[1].split('id="rekap-kecamatan"', 1)[0]
    assert in_a_row(per_regency, "Kabupaten Lombok Timur", "3")
    assert in_a_row(per_regency, "Kota Mataram", "2")
    assert in_a_row(overview, "Sakra (Kab. Lombok Timur)", "1")
    sri = re.search(r'<a href="(/admin/usaha/\d+)">Usaha Sri</a>', page).group(1)  # type: ignore[union-attr]
    assert "Sakra, Kec. Sakra, Kabupaten Lombok Timur" in admin.get(sri).text
    officers = admin.get("/admin/petugas").text
    assert "Kab. Lombok Timur (21 kecamatan)" in officers


def test_the_admin_scopes_an_officer_to_a_regency_and_broadcasts_follow_scopes(site: str, province_lite: str) -> None:
    admin = login(site, "admin")
    csrf = re.search(r'name="csrf" value="([^"]+)"', admin.get("/admin/petugas").text).group(1)  # type: ignore[union-attr]
    form = {"csrf": csrf, "username": "kota", "name": "Petugas Kota", "role": "officer", "kabupaten": [MATARAM]}
    added = admin.post("/admin/petugas", data=form)
    assert re.search(r"PETUGAS [A-Z0-9]{8}", added.text) and "Kota Mataram (6 kecamatan)" in added.text

    message = {"csrf": csrf, "text": "Klinik kemasan gratis di Mataram", "kabupaten": MATARAM}
    shown = admin.post("/admin/siaran/pratinjau", data=message).text
    assert re.search(r'id="recipients">[^<]*<strong>2</strong>', shown)
    timur = login(site, "timur")
    timur_csrf = re.search(r'name="csrf" value="([^"]+)"', timur.get("/admin/usaha").text).group(1)  # type: ignore[union-attr]
    widened = timur.post("/admin/siaran/pratinjau", data={**message, "csrf": timur_csrf}).text
    assert re.search(r'id="recipients">[^<]*<strong>0</strong>', widened)

    engine = make_engine(province_lite)
    with Session(engine) as db:
        to_timur = create_broadcast(
            db, None, OFFICE, "Info Lombok Timur", Segment(kabupaten=(LOMBOK_TIMUR,)), None, NOW, NOW
        )
        to_kota = create_broadcast(db, None, OFFICE, "Info Mataram", Segment(kabupaten=(MATARAM,)), None, NOW, NOW)
        ids = (to_timur.id, to_kota.id, to_timur.recipients, to_kota.recipients)
        db.commit()
    engine.dispose()
    assert ids[2:] == (3, 2)
    assert timur.get(f"/admin/siaran/{ids[0]}").status_code == 200
    assert timur.get(f"/admin/siaran/{ids[1]}").status_code == 404
    listing = timur.get("/admin/siaran").text
    assert "Info Lombok Timur" in listing and "Info Mataram" not in listing


# --- the officer chat -------------------------------------------------------------------------------------------------


def officer_chat(
    engine: Engine, settings: Settings, role: str, scope: list[str] | None, user: str
) -> Callable[[str], str]:
    """A linked officer's chat with the bot: send a message, get the replies as the console shows them."""
    with Session(engine) as db:
        officer = create_officer(db, f"chat-{user}", f"Petugas {user}", role, scope, None, "test", NOW)
        code = issue_link_code(db, officer, NOW)
        db.commit()
    service = ConversationService(engine, settings, clock=lambda: NOW)

    def send(text: str) -> str:
        return rendered(service.handle("telegram", user, Inbound.text_message(text, channel="telegram")))

    send(f"PETUGAS {code}")
    return send


def test_the_province_officer_chat_offers_the_rekap_per_kabupaten(province: Engine, settings: Settings) -> None:
    send = officer_chat(province, settings, "admin", None, "701")
    menu = send("menu")
    assert re.search(r"^\s*6\. ", menu, re.MULTILINE), menu  # after the five choices officers know by number
    text = send("6")
    assert "Kabupaten Lombok Timur: 3 usaha" in text and "Kota Mataram: 2 usaha" in text
    by_kecamatan = send("1")
    assert "Sakra (Kab. Lombok Timur): 1 usaha" in by_kecamatan
    with Session(province) as db:
        scope = list(lombok_timur_scope(db))
    regency_officer = officer_chat(province, settings, "officer", scope, "702")
    menu = regency_officer("menu")
    assert re.search(r"^\s*5\. ", menu, re.MULTILINE) and not re.search(r"^\s*6\. ", menu, re.MULTILINE), menu
    own = regency_officer("1")
    assert "Sakra: 1 usaha" in own and "Mataram" not in own


def test_the_province_officer_chat_asks_the_regency_before_its_kecamatan(province: Engine, settings: Settings) -> None:
    send = officer_chat(province, settings, "admin", None, "703")
    send("menu")
    send("3")  # who lacks a permit
    which = send("NIB")
    assert "Kabupaten/kota mana?" in which
    assert "Kabupaten Lombok Timur" in which and "Kota Mataram" in which and "Sakra" not in which  # not 117 kecamatan
    kecamatan = send("Kabupaten Lombok Timur")
    assert "Semua di Kabupaten Lombok Timur" in kecamatan
    assert "Sakra" in kecamatan and "Ampenan" not in kecamatan  # only Lombok Timur's
    whole = send("1")  # all of Kabupaten Lombok Timur
    assert "Budi" in whole and "Wayan" not in whole  # Budi lacks NIB in Lombok Timur; Wayan lacks it in Mataram
    # A broadcast to one kecamatan of a regency: the regency first, then its kecamatan.
    send("menu")
    send("4")
    send("Jemput bola NIB di kantor kecamatan Selong hari Senin.")
    send("Kabupaten Lombok Timur")
    send("Selong")
    send("1")  # all commodities
    confirm = send("1")  # everyone
    assert "1 pelaku usaha akan menerima, misalnya: Budi." in confirm  # Budi, in Selong
