"""Words for what broadcasts, trainings, help requests and officers store as codes: a segment's filters ("Kecamatan:
Metro Barat · Komoditas: Makanan"), a help request's topic, an officer's area, a broadcast's progress in order.

Everything is said in the request's language (the dashboard's `_`); a code without a word is left out or shown as "-",
never raw.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from bot.officers.areas import kecamatan_label, kecamatan_of, several_in_view, short_regency, whole_regencies
from bot.officers.areas import officer_regions as load_regions
from bot.storage.models import Officer, Region, Training
from bot.storage.segments import Segment
from conversations.flows.labels import NEEDS
from conversations.flows.registration import COMMODITIES
from conversations.i18n import N_, zone_name
from conversations.officer import PERMIT_NAMES
from conversations.understanding.places import RegionDirectory
from webhook.admin import words
from webhook.admin.rendering import _

UNKNOWN = words.UNKNOWN
ALL_OWNERS = N_("All owners")
WHOLE_REGENCY = N_("{name} ({count} kecamatan)")  # a regency covered whole: "Kab. Lombok Timur (21 kecamatan)"
# The states of a broadcast's messages in the order an officer follows them: still to go, gone, seen, or not going.
DELIVERY_ORDER = ("queued", "waiting", "sending", "sent", "delivered", "read", "failed", "blocked", "cancelled")
# Training answers, most useful first.
ANSWER_ORDER = ("yes", "maybe", "no", "waitlist", "invited")
PERMIT_FILTER_STATUSES = ("belum", "diurus")  # what the broadcast form offers per permit, with "P-IRT ends this year"
COMMODITY_CHOICES = tuple(key for key, _label, _example in COMMODITIES)  # the registration's, in its order
# The needs an owner picks by name ("other" and "nothing for now" are not something to send a broadcast about).
NEED_CHOICES = tuple(key for key, _label in NEEDS if key not in ("lainnya", "tidak_ada"))
TRAINING_STATES = {"scheduled": N_("scheduled"), "done": N_("done"), "cancelled": N_("cancelled")}
_HELP_TOPICS = {"umum": N_("General question")}


@dataclass
class Places:
    """The deployment's regencies and kecamatan, and how to name them for one officer."""

    regions: RegionDirectory
    several: bool  # the officer's view spans several regencies: kecamatan are named with theirs

    @classmethod
    def load(cls, db: Session, scope: Iterable[str] | None) -> Places:
        """The places as an officer with `scope` (None: the whole deployment) reads them."""
        regions = load_regions(db)
        return cls(regions, several_in_view(regions, scope))

    def kecamatan(self, code: str) -> str | None:
        """A kecamatan's name ("Sakra (Kab. Lombok Timur)" among several regencies); None when unknown."""
        return kecamatan_label(self.regions, code, self.several) if self.regions.get(code) else None

    def regency(self, code: str) -> str | None:
        """A regency's name ("Kabupaten Lombok Timur"); None when unknown."""
        area = self.regions.get(code)
        return area.name if area is not None else None

    def area(self, codes: Iterable[str]) -> list[str]:
        """Kecamatan codes as read: each regency covered whole as one ("Kab. Lombok Timur (21 kecamatan)"), then the
        other kecamatan by name; unknown codes are left out."""
        chosen = list(dict.fromkeys(codes))
        parts, covered = [], set()
        for regency in whole_regencies(self.regions, chosen):
            members = kecamatan_of(self.regions, [regency.code])
            covered.update(members)
            parts.append(_(WHOLE_REGENCY, name=short_regency(regency.name), count=len(members)))
        return parts + [name for code in chosen if code not in covered and (name := self.kecamatan(code))]


