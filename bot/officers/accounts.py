"""Officer accounts: roles, kecamatan scope, passwords (argon2), lockout, and linking a chat account."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from bot.storage.models import AuditLog, Officer, OfficerAccount

ROLES = ("admin", "officer", "viewer")
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
LINK_CODE_VALID = timedelta(hours=24)
_hasher = PasswordHasher()


class OfficerError(ValueError):
    """An officer operation that cannot be done (the message says why)."""


@dataclass(frozen=True)
class OfficerView:
    """What the conversation and the pages need to know about an officer."""

    id: int
    name: str
    role: str
    kecamatan_scope: tuple[str, ...] | None

    @property
    def can_send(self) -> bool:
        """Viewers only look."""
        return self.role in ("admin", "officer")


def view(officer: Officer) -> OfficerView:
    """The read-only view of an officer row."""
    assert officer.id is not None
    scope = tuple(officer.kecamatan_scope) if officer.kecamatan_scope is not None else None
    return OfficerView(officer.id, officer.name, officer.role, scope)


def create_officer(
    db: Session,
    username: str,
    name: str,
    role: str,
    kecamatan_scope: list[str] | None,
    password: str | None,
    actor: str,
    now: datetime,
) -> Officer:
    """Create an officer; admins are never limited to kecamatan."""
    if role not in ROLES:
        raise OfficerError(f"role must be one of {', '.join(ROLES)}")
    if db.exec(select(Officer).where(Officer.username == username)).first() is not None:
        raise OfficerError(f"username {username!r} is taken")
    if password is not None and len(password) < 10:
        raise OfficerError("a password needs at least 10 characters")
    officer = Officer(
        username=username,
        name=name,
        role=role,
        kecamatan_scope=None if role == "admin" else (kecamatan_scope or None),
        password_hash=_hasher.hash(password) if password else None,
        created_at=now,
    )
    db.add(officer)
    db.flush()
    db.add(
        AuditLog(
            at=now,
            actor=actor,
            action="officer_created",
            target_type="officer",
            target_id=officer.id,
            detail={"username": username, "role": role, "scope": officer.kecamatan_scope},
        )
    )
    return officer


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def issue_link_code(db: Session, officer: Officer, now: datetime) -> str:
    """A one-time code the officer sends to the bot ("PETUGAS <code>") to link their chat account."""
    code = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(8))
    officer.link_code_hash = _code_hash(code)
    officer.link_code_expires = now + LINK_CODE_VALID
    db.add(officer)
    return code


def link_with_code(db: Session, code: str, platform: str, external_id: str, now: datetime) -> Officer | None:
    """Link a chat account to the officer whose valid code this is (the code then stops working)."""
    officer = db.exec(select(Officer).where(Officer.link_code_hash == _code_hash(code), Officer.active)).first()
    if officer is None or officer.link_code_expires is None or officer.link_code_expires < now:
        return None
    existing = db.exec(
        select(OfficerAccount).where(OfficerAccount.platform == platform, OfficerAccount.external_id == external_id)
    ).first()
    if existing is None:
        assert officer.id is not None
        db.add(OfficerAccount(officer_id=officer.id, platform=platform, external_id=external_id, created_at=now))
    officer.link_code_hash = None
    officer.link_code_expires = None
    db.add(officer)
    db.add(
        AuditLog(
            at=now,
            actor=f"officer:{officer.id}",
            action="officer_linked",
            target_type="officer",
            target_id=officer.id,
            detail={"platform": platform},
        )
    )
    return officer


def officer_for_account(db: Session, platform: str, external_id: str) -> tuple[Officer, OfficerAccount] | None:
    """The active officer behind a chat account, if it is an officer's."""
    row = db.exec(
        select(Officer, OfficerAccount)
        .join(OfficerAccount, OfficerAccount.officer_id == Officer.id)
        .where(OfficerAccount.platform == platform, OfficerAccount.external_id == external_id, Officer.active)
    ).first()
    return (row[0], row[1]) if row else None


def authenticate(db: Session, username: str, password: str, now: datetime) -> Officer | None:
    """Check a password; after five failures the account is locked for fifteen minutes."""
    officer = db.exec(select(Officer).where(Officer.username == username, Officer.active)).first()
    if officer is None or officer.password_hash is None:
        _hasher.hash(password)  # same work either way, so timing does not reveal which usernames exist
        return None
    if officer.locked_until is not None and officer.locked_until > now:
        return None
    try:
        _hasher.verify(officer.password_hash, password)
    except (VerificationError, InvalidHashError):
        officer.failed_logins += 1
        if officer.failed_logins >= MAX_FAILED_LOGINS:
            officer.locked_until = now + LOCKOUT
            officer.failed_logins = 0
        db.add(officer)
        return None
    officer.failed_logins = 0
    officer.locked_until = None
    db.add(officer)
    return officer
