"""The export carries every fact owners tell, on SQLite and PostgreSQL: the CSV keeps the documented columns first and
adds the rest after `kabupaten`; the XLSX has a sheet of businesses, one of products and one of permits, with numbers
as numbers, local dates as dates, widths set, formulas neutralised on every sheet; withdrawn and erased owners appear
nowhere."""

from __future__ import annotations

import csv
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import Session, select

from bot.config import Settings
from bot.officers.accounts import create_officer
from bot.officers.export import (
    BUSINESS_SHEET,
    COLUMNS,
    DOCUMENTED_COLUMNS,
    MAX_WIDTH,
    PERMIT_SHEET,
    PRODUCT_SHEET,
    Words,
    export_rows,
    write_export,
)
from bot.service import ConversationService
from bot.storage.models import Business, Owner, Permit, Product
from conversations.officer import PERMIT_NAMES
from tests.dialog import ServiceChat
from tests.seed import NOW, seed_owner
from tests.telegram_harness import running_app
from tests.test_service_db import REGISTRATION

JAKARTA = ZoneInfo("Asia/Jakarta")
PASSWORD = "kata-sandi-rahasia-1"
METRO_UTARA = "18.72.02"
# docs/design.md's promise, spelled out here so that a change to the module cannot move it unnoticed.
DOCUMENTED = (
    "business_name owner_name phone kecamatan kelurahan commodity nib_status nib_number pirt_status pirt_number "
    "pirt_expires halal_status halal_number bpom_status bpom_number needs channel registered_at last_report_at"
).split()
FORMULA = re.compile(r"[^\S\t\r]*[=+\-@\t\r]")
EVIL = '=HYPERLINK("http://evil","klik")'
# Owners who said stop (withdrew consent) or asked to be erased: none of what they typed may leave in an export.
WITHDRAWN = ("budi santoso", "0813-1111-2222", "Tahu Budi Mantap", "Sentra Tahu Budi")
ERASED = ("ani lestari", "0857-3333-4444", "Jamu Gendong Ani", "Paguyuban Jamu Ani")


def registration(name: str, phone: str, business: str, sentra: str) -> list[str]:
    """The standard registration (tests/test_service_db.py) told by another owner."""
    lines = list(REGISTRATION)
    lines[2], lines[3], lines[4], lines[11] = name, phone, business, sentra
    return lines


def talk(service: ConversationService, user: str, lines: list[str]) -> ServiceChat:
    chat = ServiceChat(service, user=user)
    for line in lines:
        chat.send(line)
    return chat


@pytest.fixture
def office(engine, settings, clock):
    """Sri registered through the conversation; an owner with formula-like text and several products; one owner
    who withdrew consent and one who was erased, both after telling everything."""
    service = ConversationService(engine, settings, clock=clock)
    talk(service, "1", REGISTRATION)
    talk(service, "2", registration(*WITHDRAWN)).send("berhenti")
    erased = talk(service, "3", registration(*ERASED))
    erased.send("hapus")
    erased.send("1")  # ya, hapus
    with Session(engine) as db:
        sri = db.exec(select(Business).where(Business.name == "Keripik Pisang Bu Sri")).one()
        sri.latitude, sri.longitude = -5.1131, 105.3067  # shared by the location button (not on the console)
        db.add(sri)
        owner = seed_owner(
            db, EVIL, METRO_UTARA, pirt="diurus", sentra=EVIL, phone="+6281299990000", needs=("lainnya",)
        )
        business = db.exec(select(Business).where(Business.owner_id == owner.id)).one()
        business.name, business.workers, business.monthly_revenue, business.size = EVIL, 25, 40_000_000, "kecil"
        db.add(business)
        for key, name, category, packaging in (
            ("p2", "-2+3+cmd|' /C calc'!A0", "minuman", "sederhana"),
            ("p3", "Tas anyaman rotan" + " besar" * 20, "nonpangan", "belum"),
        ):
            db.add(Product(business_id=business.id, key=key, name=name, category=category, packaging=packaging))
        db.add(
            Permit(
                business_id=business.id,
                product_key="p2",
                type="bpom",
                status="terbit",
                number="@MD224510107115",
                expires_on=date(2030, 3, 31),
                expiry_year=2030,
                evidence_photo="media/bpom.jpg",
                number_source="photo",
                reported_via="whatsapp",
                reported_at=NOW,
            )
        )
        db.add(
            Permit(
                business_id=business.id,
                product_key="",
                type="merek",
                status="diurus",
                expected_on=date(2027, 2, 1),
                reported_at=NOW,
            )
        )
        db.commit()
    return engine


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        return list(reader)


