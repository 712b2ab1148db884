"""What the command groups share: an engine on an up-to-date schema, refusals, and options read and checked.

Every value an officer types where the database expects a key is checked here, before anything is written:
kecamatan and kelurahan (a code, or a name matched the way owners' typed place names are), commodities, permits and
need kinds (the keys the conversation stores), officers' usernames and times. A value that cannot be used is refused
with one line on stderr and exit status 1.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from rapidfuzz import fuzz, process
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.config import Settings, get_settings
from bot.officers.areas import kecamatan_of
from bot.storage.db import is_sqlite, make_engine, upgrade
from bot.storage.models import Officer
from bot.storage.national import ensure_area, parse_codes
from bot.storage.regions import RegionFileError, ensure_regions
from bot.storage.segments import Segment
from bot.store import load_regions
from conversations.flows.labels import NEEDS
from conversations.flows.permits import PERMIT_KINDS, STATUS_LABELS
from conversations.flows.registration import COMMODITIES
from conversations.understanding.places import Area, MatchKind, RegionDirectory, clean_name

COMMODITY_KEYS = tuple(key for key, _label, _example in COMMODITIES)
NEED_KINDS = tuple(key for key, _label in NEEDS if key != "tidak_ada")  # "nothing for now" is never stored as a need
PERMIT_TYPES = tuple(PERMIT_KINDS)
# "habis" is a segment's own status: lapsed or ending this year (bot.storage.segments).
PERMIT_STATUSES = (*STATUS_LABELS, "habis")
SUGGESTIONS = 5


def fail(message: str) -> NoReturn:
    """Refuse the command: `message` on one line of stderr, exit status 1, nothing written."""
    typer.echo(message, err=True)
    raise typer.Exit(1)


def prepare_database(settings: Settings) -> Engine:
    """An engine on an up-to-date schema: SQLite is migrated here, PostgreSQL must be migrated on purpose."""
    from bot.runtime import connections_needed

    engine = make_engine(settings.database_url, pool_size=connections_needed(settings.inbox_concurrency))
    if is_sqlite(engine):
        upgrade(settings.database_url)
    elif "alembic_version" not in inspect(engine).get_table_names():
        typer.echo("The database has no schema yet. Run: lapor-ikm db upgrade", err=True)
        raise typer.Exit(2)
    local = [Path(settings.regions_file)] if settings.regions_file else None
    with Session(engine) as db:
        if settings.region_codes:
            try:
                ensure_area(db, parse_codes(settings.region_codes), local)
            except RegionFileError as error:
                fail(f"REGION_CODES: {error}")
        else:
            ensure_regions(db, local)
    return engine


def settings_engine() -> Engine:
    """The engine of the settings in the environment, for commands that only read and write rows."""
    return prepare_database(get_settings())


def time_zone(name: str) -> str:
    """A time zone option, checked ("Asia/Makassar")."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"Unknown time zone {name!r}; use a name such as Asia/Jakarta, Asia/Makassar or Asia/Jayapura.")
    return name


def local_time(text: str, zone: str) -> datetime:
    """A 'YYYY-MM-DD HH:MM' option read in `zone`, as aware UTC.

    UTC because not every write goes through the columns' UTC conversion: a broadcast's outbox rows are inserted
    from a SELECT whose time is a plain literal, which SQLite would store as the local wall-clock time.
    """
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        fail(f"Cannot read the time {text!r}; use YYYY-MM-DD HH:MM, e.g. 2026-12-10 09:30.")
    local = value.replace(tzinfo=ZoneInfo(time_zone(zone))) if value.tzinfo is None else value
    return local.astimezone(UTC)


def officer_named(db: Session, username: str) -> Officer:
    """The officer with this username, or a refusal naming the known ones."""
    officer = db.exec(select(Officer).where(Officer.username == username)).first()
    if officer is None:
        known = db.exec(select(Officer.username).order_by(Officer.username)).all()
        fail(f"No officer {username!r}; known usernames: {', '.join(known) or 'none yet (lapor-ikm officer add)'}.")
    return officer


def _listed(areas: Iterable[Area], regions: RegionDirectory) -> str:
    """Areas as an officer can tell them apart: name and code, and a kelurahan's kecamatan."""
    shown = []
    for area in areas:
        parent = regions.get(area.parent_code)
        where = f", kec. {parent.name}" if parent is not None else ""
        shown.append(f"{area.name} ({area.code}{where})")
    return ", ".join(shown)


