"""CSRF tokens: every form carries its session's token (the login form one bound to a cookie)."""

from __future__ import annotations

import hmac
import secrets

from fastapi import HTTPException, Response

from conversations.i18n import N_
from webhook.admin.auth import LOGIN_COOKIE, WebSession


def check_csrf(session: WebSession, token: str | None) -> None:
    """Refuse a form that does not carry this session's token."""
    if not token or not hmac.compare_digest(token, session.csrf):
        raise HTTPException(status_code=403, detail=N_("This form has expired. Reload the page and try again."))


def set_login_token(response: Response, token: str, secure: bool) -> None:
    """Bind the login form's token to a short-lived cookie."""
    response.set_cookie(
        LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/admin", max_age=3600
    )


def new_login_token() -> str:
    """A fresh token for the login form."""
    return secrets.token_urlsafe(24)
