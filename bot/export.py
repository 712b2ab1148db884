"""Export of businesses to CSV or XLSX, one row per business (columns promised in docs/design)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_
from sqlmodel import Session, select

from bot.models import Business, ChannelAccount, Need, Owner, Permit, Product, Region
from bot.segments import Segment, owners_query

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
)
# For product permits, a business is only as far as its least advanced food product.
_PROGRESS = {"belum": 0, "kedaluwarsa": 1, "diurus": 2, "terbit": 3, "tidak_perlu": 4}


def _local(value: datetime | None, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else ""


def _permit_columns(permits: list[Permit], food_keys: set[str], permit: str) -> tuple[str, str, str]:
    """Status, numbers and earliest expiry of one permit type for a business."""
    if permit in ("nib", "merek"):
        rows = [p for p in permits if p.type == permit and p.product_key == ""]
    else:
        rows = [p for p in permits if p.type == permit and p.product_key in food_keys]
        if not food_keys:
            return "", "", ""
        if len(rows) < len(food_keys):  # a food product that never reported this permit
            return "", "; ".join(p.number for p in rows if p.number), ""
    if not rows:
        return "", "", ""
    status = min((p.status for p in rows), key=lambda s: _PROGRESS.get(s, 0))
    numbers = "; ".join(p.number for p in rows if p.number)
    expiries = [
        p.expires_on.isoformat() if p.expires_on else str(p.expiry_year) for p in rows if p.expires_on or p.expiry_year
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


def export_rows(
    db: Session, timezone: str = "Asia/Jakarta", segment: Segment | None = None, search: str | None = None
) -> Iterator[dict[str, str]]:
    """Every consenting owner's business as a flat row (optionally filtered as on screen)."""
    tz = ZoneInfo(timezone)
    regions = {r.code: r.name for r in db.exec(select(Region)).all()}
    pairs = db.exec(business_query(segment, search)).all()
    ids = [b.id for b, _ in pairs]
    permits: dict[int, list[Permit]] = defaultdict(list)
    food: dict[int, set[str]] = defaultdict(set)
    needs: dict[int, list[str]] = defaultdict(list)
    channels: dict[int, list[str]] = defaultdict(list)
    for chunk_start in range(0, len(ids), 5000):
        chunk = ids[chunk_start : chunk_start + 5000]
        for p in db.exec(select(Permit).where(Permit.business_id.in_(chunk))).all():  # type: ignore[union-attr]
            permits[p.business_id].append(p)
        for pr in db.exec(select(Product).where(Product.business_id.in_(chunk))).all():  # type: ignore[union-attr]
            if pr.category in ("makanan", "minuman"):
                food[pr.business_id].add(pr.key)
        for n in db.exec(
            select(Need).where(Need.business_id.in_(chunk), Need.status == "open").order_by(Need.id)  # type: ignore[union-attr]
        ).all():
            needs[n.business_id].append(n.kind + (f" ({n.note})" if n.note else ""))
    owner_ids = [o.id for _, o in pairs]
    for chunk_start in range(0, len(owner_ids), 5000):
        chunk = owner_ids[chunk_start : chunk_start + 5000]
        for account in db.exec(select(ChannelAccount).where(ChannelAccount.owner_id.in_(chunk))).all():  # type: ignore[union-attr]
            channels[account.owner_id].append(account.platform)
    for business, owner in pairs:
        assert business.id is not None and owner.id is not None
        own = permits[business.id]
        keys = food[business.id]
        nib = _permit_columns(own, keys, "nib")
        pirt = _permit_columns(own, keys, "pirt")
        halal = _permit_columns(own, keys, "halal")
        bpom = _permit_columns(own, keys, "bpom")
        commodity = business.commodity_other if business.commodity == "lainnya" else business.commodity
        yield {
            "business_name": business.name or "",
            "owner_name": owner.name or "",
            "phone": owner.phone or "",
            "kecamatan": regions.get(business.kecamatan_code or "", ""),
            "kelurahan": regions.get(business.kelurahan_code or "", ""),
            "commodity": commodity or "",
            "nib_status": nib[0],
            "nib_number": nib[1],
            "pirt_status": pirt[0],
            "pirt_number": pirt[1],
            "pirt_expires": pirt[2],
            "halal_status": halal[0],
            "halal_number": halal[1],
            "bpom_status": bpom[0],
            "bpom_number": bpom[1],
            "needs": "; ".join(needs[business.id]),
            "channel": ", ".join(sorted(set(channels[owner.id]))),
            "registered_at": _local(owner.registered_at, tz),
            "last_report_at": _local(owner.last_report_at, tz),
        }


def _safe_cell(value: str) -> str:
    """Neutralise spreadsheet formulas in owner text (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") and not value[1:2].isdigit() else value


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
            writer.writerow({k: _safe_cell(v) for k, v in row.items()})
            count += 1
        handle.flush()
        handle.detach()
        if isinstance(path, Path):
            stream.close()
        return count
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("usaha")
        sheet.append(list(COLUMNS))
        for row in rows:
            sheet.append([_safe_cell(row[c]) for c in COLUMNS])
            count += 1
        workbook.save(path)
        return count
    raise ValueError(f"unknown export format: {fmt}")
