"""Officer accounts and the audit log (admins only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, select

from bot.clock import utcnow
from bot.officers.accounts import ROLES, OfficerError, create_officer, issue_link_code, update_officer
from bot.officers.areas import kecamatan_of, officer_regions, several_in_view, whole_regencies
from bot.storage.models import AuditLog, Officer
from conversations.i18n import N_
from webhook.admin import history
from webhook.admin.auth import WebSession
from webhook.admin.csrf import check_csrf
from webhook.admin.policy import signed_in
from webhook.admin.rendering import Id, _, not_found, open_db, page
from webhook.admin.scope import kecamatan_options, regency_options
from webhook.admin.segment_words import Places

router = APIRouter(prefix="/admin")


@router.get("/audit", response_class=HTMLResponse)
def audit(request: Request) -> HTMLResponse:
    """The audit log (admins)."""
    session = signed_in(request)
    with open_db(request) as db:
        rows = db.exec(select(AuditLog).order_by(AuditLog.id.desc()).limit(300)).all()  # type: ignore[union-attr]
        entries = history.events(db, rows)  # who by name, what in words, the detail as a short text
    return page(request, "audit", session, rows=entries)


@router.get("/petugas", response_class=HTMLResponse)
def officers(request: Request) -> HTMLResponse:
    """Officer accounts (admins)."""
    return _officers_page(request, signed_in(request), code=None, error=None)


def _officers_page(request: Request, session: WebSession, code: str | None, error: str | None) -> HTMLResponse:
    with open_db(request) as db:
        rows = db.exec(select(Officer).order_by(Officer.id)).all()
        options = kecamatan_options(db, session)
        regencies = regency_options(db, session)
        regions = officer_regions(db)
    # Where regencies are offered, the change form shows a regency covered whole as that regency, and only the other
    # kecamatan one by one (elsewhere every kecamatan of the scope stays selected, or saving would drop them).
    whole = {o.id: [r.code for r in whole_regencies(regions, o.kecamatan_scope or ()) if regencies] for o in rows}
    singles = {o.id: set(o.kecamatan_scope or ()) - set(kecamatan_of(regions, whole[o.id])) for o in rows}
    places = Places(regions, several_in_view(regions, None))
    scopes = {o.id: ", ".join(places.area(o.kecamatan_scope)) if o.kecamatan_scope else "" for o in rows}
    return page(
        request,
        "officers",
        session,
        rows=rows,
        roles=ROLES,
        options=options,
        regencies=regencies,
        whole=whole,
        singles=singles,
        scopes=scopes,
        code=code,
        error=error,
    )


def _problem(error: OfficerError) -> str:
    """What went wrong with an officer form, in the officer's language (the accounts module speaks English, for
    the CLI)."""
    text = str(error)
    if text.startswith("username "):
        return _(N_("That username is taken. Choose another one."))
    if "password" in text:
        return _(N_("A password needs at least 10 characters."))
    if text.startswith("role "):
        return _(N_("Choose one of the roles offered."))
    if text.startswith("unknown kabupaten"):
        return _(N_("Choose the kabupaten/kota from the list."))
    return text


def scope_chosen(db: Session, kecamatan: list[str] | None, kabupaten: list[str] | None) -> list[str] | None:
    """The kecamatan codes a form chose: those picked one by one, and every kecamatan of the regencies picked."""
    if not kabupaten:
        return kecamatan or None
    regions = officer_regions(db)
    unknown = [code for code in kabupaten if not kecamatan_of(regions, [code])]
    if unknown:  # never read as "no scope": that would be the whole deployment
        raise OfficerError(f"unknown kabupaten/kota {', '.join(unknown)}")
    return list(dict.fromkeys([*kecamatan_of(regions, kabupaten), *(kecamatan or ())]))


@router.post("/petugas", response_class=HTMLResponse)
def officer_add(
    request: Request,
    csrf: Annotated[str, Form()],
    username: Annotated[str, Form(min_length=3, max_length=60)],
    name: Annotated[str, Form(min_length=2, max_length=200)],
    role: Annotated[str, Form()],
    password: Annotated[str, Form()] = "",
    kecamatan: Annotated[list[str] | None, Form()] = None,
    kabupaten: Annotated[list[str] | None, Form()] = None,
) -> HTMLResponse:
    """Create an officer and show the code to link their chat account."""
    session = signed_in(request)
    check_csrf(session, csrf)
    code, error = None, None
    with open_db(request) as db:
        try:
            officer = create_officer(
                db,
                username.strip(),
                name.strip(),
                role,
                scope_chosen(db, kecamatan, kabupaten),
                password or None,
                f"officer:{session.officer.id}",
                utcnow(),
            )
            code = issue_link_code(db, officer, utcnow())
            db.commit()
        except OfficerError as problem:
            db.rollback()
            error = _problem(problem)
    return _officers_page(request, session, code=code, error=error)


@router.post("/petugas/{officer_id}", response_class=HTMLResponse)
def officer_change(
    request: Request,
    officer_id: Id,
    csrf: Annotated[str, Form()],
    role: Annotated[str, Form()],
    password: Annotated[str, Form(max_length=200)] = "",
    kecamatan: Annotated[list[str] | None, Form()] = None,
    kabupaten: Annotated[list[str] | None, Form()] = None,
    active: Annotated[str, Form()] = "",
) -> Response:
    """Change an officer's role, kecamatan, password or activity: their open sessions end at once."""
    session = signed_in(request)
    check_csrf(session, csrf)
    error = None
    with open_db(request) as db:
        officer = db.get(Officer, officer_id)
        if officer is None:
            raise not_found()
        if officer.id == session.officer.id and (role != officer.role or not active):
            error = _("You cannot change your own role or switch off your own account. Ask another admin.")
        else:
            try:
                update_officer(
                    db,
                    officer,
                    f"officer:{session.officer.id}",
                    utcnow(),
                    role=role,
                    kecamatan_scope=scope_chosen(db, kecamatan, kabupaten),
                    password=password or None,
                    active=bool(active),
                )
                db.commit()
            except OfficerError as problem:
                db.rollback()
                error = _problem(problem)
    if error is None and officer_id == session.officer.id:  # their own password: this session ended too
        return RedirectResponse("/admin/login", status_code=303)
    return _officers_page(request, session, code=None, error=error)
