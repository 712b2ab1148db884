"""Officer sessions for the web pages: the session cookie, who is logged in, and logging in and out."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request, Response

from bot.clock import utcnow
from bot.officers.accounts import OfficerView, view
from bot.officers.sessions import ABSOLUTE_TIMEOUT, end_session, find_session, open_session
from webhook.admin.rendering import open_db

COOKIE = "lapor_sesi"
LOGIN_COOKIE = "lapor_masuk"


@dataclass(frozen=True)
class WebSession:
    """A logged-in officer and the CSRF token their forms must carry."""

    officer: OfficerView
    csrf: str


def secure_cookies(request: Request) -> bool:
    """Cookies are sent over HTTPS only, except in development."""
    return request.app.state.settings.environment != "development"


def start_session(request: Request, response: Response, officer_id: int) -> None:
    """Log the officer in with a new session (the previous one of this browser, if any, ends)."""
    with open_db(request) as db:
        end_session(db, request.cookies.get(COOKIE))
        token = open_session(db, officer_id, utcnow())
        db.commit()
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(ABSOLUTE_TIMEOUT.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
        path="/admin",
    )


def stop_session(request: Request, response: Response) -> None:
    """Log out: the session's row is deleted, so a copied cookie stops working too."""
    with open_db(request) as db:
        end_session(db, request.cookies.get(COOKIE))
        db.commit()
    response.delete_cookie(COOKIE, path="/admin")


def current(request: Request) -> WebSession | None:
    """The logged-in officer, if any (ended, idle, expired sessions and inactive officers are logged out)."""
    cached = getattr(request.state, "web_session", None)
    if cached is not None:
        return cached
    with open_db(request) as db:
        found = find_session(db, request.cookies.get(COOKIE), utcnow())
        db.commit()
    if found is None:
        return None
    row, officer = found
    session = WebSession(view(officer), row.csrf)
    request.state.web_session = session
    return session
