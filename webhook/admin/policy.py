"""Who may use each dashboard route, and on which objects: one table, enforced for every route in one place.

Every route under /admin has an entry here (a test walks the application's routes and fails on one without). The
check runs as a dependency of the dashboard's router, before the route's own code: not logged in goes to the login
page, a role that may not use the route gets 403, and an object outside the officer's kecamatan scope (or one that
does not exist, or whose owner withdrew consent) gets 404, so that its existence is not revealed either.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import HTTPException, Request
from fastapi.routing import APIRoute
from sqlmodel import Session, select

from bot.storage.models import Broadcast, Business, HelpRequest, Owner
from bot.storage.segments import Segment, regency_kecamatan
from conversations.i18n import N_
from webhook.admin.auth import WebSession, current
from webhook.admin.rendering import MAX_INT, not_found, open_db
from webhook.admin.scope import in_scope

ALL = ("admin", "officer", "viewer")
SENDERS = ("admin", "officer")  # roles that may send broadcasts, create trainings, close help requests
ADMINS = ("admin",)


def _visible_owner(db: Session, owner_id: int) -> bool:
    owner = db.get(Owner, owner_id)
    return owner is not None and owner.consent_status == "given" and owner.deleted_at is None


def business_in_scope(db: Session, business_id: int, session: WebSession) -> bool:
    """A business of a consenting owner in the officer's kecamatan."""
    business = db.get(Business, business_id)
    return business is not None and in_scope(session, business.kecamatan_code) and _visible_owner(db, business.owner_id)


def broadcast_in_scope(db: Session, broadcast_id: int, session: WebSession) -> bool:
    """A broadcast whose recipients all lie in the officer's kecamatan (a whole regency only if every kecamatan of
    it does)."""
    broadcast = db.get(Broadcast, broadcast_id)
    if broadcast is None:
        return False
    scope = session.officer.kecamatan_scope
    return Segment.from_json(broadcast.segment).within(scope, regency_kecamatan(db) if scope is not None else None)


def help_request_in_scope(db: Session, request_id: int, session: WebSession) -> bool:
    """A help request of a consenting owner whose business is in the officer's kecamatan."""
    item = db.get(HelpRequest, request_id)
    if item is None:
        return False
    business = db.exec(select(Business).where(Business.owner_id == item.owner_id)).first()
    return business is not None and business_in_scope(db, business.id or 0, session)


ObjectCheck = Callable[[Session, int, WebSession], bool]


@dataclass(frozen=True)
class Rule:
    """The roles that may use a route and, for a route about one object, the path parameter and its scope check."""

    roles: tuple[str, ...] | None  # None: public (the login page)
    param: str | None = None
    check: ObjectCheck | None = None


PUBLIC = Rule(None)
POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/admin/login"): PUBLIC,
    ("POST", "/admin/login"): PUBLIC,
    ("POST", "/admin/logout"): Rule(ALL),
    ("GET", "/admin/bahasa"): PUBLIC,  # the language of the pages, before login too
    ("GET", "/admin"): Rule(ALL),
    ("GET", "/admin/cetak"): Rule(ALL),  # the overview's rekap, printable
    ("GET", "/admin/usaha"): Rule(ALL),
    ("GET", "/admin/usaha/{business_id}"): Rule(ALL, "business_id", business_in_scope),
    ("GET", "/admin/usaha/{business_id}/foto"): Rule(ALL, "business_id", business_in_scope),
    ("GET", "/admin/ekspor"): Rule(ALL),
    ("GET", "/admin/siaran"): Rule(ALL),
    ("POST", "/admin/siaran/pratinjau"): Rule(SENDERS),
    ("POST", "/admin/siaran"): Rule(SENDERS),
    ("GET", "/admin/siaran/{broadcast_id}"): Rule(ALL, "broadcast_id", broadcast_in_scope),
    ("POST", "/admin/siaran/{broadcast_id}/{action}"): Rule(SENDERS, "broadcast_id", broadcast_in_scope),
    ("GET", "/admin/pelatihan"): Rule(ALL),
    ("POST", "/admin/pelatihan"): Rule(SENDERS),
    ("GET", "/admin/bantuan"): Rule(ALL),
    ("POST", "/admin/bantuan/{request_id}/selesai"): Rule(SENDERS, "request_id", help_request_in_scope),
    ("GET", "/admin/audit"): Rule(ADMINS),
    ("GET", "/admin/petugas"): Rule(ADMINS),
    ("POST", "/admin/petugas"): Rule(ADMINS),
    ("POST", "/admin/petugas/{officer_id}"): Rule(ADMINS),
    ("GET", "/admin/simulator"): Rule(SENDERS),
    ("POST", "/admin/simulator"): Rule(SENDERS),
}


def rule_for(request: Request) -> Rule | None:
    """The policy entry of the route that matched this request."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return None
    return POLICY.get((request.method if request.method != "HEAD" else "GET", route.path))


def authorize(request: Request) -> None:
    """Enforce the policy of the matched route (a route missing from the table is refused, never open)."""
    rule = rule_for(request)
    if rule is None:
        raise HTTPException(status_code=403, detail=N_("Your role does not allow this."))
    if rule.roles is None:
        return
    session = current(request)
    if session is None:
        raise HTTPException(status_code=303, headers={"Location": "/admin/login"})
    if session.officer.role not in rule.roles:
        raise HTTPException(status_code=403, detail=N_("Your role does not allow this."))
    if rule.param is not None and rule.check is not None:
        raw = str(request.path_params.get(rule.param, ""))
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_INT:
            raise not_found()
        with open_db(request) as db:
            if not rule.check(db, int(raw), session):
                raise not_found()


def signed_in(request: Request) -> WebSession:
    """The session that `authorize` let through (for routes that are not public)."""
    session = current(request)
    if session is None:  # only reachable for a public route that asks anyway
        raise HTTPException(status_code=303, headers={"Location": "/admin/login"})
    return session
