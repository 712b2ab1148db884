"""Officer sessions for the web pages: signed cookies, who is logged in, and which roles may do what."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from fastapi import HTTPException, Request, Response
from sqlmodel import Session

from bot.officers.accounts import OfficerView, view
from bot.storage.models import Officer

COOKIE = "lapor_sesi"
LOGIN_COOKIE = "lapor_masuk"
SESSION_SECONDS = 12 * 3600


@dataclass(frozen=True)
class WebSession:
    """A logged-in officer and the CSRF token their forms must carry."""

    officer: OfficerView
    csrf: str


def _sign(secret: str, payload: bytes) -> str:
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def make_cookie(secret: str, officer_id: int) -> str:
    """A signed session value: officer, expiry and a fresh CSRF token."""
    data = {"o": officer_id, "e": int(time.time()) + SESSION_SECONDS, "c": secrets.token_urlsafe(24)}
    payload = base64.urlsafe_b64encode(json.dumps(data).encode())
    return f"{payload.decode()}.{_sign(secret, payload)}"


def read_cookie(secret: str, value: str | None) -> dict[str, object] | None:
    """The session data when the signature is right and it has not expired."""
    if not value or "." not in value:
        return None
    payload, signature = value.rsplit(".", 1)
    if not hmac.compare_digest(signature, _sign(secret, payload.encode())):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(payload.encode()))
    except ValueError:
        return None
    if not isinstance(data, dict) or int(data.get("e", 0)) < time.time():
        return None
    return data


def set_session(response: Response, secret: str, officer_id: int, secure: bool) -> None:
    """Log the officer in."""
    response.set_cookie(
        COOKIE,
        make_cookie(secret, officer_id),
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=secure,
        path="/admin",
    )


def current(request: Request) -> WebSession | None:
    """The logged-in officer, if any (inactive officers are logged out)."""
    secret = request.app.state.secret_key
    data = read_cookie(secret, request.cookies.get(COOKIE))
    if data is None:
        return None
    with Session(request.app.state.engine) as db:
        officer = db.get(Officer, int(str(data["o"])))
        if officer is None or not officer.active:
            return None
        return WebSession(view(officer), str(data["c"]))


def require(request: Request, roles: tuple[str, ...] = ("admin", "officer", "viewer")) -> WebSession:
    """The session, or a redirect to the login page; 403 for a role that may not do this."""
    session = current(request)
    if session is None:
        raise HTTPException(status_code=303, headers={"Location": "/admin/login"})
    if session.officer.role not in roles:
        raise HTTPException(status_code=403, detail="Tidak diizinkan")
    return session
