"""Words for what the audit log stores: who did it (by name), what (a verb, not a code) and a short readable detail.

The audit log keeps codes and JSON ("officer:1", "consent_given", {"version": ..., "channel": "console"}); officers
read "Admin Dinas", "Gave consent", "version 2026-11-v2 · via Telegram". Used by the audit page and the history of a
business. Every text goes through the dashboard's `_` (the request's language); an action or key this module does not
know shows as a generic word, never raw.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.storage.models import AuditLog, Business, Officer, Owner, Region, Training
from conversations.flows.products import CATEGORIES, PACKAGING
from conversations.flows.summary import SECTIONS, SIZE_LABELS
from conversations.i18n import N_
from webhook.admin import words
from webhook.admin.language import current_translator
from webhook.admin.rendering import templates

ACTIONS = {
    # The owner, through the chat
    "consent_given": N_("Gave consent"),
    "consent_refused": N_("Refused consent"),
    "consent_withdrawn": N_("Withdrew consent"),
    "report_submitted": N_("Sent a report"),
    "data_corrected": N_("Corrected their data"),
    "data_viewed": N_("Looked at their data"),
    "data_deleted": N_("Asked to delete their data"),
    "channel_linked": N_("Linked a chat account"),
    # Officers, in the dashboard or the chat
    "login": N_("Logged in to the dashboard"),
    "business_viewed": N_("Opened the business's page"),
    "export": N_("Downloaded the list of businesses"),
    "help_closed": N_("Marked a help request as handled"),
    "broadcast_created": N_("Created a broadcast"),
    "broadcast_cancelled": N_("Stopped a broadcast"),
    "broadcast_resent": N_("Retried a broadcast's undelivered messages"),
    "training_created": N_("Created a training"),
    "training_moved": N_("Moved a training"),
    "training_cancelled": N_("Cancelled a training"),
    "officer_created": N_("Created an officer account"),
    "officer_changed": N_("Changed an officer account"),
    "officer_linked": N_("Linked their chat account"),
}
OTHER_ACTION = N_("Another action")
# "report_submitted" of the registration flow is the registration itself.
REGISTERED = N_("Registered")
SYSTEM_ACTORS = {"cli": N_("Command line (server)"), "system": N_("The system"), "test": N_("Test setup")}
CHANNELS = {"telegram": "Telegram", "whatsapp": "WhatsApp", "console": N_("console (test)"), "web": N_("simulator")}
_SECTIONS = {key: label for key, label, _questions in SECTIONS}
_CATEGORIES = dict(CATEGORIES)
_PACKAGING = {key: label for key, label, _note in PACKAGING}


def _(message: str, **values: object) -> str:
    return current_translator()(message, **values)


def channel(code: str | None) -> str:
    """A chat channel by its name: Telegram, WhatsApp, console (test), simulator."""
    return _(CHANNELS[code]) if code in CHANNELS else words.UNKNOWN


def category(code: str | None) -> str:
    """A product's category: Makanan, Minuman, Non-makanan/minuman."""
    return _(_CATEGORIES[code]) if code in _CATEGORIES else words.UNKNOWN


def packaging(code: str | None) -> str:
    """A product's packaging: Tanpa kemasan, Kemasan sederhana, Kemasan berlabel."""
    return _(_PACKAGING[code]) if code in _PACKAGING else words.UNKNOWN


def size(code: str | None) -> str:
    """A business's size class: usaha mikro, kecil, menengah, besar."""
    return _(SIZE_LABELS[code]) if code in SIZE_LABELS else words.UNKNOWN


def month(key: str, pattern: str = "LLLL y") -> str:
    """ "2026-11" as "November 2026" (in the request's language); "LLL y" for "Nov 2026"."""
    from babel.dates import format_date

    try:
        first = datetime.strptime(key, "%Y-%m").date()
    except ValueError:
        return words.UNKNOWN
    return format_date(first, pattern, locale=current_translator().locale)


@dataclass(frozen=True)
class Names:
    """Names of the people and things audit entries point at, fetched once for a page of entries."""

    officers: dict[int, str]
    owners: dict[int, str]
    businesses: dict[int, str]
    trainings: dict[int, str]
    regions: dict[str, str]

    @classmethod
    def load(cls, db: Session, entries: Sequence[AuditLog]) -> Names:
        """Names for these entries' actors and targets (only the rows they name)."""

        def ids(prefix: str, target: str) -> set[int]:
            found = {int(e.actor.partition(":")[2]) for e in entries if _numbered(e.actor, prefix)}
            return found | {e.target_id for e in entries if e.target_type == target and e.target_id is not None}

        officer_ids, owner_ids = ids("officer", "officer"), ids("owner", "owner")
        business_ids = {e.target_id for e in entries if e.target_type == "business" and e.target_id}
        training_ids = {e.target_id for e in entries if e.target_type == "training" and e.target_id}
        codes = {c for e in entries for c in _codes(e.detail)}
        return cls(
            officers={o.id: o.name for o in _rows(db, Officer, officer_ids) if o.id is not None},
            owners={o.id: o.name or "" for o in _rows(db, Owner, owner_ids) if o.id is not None},
            businesses={b.id: b.name or "" for b in _rows(db, Business, business_ids) if b.id is not None},
            trainings={t.id: t.title for t in _rows(db, Training, training_ids) if t.id is not None},
            regions={r.code: r.name for r in db.exec(select(Region).where(col(Region.code).in_(codes))).all()}
            if codes
            else {},
        )


