"""What an officer may see: the kecamatan in their scope, the regencies they span, and segments limited to it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session

from bot.officers.areas import kecamatan_label, officer_regions, regencies_in_view, several_in_view
from bot.storage.segments import Segment
from webhook.admin.auth import WebSession
from webhook.admin.rendering import not_found


@dataclass(frozen=True)
class Option:
    """One choice of a filter: the code sent, the name shown ("Sakra (Kab. Lombok Timur)" among several)."""

    code: str
    name: str


def in_scope(session: WebSession, kecamatan_code: str | None) -> bool:
    """May this officer see a business in `kecamatan_code`?"""
    scope = session.officer.kecamatan_scope
    return scope is None or (kecamatan_code is not None and kecamatan_code in scope)


def kecamatan_options(db: Session, session: WebSession) -> list[Option]:
    """The kecamatan an officer may choose in a filter; named with their regency where the officer sees several."""
    regions = officer_regions(db)
    scope = session.officer.kecamatan_scope
    several = several_in_view(regions, scope)
    areas = [a for a in regions.kecamatan() if in_scope(session, a.code)]
    if several:  # grouped by regency: "Mataram" is a kecamatan of Kota Mataram, and names repeat across regencies
        areas.sort(key=lambda a: (a.regency_code, a.name))
    return [Option(a.code, kecamatan_label(regions, a.code, several)) for a in areas]


def regency_options(db: Session, session: WebSession) -> list[Option]:
    """The regencies an officer may choose in a filter: none unless their view spans several."""
    regions = officer_regions(db)
    scope = session.officer.kecamatan_scope
    if not several_in_view(regions, scope):
        return []
    return [Option(r.code, r.name) for r in regencies_in_view(regions, scope)]


def segment_in_scope(
    kecamatan: str | None,
    commodity: str | None,
    izin: str | None,
    session: WebSession,
    need: str | None = None,
    training: str | None = None,
    kabupaten: str | None = None,
) -> Segment:
    """The segment that form filters choose, within the officer's scope (a regency outside it selects nobody)."""
    if training and not re.fullmatch(r"[0-9]{1,9}", training):  # not a training id the form offers
        raise not_found()
    segment = Segment(
        kecamatan=(kecamatan,) if kecamatan else (),
        commodity=(commodity,) if commodity else (),
        permits=(izin,) if izin else (),
        needs=(need,) if need else (),
        training_id=int(training) if training else None,
        kabupaten=(kabupaten,) if kabupaten else (),
    )
    return segment.restricted_to(session.officer.kecamatan_scope)
