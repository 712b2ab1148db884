"""What an officer may see: the kecamatan in their scope, and segments limited to it."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from bot.storage.models import Region
from bot.storage.segments import Segment
from webhook.admin.auth import WebSession
from webhook.admin.rendering import not_found


def in_scope(session: WebSession, kecamatan_code: str | None) -> bool:
    """May this officer see a business in `kecamatan_code`?"""
    scope = session.officer.kecamatan_scope
    return scope is None or (kecamatan_code is not None and kecamatan_code in scope)


def kecamatan_options(db: Session, session: WebSession) -> list[Region]:
    """The kecamatan an officer may choose in a filter."""
    rows = db.exec(select(Region).where(Region.level == "kecamatan").order_by(Region.name)).all()
    return [r for r in rows if in_scope(session, r.code)]


def segment_in_scope(
    kecamatan: str | None,
    commodity: str | None,
    izin: str | None,
    session: WebSession,
    need: str | None = None,
    training: str | None = None,
) -> Segment:
    """The segment that form filters choose, within the officer's scope."""
    if training and not re.fullmatch(r"[0-9]{1,9}", training):  # not a training id the form offers
        raise not_found()
    segment = Segment(
        kecamatan=(kecamatan,) if kecamatan else (),
        commodity=(commodity,) if commodity else (),
        permits=(izin,) if izin else (),
        needs=(need,) if need else (),
        training_id=int(training) if training else None,
    )
    return segment.restricted_to(session.officer.kecamatan_scope)