def by_header(sheet: Worksheet) -> list[dict[str, object]]:
    """The data rows of a sheet as {header: cell}."""
    rows = list(sheet.iter_rows())
    headers = [cell.value for cell in rows[0]]
    return [dict(zip(headers, row, strict=True)) for row in rows[1:]]


def header(column, words: Words) -> str:
    """The header a sheet column shows in the words of `words`."""
    return words._(column.header, permit=PERMIT_NAMES.get(column.permit, column.permit), zone=words.zone)


def col(sheet_columns, msgid: str, permit: str = "", words: Words | None = None) -> str:
    """The shown header of the column with this msgid (and permit)."""
    words = words or Words("id", "Asia/Jakarta")
    (column,) = [c for c in sheet_columns if c.header == msgid and c.permit == permit]
    return header(column, words)


# --- CSV -----------------------------------------------------------------------------------------------------------


def test_csv_keeps_the_documented_columns_first_then_kabupaten_then_the_rest(office, tmp_path: Path) -> None:
    assert list(DOCUMENTED_COLUMNS) == DOCUMENTED
    assert list(COLUMNS[:20]) == [*DOCUMENTED, "kabupaten"]
    assert len(set(COLUMNS)) == len(COLUMNS) and all(re.fullmatch(r"[a-z_]+", name) for name in COLUMNS)
    with Session(office) as db:
        assert write_export(db, tmp_path / "usaha.csv", "csv") == 2
    header = (tmp_path / "usaha.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith(",".join(DOCUMENTED) + ",kabupaten,")


def test_csv_carries_what_the_owner_told(office) -> None:
    with Session(office) as db:
        rows = {row["owner_name"]: row for row in export_rows(db)}
        owner = db.exec(select(Owner).where(Owner.name == "Sri Wahyuni")).one()
    sri = rows["Sri Wahyuni"]
    # the documented columns, unchanged in meaning
    assert (sri["business_name"], sri["kecamatan"], sri["kelurahan"], sri["commodity"]) == (
        "Keripik Pisang Bu Sri",
        "Metro Pusat",
        "Yosomulyo",
        "makanan",
    )
    assert (sri["nib_status"], sri["pirt_status"], sri["pirt_expires"]) == ("terbit", "terbit", "2029")
    assert (sri["halal_status"], sri["bpom_status"], sri["needs"]) == ("diurus", "tidak_perlu", "kemasan; modal")
    # the newer columns
    assert {name: sri[name] for name in COLUMNS[20:]} == {
        "kabupaten_code": "18.72",
        "kecamatan_code": "18.72.01",
        "kelurahan_code": "18.72.01.1005",
        "commodity_code": "makanan",
        "commodity_other": "",
        "workers": "3",
        "monthly_revenue": "2500000",
        "size": "mikro",
        "in_sentra": "true",
        "sentra": "Sentra Keripik Yosomulyo",
        "latitude": "-5.1131",
        "longitude": "105.3067",
        "product_count": "1",
        "products": "Keripik pisang balado (makanan, berlabel)",
        "nib_expected": "",
        "pirt_expected": "",
        "halal_expires": "",
        "halal_expected": "2026-12-25",
        "bpom_expires": "",
        "bpom_expected": "",
        "merek_status": "belum",
        "merek_number": "",
        "merek_expected": "",
        "language": "id",
        "phone_verified": "false",
        "consent_at": owner.consent_at.astimezone(JAKARTA).strftime("%Y-%m-%d %H:%M"),
        "consent_version": owner.consent_version or "",
        "numbers_from_photo": "",  # typed
    }
    other = rows[EVIL]
    assert (other["workers"], other["monthly_revenue"], other["size"], other["product_count"]) == (
        "25",
        "40000000",
        "kecil",
        "3",
    )
    assert (other["bpom_status"], other["bpom_expires"]) == ("terbit", "2030-03-31")
    assert other["numbers_from_photo"] == "bpom"  # read from the label's photo and confirmed
    assert (other["merek_status"], other["merek_expected"]) == ("diurus", "2027-02-01")
    assert other["latitude"] == other["longitude"] == ""


def test_csv_neutralises_formulas_in_the_new_columns_but_not_its_own_numbers(office, tmp_path: Path) -> None:
    with Session(office) as db:
        write_export(db, tmp_path / "usaha.csv", "csv")
    rows = {row["workers"]: row for row in read_csv(tmp_path / "usaha.csv")}
    sri, other = rows["3"], rows["25"]
    assert sri["latitude"] == "-5.1131"  # a number the export writes, south of the equator: not a formula
    assert other["sentra"] == "'" + EVIL and other["bpom_number"] == "'@MD224510107115"
    assert other["products"] == "Keripik (makanan, berlabel); -2+3+cmd|' /C calc'!A0 (minuman, sederhana); " + (
        "Tas anyaman rotan" + " besar" * 20 + " (nonpangan, belum)"
    )  # a product's name inside the cell never starts it
    for row in rows.values():
        for name, value in row.items():
            if name not in ("latitude", "longitude"):
                assert value.strip(" ") == "-" or not FORMULA.match(value), (name, value)


# --- XLSX ----------------------------------------------------------------------------------------------------------


@pytest.fixture
def book(office, tmp_path: Path):
    with Session(office) as db:
        assert write_export(db, tmp_path / "usaha.xlsx", "xlsx") == 2
    return load_workbook(tmp_path / "usaha.xlsx")


def test_xlsx_has_a_sheet_of_businesses_products_and_permits(book) -> None:
    assert book.sheetnames == ["Usaha", "Produk", "Izin"]  # msgids the catalog already translates
    businesses, products, permits = (by_header(sheet) for sheet in book.worksheets)
    assert len(businesses) == 2
    assert [(r[col(PRODUCT_SHEET, "Business name")].value, r[col(PRODUCT_SHEET, "Product")].value) for r in products][
        :2
    ] == [("Keripik Pisang Bu Sri", "Keripik pisang balado"), ("'" + EVIL, "Keripik")]
    assert len(products) == 4  # Sri's one, and the other owner's three
    sri_permits = [r for r in permits if r[col(PERMIT_SHEET, "Business name")].value == "Keripik Pisang Bu Sri"]
    words = Words("id", "Asia/Jakarta")
    assert [r[col(PERMIT_SHEET, "Permit")].value for r in sri_permits] == [
        words.permit(p) for p in ("nib", "pirt", "halal", "bpom", "merek")
    ]  # the order the bot asks in: the business's NIB, each product's permits, merek
    product = col(PERMIT_SHEET, "Product")
    assert [r[product].value for r in sri_permits] == [None, *["Keripik pisang balado"] * 3, None]


def test_xlsx_headers_and_statuses_are_words(book) -> None:
    businesses = by_header(book.worksheets[0])
    headers = list(businesses[0])
    assert headers[:3] == ["Nama usaha", "Pemilik", "No. HP"]  # already in the catalog
    assert "Kabupaten/kota" in headers and "Kelurahan/desa" in headers and "Jenis usaha" in headers
    assert not any(name in headers for name in COLUMNS if "_" in name)  # no snake_case column name
    assert col(BUSINESS_SHEET, "Registered ({zone})").endswith("(WIB)")
    sri = next(r for r in businesses if r["Nama usaha"].value == "Keripik Pisang Bu Sri")
    status = {
        p: sri[col(BUSINESS_SHEET, "{permit}: status", p)].value for p in ("nib", "pirt", "halal", "bpom", "merek")
    }
    assert status == {
        "nib": "sudah punya",
        "pirt": "sudah punya",
        "halal": "sedang diurus",
        "bpom": "tidak perlu",
        "merek": "belum",
    }
    assert sri["No. HP"].value == "0812-3456-7890"
    words = Words("id", "Asia/Jakarta")
    assert sri[col(BUSINESS_SHEET, "Type of business")].value == "Makanan"
    assert sri[col(BUSINESS_SHEET, "Size")].value == words._("micro business")
    assert sri[col(BUSINESS_SHEET, "In a sentra or forum")].value == "ya"
    assert sri[col(BUSINESS_SHEET, "Name of the sentra or forum")].value == "Sentra Keripik Yosomulyo"
    assert sri[col(BUSINESS_SHEET, "Needs")].value == f"{words._('Packaging & label')}; {words._('Capital / KUR loan')}"
    assert sri[col(BUSINESS_SHEET, "Chat channel")].value == words._("console (test)")


def test_xlsx_writes_numbers_as_numbers_and_dates_as_local_dates(office, book) -> None:
    with Session(office) as db:
        owner = db.exec(select(Owner).where(Owner.name == "Sri Wahyuni")).one()
    businesses = by_header(book.worksheets[0])
    sri = next(r for r in businesses if r["Nama usaha"].value == "Keripik Pisang Bu Sri")
    workers = sri[col(BUSINESS_SHEET, "Number of workers")]
    revenue = sri[col(BUSINESS_SHEET, "Turnover per month (Rp)")]
    assert (workers.value, workers.data_type) == (3, "n")
    assert (revenue.value, revenue.data_type) == (2_500_000, "n") and "Rp" in revenue.number_format
    assert sri[col(BUSINESS_SHEET, "Number of products")].value == 1
    assert sri[col(BUSINESS_SHEET, "Latitude")].value == pytest.approx(-5.1131)
    registered = sri[col(BUSINESS_SHEET, "Registered ({zone})")]
    assert registered.is_date and isinstance(registered.value, datetime)
    local = owner.registered_at.astimezone(JAKARTA).replace(tzinfo=None)
    assert abs(registered.value - local) < timedelta(seconds=1)  # the wall clock in Metro, not UTC
    expected = sri[col(BUSINESS_SHEET, "{permit}: expected issue date", "halal")]
    assert expected.is_date and expected.value == datetime(2026, 12, 25)
    until = sri[col(BUSINESS_SHEET, "{permit}: valid until", "pirt")]
    assert (until.value, until.data_type) == (2029, "n")  # a P-IRT number tells the year only

    permits = by_header(book.worksheets[2])
    halal = next(
        r for r in permits if r[col(PERMIT_SHEET, "Permit")].value == Words("id", "Asia/Jakarta").permit("halal")
    )
    assert halal[col(PERMIT_SHEET, "Status")].value == "sedang diurus"
    assert halal[col(PERMIT_SHEET, "Expected issue date")].value == datetime(2026, 12, 25)
    bpom = next(r for r in permits if r[col(PERMIT_SHEET, "Number")].value == "'@MD224510107115")
    assert bpom[col(PERMIT_SHEET, "Valid until")].is_date
    assert bpom[col(PERMIT_SHEET, "Valid until")].value == datetime(2030, 3, 31)
    assert (bpom[col(PERMIT_SHEET, "Expiry year")].value, bpom[col(PERMIT_SHEET, "Certificate photo")].value) == (
        2030,
        "ya",
    )
    assert bpom[col(PERMIT_SHEET, "Number read from the photo")].value == "ya"
    assert halal[col(PERMIT_SHEET, "Number read from the photo")].value is None  # no number to say it of
    assert bpom[col(PERMIT_SHEET, "Reported via")].value == "WhatsApp"
    reported = bpom[col(PERMIT_SHEET, "Reported ({zone})")]
    assert reported.is_date and reported.value == datetime(2026, 11, 25, 10, 0)  # 03:00 UTC is 10:00 WIB
    products = by_header(book.worksheets[1])
    keripik = next(r for r in products if r[col(PRODUCT_SHEET, "Product")].value == "Keripik pisang balado")
    assert keripik[col(PRODUCT_SHEET, "Category")].value == "Makanan"
    assert keripik[col(PRODUCT_SHEET, "Packaging")].value == Words("id", "Asia/Jakarta")._("Labelled packaging")
    assert keripik[col(PRODUCT_SHEET, "{permit}: status", "halal")].value == "sedang diurus"
    assert keripik[col(PRODUCT_SHEET, "Added ({zone})")].is_date


def test_xlsx_opens_readable_header_bold_frozen_filtered_widths_set(book) -> None:
    for sheet in book.worksheets:
        last = get_column_letter(sheet.max_column)
        assert all(cell.font.b for cell in sheet[1])
        assert sheet.freeze_panes == "B2"
        assert sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}"
        for index in range(1, sheet.max_column + 1):
            width = sheet.column_dimensions[get_column_letter(index)].width
            assert 6 <= width <= MAX_WIDTH + 3, (sheet.title, index, width)
    products = book.worksheets[1]
    product = [c.value for c in products[1]].index(col(PRODUCT_SHEET, "Product")) + 1
    assert products.column_dimensions[get_column_letter(product)].width >= MAX_WIDTH  # the long name, capped
    businesses = book.worksheets[0]
    name = businesses.column_dimensions["A"].width
    assert name >= len("Keripik Pisang Bu Sri")


