"""Officer accounts and the audit log (admins only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from sqlmodel import select

from bot.clock import utcnow
from bot.officers.accounts import ROLES, OfficerError, create_officer, issue_link_code
from bot.storage.models import AuditLog, Officer
from webhook.admin.auth import WebSession, require
from webhook.admin.csrf import check_csrf
from webhook.admin.rendering import open_db, page
from webhook.admin.scope import kecamatan_options

router = APIRouter(prefix="/admin")


@router.get("/audit", response_class=HTMLResponse)
def audit(request: Request) -> HTMLResponse:
    """The audit log (admins)."""
    session = require(request, ("admin",))
    with open_db(request) as db:
        rows = db.exec(select(AuditLog).order_by(AuditLog.id.desc()).limit(300)).all()  # type: ignore[union-attr]
    return page(request, "audit", session, rows=rows)


@router.get("/petugas", response_class=HTMLResponse)
def officers(request: Request) -> HTMLResponse:
    """Officer accounts (admins)."""
    return _officers_page(request, require(request, ("admin",)), code=None, error=None)


def _officers_page(request: Request, session: WebSession, code: str | None, error: str | None) -> HTMLResponse:
    with open_db(request) as db:
        rows = db.exec(select(Officer).order_by(Officer.id)).all()
        options = kecamatan_options(db, session)
    return page(request, "officers", session, rows=rows, roles=ROLES, options=options, code=code, error=error)


@router.post("/petugas", response_class=HTMLResponse)
def officer_add(
    request: Request,
    csrf: Annotated[str, Form()],
    username: Annotated[str, Form(min_length=3, max_length=60)],
    name: Annotated[str, Form(min_length=2, max_length=200)],
    role: Annotated[str, Form()],
    password: Annotated[str, Form()] = "",
    kecamatan: Annotated[list[str] | None, Form()] = None,
) -> HTMLResponse:
    """Create an officer and show the code to link their chat account."""
    session = require(request, ("admin",))
    check_csrf(session, csrf)
    code, error = None, None
    with open_db(request) as db:
        try:
            officer = create_officer(
                db,
                username.strip(),
                name.strip(),
                role,
                kecamatan or None,
                password or None,
                f"officer:{session.officer.id}",
                utcnow(),
            )
            code = issue_link_code(db, officer, utcnow())
            db.commit()
        except OfficerError as problem:
            db.rollback()
            error = str(problem)
    return _officers_page(request, session, code=code, error=error)
