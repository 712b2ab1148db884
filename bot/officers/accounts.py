"""Officer accounts: roles, kecamatan scope, passwords (argon2), lockout, and linking a chat account."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import EllipsisType

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete
from sqlmodel import Session, select

from bot.officers.sessions import end_officer_sessions
from bot.storage.models import AuditLog, LoginFailure, Officer, OfficerAccount

ROLES = ("admin", "officer", "viewer")
MAX_FAILED_LOGINS = 5  # per username from one address
MAX_FAILURES_PER_ADDRESS = 20  # any usernames
LOCKOUT = timedelta(minutes=15)
LINK_CODE_VALID = timedelta(hours=24)
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))  # verified when there is no real hash to check


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


def authenticate(db: Session, username: str, password: str, address: str, now: datetime) -> Officer | None:
    """Check a password from a client address, with the lockout rule of `lockout_reason`.

    Every attempt costs one argon2 verification, whether the username exists, is locked or is right, so the answer's
    timing says nothing about the account.
    """
    username, address = username[:60], address[:64]
    officer = db.exec(select(Officer).where(Officer.username == username, Officer.active)).first()
    stored = officer.password_hash if officer is not None and officer.password_hash else None
    locked = is_locked_out(db, username, address, now)
    try:
        _hasher.verify(stored if stored and not locked else _DUMMY_HASH, password)
        right = stored is not None and not locked
    except (VerificationError, InvalidHashError):
        right = False
    if right:
        db.execute(delete(LoginFailure).where(LoginFailure.username == username, LoginFailure.address == address))  # type: ignore[arg-type]
        return officer
    if not locked:  # attempts while locked are not counted: the lock ends WINDOW after it began
        db.add(LoginFailure(username=username, address=address, at=now))
        db.execute(delete(LoginFailure).where(LoginFailure.address == address, LoginFailure.at < now - LOCKOUT))  # type: ignore[arg-type]
    return None


def is_locked_out(db: Session, username: str, address: str, now: datetime) -> bool:
    """Five failures for a username from one address, or twenty from one address, within fifteen minutes.

    The lock is per address: someone guessing from elsewhere cannot lock the officer out of their own office.
    """
    since = now - LOCKOUT
    from_address = db.exec(
        select(LoginFailure.username).where(LoginFailure.address == address, LoginFailure.at >= since)
    ).all()
    return len(from_address) >= MAX_FAILURES_PER_ADDRESS or from_address.count(username) >= MAX_FAILED_LOGINS


def update_officer(
    db: Session,
    officer: Officer,
    actor: str,
    now: datetime,
    *,
    role: str | None = None,
    kecamatan_scope: list[str] | None | EllipsisType = ...,  # ...: unchanged
    password: str | None = None,
    active: bool | None = None,
) -> int:
    """Change an officer's access; every open session of theirs ends. Returns how many sessions were ended."""
    changes: dict[str, object] = {}
    if role is not None:
        if role not in ROLES:
            raise OfficerError(f"role must be one of {', '.join(ROLES)}")
        officer.role = role
        changes["role"] = role
    if kecamatan_scope is not ...:
        officer.kecamatan_scope = list(kecamatan_scope) if kecamatan_scope else None
        changes["scope"] = officer.kecamatan_scope
    if officer.role == "admin":
        officer.kecamatan_scope = None
    if password is not None:
        if len(password) < 10:
            raise OfficerError("a password needs at least 10 characters")
        officer.password_hash = _hasher.hash(password)
        changes["password"] = "changed"
    if active is not None:
        officer.active = active
        changes["active"] = active
    db.add(officer)
    assert officer.id is not None
    ended = end_officer_sessions(db, officer.id)
    db.add(
        AuditLog(
            at=now, actor=actor, action="officer_changed", target_type="officer", target_id=officer.id, detail=changes
        )
    )
    return ended
