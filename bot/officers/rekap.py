"""Rekap: per kecamatan or commodity, how many businesses have each permit, are processing it, or lack it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal, select
from sqlmodel import Session

from bot.storage.models import Business, Need, Owner, Permit, Product, Region
from bot.storage.segments import FOOD

PERMITS = ("nib", "pirt", "halal", "bpom", "merek")
BUSINESS_PERMITS = ("nib", "merek")
HAVE, PROCESSING, LACK, NOT_APPLICABLE = 3, 2, 0, -1


@dataclass
class RekapRow:
    """One group (a kecamatan or a commodity)."""

    key: str
    label: str
    businesses: int = 0
    permits: dict[str, dict[str, int]] = field(default_factory=dict)  # permit -> have/processing/lack


@dataclass
class Rekap:
    """The whole table plus totals and needs."""

    by: str
    rows: list[RekapRow]
    total: RekapRow
    needs: dict[str, int]


def _progress(status: Any) -> Any:
    return case(
        (status.in_(("terbit", "tidak_perlu")), HAVE),
        (status == "diurus", PROCESSING),
        else_=LACK,
    )


def _per_business_states(scope: tuple[str, ...] | None) -> Any:
    """One row per consenting business: its group keys and the state of each permit, computed set-based."""
    food = (
        select(Product.business_id, func.count().label("food"))
        .where(Product.category.in_(FOOD))  # type: ignore[union-attr]
        .group_by(Product.business_id)
        .subquery()
    )
    # Each permit row's state is computed once; product permits exist only for food products (the store drops
    # them when a product stops being food), so no join with products is needed here.
    rows = select(
        Permit.business_id.label("business_id"),
        Permit.type.label("type"),
        (Permit.product_key != "").label("on_product"),
        _progress(Permit.status).label("progress"),
    ).subquery()
    aggregates = [rows.c.business_id]
    for permit in PERMITS:
        if permit in BUSINESS_PERMITS:
            mine = and_(rows.c.type == permit, rows.c.on_product.is_(False))
            aggregates.append(func.max(case((mine, rows.c.progress), else_=None)).label(permit))
        else:
            mine = and_(rows.c.type == permit, rows.c.on_product.is_(True))
            aggregates.append(func.sum(case((and_(mine, rows.c.progress == HAVE), 1), else_=0)).label(f"{permit}_have"))
            aggregates.append(
                func.sum(case((and_(mine, rows.c.progress == PROCESSING), 1), else_=0)).label(f"{permit}_proc")
            )
    permits = select(*aggregates).group_by(rows.c.business_id).subquery()
    columns = [
        Business.kecamatan_code.label("kecamatan"),
        Business.commodity.label("commodity"),
        Owner.id.label("owner_id"),
        Owner.name.label("owner_name"),
        Business.name.label("business_name"),
        Owner.phone.label("phone"),
        Owner.last_report_at.label("last_report_at"),
    ]
    food_count = func.coalesce(food.c.food, 0)
    for permit in PERMITS:
        if permit in BUSINESS_PERMITS:
            columns.append(func.coalesce(permits.c[permit], LACK).label(permit))
        else:
            have = func.coalesce(permits.c[f"{permit}_have"], 0)
            proc = func.coalesce(permits.c[f"{permit}_proc"], 0)
            state = case(
                (food_count == 0, NOT_APPLICABLE),
                (have >= food_count, HAVE),
                (have + proc >= food_count, PROCESSING),
                else_=LACK,
            )
            columns.append(state.label(permit))
    query = (
        select(*columns)
        .select_from(Business)
        .join(Owner, Owner.id == Business.owner_id)
        .outerjoin(permits, permits.c.business_id == Business.id)
        .outerjoin(food, food.c.business_id == Business.id)
        .where(Owner.consent_status == "given", Owner.deleted_at.is_(None))  # type: ignore[union-attr]
    )
    if scope is not None:
        query = query.where(Business.kecamatan_code.in_(scope))  # type: ignore[union-attr]
    return query.subquery()


def rekap(db: Session, by: str = "kecamatan", scope: tuple[str, ...] | None = None) -> Rekap:
    """Counts per group; `scope` limits to some kecamatan (an officer's)."""
    sub = _per_business_states(scope)
    key = func.coalesce(sub.c.kecamatan if by == "kecamatan" else sub.c.commodity, literal("-"))
    sums: list[Any] = [key, func.count()]
    for permit in PERMITS:
        column = sub.c[permit]
        sums += [
            func.sum(case((column == HAVE, 1), else_=0)),
            func.sum(case((column == PROCESSING, 1), else_=0)),
            func.sum(case((column == LACK, 1), else_=0)),
        ]
    results = db.execute(select(*sums).group_by(key).order_by(key)).all()
    labels = {r.code: r.name for r in db.execute(select(Region.code, Region.name)).all()} if by == "kecamatan" else {}
    rows = []
    total = RekapRow("*", "Total", 0, {p: {"have": 0, "processing": 0, "lack": 0} for p in PERMITS})
    for result in results:
        row = RekapRow(str(result[0]), labels.get(str(result[0]), str(result[0])), int(result[1]))
        total.businesses += row.businesses
        for index, permit in enumerate(PERMITS):
            have, processing, lack = (int(v or 0) for v in result[2 + index * 3 : 5 + index * 3])
            row.permits[permit] = {"have": have, "processing": processing, "lack": lack}
            for name, value in (("have", have), ("processing", processing), ("lack", lack)):
                total.permits[permit][name] += value
        rows.append(row)
    return Rekap(by, rows, total, needs_by_kind(db, scope))


def needs_by_kind(db: Session, scope: tuple[str, ...] | None = None) -> dict[str, int]:
    """Open needs per kind."""
    query = (
        select(Need.kind, func.count())
        .join(Business, Business.id == Need.business_id)
        .join(Owner, Owner.id == Business.owner_id)
        .where(Need.status == "open", Owner.consent_status == "given")
        .group_by(Need.kind)
    )
    if scope is not None:
        query = query.where(Business.kecamatan_code.in_(scope))  # type: ignore[union-attr]
    return {kind: int(count) for kind, count in db.execute(query).all()}


@dataclass(frozen=True)
class Lacking:
    """One owner to follow up."""

    owner_id: int
    owner_name: str
    business_name: str
    phone: str
    kecamatan: str
    last_report_at: datetime | None


def lacking(db: Session, permit: str, scope: tuple[str, ...] | None, kecamatan: str | None = None) -> list[Lacking]:
    """Owners whose business lacks `permit` (not issued, not in progress), oldest report first."""
    sub = _per_business_states(scope)
    query = (
        select(
            sub.c.owner_id, sub.c.owner_name, sub.c.business_name, sub.c.phone, sub.c.kecamatan, sub.c.last_report_at
        )
        .where(sub.c[permit] == LACK)
        .order_by(sub.c.last_report_at.asc().nulls_first(), sub.c.owner_id)
    )
    if kecamatan is not None:
        query = query.where(sub.c.kecamatan == kecamatan)
    labels = {r.code: r.name for r in db.execute(select(Region.code, Region.name)).all()}
    return [
        Lacking(row[0], row[1] or "-", row[2] or "-", row[3] or "-", labels.get(row[4] or "", "-"), row[5])
        for row in db.execute(query).all()
    ]


@dataclass(frozen=True)
class TrendRow:
    """One month: new registrations and permits reported issued."""

    month: str  # "2026-11"
    registered: int
    issued: dict[str, int]


def trend(db: Session, now: datetime, scope: tuple[str, ...] | None = None, months: int = 6) -> list[TrendRow]:
    """Change over time: per month, owners who registered and permits reported as issued (latest month first)."""
    first_day = (now.replace(day=1) - timedelta(days=31 * (months - 1))).replace(day=1, hour=0, minute=0, second=0)
    keys = []
    cursor = now.replace(day=1)
    for _ in range(months):
        keys.append(cursor.strftime("%Y-%m"))
        cursor = (cursor - timedelta(days=1)).replace(day=1)
    registered: dict[str, int] = dict.fromkeys(keys, 0)
    issued: dict[str, dict[str, int]] = {k: dict.fromkeys(PERMITS, 0) for k in keys}
    owners = (
        select(Owner.registered_at)
        .join(Business, Business.owner_id == Owner.id)
        .where(Owner.consent_status == "given", Owner.registered_at >= first_day)
    )
    permits = (
        select(Permit.type, Permit.reported_at)
        .join(Business, Business.id == Permit.business_id)
        .join(Owner, Owner.id == Business.owner_id)
        .where(Owner.consent_status == "given", Permit.status == "terbit", Permit.reported_at >= first_day)
    )
    if scope is not None:
        owners = owners.where(Business.kecamatan_code.in_(scope))  # type: ignore[union-attr]
        permits = permits.where(Business.kecamatan_code.in_(scope))  # type: ignore[union-attr]
    for (at,) in db.execute(owners).all():
        month = at.strftime("%Y-%m")
        if month in registered:
            registered[month] += 1
    for kind, at in db.execute(permits).all():
        month = at.strftime("%Y-%m")
        if month in issued and kind in issued[month]:
            issued[month][kind] += 1
    return [TrendRow(k, registered[k], issued[k]) for k in keys]
