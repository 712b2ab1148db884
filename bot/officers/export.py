"""Export of businesses to CSV or XLSX, one row per business (columns promised in docs/design)."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from bot.storage.models import Business, ChannelAccount, Need, Owner, Permit, Product, Region
from bot.storage.segments import Segment, owners_query

COLUMNS = (
    "business_name",
    "owner_name",
    "phone",
    "kecamatan",
    "kelurahan",
    "commodity",
    "nib_status",
    "nib_number",
    "pirt_status",
    "pirt_number",
    "pirt_expires",
    "halal_status",
    "halal_number",
    "bpom_status",
    "bpom_number",
    "needs",
    "channel",
    "registered_at",
    "last_report_at",
    "kabupaten",  # added after the documented columns, which keep their order: the regency or city's name
)
# How far one permit row has come, worst first; "tidak_perlu" is never ranked: it is set apart (see below).
_PROGRESS = {"belum": 0, "kedaluwarsa": 1, "diurus": 2, "terbit": 3}


def _local(value: datetime | None, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else ""


def _regency_of(kecamatan: str | None) -> str:
    """The regency code of a kecamatan code ("52.03.05" -> "52.03"), for a business stored before it had one."""
    return ".".join((kecamatan or "").split(".")[:2])


def _permit_columns(permits: list[_PermitRow], food_keys: set[str], permit: str) -> tuple[str, str, str]:
    """Status, numbers and earliest expiry of one permit type for a business.

    NIB and merek belong to the business: its own row says it. P-IRT, halal and BPOM belong to products, and a
    business is as far as its most advanced product that needs the permit (terbit > diurus > kedaluwarsa > belum),
    the rule `rekap` counts by too. Products that need it are the food and drink ones not reported "tidak_perlu":
    a non-food product, a product whose permit is not needed, or a product that never reported this permit (a slip
    such as a product named "tidak") never pulls the business down. When no product needs it because every food
    product reported "tidak_perlu", the status is "tidak_perlu"; when nothing was reported, it is left empty.
    """
    if permit in ("nib", "merek"):
        rows = [p for p in permits if p.type == permit and p.product_key == ""]
        needed = [p for p in rows if p.status != "tidak_perlu"]
        unneeded = bool(rows) and not needed
    else:
        rows = [p for p in permits if p.type == permit and p.product_key in food_keys]
        needed = [p for p in rows if p.status != "tidak_perlu"]
        unneeded = bool(food_keys) and not needed and len(rows) == len(food_keys)
    numbers = "; ".join(p.number for p in rows if p.number)
    if not needed:
        return ("tidak_perlu" if unneeded else ""), numbers, ""
    status = max((p.status for p in needed), key=lambda s: _PROGRESS.get(s, 0))
    expiries = [
        p.expires_on.isoformat() if p.expires_on else str(p.expiry_year)
        for p in needed
        if p.expires_on or p.expiry_year
    ]
    return status, numbers, min(expiries) if expiries else ""


def business_query(segment: Segment | None = None, search: str | None = None) -> Any:
    """Businesses (with their owners) of consenting owners, filtered like the dashboard's list."""
    query = (
        select(Business, Owner)
        .join(Owner, Owner.id == Business.owner_id)
        .where(Owner.consent_status == "given", Owner.deleted_at.is_(None))  # type: ignore[union-attr]
        .order_by(Business.id)
    )
    if segment is not None:
        query = query.where(Owner.id.in_(owners_query(segment)))  # type: ignore[union-attr]
    if search:
        pattern = f"%{search.lower()}%"
        digits = "".join(ch for ch in search if ch.isdigit())
        if digits.startswith("0"):  # "0812..." as typed in Indonesia; numbers are stored as +62812...
            digits = "62" + digits[1:]
        conditions = [func.lower(Business.name).like(pattern), func.lower(Owner.name).like(pattern)]
        if len(digits) >= 4:
            conditions.append(func.coalesce(Owner.phone, "").like(f"%{digits}%"))
        query = query.where(or_(*conditions))
    return query


class _PermitRow(NamedTuple):
    business_id: int
    product_key: str
    type: str
    status: str
    number: str | None
    expires_on: date | None
    expiry_year: int | None


CHUNK = 5000


