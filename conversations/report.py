"""A read-only snapshot of what is stored about one owner, and how effects change it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from conversations import effects as fx


@dataclass(frozen=True)
class ProductInfo:
    """One product as the conversation sees it."""

    key: str
    name: str | None = None
    category: str | None = None  # makanan/minuman/nonpangan
    packaging: str | None = None  # belum/sederhana/berlabel
    photo: str | None = None


@dataclass(frozen=True)
class PermitInfo:
    """One permit's reported state."""

    permit: str
    product_key: str
    status: str
    number: str | None = None
    number_kind: str | None = None
    expiry_year: int | None = None
    expires_on: date | None = None
    expected_on: date | None = None
    evidence_photo: str | None = None
    reported_at: datetime | None = None
    reported_via: str | None = None
    number_source: str | None = None  # "typed", "photo" (read from the evidence photo, confirmed), None (before 0011)


@dataclass(frozen=True)
class BusinessInfo:
    """The owner's business."""

    name: str | None = None
    regency_code: str | None = None
    kecamatan_code: str | None = None
    kelurahan_code: str | None = None
    commodity: str | None = None
    commodity_other: str | None = None
    workers: int | None = None
    monthly_revenue: int | None = None
    size: str | None = None
    in_sentra: bool | None = None
    sentra: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class ConsentInfo:
    """One consent decision, for showing the owner their record."""

    action: str
    version: str
    at: datetime


@dataclass(frozen=True)
class Report:
    """Everything stored about an owner that the conversation needs."""

    consent: str = "pending"  # pending/given/refused/withdrawn
    name: str | None = None
    phone: str | None = None
    business: BusinessInfo | None = None
    products: tuple[ProductInfo, ...] = ()
    permits: tuple[PermitInfo, ...] = ()
    needs: tuple[str, ...] = ()
    needs_note: str | None = None
    registered_at: datetime | None = None
    last_report_at: datetime | None = None
    consent_history: tuple[ConsentInfo, ...] = ()
    channels: tuple[str, ...] = ()

    def product(self, key: str) -> ProductInfo | None:
        """The product with conversation key `key`."""
        return next((p for p in self.products if p.key == key), None)

    def permit(self, permit: str, product_key: str = "") -> PermitInfo | None:
        """The stored state of one permit."""
        return next((p for p in self.permits if p.permit == permit and p.product_key == product_key), None)

    def next_product_key(self) -> str:
        """A key no product of this owner has used."""
        used = {int(p.key[1:]) for p in self.products if p.key[1:].isdigit()}
        return f"p{max(used, default=0) + 1}"

    def apply(self, effect: fx.Effect, now: datetime, channel: str) -> Report:
        """This snapshot with `effect` applied, mirroring what the store does."""
        match effect:
            case fx.RecordConsent(given=given, version=version):
                action = "given" if given else "refused"
                history = (*self.consent_history, ConsentInfo(action, version, now))
                return replace(self, consent=action, consent_history=history)
            case fx.WithdrawConsent():
                version = self.consent_history[-1].version if self.consent_history else ""
                history = (*self.consent_history, ConsentInfo("withdrawn", version, now))
                return replace(self, consent="withdrawn", consent_history=history)
            case fx.UpdateOwner(fields=fields):
                known = {k: v for k, v in fields.items() if k in ("name", "phone")}
                return replace(self, **known)
            case fx.UpdateBusiness(fields=fields):
                return replace(self, business=replace(self.business or BusinessInfo(), **fields))
            case fx.UpsertProduct(key=key, fields=fields):
                existing = self.product(key)
                if existing is None:
                    return replace(self, products=(*self.products, ProductInfo(key=key, **fields)))
                products = tuple(replace(p, **fields) if p.key == key else p for p in self.products)
                return replace(self, products=products)
            case fx.DeleteProduct(key=key):
                return replace(
                    self,
                    products=tuple(p for p in self.products if p.key != key),
                    permits=tuple(p for p in self.permits if p.product_key != key),
                )
            case fx.UpsertPermit():
                return replace(self, permits=self._permits_with(effect, now, channel))
            case fx.SetNeeds(kinds=kinds, note=note):
                return replace(self, needs=tuple(kinds), needs_note=note)
            case fx.MarkReported():
                return replace(self, last_report_at=now, registered_at=self.registered_at or now)
            case fx.DeleteOwnerData():
                return Report(consent="withdrawn")
            case _:
                return self

    def _permits_with(self, effect: fx.UpsertPermit, now: datetime, channel: str) -> tuple[PermitInfo, ...]:
        old = self.permit(effect.permit, effect.product_key)
        if effect.keep_details and old is not None:
            new = replace(old, status=effect.status, reported_at=now, reported_via=channel)
        else:
            new = PermitInfo(
                permit=effect.permit,
                product_key=effect.product_key,
                status=effect.status,
                **effect.details(),
                reported_at=now,
                reported_via=channel,
            )
        others = [p for p in self.permits if (p.permit, p.product_key) != (effect.permit, effect.product_key)]
        return (*others, new)


__all__ = ["BusinessInfo", "ConsentInfo", "PermitInfo", "ProductInfo", "Report"]