def _closest(typed: str, candidates: list[Area]) -> list[Area]:
    """The candidates nearest to what was typed, by name (or by code when digits were typed)."""
    by_code = any(ch.isdigit() for ch in typed)
    keys = {a.code: (a.code if by_code else clean_name(a.name)) for a in candidates}
    query = typed.strip() if by_code else clean_name(typed)
    found = process.extract(query, keys, scorer=fuzz.WRatio, limit=SUGGESTIONS)
    ranked = {a.code: a for a in candidates}
    return [ranked[code] for _key, _score, code in found]


def _resolve_area(
    typed: str, level: str, candidates: list[Area], regions: RegionDirectory, within: str, notes: list[str]
) -> Area:
    """The one area of `candidates` that `typed` means: its code exactly, or its name as owners' names are read.

    A name read is added to `notes` ("Kecamatan 'metro timr': Metro Timur (18.72.04)."), for `tell` once every
    option is known to be usable, so that a refusal stays the only line on stderr.
    """
    text = typed.strip()
    label = level.capitalize()
    for area in candidates:
        if area.code == text:
            return area
    elsewhere = regions.get(text)
    if elsewhere is not None and elsewhere.level == level:  # a real code, but outside the kecamatan given
        parent = regions.get(elsewhere.parent_code)
        fail(f"{label} {text} ({elsewhere.name}) lies in kec. {parent.name if parent else '?'}, not{within}.")
    match = regions.match(text, candidates)
    if match.kind in (MatchKind.EXACT, MatchKind.CLOSE):
        name = clean_name(match.areas[0].name)
        same = [a for a in candidates if clean_name(a.name) == name]  # one name in several kecamatan or regencies
        if len(same) == 1:
            notes.append(f"{label} {text!r}: {_listed(same, regions)}.")
            return same[0]
        fail(f"{label} {text!r} names several: {_listed(same, regions)}; give the code.")
    if match.kind is MatchKind.SEVERAL:
        fail(f"{label} {text!r} matches several: {_listed(match.areas, regions)}; give the code or more of the name.")
    others = [a for a in regions.areas.values() if a.level == level and a not in candidates]
    if regions.match(text, others).kind is MatchKind.EXACT:  # named right, but outside the kecamatan given
        squashed = clean_name(text).replace(" ", "")
        there = [a for a in others if clean_name(a.name).replace(" ", "") == squashed]
        fail(f"{label} {text!r} is not{within}: there is {_listed(there, regions)}.")
    fail(f"Unknown {level} {text!r}{within}; closest: {_listed(_closest(text, candidates), regions)}.")


def kecamatan_codes(regions: RegionDirectory, typed: Iterable[str] | None, notes: list[str]) -> tuple[str, ...]:
    """Kecamatan options (codes or names) as codes, each checked against the region list; names read go to `notes`."""
    candidates = regions.kecamatan()
    areas = [_resolve_area(text, "kecamatan", candidates, regions, "", notes) for text in typed or ()]
    return tuple(dict.fromkeys(a.code for a in areas))


def _resolve_regency(typed: str, regions: RegionDirectory, notes: list[str]) -> Area:
    """The one regency or city `typed` means: its code ("52.03"), or its name, typos forgiven ("lombok timr")."""
    text = typed.strip()
    candidates = regions.regencies()
    found = regions.get(text)
    if found is not None and found.level == "regency":
        return found
    match = regions.find(text, "regency")
    if match.kind in (MatchKind.EXACT, MatchKind.CLOSE) and len(match.areas) == 1:
        notes.append(f"Kabupaten/kota {text!r}: {_listed(match.areas, regions)}.")
        return match.areas[0]
    if match.kind is not MatchKind.NONE:  # "Bima": Kabupaten Bima and Kota Bima
        fail(f"Kabupaten/kota {text!r} matches several: {_listed(match.areas, regions)}; give the code.")
    if not candidates:
        fail(f"Unknown kabupaten/kota {text!r}: the region list names none.")
    fail(f"Unknown kabupaten/kota {text!r}; closest: {_listed(_closest(text, candidates), regions)}.")


