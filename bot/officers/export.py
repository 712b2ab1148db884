"""Export of businesses to CSV or XLSX: every fact the bot collects, one row per business (docs/export.md).

The CSV is for scripts: the columns promised in docs/design.md come first, in their order and with their meaning, then
`kabupaten`, then the newer columns; values are codes, ISO dates and plain numbers. The XLSX is for people: headers
and statuses in words from the catalogs, a sheet of businesses, one of products and one of permits (one row per permit
of each product), numbers as numbers, dates as dates in the deployment's time zone, widths set from the content.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple
from zoneinfo import ZoneInfo

import phonenumbers
from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from bot.clock import as_utc
from bot.storage.models import Business, ChannelAccount, Need, Owner, Permit, Product, Region
from bot.storage.segments import Segment, owners_query
from conversations.flows.labels import NEEDS
from conversations.flows.permits import PERMIT_KINDS
from conversations.flows.products import CATEGORIES, PACKAGING
from conversations.flows.registration import COMMODITIES
from conversations.flows.summary import SIZE_LABELS
from conversations.i18n import N_, Translator, translator, zone_name
from conversations.officer import PERMIT_NAMES

# The columns docs/design.md promises, in this order: scripts read them by name and by position.
DOCUMENTED_COLUMNS = (
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
COLUMNS = (
    *DOCUMENTED_COLUMNS,
    "kabupaten",  # added after the documented columns, which keep their order: the regency or city's name
    # Everything else owners tell, after kabupaten (docs/export.md gives each one's meaning and shape).
    "kabupaten_code",
    "kecamatan_code",
    "kelurahan_code",
    "commodity_code",
    "commodity_other",
    "workers",
    "monthly_revenue",
    "size",
    "in_sentra",
    "sentra",
    "latitude",
    "longitude",
    "product_count",
    "products",
    "nib_expected",
    "pirt_expected",
    "halal_expires",
    "halal_expected",
    "bpom_expires",
    "bpom_expected",
    "merek_status",
    "merek_number",
    "merek_expected",
    "language",
    "phone_verified",
    "consent_at",
    "consent_version",
    "numbers_from_photo",
)
# Columns the export itself writes as numbers: left as they are when they are a plain number ("-5.1": a latitude
# south of the equator is not a formula), neutralised like any other cell otherwise.
NUMERIC_COLUMNS = frozenset({"workers", "monthly_revenue", "latitude", "longitude", "product_count"})
_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
PERMITS = ("nib", "pirt", "halal", "bpom", "merek")
# How far one permit row has come, worst first; "tidak_perlu" is never ranked: it is set apart (see below).
_PROGRESS = {"belum": 0, "kedaluwarsa": 1, "diurus": 2, "terbit": 3}


def _local(value: datetime | None, tz: ZoneInfo) -> str:
    return as_utc(value).astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else ""


def _regency_of(kecamatan: str | None) -> str:
    """The regency code of a kecamatan code ("52.03.05" -> "52.03"), for a business stored before it had one."""
    return ".".join((kecamatan or "").split(".")[:2])


class _PermitRow(NamedTuple):
    business_id: int
    product_key: str
    type: str
    status: str
    number: str | None
    expires_on: date | None
    expiry_year: int | None
    expected_on: date | None
    evidence_photo: str | None
    number_source: str | None  # "typed", "photo" (read from the evidence photo, confirmed by the owner), None
    reported_via: str | None
    reported_at: datetime | None


class PermitSummary(NamedTuple):
    """One permit type of a business, summed up over its rows."""

    status: str  # a status code, "" when nothing was reported
    numbers: str  # every number reported, "; " between them
    expires: str  # the earliest expiry: an ISO date, or only a year (P-IRT numbers carry the year), else ""
    expires_value: date | int | None  # the same as a date or a year
    expected: date | None  # the earliest date the owner expects a permit in progress to be issued


def _summary(permits: list[_PermitRow], food_keys: set[str], permit: str) -> PermitSummary:
    """Status, numbers, earliest expiry and expected issue date of one permit type for a business.

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
        return PermitSummary("tidak_perlu" if unneeded else "", numbers, "", None, None)
    status = max((p.status for p in needed), key=lambda s: _PROGRESS.get(s, 0))
    expiries: list[tuple[str, date | int]] = [
        (p.expires_on.isoformat(), p.expires_on) if p.expires_on else (str(p.expiry_year), p.expiry_year)
        for p in needed
        if p.expires_on or p.expiry_year
    ]
    expires, expires_value = min(expiries, key=lambda pair: pair[0]) if expiries else ("", None)
    expected = [p.expected_on for p in needed if p.status == "diurus" and p.expected_on]
    return PermitSummary(status, numbers, expires, expires_value, min(expected) if expected else None)


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