def export_rows(
    db: Session, timezone: str = "Asia/Jakarta", segment: Segment | None = None, search: str | None = None
) -> Iterator[dict[str, str]]:
    """Every consenting owner's business as a flat row (optionally filtered as on screen), streamed in chunks."""
    tz = ZoneInfo(timezone)
    regions, regency_names = {}, {}
    for code, name, regency_code, regency_name in db.execute(
        select(Region.code, Region.name, Region.regency_code, Region.regency_name)
    ).all():
        regions[code] = name
        regency_names[regency_code] = regency_name
    base = business_query(segment, search).with_only_columns(
        Business.id,
        Business.name,
        Business.regency_code,
        Business.kecamatan_code,
        Business.kelurahan_code,
        Business.commodity,
        Business.commodity_other,
        Owner.id,
        Owner.name,
        Owner.phone,
        Owner.registered_at,
        Owner.last_report_at,
    )
    last_id = 0
    while True:
        chunk = db.execute(base.where(Business.id > last_id).limit(CHUNK)).all()
        if not chunk:
            return
        first, last_id = chunk[0][0], chunk[-1][0]
        in_range = and_(Permit.business_id >= first, Permit.business_id <= last_id)
        permits: dict[int, list[_PermitRow]] = defaultdict(list)
        for row in db.execute(
            select(
                Permit.business_id,
                Permit.product_key,
                Permit.type,
                Permit.status,
                Permit.number,
                Permit.expires_on,
                Permit.expiry_year,
            ).where(in_range)
        ).all():
            permits[row[0]].append(_PermitRow(*row))
        food: dict[int, set[str]] = defaultdict(set)
        for business_id, key in db.execute(
            select(Product.business_id, Product.key).where(
                Product.business_id >= first,
                Product.business_id <= last_id,
                Product.category.in_(("makanan", "minuman")),  # type: ignore[union-attr]
            )
        ).all():
            food[business_id].add(key)
        needs: dict[int, list[str]] = defaultdict(list)
        for business_id, kind, note in db.execute(
            select(Need.business_id, Need.kind, Need.note)
            .where(Need.business_id >= first, Need.business_id <= last_id, Need.status == "open")
            .order_by(Need.id)
        ).all():
            needs[business_id].append(kind + (f" ({note})" if note else ""))
        owner_ids = [row[7] for row in chunk]
        channels: dict[int, set[str]] = defaultdict(set)
        for owner_id, platform in db.execute(
            select(ChannelAccount.owner_id, ChannelAccount.platform).where(
                ChannelAccount.owner_id >= min(owner_ids), ChannelAccount.owner_id <= max(owner_ids)
            )
        ).all():
            channels[owner_id].add(platform)
        for (
            business_id,
            name,
            regency,
            kecamatan,
            kelurahan,
            commodity,
            other,
            owner_id,
            owner_name,
            phone,
            registered,
            last,
        ) in chunk:
            own = permits[business_id]
            keys = food[business_id]
            nib = _permit_columns(own, keys, "nib")
            pirt = _permit_columns(own, keys, "pirt")
            halal = _permit_columns(own, keys, "halal")
            bpom = _permit_columns(own, keys, "bpom")
            yield {
                "business_name": name or "",
                "owner_name": owner_name or "",
                "phone": phone or "",
                "kecamatan": regions.get(kecamatan or "", ""),
                "kelurahan": regions.get(kelurahan or "", ""),
                "commodity": (other if commodity == "lainnya" else commodity) or "",
                "nib_status": nib[0],
                "nib_number": nib[1],
                "pirt_status": pirt[0],
                "pirt_number": pirt[1],
                "pirt_expires": pirt[2],
                "halal_status": halal[0],
                "halal_number": halal[1],
                "bpom_status": bpom[0],
                "bpom_number": bpom[1],
                "needs": "; ".join(needs[business_id]),
                "channel": ", ".join(sorted(channels[owner_id])),
                "registered_at": _local(registered, tz),
                "last_report_at": _local(last, tz),
                "kabupaten": regency_names.get(regency or _regency_of(kecamatan), ""),
            }


# OWASP's rule against CSV injection: a spreadsheet reads a cell as a formula (or a DDE command) when it starts
# with = + - @, a tab or a carriage return, spaces before them included ("  =1+2", "-2+3+cmd|' /C calc'!A0").
_FORMULA_START = re.compile(r"[^\S\t\r]*[=+\-@\t\r]")


def safe_cell(value: str) -> str:
    """A cell as typed, with a leading apostrophe when a spreadsheet would read it as a formula.

    Every column of the export is text (numbers such as NIB and phone are written as strings, never as spreadsheet
    numbers), so the rule holds for every cell: "+62812..." becomes "'+62812...", which keeps its + and every digit
    instead of turning into a formula or a rounded number. A cell that is only "-" (owners type it for
    "nothing") is left as it is: a lone minus is text to Excel, LibreOffice and Google Sheets, and nothing can follow
    it. Text with a dash inside ("Keripik - pedas") does not start like a formula and is never touched.
    """
    if value.strip(" ") == "-":
        return value
    return "'" + value if _FORMULA_START.match(value) else value


def write_export(
    db: Session,
    path: Path | BinaryIO,
    fmt: str,
    timezone: str = "Asia/Jakarta",
    segment: Segment | None = None,
    search: str | None = None,
) -> int:
    """Write the export file (a path or a binary stream); returns the number of business rows."""
    rows = export_rows(db, timezone, segment, search)
    count = 0
    if fmt == "csv":
        stream = path.open("wb") if isinstance(path, Path) else path
        handle = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=True)
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: safe_cell(v) for k, v in row.items()})
            count += 1
        handle.flush()
        handle.detach()
        if isinstance(path, Path):
            stream.close()
        return count
    if fmt == "xlsx":
        import xlsxwriter

        # constant_memory streams rows to a temporary file: memory stays flat however many rows there are.
        # Owner text stays text: every cell is written as a string (write_string), so no formula, number or link is
        # ever made of it; it is neutralised as in the CSV all the same, for whoever saves the sheet as CSV or edits
        # a cell and presses Enter.
        options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        workbook = xlsxwriter.Workbook(path, options)
        sheet = workbook.add_worksheet("usaha")
        sheet.write_row(0, 0, COLUMNS)
        for count, row in enumerate(rows, start=1):
            for column, name in enumerate(COLUMNS):
                sheet.write_string(count, column, safe_cell(row[name]))
        workbook.close()
        return count
    raise ValueError(f"unknown export format: {fmt}")
