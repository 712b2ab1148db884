"""Logging in and out of the dashboard."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.clock import utcnow
from bot.officers.accounts import authenticate
from bot.storage.models import AuditLog
from webhook.admin.auth import COOKIE, LOGIN_COOKIE, require, set_session
from webhook.admin.csrf import check_csrf, new_login_token, set_login_token
from webhook.admin.rendering import _, open_db, page

router = APIRouter(prefix="/admin")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    """The login page (with a CSRF token bound to a cookie)."""
    token = new_login_token()
    response = page(request, "login", None, token=token, error=None)
    set_login_token(response, token)
    return response


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf: Annotated[str, Form()],
) -> Response:
    """Check the password (five failures lock the account for fifteen minutes)."""
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    if not cookie or not secrets.compare_digest(cookie, csrf):
        raise HTTPException(status_code=403, detail="Formulir kedaluwarsa. Muat ulang halaman.")
    with open_db(request) as db:
        officer = authenticate(db, username.strip(), password, utcnow())
        if officer is not None:
            db.add(AuditLog(actor=f"officer:{officer.id}", action="login", target_type="officer", target_id=officer.id))
        db.commit()
    if officer is None or officer.id is None:
        token = new_login_token()
        error = _("Wrong username or password, or the account is locked for a while.")
        response = page(request, "login", None, token=token, error=error)
        response.status_code = 401
        set_login_token(response, token)
        return response
    response = RedirectResponse("/admin", status_code=303)
    set_session(
        response, request.app.state.secret_key, officer.id, request.app.state.settings.environment != "development"
    )
    response.delete_cookie(LOGIN_COOKIE, path="/admin")
    return response


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()]) -> Response:
    """End the session."""
    check_csrf(require(request), csrf)
    response = RedirectResponse("/admin/login", status_code=303)
    response.delete_cookie(COOKIE, path="/admin")
    return response