def test_xlsx_neutralises_formulas_on_every_sheet(book) -> None:
    seen = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type in ("s", "n", "d"), (sheet.title, cell.coordinate, cell.data_type)
                if cell.data_type == "s":
                    assert cell.value.strip(" ") == "-" or not FORMULA.match(cell.value), (sheet.title, cell.value)
                    seen.add((sheet.title, cell.value))
    assert ("Usaha", "'" + EVIL) in seen and ("Produk", "'" + EVIL) in seen and ("Izin", "'" + EVIL) in seen
    assert ("Produk", "'-2+3+cmd|' /C calc'!A0") in seen and ("Izin", "'@MD224510107115") in seen


def test_xlsx_speaks_english_when_asked(office, tmp_path: Path) -> None:
    with Session(office) as db:
        write_export(db, tmp_path / "en.xlsx", "xlsx", locale="en")
    book = load_workbook(tmp_path / "en.xlsx")
    assert book.sheetnames == ["Businesses", "Products", "Permit"]
    headers = [c.value for c in book.worksheets[0][1]]
    assert headers[:3] == ["Business name", "Owner", "Phone"] and "NIB: status" in headers
    assert "Registered (WIB)" in headers


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_withdrawn_and_erased_owners_appear_nowhere(office, tmp_path: Path, fmt: str) -> None:
    with Session(office) as db:
        owners = {(o.name, o.consent_status, o.deleted_at is not None) for o in db.exec(select(Owner)).all()}
        assert ("Budi Santoso", "withdrawn", False) in owners  # stopped: kept, but no longer processed
        assert any(name is None and deleted for name, _status, deleted in owners)  # erased: anonymous counts only
        assert write_export(db, tmp_path / f"usaha.{fmt}", fmt) == 2
    if fmt == "csv":
        text = (tmp_path / "usaha.csv").read_text(encoding="utf-8-sig")
    else:
        book = load_workbook(tmp_path / "usaha.xlsx")
        text = "\n".join(
            str(cell.value) for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value
        )
    for told in (*WITHDRAWN, *ERASED):
        for variant in (told, told.title(), told.replace("-", "")[1:]):
            assert variant not in text, variant
    assert "Keripik Pisang Bu Sri" in text