def kabupaten_codes(regions: RegionDirectory, typed: Iterable[str] | None, notes: list[str]) -> tuple[str, ...]:
    """Regency or city options (codes or names) as codes, each checked against the region list."""
    return tuple(dict.fromkeys(_resolve_regency(text, regions, notes).code for text in typed or ()))


def kelurahan_codes(
    regions: RegionDirectory, typed: Iterable[str] | None, kecamatan: tuple[str, ...], notes: list[str]
) -> tuple[str, ...]:
    """Kelurahan/desa options (codes or names) as codes, looked for within the `kecamatan` codes when given."""
    if kecamatan:
        candidates = [a for code in kecamatan for a in regions.kelurahan(code)]
        within = " in kec. " + ", ".join(regions.areas[code].name for code in kecamatan)
    else:
        candidates = sorted((a for a in regions.areas.values() if a.level == "kelurahan"), key=lambda a: a.name)
        within = " in the region list"
    areas = [_resolve_area(text, "kelurahan", candidates, regions, within, notes) for text in typed or ()]
    return tuple(dict.fromkeys(a.code for a in areas))


def tell(notes: list[str]) -> None:
    """How names given in options were read, on stderr (stdout stays the command's own output)."""
    for note in notes:
        typer.echo(note, err=True)


def _key(text: str) -> str:
    return "_".join(text.strip().lower().replace("-", " ").split())


def known_keys(typed: Iterable[str] | None, what: str, valid: tuple[str, ...]) -> tuple[str, ...]:
    """Options that must be one of `valid` (case and spaces forgiven), or a refusal listing them."""
    keys = []
    for text in typed or ():
        key = _key(text)
        if key not in valid:
            fail(f"Unknown {what} {text!r}; use one of: {', '.join(valid)}.")
        keys.append(key)
    return tuple(dict.fromkeys(keys))


def permit_filters(typed: Iterable[str] | None) -> tuple[str, ...]:
    """Permit options as "type:status" pairs ("nib" alone means "nib:belum"), each checked."""
    pairs = []
    for text in typed or ():
        permit, _, status = text.partition(":")
        permit, status = _key(permit).replace("_", ""), _key(status) or "belum"  # "P-IRT" is pirt
        if permit not in PERMIT_TYPES or status not in PERMIT_STATUSES:
            fail(
                f"Unknown permit filter {text!r}; use TYPE:STATUS, TYPE one of {', '.join(PERMIT_TYPES)}, "
                f"STATUS one of {', '.join(PERMIT_STATUSES)} (e.g. nib:belum)."
            )
        pairs.append(f"{permit}:{status}")
    return tuple(dict.fromkeys(pairs))


def segment_from_options(
    db: Session,
    kecamatan: list[str] | None,
    kelurahan: list[str] | None,
    commodity: list[str] | None,
    permit: list[str] | None,
    need: list[str] | None,
    sentra: str | None,
    scope: tuple[str, ...] | None = None,
    kabupaten: list[str] | None = None,
) -> Segment:
    """A segment from repeated command-line options, every value checked and places turned into codes.

    With an officer's kecamatan `scope`, a kecamatan outside it is refused (it would select nobody), and so is a
    regency none of whose kecamatan is in it.
    """
    regions = load_regions(db) if kecamatan or kelurahan or kabupaten else RegionDirectory()
    notes: list[str] = []
    regencies = kabupaten_codes(regions, kabupaten, notes)
    kecamatan_found = kecamatan_codes(regions, kecamatan, notes)
    outside = [code for code in kecamatan_found if scope is not None and code not in scope]
    if outside:
        fail(f"Kecamatan {', '.join(outside)} is outside the officer's scope ({', '.join(scope or ())}).")
    away = [r for r in regencies if scope is not None and not set(kecamatan_of(regions, [r])) & set(scope)]
    if away:
        fail(f"Kabupaten/kota {', '.join(away)} is outside the officer's scope ({', '.join(scope or ())}).")
    segment = Segment(
        kabupaten=regencies,
        kecamatan=kecamatan_found,
        kelurahan=kelurahan_codes(regions, kelurahan, kecamatan_found, notes),
        commodity=known_keys(commodity, "commodity", COMMODITY_KEYS),
        permits=permit_filters(permit),
        needs=known_keys(need, "need", NEED_KINDS),
        sentra=(sentra or "").strip() or None,
    )
    tell(notes)
    return segment
