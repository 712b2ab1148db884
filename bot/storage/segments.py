"""Audience segments: which owners an invitation or a broadcast reaches."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, exists, func, not_, or_, select
from sqlmodel import Session

from bot.storage.models import Business, Invitation, Need, Owner, Permit, Product, Region

FOOD = ("makanan", "minuman")
PRODUCT_PERMITS = ("pirt", "halal", "bpom")


@dataclass(frozen=True)
class Segment:
    """Filters combined with AND; inside one filter the values are alternatives (OR).

    `permits` holds "type:status" pairs such as "nib:belum" (no NIB: reported "belum" or not reported at all),
    "pirt:diurus", "halal:terbit" or "pirt:habis" (lapsed or ending this year); `needs` holds need kinds;
    `sentra` matches part of a sentra name; `kabupaten` holds regency or city codes ("52.03"), for a deployment of
    several.
    """

    kecamatan: tuple[str, ...] = ()
    kelurahan: tuple[str, ...] = ()
    commodity: tuple[str, ...] = ()
    permits: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    sentra: str | None = None
    training_id: int | None = None  # the invitees of a training
    extra: dict[str, Any] = field(default_factory=dict)
    kabupaten: tuple[str, ...] = ()  # last: older code builds segments by position

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe form for storing with a training or broadcast."""
        data = asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items() if v not in ((), None, {})}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Segment:
        """Rebuild from `to_json`."""
        data = dict(data or {})
        keys = ("kecamatan", "kelurahan", "commodity", "permits", "needs", "kabupaten")
        tuples = {k: tuple(data.pop(k, ()) or ()) for k in keys}
        return cls(**tuples, sentra=data.get("sentra"), training_id=data.get("training_id"))

    def within(self, kecamatan: tuple[str, ...] | None, regencies: Mapping[str, Iterable[str]] | None = None) -> bool:
        """Does this segment reach only owners inside a kecamatan scope (None: the whole deployment)?

        A segment of regencies without kecamatan is inside only when the scope holds every kecamatan of each of
        them; `regencies` (regency code -> its kecamatan codes, `regency_kecamatan`) tells which those are, and
        without it such a segment counts as outside (never shown to an officer it might not belong to).
        """
        if kecamatan is None:
            return True
        if self.kecamatan:
            return set(self.kecamatan) <= set(kecamatan)
        if not self.kabupaten or regencies is None:
            return False
        covered = [set(regencies.get(code, ())) for code in self.kabupaten]
        return all(covered) and set().union(*covered) <= set(kecamatan)

    def restricted_to(self, kecamatan: tuple[str, ...] | None) -> Segment:
        """This segment limited to an officer's kecamatan scope (None: no limit); regencies stay as a filter of
        their own, combined with AND, so a regency outside the scope selects nobody rather than widening it."""
        if kecamatan is None:
            return self
        allowed = tuple(k for k in self.kecamatan if k in kecamatan) if self.kecamatan else kecamatan
        return replace(self, kecamatan=allowed or ("__none__",), extra={})


def _expiring(permit: str) -> Any:
    """Businesses holding `permit` that has lapsed or ends before next year ("P-IRT habis tahun ini")."""
    year = date.today().year
    return exists(
        select(Permit.id).where(
            Permit.business_id == Business.id,
            Permit.type == permit,
            or_(
                Permit.status == "kedaluwarsa",
                and_(Permit.status == "terbit", Permit.expiry_year <= year),
                and_(Permit.status == "terbit", Permit.expires_on <= date(year, 12, 31)),
            ),
        )
    )


def _permit_condition(permit: str, status: str) -> Any:
    """Businesses whose `permit` is in `status` ("belum" includes never reported; "habis": ends this year)."""
    if status == "habis":
        return _expiring(permit)
    if permit in PRODUCT_PERMITS:
        food_product = select(Product.id).where(Product.business_id == Business.id, Product.category.in_(FOOD))  # type: ignore[union-attr]
        matching = (
            select(Permit.id)
            .join(Product, and_(Product.business_id == Permit.business_id, Product.key == Permit.product_key))
            .where(Permit.business_id == Business.id, Permit.type == permit, Permit.status == status)
        )
        if status == "belum":
            reported = select(Permit.id).where(
                Permit.business_id == Product.business_id,
                Permit.type == permit,
                Permit.product_key == Product.key,
                Permit.status != "belum",
            )
            unreported = (
                select(Product.id).where(
                    Product.business_id == Business.id, Product.category.in_(FOOD), not_(exists(reported))
                )  # type: ignore[union-attr]
            )
            return and_(exists(food_product), exists(unreported))
        return exists(matching)
    row = select(Permit.id).where(Permit.business_id == Business.id, Permit.type == permit, Permit.product_key == "")
    if status == "belum":
        done = row.where(Permit.status != "belum")
        return not_(exists(done))
    return exists(row.where(Permit.status == status))


def owners_query(segment: Segment) -> Select[Any]:
    """SELECT of owner ids in the segment (consenting, not deleted)."""
    query = (
        select(Owner.id)
        .join(Business, Business.owner_id == Owner.id)
        .where(Owner.consent_status == "given", Owner.deleted_at.is_(None))  # type: ignore[union-attr]
    )
    if segment.kabupaten:
        query = query.where(Business.regency_code.in_(segment.kabupaten))  # type: ignore[union-attr]
    if segment.kecamatan:
        query = query.where(Business.kecamatan_code.in_(segment.kecamatan))  # type: ignore[union-attr]
    if segment.kelurahan:
        query = query.where(Business.kelurahan_code.in_(segment.kelurahan))  # type: ignore[union-attr]
    if segment.commodity:
        query = query.where(Business.commodity.in_(segment.commodity))  # type: ignore[union-attr]
    if segment.sentra:
        query = query.where(func.lower(Business.sentra).contains(segment.sentra.lower()))
    if segment.permits:
        conditions = []
        for item in segment.permits:
            permit, _, status = item.partition(":")
            conditions.append(_permit_condition(permit, status or "belum"))
        query = query.where(or_(*conditions))
    if segment.needs:
        need = select(Need.id).where(
            Need.business_id == Business.id,
            Need.status == "open",
            Need.kind.in_(segment.needs),  # type: ignore[attr-defined]
        )
        query = query.where(exists(need))
    if segment.training_id is not None:
        invited = select(Invitation.id).where(
            Invitation.owner_id == Owner.id, Invitation.training_id == segment.training_id
        )
        query = query.where(exists(invited))
    return query


def segment_owner_ids(db: Session, segment: Segment) -> list[int]:
    """Ids of the owners a segment reaches."""
    return [row[0] for row in db.execute(owners_query(segment)).all()]


def segment_count(db: Session, segment: Segment) -> int:
    """How many owners a segment reaches."""
    return int(db.execute(select(func.count()).select_from(owners_query(segment).subquery())).scalar_one())


def regency_kecamatan(db: Session) -> dict[str, tuple[str, ...]]:
    """Each regency's kecamatan codes (regency code -> codes), for `Segment.within`."""
    found: dict[str, list[str]] = {}
    rows = db.execute(select(Region.regency_code, Region.code).where(Region.level == "kecamatan")).all()
    for regency, code in rows:
        found.setdefault(regency, []).append(code)
    return {regency: tuple(sorted(codes)) for regency, codes in found.items()}