@dataclass
class ProductFacts:
    """One product as the owner told it."""

    key: str
    name: str
    category: str | None  # makanan/minuman/nonpangan
    packaging: str | None  # belum/sederhana/berlabel
    has_photo: bool
    created_at: datetime | None


@dataclass
class BusinessFacts:
    """Everything stored about one business and its owner, as the export needs it (codes, not words)."""

    name: str
    owner_name: str
    phone: str  # E.164, "" when not given
    phone_verified: bool
    language: str
    regency_code: str
    regency: str
    kecamatan_code: str
    kecamatan: str
    kelurahan_code: str
    kelurahan: str
    commodity: str  # the key (makanan, ..., lainnya)
    commodity_other: str  # what the owner typed for "lainnya"
    workers: int | None
    monthly_revenue: int | None
    size: str  # mikro/kecil/menengah/besar
    in_sentra: bool | None
    sentra: str
    latitude: float | None
    longitude: float | None
    consent_at: datetime | None
    consent_version: str
    registered_at: datetime | None
    last_report_at: datetime | None
    channels: list[str]  # platforms, sorted
    needs: list[tuple[str, str]]  # open needs: (kind, note)
    products: list[ProductFacts] = field(default_factory=list)
    permits: list[_PermitRow] = field(default_factory=list)  # every permit row, business-level first
    summaries: dict[str, PermitSummary] = field(default_factory=dict)  # per permit type

    def product_name(self, key: str) -> str:
        """The name of the product a permit row belongs to ("" for the business's own permits)."""
        return next((p.name for p in self.products if p.key == key), "")

    @property
    def numbers_from_photo(self) -> list[str]:
        """The permits (codes, once each, in export order) with a number read from a photo and confirmed."""
        return [
            p for p in PERMITS if any(r.type == p and r.number and r.number_source == "photo" for r in self.permits)
        ]


CHUNK = 5000


def _permit_order(facts: BusinessFacts) -> Any:
    """Sort key of permit rows, in the order the bot asks: NIB, each product's (in product order), merek last."""
    position = {p.key: index for index, p in enumerate(facts.products, start=1)}
    last = len(position) + 2

    def key(row: _PermitRow) -> tuple[int, str, int]:
        if row.product_key == "":
            group = 0 if row.type == "nib" else last
        else:
            group = position.get(row.product_key, last - 1)  # a product since removed: after the others
        return group, row.product_key, PERMITS.index(row.type) if row.type in PERMITS else len(PERMITS)

    return key


