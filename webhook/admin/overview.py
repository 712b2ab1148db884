"""The overview: permits per kecamatan and commodity, the monthly trend, open help requests."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func
from sqlmodel import Session, select

from bot.clock import utcnow
from bot.officers.areas import officer_regions, several_in_view
from bot.officers.rekap import PERMITS, rekap, trend
from bot.storage.models import Business, HelpRequest, Owner
from webhook.admin.policy import signed_in
from webhook.admin.rendering import open_db, page

router = APIRouter(prefix="/admin")


def open_help_requests(db: Session, scope: tuple[str, ...] | None) -> int:
    """Open help requests of consenting owners in the scope (the same rows the help page lists)."""
    query = (
        select(func.count())
        .select_from(HelpRequest)
        .join(Owner, Owner.id == HelpRequest.owner_id)
        .join(Business, Business.owner_id == Owner.id)
        .where(HelpRequest.status == "open", Owner.consent_status == "given", Owner.deleted_at.is_(None))  # type: ignore[union-attr]
    )
    if scope is not None:
        query = query.where(Business.kecamatan_code.in_(scope))  # type: ignore[union-attr]
    return int(db.exec(query).one())


@router.get("", response_class=HTMLResponse)
def overview(request: Request) -> HTMLResponse:
    """Rekap per regency (where the officer sees several), kecamatan and commodity, with bars, and what needs
    attention."""
    session = signed_in(request)
    scope = session.officer.kecamatan_scope
    with open_db(request) as db:
        by_kabupaten = rekap(db, "kabupaten", scope) if several_in_view(officer_regions(db), scope) else None
        by_kecamatan = rekap(db, "kecamatan", scope)
        by_commodity = rekap(db, "commodity", scope)
        months = trend(db, utcnow(), scope)
        open_help = open_help_requests(db, scope)
    return page(
        request,
        "overview",
        session,
        kab=by_kabupaten,
        kec=by_kecamatan,
        com=by_commodity,
        permits=PERMITS,
        open_help=open_help,
        months=months,
    )
