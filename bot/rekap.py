"""Rekap: per kecamatan or commodity, how many businesses have each permit, are processing it, or lack it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, literal, select
from sqlmodel import Session

from bot.models import Business, Need, Owner, Permit, Product, Region
from bot.segments import FOOD

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


def _business_permit(permit: str) -> Any:
    status = (
        select(Permit.status)
        .where(Permit.business_id == Business.id, Permit.type == permit, Permit.product_key == "")
        .limit(1)
        .scalar_subquery()
    )
    return _progress(func.coalesce(status, "belum"))


def _product_permit(permit: str) -> Any:
    """The least advanced state among the business's food products (not applicable without food)."""
    joined = (
        select(func.min(_progress(func.coalesce(Permit.status, "belum"))))
        .select_from(Product)
        .outerjoin(
            Permit,
            and_(Permit.business_id == Product.business_id, Permit.product_key == Product.key, Permit.type == permit),
        )
        .where(Product.business_id == Business.id, Product.category.in_(FOOD))  # type: ignore[union-attr]
        .scalar_subquery()
    )
    return func.coalesce(joined, NOT_APPLICABLE)


def rekap(db: Session, by: str = "kecamatan", scope: tuple[str, ...] | None = None) -> Rekap:
    """Counts per group; `scope` limits to some kecamatan (an officer's)."""
    group = Business.kecamatan_code if by == "kecamatan" else Business.commodity
    columns = [func.coalesce(group, literal("-")).label("key")]
    for permit in PERMITS:
        expression = _business_permit(permit) if permit in BUSINESS_PERMITS else _product_permit(permit)
        columns.append(expression.label(permit))
    per_business = (
        select(*columns)
        .join(Owner, Owner.id == Business.owner_id)
        .where(Owner.consent_status == "given", Owner.deleted_at.is_(None))  # type: ignore[union-attr]
    )
    if scope is not None:
        per_business = per_business.where(Business.kecamatan_code.in_(scope))  # type: ignore[union-attr]
    sub = per_business.subquery()
    sums = [sub.c.key, func.count()]
    for permit in PERMITS:
        column = sub.c[permit]
        sums += [
            func.sum(case((column == HAVE, 1), else_=0)),
            func.sum(case((column == PROCESSING, 1), else_=0)),
            func.sum(case((column == LACK, 1), else_=0)),
        ]
    results = db.execute(select(*sums).group_by(sub.c.key).order_by(sub.c.key)).all()
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
    expression = _business_permit(permit) if permit in BUSINESS_PERMITS else _product_permit(permit)
    query = (
        select(Owner.id, Owner.name, Business.name, Owner.phone, Business.kecamatan_code, Owner.last_report_at)
        .join(Owner, Owner.id == Business.owner_id)
        .where(Owner.consent_status == "given", Owner.deleted_at.is_(None), expression == LACK)  # type: ignore[union-attr]
        .order_by(Owner.last_report_at.asc().nulls_first(), Owner.id)  # type: ignore[union-attr]
    )
    if scope is not None:
        query = query.where(Business.kecamatan_code.in_(scope))  # type: ignore[union-attr]
    if kecamatan is not None:
        query = query.where(Business.kecamatan_code == kecamatan)
    labels = {r.code: r.name for r in db.execute(select(Region.code, Region.name)).all()}
    return [
        Lacking(row[0], row[1] or "-", row[2] or "-", row[3] or "-", labels.get(row[4] or "", "-"), row[5])
        for row in db.execute(query).all()
    ]
