"""Seeding owners and businesses straight into the database, for officer-side tests and benchmarks."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from bot.storage.models import Business, ChannelAccount, Need, Owner, Permit, Product

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


def seed_owner(
    db: Session,
    name: str,
    kecamatan: str,
    commodity: str = "makanan",
    nib: str | None = "terbit",
    pirt: str | None = None,
    needs: tuple[str, ...] = (),
    platform: str = "telegram",
    external_id: str | None = None,
    sentra: str | None = None,
    phone: str | None = None,
) -> Owner:
    """A consenting owner with a business (and a food product when `pirt` is given)."""
    owner = Owner(name=name, phone=phone, consent_status="given", consent_at=NOW, registered_at=NOW, last_report_at=NOW)
    db.add(owner)
    db.flush()
    business = Business(
        owner_id=owner.id,
        name=f"Usaha {name}",
        kecamatan_code=kecamatan,
        kelurahan_code=None,
        commodity=commodity,
        sentra=sentra,
        in_sentra=sentra is not None,
    )
    db.add(business)
    db.flush()
    if nib is not None:
        db.add(Permit(business_id=business.id, product_key="", type="nib", status=nib, reported_at=NOW))
    if pirt is not None:
        db.add(Product(business_id=business.id, key="p1", name="Keripik", category="makanan", packaging="berlabel"))
        db.add(Permit(business_id=business.id, product_key="p1", type="pirt", status=pirt, reported_at=NOW))
    for kind in needs:
        db.add(Need(business_id=business.id, kind=kind))
    db.add(
        ChannelAccount(
            platform=platform, external_id=external_id or str(9_000_000 + (owner.id or 0)), owner_id=owner.id
        )
    )
    db.flush()
    return owner