def business_facts(db: Session, segment: Segment | None = None, search: str | None = None) -> Iterator[BusinessFacts]:
    """Every consenting owner's business with its products, permits and needs (optionally filtered as on screen).

    Streamed in chunks of CHUNK businesses: each chunk's products, permits, needs and channels are read in one query
    each, by the range of its ids; rows of businesses outside the chunk's list (an owner who withdrew consent or was
    erased, a business filtered out) are read with the range but never used.
    """
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
        Business.workers,
        Business.monthly_revenue,
        Business.size,
        Business.in_sentra,
        Business.sentra,
        Business.latitude,
        Business.longitude,
        Owner.id,
        Owner.name,
        Owner.phone,
        Owner.phone_verified,
        Owner.locale,
        Owner.consent_at,
        Owner.consent_version,
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
                Permit.expected_on,
                Permit.evidence_photo,
                Permit.number_source,
                Permit.reported_via,
                Permit.reported_at,
            )
            .where(in_range)
            .order_by(Permit.id)
        ).all():
            permits[row[0]].append(_PermitRow(*row))
        products: dict[int, list[ProductFacts]] = defaultdict(list)
        for business_id, key, name, category, packaging, photo, created in db.execute(
            select(
                Product.business_id,
                Product.key,
                Product.name,
                Product.category,
                Product.packaging,
                Product.photo,
                Product.created_at,
            )
            .where(Product.business_id >= first, Product.business_id <= last_id)
            .order_by(Product.id)
        ).all():
            products[business_id].append(ProductFacts(key, name or "", category, packaging, bool(photo), created))
        needs: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for business_id, kind, note in db.execute(
            select(Need.business_id, Need.kind, Need.note)
            .where(Need.business_id >= first, Need.business_id <= last_id, Need.status == "open")
            .order_by(Need.id)
        ).all():
            needs[business_id].append((kind, note or ""))
        owner_ids = [row[14] for row in chunk]
        channels: dict[int, set[str]] = defaultdict(set)
        for owner_id, platform in db.execute(
            select(ChannelAccount.owner_id, ChannelAccount.platform).where(
                ChannelAccount.owner_id >= min(owner_ids), ChannelAccount.owner_id <= max(owner_ids)
            )
        ).all():
            channels[owner_id].add(platform)
        for row in chunk:
            (business_id, name, regency, kecamatan, kelurahan, commodity, other, workers, revenue, size) = row[:10]
            (in_sentra, sentra, latitude, longitude, owner_id, owner_name, phone, verified, locale) = row[10:19]
            consent_at, consent_version, registered, last = row[19:]
            regency = regency or _regency_of(kecamatan)
            facts = BusinessFacts(
                name=name or "",
                owner_name=owner_name or "",
                phone=phone or "",
                phone_verified=bool(verified),
                language=locale or "",
                regency_code=regency,
                regency=regency_names.get(regency, ""),
                kecamatan_code=kecamatan or "",
                kecamatan=regions.get(kecamatan or "", ""),
                kelurahan_code=kelurahan or "",
                kelurahan=regions.get(kelurahan or "", ""),
                commodity=commodity or "",
                commodity_other=other or "",
                workers=workers,
                monthly_revenue=revenue,
                size=size or "",
                in_sentra=in_sentra,
                sentra=sentra or "",
                latitude=latitude,
                longitude=longitude,
                consent_at=consent_at,
                consent_version=consent_version or "",
                registered_at=registered,
                last_report_at=last,
                channels=sorted(channels[owner_id]),
                needs=needs[business_id],
                products=products[business_id],
            )
            facts.permits = sorted(permits[business_id], key=_permit_order(facts))
            food = {p.key for p in facts.products if p.category in ("makanan", "minuman")}
            facts.summaries = {permit: _summary(facts.permits, food, permit) for permit in PERMITS}
            yield facts


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def _flag(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def _number(value: float | None) -> str:
    return "" if value is None else repr(value) if isinstance(value, float) else str(value)


def csv_row(facts: BusinessFacts, tz: ZoneInfo) -> dict[str, str]:
    """The CSV columns of one business, every value a string."""
    s = facts.summaries
    products = []
    for product in facts.products:
        details = ", ".join(part for part in (product.category, product.packaging) if part)
        products.append(f"{product.name} ({details})" if details else product.name)
    return {
        "business_name": facts.name,
        "owner_name": facts.owner_name,
        "phone": facts.phone,
        "kecamatan": facts.kecamatan,
        "kelurahan": facts.kelurahan,
        "commodity": (facts.commodity_other if facts.commodity == "lainnya" else facts.commodity) or "",
        "nib_status": s["nib"].status,
        "nib_number": s["nib"].numbers,
        "pirt_status": s["pirt"].status,
        "pirt_number": s["pirt"].numbers,
        "pirt_expires": s["pirt"].expires,
        "halal_status": s["halal"].status,
        "halal_number": s["halal"].numbers,
        "bpom_status": s["bpom"].status,
        "bpom_number": s["bpom"].numbers,
        "needs": "; ".join(kind + (f" ({note})" if note else "") for kind, note in facts.needs),
        "channel": ", ".join(facts.channels),
        "registered_at": _local(facts.registered_at, tz),
        "last_report_at": _local(facts.last_report_at, tz),
        "kabupaten": facts.regency,
        "kabupaten_code": facts.regency_code,
        "kecamatan_code": facts.kecamatan_code,
        "kelurahan_code": facts.kelurahan_code,
        "commodity_code": facts.commodity,
        "commodity_other": facts.commodity_other,
        "workers": _number(facts.workers),
        "monthly_revenue": _number(facts.monthly_revenue),
        "size": facts.size,
        "in_sentra": _flag(facts.in_sentra),
        "sentra": facts.sentra,
        "latitude": _number(facts.latitude),
        "longitude": _number(facts.longitude),
        "product_count": str(len(facts.products)),
        "products": "; ".join(products),
        "nib_expected": _iso(s["nib"].expected),
        "pirt_expected": _iso(s["pirt"].expected),
        "halal_expires": s["halal"].expires,
        "halal_expected": _iso(s["halal"].expected),
        "bpom_expires": s["bpom"].expires,
        "bpom_expected": _iso(s["bpom"].expected),
        "merek_status": s["merek"].status,
        "merek_number": s["merek"].numbers,
        "merek_expected": _iso(s["merek"].expected),
        "language": facts.language,
        "phone_verified": _flag(facts.phone_verified) if facts.phone else "",
        "consent_at": _local(facts.consent_at, tz),
        "consent_version": facts.consent_version,
        "numbers_from_photo": "; ".join(facts.numbers_from_photo),
    }


def export_rows(
    db: Session, timezone: str = "Asia/Jakarta", segment: Segment | None = None, search: str | None = None
) -> Iterator[dict[str, str]]:
    """Every consenting owner's business as a flat CSV row (optionally filtered as on screen), streamed in chunks."""
    tz = ZoneInfo(timezone)
    for facts in business_facts(db, segment, search):
        yield csv_row(facts, tz)


# --- the XLSX: words for people --------------------------------------------------------------------------------------
# Permit statuses as officers say them (the msgids the bot's officer texts use).
STATUS_WORDS = {
    "terbit": N_("have"),
    "diurus": N_("in progress"),
    "belum": N_("not yet"),
    "kedaluwarsa": N_("expired"),
    "tidak_perlu": N_("not needed"),
}
CHANNEL_NAMES = {
    "telegram": "Telegram",
    "whatsapp": "WhatsApp",
    "console": N_("console (test)"),
    "web": N_("simulator"),
}
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}  # each language by its own name, as the bot offers them
MAX_WIDTH = 50  # characters: a longer cell (a list of products, a long note) wraps off the column, not the sheet
DATE_FORMAT, DATETIME_FORMAT = "dd/mm/yyyy", "dd/mm/yyyy hh:mm"
MONEY_FORMAT = '"Rp"#,##0'  # whole rupiah; the thousands separator is the reader's (a dot in Indonesian Excel)

