"""Export cells: formulas typed by owners are neutralised in CSV and XLSX; per-product permits make one status."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import Session

from bot.officers.export import BUSINESS_SHEET, COLUMNS, Words, export_rows, safe_cell, write_export
from bot.storage.models import Business, ChannelAccount, Need, Owner, Permit, Product, Region
from tests.seed import NOW

METRO_PUSAT = "18.72.01"
# OWASP's CSV injection examples, and the two that got through the old check (a digit after the sign).
PAYLOADS = (
    "=cmd|' /C calc'!A0",
    "=1+2",
    "+1+2",
    "-1+2",
    "@SUM(1,2)",
    "\t=1+2",
    "\r=1+2",
    "  =1+2",
    '=HYPERLINK("http://evil","y")',
    '=1+HYPERLINK("http://evil","y")',
    "-2+3+cmd|' /C calc'!A0",
    "\t",
    " @x",
)
# Owner text that looks nothing like a formula to a spreadsheet: exported exactly as typed.
HARMLESS = ("-", " - ", "Keripik - pedas", "Rp 5.000,-", "100% halal", "Bu Sri's (keripik)", "a=b", "x@y.id")
# A spreadsheet would read these as formulas, whatever they mean to the owner: apostrophe in front.
LOOK_LIKE_FORMULAS = ("- keripik", "--", "-5", "+62 812", "@bu_sri", "=")
# What a spreadsheet would take as the start of a formula (spaces before it included).
FORMULA = re.compile(r"[^\S\t\r]*[=+\-@\t\r]")


def seed_business(db: Session, index: int, text: str) -> None:
    """An owner whose every free-text field (and those of their business, product, permits, need) is `text`."""
    region = f"99.01.{index:02d}"
    db.add(
        Region(code=region, name=text, level="kecamatan", parent_code=None, regency_code="99.01", regency_name="Uji")
    )
    owner = Owner(
        name=text,
        phone="+6281234567890",
        consent_status="given",
        consent_at=NOW,
        registered_at=NOW,
        last_report_at=NOW,
    )
    db.add(owner)
    db.flush()
    business = Business(
        owner_id=owner.id,
        name=text,
        kecamatan_code=region,
        commodity="lainnya",
        commodity_other=text,
        sentra=text,
        in_sentra=True,
    )
    db.add(business)
    db.flush()
    db.add(Product(business_id=business.id, key="p1", name=text, category="makanan", packaging="berlabel"))
    for permit, key in (("nib", ""), ("pirt", "p1"), ("halal", "p1"), ("bpom", "p1")):
        db.add(
            Permit(business_id=business.id, product_key=key, type=permit, status="terbit", number=text, reported_at=NOW)
        )
    db.add(Need(business_id=business.id, kind="lainnya", note=text))
    db.add(ChannelAccount(platform="telegram", external_id=str(8_000_000 + index), owner_id=owner.id))
    db.flush()


def expected_row(text: str, fmt: str = "csv") -> dict[str, str]:
    """The columns of a business seeded with a formula `text`, as the export must write them."""
    cell = "'" + text  # otherwise exactly as typed
    row = {
        "business_name": cell,
        "owner_name": cell,
        "phone": "'+6281234567890",  # written by the bot as "+62...": a spreadsheet would read it as a formula
        "kecamatan": cell,  # region names come from a file an officer loads
        "commodity": cell,
        "nib_number": cell,
        "pirt_number": cell,
        "halal_number": cell,
        "bpom_number": cell,
        "needs": f"lainnya ({text})",  # the need's kind comes first: the note can never start the cell
    }
    if fmt == "xlsx":  # the sheet people read: the number as written in Indonesia, the need in words
        row |= {"phone": "0812-3456-7890", "needs": f"{Words('id', 'Asia/Jakarta')._('Other')} ({text})"}
    return row


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        return list(reader)


def _unescape_ooxml(value: str) -> str:
    """XLSX stores control characters as _xHHHH_ (Excel reads them back; openpyxl leaves them escaped)."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), value)


# The same facts on the XLSX's business sheet: (the header's msgid, the permit it names).
XLSX_COLUMNS = {
    "business_name": ("Business name", ""),
    "owner_name": ("Owner", ""),
    "phone": ("Phone", ""),
    "kecamatan": ("Kecamatan", ""),
    "commodity": ("Type of business", ""),
    "nib_number": ("{permit}: number", "nib"),
    "pirt_number": ("{permit}: number", "pirt"),
    "halal_number": ("{permit}: number", "halal"),
    "bpom_number": ("{permit}: number", "bpom"),
    "needs": ("Needs", ""),
}


def read_xlsx(path: Path) -> list[dict[str, str]]:
    """The business sheet's text columns, by their CSV names; every text cell of every sheet checked on the way."""
    book = load_workbook(path)
    for sheet in book.worksheets:  # products and permits too: no cell anywhere starts like a formula
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "s":
                    value = _unescape_ooxml(cell.value)
                    assert value.strip(" ") == "-" or not FORMULA.match(value), (sheet.title, cell.coordinate, value)
                else:
                    assert cell.data_type in ("n", "d"), (sheet.title, cell.coordinate, cell.data_type)  # no "f"
    position = {(c.header, c.permit): index for index, c in enumerate(BUSINESS_SHEET)}
    result = []
    for row in list(book.worksheets[0].iter_rows())[1:]:
        values = {}
        for name, column in XLSX_COLUMNS.items():
            cell = row[position[column]]
            if cell.value is None:
                values[name] = ""
                continue
            assert cell.data_type == "s", (name, cell.value, cell.data_type)  # a string, never "f" (formula) or "n"
            values[name] = _unescape_ooxml(cell.value)
        result.append(values)
    return result


