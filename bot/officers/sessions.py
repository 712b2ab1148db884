"""Dashboard sessions kept as rows: a login opens one, logout and any change to the officer's access end them."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session

from bot.storage.models import Officer, OfficerSession

IDLE_TIMEOUT = timedelta(hours=2)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
# How stale `last_seen_at` may get before a request writes it again (one write a minute, not one per page).
TOUCH_AFTER = timedelta(minutes=1)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(db: Session, officer_id: int, now: datetime) -> str:
    """Start a session and return the token for the cookie (a new one at every login)."""
    token = secrets.token_urlsafe(32)
    db.add(
        OfficerSession(
            token_hash=_token_hash(token),
            officer_id=officer_id,
            csrf=secrets.token_urlsafe(24),
            created_at=now,
            last_seen_at=now,
        )
    )
    db.execute(  # the officer's sessions that ran out are of no use to anyone
        delete(OfficerSession).where(
            OfficerSession.officer_id == officer_id,  # type: ignore[arg-type]
            OfficerSession.last_seen_at < now - IDLE_TIMEOUT,  # type: ignore[arg-type]
        )
    )
    return token


def find_session(db: Session, token: str | None, now: datetime) -> tuple[OfficerSession, Officer] | None:
    """The live session of a cookie's token and its active officer (idle or too old sessions are ended)."""
    if not token or len(token) > 100:
        return None
    row = db.get(OfficerSession, _token_hash(token))
    if row is None:
        return None
    if now - row.last_seen_at > IDLE_TIMEOUT or now - row.created_at > ABSOLUTE_TIMEOUT:
        db.delete(row)
        return None
    officer = db.get(Officer, row.officer_id)
    if officer is None or not officer.active:
        return None
    if now - row.last_seen_at > TOUCH_AFTER:
        row.last_seen_at = now
        db.add(row)
    return row, officer


def end_session(db: Session, token: str | None) -> None:
    """Log out one session."""
    if token and len(token) <= 100:
        db.execute(delete(OfficerSession).where(OfficerSession.token_hash == _token_hash(token)))  # type: ignore[arg-type]


def end_officer_sessions(db: Session, officer_id: int) -> int:
    """End every session of an officer (password, role, scope or activity changed); returns how many."""
    result = db.execute(delete(OfficerSession).where(OfficerSession.officer_id == officer_id))  # type: ignore[arg-type]
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