Cell = str | int | float | date | datetime | None


class Words:
    """The texts and local times of one export: a translator and the deployment's zone."""

    def __init__(self, locale: str, timezone: str) -> None:
        self._: Translator = translator(locale, timezone)
        self.tz = ZoneInfo(timezone)
        self.zone = zone_name(timezone)

    def status(self, code: str) -> str | None:
        return self._(STATUS_WORDS.get(code, code)) if code else None

    def yes_no(self, value: bool | None) -> str | None:
        return None if value is None else self._(N_("yes") if value else N_("no"))

    def moment(self, value: datetime | None) -> datetime | None:
        """A stored timestamp as the deployment's wall-clock time (a spreadsheet date knows no zone)."""
        return as_utc(value).astimezone(self.tz).replace(tzinfo=None, microsecond=0) if value else None

    def label(self, table: Sequence[tuple[str, ...]], key: str | None) -> str | None:
        """The translated label of `key` in one of the conversation's (key, label, ...) tables."""
        return next((self._(row[1]) for row in table if row[0] == key), key or None)

    def commodity(self, facts: BusinessFacts) -> str | None:
        if facts.commodity == "lainnya" and facts.commodity_other:
            return facts.commodity_other
        return self.label(COMMODITIES, facts.commodity)

    def size(self, key: str) -> str | None:
        return self._(SIZE_LABELS[key]) if key in SIZE_LABELS else key or None

    def needs(self, needs: list[tuple[str, str]]) -> str:
        return "; ".join(f"{self.label(NEEDS, kind)}" + (f" ({note})" if note else "") for kind, note in needs)

    def channel(self, platform: str | None) -> str | None:
        return self._(CHANNEL_NAMES[platform]) if platform in CHANNEL_NAMES else platform

    def permit(self, permit: str) -> str:
        return self._(PERMIT_KINDS[permit].label) if permit in PERMIT_KINDS else permit

    @staticmethod
    def phone(e164: str) -> str:
        """An Indonesian number as people write it ("0812-3456-7890"); another country's in international form."""
        try:
            number = phonenumbers.parse(e164, None)
        except phonenumbers.NumberParseException:
            return e164
        national = number.country_code == 62
        form = phonenumbers.PhoneNumberFormat.NATIONAL if national else phonenumbers.PhoneNumberFormat.INTERNATIONAL
        return phonenumbers.format_number(number, form)


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header (a msgid), what kind of cell, and how to get the value of a row."""

    header: str
    kind: str  # text, count, money, decimal, date, datetime, year (a date where known, else the year alone)
    get: Any  # (row item, Words) -> Cell
    permit: str = ""  # fills {permit} in the header


def _permit_columns(permit: str, expires: bool) -> list[Column]:
    columns = [
        Column(N_("{permit}: status"), "text", lambda f, w: w.status(f.summaries[permit].status), permit),
        Column(N_("{permit}: number"), "text", lambda f, w: f.summaries[permit].numbers, permit),
    ]
    if expires:
        columns.append(
            Column(N_("{permit}: valid until"), "year", lambda f, w: f.summaries[permit].expires_value, permit)
        )
    columns.append(
        Column(N_("{permit}: expected issue date"), "date", lambda f, w: f.summaries[permit].expected, permit)
    )
    return columns


def _whose(get_facts: Any) -> list[Column]:
    """The columns that say whose row it is, first on the products and permits sheets."""
    return [
        Column(N_("Business name"), "text", lambda i, w: get_facts(i).name),
        Column(N_("Owner"), "text", lambda i, w: get_facts(i).owner_name),
        Column(N_("Kabupaten/kota"), "text", lambda i, w: get_facts(i).regency),
        Column(N_("Kecamatan"), "text", lambda i, w: get_facts(i).kecamatan),
    ]


BUSINESS_SHEET = (  # rows: businesses
    Column(N_("Business name"), "text", lambda f, w: f.name),
    Column(N_("Owner"), "text", lambda f, w: f.owner_name),
    Column(N_("Phone"), "text", lambda f, w: w.phone(f.phone) if f.phone else None),
    Column(N_("Kabupaten/kota"), "text", lambda f, w: f.regency),
    Column(N_("Kecamatan"), "text", lambda f, w: f.kecamatan),
    Column(N_("Kelurahan/desa"), "text", lambda f, w: f.kelurahan),
    Column(N_("Type of business"), "text", lambda f, w: w.commodity(f)),
    Column(N_("Number of workers"), "count", lambda f, w: f.workers),
    Column(N_("Turnover per month (Rp)"), "money", lambda f, w: f.monthly_revenue),
    Column(N_("Size"), "text", lambda f, w: w.size(f.size)),
    Column(N_("In a sentra or forum"), "text", lambda f, w: w.yes_no(f.in_sentra)),
    Column(N_("Name of the sentra or forum"), "text", lambda f, w: f.sentra),
    Column(N_("Number of products"), "count", lambda f, w: len(f.products)),
    Column(N_("Products"), "text", lambda f, w: "; ".join(p.name for p in f.products if p.name)),
    *_permit_columns("nib", expires=False),
    *_permit_columns("pirt", expires=True),
    *_permit_columns("halal", expires=True),
    *_permit_columns("bpom", expires=True),
    *_permit_columns("merek", expires=False),
    Column(N_("Needs"), "text", lambda f, w: w.needs(f.needs)),
    Column(N_("Chat channel"), "text", lambda f, w: ", ".join(str(w.channel(c)) for c in f.channels)),
    Column(N_("Language"), "text", lambda f, w: LANGUAGE_NAMES.get(f.language, f.language)),
    Column(N_("Phone number confirmed"), "text", lambda f, w: w.yes_no(f.phone_verified) if f.phone else None),
    Column(N_("Latitude"), "decimal", lambda f, w: f.latitude),
    Column(N_("Longitude"), "decimal", lambda f, w: f.longitude),
    Column(N_("Consent given ({zone})"), "datetime", lambda f, w: w.moment(f.consent_at)),
    Column(N_("Consent text version"), "text", lambda f, w: f.consent_version),
    Column(N_("Registered ({zone})"), "datetime", lambda f, w: w.moment(f.registered_at)),
    Column(N_("Last report ({zone})"), "datetime", lambda f, w: w.moment(f.last_report_at)),
)


def _product_status(facts: BusinessFacts, product: ProductFacts, permit: str) -> str:
    return next((p.status for p in facts.permits if p.product_key == product.key and p.type == permit), "")


PRODUCT_SHEET = (  # rows: (business, product)
    *_whose(lambda item: item[0]),
    Column(N_("Product"), "text", lambda i, w: i[1].name),
    Column(N_("Category"), "text", lambda i, w: w.label(CATEGORIES, i[1].category)),
    Column(N_("Packaging"), "text", lambda i, w: w.label(PACKAGING, i[1].packaging)),
    Column(N_("Photo"), "text", lambda i, w: w.yes_no(i[1].has_photo)),
    *(
        Column(N_("{permit}: status"), "text", lambda i, w, p=p: w.status(_product_status(i[0], i[1], p)), p)
        for p in ("pirt", "halal", "bpom")
    ),
    Column(N_("Added ({zone})"), "datetime", lambda i, w: w.moment(i[1].created_at)),
)
PERMIT_SHEET = (  # rows: (business, permit row); NIB and merek are the business's, the others a product's
    *_whose(lambda item: item[0]),
    Column(N_("Permit"), "text", lambda i, w: w.permit(i[1].type)),
    Column(N_("Product"), "text", lambda i, w: i[0].product_name(i[1].product_key)),
    Column(N_("Status"), "text", lambda i, w: w.status(i[1].status)),
    Column(N_("Number"), "text", lambda i, w: i[1].number),
    Column(N_("Valid until"), "date", lambda i, w: i[1].expires_on),
    Column(N_("Expiry year"), "count", lambda i, w: i[1].expiry_year),
    Column(N_("Expected issue date"), "date", lambda i, w: i[1].expected_on),
    Column(N_("Certificate photo"), "text", lambda i, w: w.yes_no(bool(i[1].evidence_photo))),
    Column(
        N_("Number read from the photo"),
        "text",
        lambda i, w: w.yes_no(i[1].number_source == "photo") if i[1].number else None,
    ),
    Column(N_("Reported via"), "text", lambda i, w: w.channel(i[1].reported_via)),
    Column(N_("Reported ({zone})"), "datetime", lambda i, w: w.moment(i[1].reported_at)),
)


class _Sheet:
    """One worksheet written row by row (the workbook streams it), measuring each column as it goes."""

    def __init__(self, workbook: Any, name: str, columns: Sequence[Column], words: Words, formats: dict[str, Any]):
        self.sheet = workbook.add_worksheet(name[:31])
        self.columns, self.words, self.formats = columns, words, formats
        headers = [
            safe_cell(words._(c.header, permit=PERMIT_NAMES.get(c.permit, c.permit), zone=words.zone)) for c in columns
        ]
        self.widths = [len(header) for header in headers]
        self.sheet.write_row(0, 0, headers, formats["header"])
        self.row = 0

    def add(self, item: Any) -> None:
        self.row += 1
        for index, column in enumerate(self.columns):
            self._write(index, column.kind, column.get(item, self.words))

    def _write(self, index: int, kind: str, value: Cell) -> None:
        if value is None or value == "":
            return
        row, sheet, formats = self.row, self.sheet, self.formats
        if isinstance(value, str):
            sheet.write_string(row, index, safe_cell(value))
            width = max(len(line) for line in value.splitlines() or [""])
        elif isinstance(value, datetime):
            sheet.write_datetime(row, index, value, formats["datetime"])
            width = len("25/11/2026 10:00")
        elif isinstance(value, date):
            sheet.write_datetime(row, index, value, formats["date"])
            width = len("25/11/2026")
        elif kind == "money":
            sheet.write_number(row, index, value, formats["money"])
            width = len(f"Rp{value:,.0f}")
        elif kind == "decimal":
            sheet.write_number(row, index, value, formats["decimal"])
            width = len(f"{value:.6f}")
        else:
            sheet.write_number(row, index, value, formats["count"])
            width = len(str(value))
        self.widths[index] = max(self.widths[index], width)

    def finish(self) -> None:
        for index, width in enumerate(self.widths):
            self.sheet.set_column(index, index, min(width, MAX_WIDTH) + 2)
        self.sheet.freeze_panes(1, 1)  # the header row and the business's name stay in view
        self.sheet.autofilter(0, 0, self.row, len(self.columns) - 1)


def _write_xlsx(path: Path | BinaryIO, facts: Iterator[BusinessFacts], words: Words) -> int:
    import xlsxwriter

    # constant_memory streams rows to a temporary file per sheet: memory stays flat however many rows there are.
    # Owner text stays text: every string is written as a string (write_string), so no formula, number or link is
    # ever made of it; it is neutralised as in the CSV all the same, for whoever saves the sheet as CSV or edits
    # a cell and presses Enter.
    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(path, options)
    formats = {
        "header": workbook.add_format({"bold": True, "bottom": 1}),
        "date": workbook.add_format({"num_format": DATE_FORMAT}),
        "datetime": workbook.add_format({"num_format": DATETIME_FORMAT}),
        "money": workbook.add_format({"num_format": MONEY_FORMAT}),
        "decimal": workbook.add_format({"num_format": "0.000000"}),
        "count": workbook.add_format({"num_format": "0"}),
    }
    _ = words._
    businesses = _Sheet(workbook, _(N_("Businesses")), BUSINESS_SHEET, words, formats)
    products = _Sheet(workbook, _(N_("Products")), PRODUCT_SHEET, words, formats)
    permits = _Sheet(workbook, _(N_("Permit")), PERMIT_SHEET, words, formats)
    count = 0
    for business in facts:
        count += 1
        businesses.add(business)
        for product in business.products:
            products.add((business, product))
        for permit in business.permits:
            permits.add((business, permit))
    for sheet in (businesses, products, permits):
        sheet.finish()
    workbook.close()
    return count


# OWASP's rule against CSV injection: a spreadsheet reads a cell as a formula (or a DDE command) when it starts
# with = + - @, a tab or a carriage return, spaces before them included ("  =1+2", "-2+3+cmd|' /C calc'!A0").
_FORMULA_START = re.compile(r"[^\S\t\r]*[=+\-@\t\r]")


def safe_cell(value: str) -> str:
    """A cell as typed, with a leading apostrophe when a spreadsheet would read it as a formula.

    It holds for every text cell of the CSV and of every XLSX sheet (permit numbers and phones are text, never
    spreadsheet numbers): "+62812..." becomes "'+62812...", which keeps its + and every digit instead of turning into
    a formula or a rounded number. Only the numbers the export itself computes (workers, turnover, coordinates, the
    product count) are written as numbers: plain digits in the CSV, number cells in the XLSX.
    A cell that is only "-" (owners type it for "nothing") is left as it is: a lone minus is text to Excel,
    LibreOffice and Google Sheets, and nothing can follow it. Text with a dash inside ("Keripik - pedas") does not
    start like a formula and is never touched.
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
    locale: str = "id",
) -> int:
    """Write the export file (a path or a binary stream); returns the number of business rows.

    `timezone` is the deployment's: times are written as its wall clock. `locale` is the XLSX's language (its headers
    and words); the CSV is the same in every language.
    """
    if fmt == "csv":
        tz = ZoneInfo(timezone)
        count = 0
        stream = path.open("wb") if isinstance(path, Path) else path
        handle = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=True)
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for facts in business_facts(db, segment, search):
            row = csv_row(facts, tz)
            writer.writerow(
                {k: v if k in NUMERIC_COLUMNS and _PLAIN_NUMBER.fullmatch(v) else safe_cell(v) for k, v in row.items()}
            )
            count += 1
        handle.flush()
        handle.detach()
        if isinstance(path, Path):
            stream.close()
        return count
    if fmt == "xlsx":
        return _write_xlsx(path, business_facts(db, segment, search), Words(locale, timezone))
    raise ValueError(f"unknown export format: {fmt}")