@pytest.fixture
def exported(engine, tmp_path: Path) -> dict[str, list[dict[str, str]]]:
    texts = PAYLOADS + HARMLESS + LOOK_LIKE_FORMULAS
    with Session(engine) as db:
        for index, text in enumerate(texts):
            seed_business(db, index, text)
        db.commit()
        write_export(db, tmp_path / "usaha.csv", "csv")
        write_export(db, tmp_path / "usaha.xlsx", "xlsx")
    return {"csv": read_csv(tmp_path / "usaha.csv"), "xlsx": read_xlsx(tmp_path / "usaha.xlsx")}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_formula_typed_by_an_owner_gets_an_apostrophe(exported, fmt: str) -> None:
    rows = exported[fmt]
    assert len(rows) == len(PAYLOADS) + len(HARMLESS) + len(LOOK_LIKE_FORMULAS)
    for text, row in zip(PAYLOADS, rows, strict=False):
        want = expected_row(text, fmt)
        assert {name: row[name] for name in want} == want, repr(text)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_harmless_text_is_exported_as_typed_and_lookalikes_are_neutralised(exported, fmt: str) -> None:
    rows = exported[fmt][len(PAYLOADS) :]
    for text, row in zip(HARMLESS, rows, strict=False):
        assert row["business_name"] == row["owner_name"] == row["commodity"] == row["nib_number"] == text
    for text, row in zip(LOOK_LIKE_FORMULAS, rows[len(HARMLESS) :], strict=True):
        assert row["business_name"] == row["owner_name"] == row["pirt_number"] == "'" + text


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_no_cell_of_the_export_starts_like_a_formula(exported, fmt: str) -> None:
    for row in exported[fmt]:
        for name, value in row.items():
            assert value.strip(" ") == "-" or not FORMULA.match(value), (name, value)


def test_the_cell_rule() -> None:
    assert safe_cell("=1+2") == "'=1+2"
    assert safe_cell("  =1+2") == "'  =1+2"  # kept as typed after the apostrophe
    assert safe_cell("\n+1") == "'\n+1"
    assert safe_cell("-") == "-" and safe_cell("Keripik - pedas") == "Keripik - pedas"
    assert safe_cell("") == "" and safe_cell("0812") == "0812" and safe_cell("'=1") == "'=1"


# --- one status per business for permits held by products ------------------------------------------------------
# Each case: the business's commodity, its products (name, category, {permit: status}), and the export's
# (pirt_status, bpom_status) for it.
AGGREGATION = {
    "a junk product does not pull the business down": (
        "makanan",
        [
            ("Keripik", "makanan", {"pirt": "diurus"}),
            ("Rempeyek", "makanan", {"pirt": "diurus"}),
            ("tidak", "makanan", {}),
        ],
        ("diurus", ""),
    ),
    "a junk product reported not yet does not pull it down either": (
        "makanan",
        [
            ("Keripik", "makanan", {"pirt": "diurus"}),
            ("Rempeyek", "makanan", {"pirt": "diurus"}),
            ("tidak", "makanan", {"pirt": "belum", "bpom": "belum"}),
        ],
        ("diurus", "belum"),
    ),
    "the best progress counts": (
        "makanan",
        [("Keripik", "makanan", {"pirt": "terbit"}), ("Rempeyek", "makanan", {"pirt": "belum"})],
        ("terbit", ""),
    ),
    "in progress beats lapsed, lapsed beats not yet": (
        "makanan",
        [
            ("A", "makanan", {"pirt": "kedaluwarsa", "bpom": "kedaluwarsa"}),
            ("B", "makanan", {"pirt": "diurus", "bpom": "belum"}),
        ],
        ("diurus", "kedaluwarsa"),
    ),
    "not needed is set apart, never issued": (
        "makanan",
        [("Keripik", "makanan", {"pirt": "belum", "bpom": "tidak_perlu"})],
        ("belum", "tidak_perlu"),
    ),
    "a product that does not need it does not count": (
        "makanan",
        [
            ("Keripik", "makanan", {"pirt": "diurus", "bpom": "tidak_perlu"}),
            ("Susu", "minuman", {"bpom": "belum"}),
        ],
        ("diurus", "belum"),
    ),
    "a non-food product does not count": (
        "lainnya",
        [("Tas rotan", "nonpangan", {"pirt": "belum"}), ("Jamu", "minuman", {"pirt": "terbit"})],
        ("terbit", ""),
    ),
    "nothing reported stays empty": ("makanan", [("Keripik", "makanan", {})], ("", "")),
    "a trade without food products": ("kerajinan", [("Tas rotan", "nonpangan", {})], ("", "")),
}


@pytest.mark.parametrize("case", list(AGGREGATION))
def test_a_business_is_as_far_as_its_most_advanced_product_that_needs_the_permit(engine, case: str) -> None:
    commodity, products, (pirt, bpom) = AGGREGATION[case]
    with Session(engine) as db:
        owner = Owner(name="Sri", consent_status="given", consent_at=NOW, registered_at=NOW, last_report_at=NOW)
        db.add(owner)
        db.flush()
        business = Business(owner_id=owner.id, name="Usaha Sri", kecamatan_code=METRO_PUSAT, commodity=commodity)
        db.add(business)
        db.flush()
        for index, (name, category, permits) in enumerate(products, start=1):
            key = f"p{index}"
            db.add(Product(business_id=business.id, key=key, name=name, category=category))
            for permit, status in permits.items():
                number = f"P-{index}" if status == "terbit" else None
                db.add(
                    Permit(
                        business_id=business.id,
                        product_key=key,
                        type=permit,
                        status=status,
                        number=number,
                        reported_at=NOW,
                    )
                )
        db.commit()
        (row,) = list(export_rows(db))
    assert (row["pirt_status"], row["bpom_status"]) == (pirt, bpom)