@dataclass
class SegmentWords:
    """Says a stored segment in words; built once per page (regions, villages and training titles are looked up
    once)."""

    db: Session
    places: Places
    _villages: dict[str, str] = field(default_factory=dict)
    _trainings: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls, db: Session, scope: Iterable[str] | None) -> SegmentWords:
        """For an officer with `scope`."""
        return cls(db, Places.load(db, scope))

    def _village(self, code: str) -> str | None:
        if code not in self._villages:
            region = self.db.get(Region, code)
            self._villages[code] = region.name if region is not None else ""
        return self._villages[code] or None

    def _training(self, training_id: int) -> str:
        if training_id not in self._trainings:
            training = self.db.get(Training, training_id)
            self._trainings[training_id] = training.title if training is not None else UNKNOWN
        return self._trainings[training_id]

    def parts(self, stored: Segment | Mapping[str, Any] | None) -> list[tuple[str, str]]:
        """Each chosen filter as (what, which): [("Kecamatan", "Metro Barat"), ("Komoditas", "Makanan")]; [] when the
        segment is everyone."""
        segment = stored if isinstance(stored, Segment) else Segment.from_json(dict(stored or {}))
        found: list[tuple[str, str]] = []

        def add(label: str, values: Iterable[str]) -> None:
            shown = [v for v in values if v]
            if shown:
                found.append((_(label), ", ".join(shown)))

        add(N_("Kabupaten/kota"), [self.places.regency(c) or "" for c in segment.kabupaten])
        if segment.kecamatan:
            add(N_("Kecamatan"), self.places.area(segment.kecamatan) or [UNKNOWN])
        add(N_("Kelurahan/desa"), [self._village(c) or "" for c in segment.kelurahan])
        add(N_("Commodity"), [words.commodity(c) for c in segment.commodity])
        add(N_("Permit"), [permit_filter(p) for p in segment.permits])
        add(N_("Needs"), [words.need(n) for n in segment.needs])
        if segment.sentra:
            add(N_("Sentra/forum"), [segment.sentra])
        if segment.training_id is not None:
            add(N_("Invited to"), [self._training(segment.training_id)])
        return found

    def line(self, stored: Segment | Mapping[str, Any] | None) -> str:
        """The whole segment on one line: "Kecamatan: Metro Barat · Komoditas: Makanan", or "Semua pemilik"."""
        return " · ".join(f"{what}: {which}" for what, which in self.parts(stored)) or _(ALL_OWNERS)


def permit_filter(item: str) -> str:
    """A permit filter ("nib:belum", "pirt:habis") in words: "NIB belum", "P-IRT habis tahun ini"."""
    permit, _sep, status = item.partition(":")
    name = PERMIT_NAMES.get(permit)
    if name is None:
        return UNKNOWN
    if status == "habis":
        return _(N_("P-IRT ends this year")) if permit == "pirt" else _(N_("{permit} ends this year"), permit=name)
    return f"{name} {words.permit_status(status or 'belum')}"


def permit_filter_options() -> list[tuple[str, str]]:
    """The permit filters the broadcast form offers, as (value, words)."""
    options = [(f"{p}:{s}", permit_filter(f"{p}:{s}")) for p in PERMIT_NAMES for s in PERMIT_FILTER_STATUSES]
    return [*options, ("pirt:habis", permit_filter("pirt:habis"))]


def commodity_options() -> list[tuple[str, str]]:
    """The commodities a form offers, as (code, words)."""
    return [(c, words.commodity(c)) for c in COMMODITY_CHOICES]


def need_options() -> list[tuple[str, str]]:
    """The needs a form offers, as (code, words)."""
    return [(n, words.need(n)) for n in NEED_CHOICES]


def help_topic(topic: str | None, trainings: Mapping[int, str]) -> str:
    """What an owner asked help with: "P-IRT", "Perpanjang P-IRT", a training's title, "Pertanyaan umum"."""
    code = topic or ""
    kind, _sep, rest = code.partition(":")
    if code in PERMIT_NAMES:
        return PERMIT_NAMES[code]
    if kind == "renew" and rest in PERMIT_NAMES:
        return _(N_("Renewing {permit}"), permit=PERMIT_NAMES[rest])
    if kind == "training" and rest.isdigit():
        return trainings.get(int(rest)) or _(N_("Training"))
    if code in _HELP_TOPICS:
        return _(_HELP_TOPICS[code])
    need = words.need(code)
    return need if need != UNKNOWN else UNKNOWN


def training_ids_of_topics(topics: Iterable[str | None]) -> set[int]:
    """The training ids help topics name ("training:3")."""
    found = set()
    for topic in topics:
        kind, _sep, rest = (topic or "").partition(":")
        if kind == "training" and rest.isdigit():
            found.add(int(rest))
    return found


def training_titles(db: Session, ids: Iterable[int]) -> dict[int, str]:
    """Titles of these trainings."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = db.exec(select(Training.id, Training.title).where(Training.id.in_(wanted))).all()  # type: ignore[union-attr]
    return {int(i): t for i, t in rows}


def officer_names(db: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """Officers' names by id."""
    wanted = [i for i in set(ids) if i is not None]
    if not wanted:
        return {}
    rows = db.exec(select(Officer.id, Officer.name).where(Officer.id.in_(wanted))).all()  # type: ignore[union-attr]
    return {int(i): n for i, n in rows}


def actor_officer(actor: str | None) -> int | None:
    """The officer id of an actor written as "officer:3" (None for the system, an owner or a script)."""
    kind, _sep, rest = (actor or "").partition(":")
    return int(rest) if kind == "officer" and rest.isdigit() else None


def training_state(status: str, ended: bool) -> str:
    """A training's state in words: scheduled, done (it has ended) or cancelled."""
    code = "cancelled" if status == "cancelled" else "done" if ended else "scheduled"
    return _(TRAINING_STATES[code])


def zone() -> str:
    """The deployment's zone as people name it (WIB, WITA, WIT), for a form's date and time."""
    return zone_name(_.tz.key)
