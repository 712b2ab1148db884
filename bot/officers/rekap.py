"""Rekap: per kecamatan, regency (kabupaten/kota) or commodity, how many businesses have each permit, are
processing it, lack it, or do not need it (the four add up to the number of businesses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal, select
from sqlmodel import Session

from bot.officers.areas import officer_regions, several_in_view, short_regency
from bot.storage.models import Business, Need, Owner, Permit, Product, Region
from bot.storage.segments import FOOD

PERMITS = ("nib", "pirt", "halal", "bpom", "merek")
BUSINESS_PERMITS = ("nib", "merek")
# A business's state for one permit, best first. "tidak_perlu" is NOT_NEEDED, never HAVE: it is counted apart.
HAVE, PROCESSING, LACK, NOT_NEEDED = 3, 2, 1, 0
STATES = {"have": HAVE, "processing": PROCESSING, "lack": LACK, "not_needed": NOT_NEEDED}
GROUPS = ("kecamatan", "kabupaten", "commodity")  # what a rekap can be grouped by


@dataclass
class RekapRow:
    """One group (a kecamatan, a regency or a commodity)."""

    key: str
    label: str
    businesses: int = 0
    permits: dict[str, dict[str, int]] = field(default_factory=dict)  # permit -> have/processing/lack/not_needed
    regency: str = ""  # a kecamatan's regency ("Kab. Lombok Timur"), set where the rekap spans several

    @property
    def shown(self) -> str:
        """The label as shown: "Sakra (Kab. Lombok Timur)" where the regency is named, else the label alone."""
        return f"{self.label} ({self.regency})" if self.regency else self.label


@dataclass
class Rekap:
    """The whole table plus totals and needs."""

    by: str
    rows: list[RekapRow]
    total: RekapRow
    needs: dict[str, int]


def _progress(status: Any) -> Any:
    """The state one permit row stands for: issued, in progress, not needed; anything else (belum, kedaluwarsa)
    is lacking."""
    return case(
        (status == "terbit", HAVE),
        (status == "diurus", PROCESSING),
        (status == "tidak_perlu", NOT_NEEDED),
        else_=LACK,
    )


def _per_business_states(scope: tuple[str, ...] | None) -> Any:
    """One row per consenting business: its group keys and the state of each permit, computed set-based.

    NIB and merek: the business's own row (none reported: LACK). P-IRT, halal and BPOM belong to products, and the
    business takes the state of its most advanced product that needs the permit (HAVE > PROCESSING > LACK), as the
    export does (`export._permit_columns`). Products that need it are the food and drink ones not reported
    "tidak_perlu"; one that never reported it counts as LACK, so it never pulls down a product further on (a slip
    such as a product named "tidak"). NOT_NEEDED when no product needs it: every food product reported
    "tidak_perlu", or the business has no food or drink product and its trade is not food or drink (a makanan or
    minuman business whose products are not reported yet lacks the permit).
    """
    food = (
        select(Product.business_id, func.count().label("food"))
        .where(Product.category.in_(FOOD))  # type: ignore[union-attr]
        .group_by(Product.business_id)
        .subquery()
    )
    # Each permit row's state is computed once, with whether it is the business's own or a food product's (a row
    # left on a product that is gone or is not food counts for nothing).
    rows = (
        select(
            Permit.business_id.label("business_id"),
            Permit.type.label("type"),
            case((Permit.product_key == "", 1), else_=0).label("on_business"),
            case((Product.id.is_(None), 0), else_=1).label("on_food"),  # type: ignore[union-attr]
            _progress(Permit.status).label("progress"),
        )
        .select_from(Permit)
        .outerjoin(
            Product,
            and_(
                Product.business_id == Permit.business_id,
                Product.key == Permit.product_key,
                Product.category.in_(FOOD),  # type: ignore[union-attr]
            ),
        )
        .subquery()
    )
    aggregates = [rows.c.business_id]
    for permit in PERMITS:
        if permit in BUSINESS_PERMITS:
            mine = and_(rows.c.type == permit, rows.c.on_business == 1)
            aggregates.append(func.max(case((mine, rows.c.progress), else_=None)).label(permit))
        else:
            mine = and_(rows.c.type == permit, rows.c.on_food == 1)
            needed = and_(mine, rows.c.progress != NOT_NEEDED)
            unneeded = and_(mine, rows.c.progress == NOT_NEEDED)
            aggregates.append(func.max(case((needed, rows.c.progress), else_=None)).label(f"{permit}_best"))
            aggregates.append(func.sum(case((unneeded, 1), else_=0)).label(f"{permit}_unneeded"))
    permits = select(*aggregates).group_by(rows.c.business_id).subquery()
    columns = [
        Business.kecamatan_code.label("kecamatan"),
        # A business stored before it had a regency code: the regency is the first two parts of its kecamatan's.
        func.coalesce(Business.regency_code, func.substr(Business.kecamatan_code, 1, 5)).label("kabupaten"),
        Business.commodity.label("commodity"),
        Owner.id.label("owner_id"),
        Owner.name.label("owner_name"),
        Business.name.label("business_name"),
        Owner.phone.label("phone"),
        Owner.last_report_at.label("last_report_at"),
    ]
    food_count = func.coalesce(food.c.food, 0)
    food_trade = func.coalesce(Business.commodity, "").in_(FOOD)
    for permit in PERMITS:
        if permit in BUSINESS_PERMITS:
            columns.append(func.coalesce(permits.c[permit], LACK).label(permit))
        else:
            best = permits.c[f"{permit}_best"]
            unneeded = func.coalesce(permits.c[f"{permit}_unneeded"], 0)
            state = case(
                (best.is_not(None), best),
                (food_count > unneeded, LACK),  # a food product that needs it has not reported it
                (and_(food_count == 0, food_trade), LACK),
                else_=NOT_NEEDED,
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


def _labels(db: Session, by: str, scope: tuple[str, ...] | None) -> tuple[dict[str, str], dict[str, str]]:
    """Names of the groups (code -> name) and, per kecamatan, the regency to name beside it where the officer's
    view spans several regencies (code -> "Kab. Lombok Timur")."""
    if by == "commodity":
        return {}, {}
    regions = officer_regions(db)
    if by == "kabupaten":
        return {r.code: r.name for r in regions.regencies()}, {}
    names = {r.code: r.name for r in db.execute(select(Region.code, Region.name)).all()}
    several = several_in_view(regions, scope)
    regencies = {a.code: short_regency(a.regency_name) for a in regions.kecamatan()} if several else {}
    return names, regencies


def rekap(db: Session, by: str = "kecamatan", scope: tuple[str, ...] | None = None) -> Rekap:
    """Counts per group (kecamatan, kabupaten or commodity); `scope` limits to some kecamatan (an officer's). For
    each permit the four counts (have, processing, lack, not_needed) add up to the group's businesses."""
    if by not in GROUPS:
        raise ValueError(f"unknown rekap grouping: {by}")
    sub = _per_business_states(scope)
    key = func.coalesce(sub.c[by], literal("-"))
    sums: list[Any] = [key, func.count()]
    for permit in PERMITS:
        column = sub.c[permit]
        sums += [func.sum(case((column == state, 1), else_=0)) for state in STATES.values()]
    results = db.execute(select(*sums).group_by(key).order_by(key)).all()
    labels, regencies = _labels(db, by, scope)
    rows = []
    total = RekapRow("*", "Total", 0, {p: dict.fromkeys(STATES, 0) for p in PERMITS})
    width = len(STATES)
    for result in results:
        code = str(result[0])
        row = RekapRow(code, labels.get(code, code), int(result[1]), regency=regencies.get(code, ""))
        total.businesses += row.businesses
        for index, permit in enumerate(PERMITS):
            values = result[2 + index * width : 2 + (index + 1) * width]
            row.permits[permit] = {name: int(value or 0) for name, value in zip(STATES, values, strict=True)}
            for name, value in row.permits[permit].items():
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
    """Owners whose business lacks `permit` (not issued, not in progress), oldest report first; `kecamatan` limits
    them to one kecamatan, or to a regency when it is a regency's code."""
    sub = _per_business_states(scope)
    query = (
        select(
            sub.c.owner_id, sub.c.owner_name, sub.c.business_name, sub.c.phone, sub.c.kecamatan, sub.c.last_report_at
        )
        .where(sub.c[permit] == LACK)
        .order_by(sub.c.last_report_at.asc().nulls_first(), sub.c.owner_id)
    )
    if kecamatan is not None and kecamatan.count(".") == 1:  # a regency's code ("52.03"): all its kecamatan
        query = query.where(sub.c.kecamatan.startswith(kecamatan + "."))
    elif kecamatan is not None:
        query = query.where(sub.c.kecamatan == kecamatan)
    labels, regencies = _labels(db, "kecamatan", scope)

    def place(code: str | None) -> str:
        return f"{labels[code]} ({regencies[code]})" if code in regencies else labels.get(code or "", "-")

    return [
        Lacking(row[0], row[1] or "-", row[2] or "-", row[3] or "-", place(row[4]), row[5])
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
