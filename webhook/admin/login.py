"""Logging in and out of the dashboard."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.clock import utcnow
from bot.officers.accounts import authenticate
from bot.storage.models import AuditLog
from conversations.i18n import N_
from webhook.admin.auth import LOGIN_COOKIE, secure_cookies, start_session, stop_session
from webhook.admin.csrf import check_csrf, new_login_token, set_login_token
from webhook.admin.policy import signed_in
from webhook.admin.rendering import _, open_db, page

router = APIRouter(prefix="/admin")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    """The login page (with a CSRF token bound to a cookie)."""
    token = new_login_token()
    response = page(request, "login", None, token=token, error=None)
    set_login_token(response, token, secure_cookies(request))
    return response


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf: Annotated[str, Form()],
) -> Response:
    """Check the password (the lockout rule is in `bot.officers.accounts.is_locked_out`)."""
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    if not cookie or not secrets.compare_digest(cookie, csrf):
        raise HTTPException(status_code=403, detail=N_("This form has expired. Reload the page and try again."))
    with open_db(request) as db:
        officer = authenticate(db, username.strip(), password, client_address(request), utcnow())
        if officer is not None:
            db.add(AuditLog(actor=f"officer:{officer.id}", action="login", target_type="officer", target_id=officer.id))
        db.commit()
    if officer is None or officer.id is None:
        token = new_login_token()
        error = _("Wrong username or password, or the account is locked for a while.")
        response = page(request, "login", None, token=token, error=error)
        response.status_code = 401
        set_login_token(response, token, secure_cookies(request))
        return response
    response = RedirectResponse("/admin", status_code=303)
    start_session(request, response, officer.id)
    response.delete_cookie(LOGIN_COOKIE, path="/admin", secure=secure_cookies(request), httponly=True)
    return response


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()]) -> Response:
    """End the session."""
    check_csrf(signed_in(request), csrf)
    response = RedirectResponse("/admin/login", status_code=303)
    stop_session(request, response)
    return response


def client_address(request: Request) -> str:
    """The client's address as the server saw it (behind a proxy, uvicorn's --forwarded-allow-ips sets it)."""
    return request.client.host if request.client else "unknown"