def _numbered(actor: str, prefix: str) -> bool:
    kind, _sep, number = actor.partition(":")
    return kind == prefix and number.isdigit()


def _rows(db: Session, model: Any, ids: Iterable[int]) -> list[Any]:
    wanted = sorted(ids)
    return list(db.exec(select(model).where(col(model.id).in_(wanted))).all()) if wanted else []


def _codes(detail: Any) -> list[str]:
    """Region codes a detail mentions (an officer's scope, a segment's kecamatan)."""
    if not isinstance(detail, dict):
        return []
    found: list[str] = []
    for key in ("scope", "kecamatan", "kelurahan", "kabupaten"):
        value = detail.get(key)
        if isinstance(value, list):
            found += [str(v) for v in value]
    segment = detail.get("segment")
    return found + (_codes(segment) if isinstance(segment, dict) else [])


def actor(code: str, names: Names) -> str:
    """Who did it: an officer or owner by name, the command line or the system in words."""
    if code in SYSTEM_ACTORS:
        return _(SYSTEM_ACTORS[code])
    kind, _sep, number = code.partition(":")
    if number.isdigit():
        if kind == "officer" and int(number) in names.officers:
            return names.officers[int(number)]
        if kind == "owner":
            return names.owners.get(int(number)) or _("an owner (name not given)")
    return _("someone unknown")


def action(entry: AuditLog) -> str:
    """What was done, as a verb phrase."""
    detail = entry.detail if isinstance(entry.detail, dict) else {}
    if entry.action == "report_submitted" and detail.get("flow") == "daftar":
        return _(REGISTERED)
    return _(ACTIONS.get(entry.action, OTHER_ACTION))


def target(entry: AuditLog, names: Names) -> str:
    """What it was done to, by name."""
    number = entry.target_id
    if number is None or entry.actor == f"{entry.target_type}:{number}":  # their own data, their own login
        return ""
    if entry.target_type == "owner":
        return names.owners.get(number) or _("an owner (name not given)")
    if entry.target_type == "officer":
        return names.officers.get(number) or _("an officer")
    if entry.target_type == "business":
        return names.businesses.get(number) or _("a business")
    if entry.target_type == "training":
        return names.trainings.get(number) or _("a training")
    if entry.target_type == "broadcast":
        return _("broadcast no. {number}", number=number)
    if entry.target_type == "help":
        return _("help request no. {number}", number=number)
    return ""


def _places(codes: Any, names: Names) -> str:
    return ", ".join(names.regions.get(str(c), words.UNKNOWN) for c in codes or ())


def segment(data: Any, names: Names) -> str:
    """Who a broadcast, training or download was for: "Kecamatan: Metro Barat · Komoditas: Makanan", or everyone."""
    if not isinstance(data, dict):
        return _("all owners")
    parts = []
    if data.get("kabupaten"):
        parts.append(_("Kabupaten/kota") + ": " + _places(data["kabupaten"], names))
    if data.get("kecamatan"):
        parts.append(_("Kecamatan") + ": " + _places(data["kecamatan"], names))
    if data.get("kelurahan"):
        parts.append(_("Kelurahan/desa") + ": " + _places(data["kelurahan"], names))
    if data.get("commodity"):
        parts.append(_("Commodity") + ": " + ", ".join(words.commodity(c) for c in data["commodity"]))
    if data.get("permits"):
        parts.append(_("Permits") + ": " + ", ".join(_permit_filter(p) for p in data["permits"]))
    if data.get("needs"):
        parts.append(_("Needs") + ": " + ", ".join(words.need(n) for n in data["needs"]))
    if data.get("sentra"):
        parts.append(_("Sentra/forum") + ": " + str(data["sentra"]))
    if data.get("training_id"):
        parts.append(_("the invitees of a training"))
    return " · ".join(parts) or _("all owners")


def _permit_filter(value: Any) -> str:
    kind, _sep, status = str(value).partition(":")
    if status == "habis":
        return _("P-IRT ends this year")
    return f"{words.permit(kind)} {words.permit_status(status)}"


