"""Businesses: the filtered list, one business with its photos, and the export of what is on screen."""

from __future__ import annotations

import asyncio
import io
from datetime import datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.officers.areas import officer_regions, several_in_view
from bot.officers.export import business_query, write_export
from bot.officers.rekap import PERMITS
from bot.storage.media import PDF, kept_media_file, kept_media_type, media_type
from bot.storage.models import Business, Need, Owner, Permit, Product, Region
from conversations.flows.registration import COMMODITIES
from conversations.i18n import N_
from webhook.admin import history
from webhook.admin.policy import signed_in
from webhook.admin.rendering import MAX_INT, PAGE, Id, _, not_found, open_db, page, record_action
from webhook.admin.scope import kecamatan_options, regency_options, segment_in_scope

router = APIRouter(prefix="/admin")


MAX_SEARCH = 100  # a name or a phone number; a longer pattern only makes the database work (SQLite refuses 50k)


def search_text(q: str | None) -> str | None:
    """The search box's text as searched: trimmed, and cut at MAX_SEARCH characters."""
    return (q or "").strip()[:MAX_SEARCH] or None


@router.get("/usaha", response_class=HTMLResponse)
def businesses(
    request: Request,
    kecamatan: str | None = None,
    commodity: str | None = None,
    izin: str | None = None,
    q: str | None = None,
    p: Annotated[int, Query(ge=1, le=MAX_INT // PAGE)] = 1,
    kabupaten: str | None = None,
) -> HTMLResponse:
    """Businesses with filters and search (and their regency, where the officer sees several)."""
    session = signed_in(request)
    segment = segment_in_scope(kecamatan or None, commodity or None, izin or None, session, kabupaten=kabupaten)
    with open_db(request) as db:
        query = business_query(segment, search_text(q))
        total = db.exec(select(func.count()).select_from(query.subquery())).one()
        rows = db.exec(query.offset((p - 1) * PAGE).limit(PAGE)).all()
        permits = permit_summary(db, [business.id for business, _owner in rows if business.id is not None])
        regions = {r.code: r.name for r in db.exec(select(Region).where(Region.level == "kecamatan")).all()}
        options = kecamatan_options(db, session)
        regencies = regency_options(db, session)
    filters = {
        "kabupaten": kabupaten or "",
        "kecamatan": kecamatan or "",
        "commodity": commodity or "",
        "izin": izin or "",
        "q": q or "",
    }
    return page(
        request,
        "businesses",
        session,
        rows=rows,
        total=total,
        regions=regions,
        options=options,
        regencies=regencies,
        regency_names={r.code: r.name for r in regencies},
        filters=filters,
        commodities=[key for key, _label, _example in COMMODITIES],
        permits=permits,
        p=p,
        pages=max(1, (total + PAGE - 1) // PAGE),
    )


# A business's state for a permit it holds on several products: the most advanced one (as the rekap counts it);
# "tidak perlu" only when no product needs it.
_PROGRESS = ("tidak_perlu", "kedaluwarsa", "belum", "diurus", "terbit")


def permit_summary(db: Session, business_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """Per business on the page, each permit it reported and its state, in the overview's order (NIB first)."""
    best: dict[int, dict[str, str]] = {}
    if business_ids:
        for permit in db.exec(select(Permit).where(col(Permit.business_id).in_(business_ids))).all():
            mine = best.setdefault(permit.business_id, {})
            rank = _PROGRESS.index(permit.status) if permit.status in _PROGRESS else -1
            held = mine.get(permit.type)
            if held is None or rank > _PROGRESS.index(held):
                mine[permit.type] = permit.status if rank >= 0 else "belum"
    return {
        business: sorted(states.items(), key=lambda item: _permit_order(item[0])) for business, states in best.items()
    }


@router.get("/usaha/{business_id}", response_class=HTMLResponse)
def business_detail(request: Request, business_id: Id) -> HTMLResponse:
    """One business: owner, products, permits, needs, and the history of its reports (the policy has checked the
    business is in the officer's scope and its owner's consent stands)."""
    session = signed_in(request)
    with open_db(request) as db:
        business = db.get(Business, business_id)
        owner = db.get(Owner, business.owner_id) if business is not None else None
        assert business is not None and owner is not None
        products = db.exec(select(Product).where(Product.business_id == business.id).order_by(col(Product.id))).all()
        permits = db.exec(select(Permit).where(Permit.business_id == business.id)).all()
        needs = db.exec(select(Need).where(Need.business_id == business.id).order_by(Need.created_at.desc())).all()  # type: ignore[attr-defined]
        # Officers opening this page is history too: recorded first, so that this visit shows.
        record_action(db, session, "business_viewed", "business", business.id)
        db.commit()
        events = history.history(db, owner.id or 0, business.id or 0)
        # Only the business's own places: a national deployment's region table holds 90,000 rows.
        places = [code for code in (business.kecamatan_code, business.kelurahan_code) if code]
        regions = {r.code: r.name for r in db.exec(select(Region).where(col(Region.code).in_(places))).all()}
        areas = officer_regions(db)
        named = several_in_view(areas, session.officer.kecamatan_scope) and areas.get(business.regency_code)
        regency = named.name if named else ""  # "Kabupaten Lombok Timur", where the officer sees several
    # Permits in the order of the overview (NIB, P-IRT, Halal, BPOM, Merek), a product's under its name.
    product_names = {p.key: p.name or "-" for p in products}
    permits = sorted(permits, key=lambda p: (_permit_order(p.type), p.product_key != "", p.product_key))
    media_dir = Path(request.app.state.settings.media_dir)
    evidence_kinds = {p.evidence_photo: evidence_kind(media_dir, p.evidence_photo) for p in permits if p.evidence_photo}
    return page(
        request,
        "business",
        session,
        business=business,
        owner=owner,
        products=products,
        permits=permits,
        needs=needs,
        product_names=product_names,
        history=events,
        regions=regions,
        regency=regency,
        evidence_kinds=evidence_kinds,
    )


def evidence_kind(media_dir: Path, ref: str) -> str:
    """How the business page shows a permit's evidence: "document" (a PDF kept here: a link), "gone" (a console file
    the photo route will not serve: said so, rather than a broken picture), else "photo" (a thumbnail; a reference
    with no copy here, a Telegram photo not copied yet, is taken for the photo owners mostly send)."""
    path = kept_media_file(media_dir, ref)
    if path is None:
        return "gone" if ref.startswith("file:") else "photo"
    return "document" if kept_media_type(path) == PDF else "photo"


def _permit_order(kind: str) -> int:
    return PERMITS.index(kind) if kind in PERMITS else len(PERMITS)


# A PDF opens in the browser's own viewer, which the dashboard's policy (object-src 'none') would block in Chrome;
# its own policy lets the viewer show it and still runs no script of the page's and allows no framing.
PDF_HEADERS = {
    "Content-Disposition": "inline",
    "Content-Security-Policy": "default-src 'none'; object-src 'self'; style-src 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'",
}


def _photo_refs(request: Request, business_id: int) -> set[str | None]:
    """The photos kept for a business: its products' and its permits' evidence."""
    with open_db(request) as db:
        refs = {p.photo for p in db.exec(select(Product).where(Product.business_id == business_id)).all()}
        refs |= {p.evidence_photo for p in db.exec(select(Permit).where(Permit.business_id == business_id)).all()}
    return refs


@router.get("/usaha/{business_id}/foto")
async def business_photo(request: Request, business_id: Id, ref: str) -> Response:
    """A photo an owner sent (product or permit evidence), for officers who may see the business (the policy)."""
    # In a thread: on the event loop, a query waiting for a pool connection would hold up every other request.
    refs = await asyncio.to_thread(_photo_refs, request, business_id)
    if ref not in refs:
        raise not_found()
    platform, _sep, media_id = ref.partition(":")
    runtime = request.app.state.runtime
    # A copy kept in the media folder first (WhatsApp's and Telegram's copies, the console's photos; a "file:"
    # reference outside that folder is never served), else the platform's (a WhatsApp file not copied yet, after a
    # crash right after the step, is fetched and kept; a Telegram one downloaded).
    found = await asyncio.to_thread(kept_media_file, Path(request.app.state.settings.media_dir), ref)
    if found is None and platform == "whatsapp" and runtime.whatsapp is not None:
        found = await asyncio.to_thread(runtime.whatsapp.fetch_media, media_id)
    data = await asyncio.to_thread(found.read_bytes) if found is not None else None
    if data is None and platform == "telegram" and runtime.telegram is not None:
        data = await runtime.telegram.download(ref)
    if data is not None:
        kind = media_type(data[:12])
        return Response(data, media_type=kind, headers=PDF_HEADERS if kind == PDF else None)
    raise HTTPException(status_code=404, detail=N_("The photo is not available any more."))


@router.get("/ekspor")
def export(
    request: Request,
    format: str = "csv",  # noqa: A002  (the query parameter officers see in the link)
    kecamatan: str | None = None,
    commodity: str | None = None,
    izin: str | None = None,
    q: str | None = None,
    kabupaten: str | None = None,
) -> Response:
    """Download the businesses on screen as CSV or XLSX."""
    session = signed_in(request)
    if format not in ("csv", "xlsx"):
        raise HTTPException(status_code=400, detail=N_("Unknown format: choose CSV or XLSX."))
    segment = segment_in_scope(kecamatan or None, commodity or None, izin or None, session, kabupaten=kabupaten)
    buffer = io.BytesIO()
    timezone = request.app.state.settings.default_timezone  # the deployment's: times in the file and its name
    with open_db(request) as db:
        count = write_export(db, buffer, format, timezone, segment, search_text(q), locale=_.locale)
        record_action(db, session, "export", "business", None, rows=count, format=format, **segment.to_json())
        db.commit()
    media = "text/csv" if format == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    stamp = datetime.now(ZoneInfo(timezone)).strftime("%Y%m%d-%H%M")
    headers = {"Content-Disposition": f'attachment; filename="lapor-ikm-{stamp}.{format}"'}
    buffer.seek(0)
    return StreamingResponse(buffer, media_type=media, headers=headers)
