"""The overview: the head of office's questions at a glance, permits per kecamatan and commodity, the monthly trend,
open help requests; and the same rekap printable for a meeting."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func
from sqlmodel import Session, select

from bot.clock import utcnow
from bot.officers.areas import officer_regions, several_in_view
from bot.officers.rekap import PERMITS, TrendRow, rekap, trend
from bot.storage.models import Business, HelpRequest, Owner
from conversations.officer import PERMIT_NAMES
from webhook.admin import history  # noqa: F401  (month_word and the other words of the page)
from webhook.admin.policy import signed_in
from webhook.admin.rendering import _, open_db, page

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


@dataclass(frozen=True)
class Change:
    """One line of "since last month": this month so far against the whole of last month."""

    what: str
    this_month: int
    last_month: int


def changes(months: list[TrendRow]) -> list[Change]:
    """New registrations and permits newly issued, this month and last (`trend` gives the latest month first)."""
    if len(months) < 2:
        return []
    now, before = months[0], months[1]
    found = [Change(_("New registrations"), now.registered, before.registered)]
    found += [
        Change(_("{permit} newly issued", permit=PERMIT_NAMES[p]), now.issued[p], before.issued[p]) for p in PERMITS
    ]
    return found


def _overview(request: Request, printing: bool) -> HTMLResponse:
    session = signed_in(request)
    scope = session.officer.kecamatan_scope
    now = utcnow()
    with open_db(request) as db:
        by_kabupaten = rekap(db, "kabupaten", scope) if several_in_view(officer_regions(db), scope) else None
        by_kecamatan = rekap(db, "kecamatan", scope)
        by_commodity = rekap(db, "commodity", scope)
        months = trend(db, now, scope)
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
        changes=changes(months),
        printing=printing,
        now=now,
        office=request.app.state.settings.office_name,
    )


@router.get("", response_class=HTMLResponse)
def overview(request: Request) -> HTMLResponse:
    """At a glance: owners registered, each permit had / in progress / lacking / not needed, open help requests and
    what changed since last month; then the rekap per regency (where the officer sees several), kecamatan and
    commodity, with bars."""
    return _overview(request, printing=False)


@router.get("/cetak", response_class=HTMLResponse)
def overview_print(request: Request) -> HTMLResponse:
    """The same rekap for a meeting: on paper (or as PDF), with the office, the time and no menu, bars or links."""
    return _overview(request, printing=True)