# --- the dashboard's download ----------------------------------------------------------------------------------------


def test_the_dashboard_download_is_the_same_workbook_filtered_as_on_screen(lite_engine, sqlite_url, tmp_path) -> None:
    """A WITA deployment: the download link gives the three sheets, only the businesses on screen, times in WITA."""
    with Session(lite_engine) as db:
        seed_owner(db, "Sri", "18.72.01", nib="terbit", pirt="terbit")
        seed_owner(db, "Dewi", "18.72.03", nib="belum", pirt="belum")
        create_officer(db, "admin", "Admin Dinas", "admin", None, PASSWORD, "test", NOW)
        db.commit()
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=sqlite_url,
        secret_key="x" * 40,
        office_name="Dinas Kota Metro",
        media_dir=str(tmp_path / "media"),
        default_timezone="Asia/Makassar",
    )
    with running_app(settings, lite_engine) as server:
        client = httpx.Client(base_url=server.url, timeout=10)
        form = client.get("/admin/login")
        token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        client.post("/admin/login", data={"username": "admin", "password": PASSWORD, "csrf": token})
        response = client.get("/admin/ekspor", params={"format": "xlsx", "kecamatan": "18.72.01"})
        client.get("/admin/bahasa", params={"ke": "en"})  # an officer who reads the dashboard in English
        english = client.get("/admin/ekspor", params={"format": "xlsx"})
    (tmp_path / "english.xlsx").write_bytes(english.content)
    assert load_workbook(tmp_path / "english.xlsx").worksheets[0]["A1"].value == "Business name"
    assert response.status_code == 200 and response.content[:2] == b"PK"
    (tmp_path / "download.xlsx").write_bytes(response.content)
    book = load_workbook(tmp_path / "download.xlsx")
    assert book.sheetnames == ["Usaha", "Produk", "Izin"]
    businesses, products, permits = (by_header(sheet) for sheet in book.worksheets)
    assert [r["Nama usaha"].value for r in businesses] == ["Usaha Sri"]
    assert [r[col(PRODUCT_SHEET, "Business name")].value for r in products] == ["Usaha Sri"]
    assert {r[col(PERMIT_SHEET, "Business name")].value for r in permits} == {"Usaha Sri"}
    wita = Words("id", "Asia/Makassar")
    registered = businesses[0][col(BUSINESS_SHEET, "Registered ({zone})", words=wita)]
    assert "WITA" in col(BUSINESS_SHEET, "Registered ({zone})", words=wita)
    assert registered.value == datetime(2026, 11, 25, 11, 0)  # 03:00 UTC is 11:00 WITA