def detail(entry: AuditLog, names: Names) -> str:
    """The entry's detail as a short readable text (never the stored dictionary)."""
    data = entry.detail if isinstance(entry.detail, dict) else {}
    parts: list[str] = []
    match entry.action:
        case "consent_given" | "consent_refused" if data.get("version"):
            parts.append(_("consent text version {version}", version=data["version"]))
        case "data_corrected" if data.get("section") in _SECTIONS:
            parts.append(_(_SECTIONS[data["section"]]))
        case "data_viewed" if data.get("full"):
            parts.append(_("everything kept about them"))
        case "channel_linked" | "officer_linked" if data.get("platform"):
            parts.append(channel(data["platform"]))
        case "export":
            rows = int(data.get("rows") or 0)
            parts.append(_("{count} businesses", count=rows))
            if data.get("format") in ("csv", "xlsx"):
                parts.append(str(data["format"]).upper())
            parts.append(segment({k: v for k, v in data.items() if k not in ("rows", "format")}, names))
        case "broadcast_created":
            parts.append(_("to {count} owners", count=int(data.get("recipients") or 0)))
            parts.append(segment(data.get("segment"), names))
            if when := _moment(data.get("send_at")):
                parts.append(_("planned for {time}", time=when))
        case "training_created":
            if data.get("title"):
                parts.append(f"“{data['title']}”")
            parts.append(_("invitations to {count} owners", count=int(data.get("invited") or 0)))
            parts.append(segment(data.get("segment"), names))
        case "training_moved":
            if when := _moment(data.get("starts_at")):
                parts.append(_("now starts {time}", time=when))
        case "officer_created" | "officer_changed":
            parts += _officer_changes(data, names)
    if data.get("channel"):
        parts.append(_("via {channel}", channel=channel(data["channel"])))
    return " · ".join(part for part in parts if part)


def _officer_changes(data: dict[str, Any], names: Names) -> list[str]:
    parts = []
    if data.get("username"):
        parts.append(_("username {username}", username=data["username"]))
    if "role" in data:
        parts.append(_("role: {role}", role=words.role(data["role"])))
    if "scope" in data:
        area = _places(data["scope"], names) if data["scope"] else _("all areas")
        parts.append(_("area: {area}", area=area))
    if "password" in data:
        parts.append(_("new password"))
    if "active" in data:
        parts.append(_("account switched on") if data["active"] else _("account switched off"))
    return parts


def _moment(value: Any) -> str:
    """A stored ISO time as local time with its zone ("Sabtu, 28 November 2026 10.00 WIB")."""
    try:
        return current_translator().moment(datetime.fromisoformat(str(value)))
    except (TypeError, ValueError):
        return ""


@dataclass(frozen=True)
class Event:
    """One audit entry as officers read it."""

    at: datetime
    who: str
    what: str
    about: str
    detail: str
    times: int = 1  # repeated views of a page, counted into one line


def events(db: Session, entries: Sequence[AuditLog], merge_views: bool = False) -> list[Event]:
    """The entries in words; with `merge_views`, one officer opening the same page again and again is one line."""
    names = Names.load(db, entries)
    found: list[Event] = []
    for entry in entries:
        event = Event(entry.at, actor(entry.actor, names), action(entry), target(entry, names), detail(entry, names))
        last = found[-1] if found else None
        if merge_views and entry.action == "business_viewed" and last is not None and _same_view(last, event):
            found[-1] = Event(last.at, last.who, last.what, last.about, last.detail, last.times + 1)
            continue
        found.append(event)
    return found


def _same_view(last: Event, event: Event) -> bool:
    return (last.who, last.what, last.about) == (event.who, event.what, event.about)


def history(db: Session, owner_id: int, business_id: int, limit: int = 50) -> list[Event]:
    """What happened to one business, latest first: its owner's reports and consent, and officers opening its page
    (the views fetched apart, so that many of them never push the owner's reports out)."""
    entries: list[AuditLog] = []
    for kind, number in (("owner", owner_id), ("business", business_id)):
        entries += db.exec(
            select(AuditLog)
            .where(AuditLog.target_type == kind, AuditLog.target_id == number)
            .order_by(col(AuditLog.at).desc(), col(AuditLog.id).desc())
            .limit(limit)
        ).all()
    entries.sort(key=lambda e: (e.at, e.id or 0), reverse=True)
    return events(db, entries, merge_views=True)[:limit]


GLOBALS = {
    "channel_word": channel,
    "category_word": category,
    "packaging_word": packaging,
    "size_word": size,
    "month_word": month,
}
templates.env.globals.update(GLOBALS)  # the pages of businesses, the overview and the audit log use them
