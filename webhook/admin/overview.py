"""The overview: permits per kecamatan and commodity, the monthly trend, open help requests."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func
from sqlmodel import select

from bot.clock import utcnow
from bot.officers.rekap import PERMITS, rekap, trend
from bot.storage.models import HelpRequest
from webhook.admin.auth import require
from webhook.admin.rendering import open_db, page

router = APIRouter(prefix="/admin")


@router.get("", response_class=HTMLResponse)
def overview(request: Request) -> HTMLResponse:
    """Rekap per kecamatan and per commodity, with bars, and what needs attention."""
    session = require(request)
    scope = session.officer.kecamatan_scope
    with open_db(request) as db:
        by_kecamatan = rekap(db, "kecamatan", scope)
        by_commodity = rekap(db, "commodity", scope)
        months = trend(db, utcnow(), scope)
        open_help = db.exec(select(func.count()).select_from(HelpRequest).where(HelpRequest.status == "open")).one()
    return page(
        request,
        "overview",
        session,
        kec=by_kecamatan,
        com=by_commodity,
        permits=PERMITS,
        open_help=open_help,
        months=months,
    )
