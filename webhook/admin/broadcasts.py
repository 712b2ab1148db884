"""Broadcasts: the list, the form with its exact preview, sending (now or later), progress, cancel, resend."""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func
from sqlmodel import select

from bot.clock import utcnow
from bot.officers.broadcasts import (
    cancel_broadcast,
    create_broadcast,
    current_status,
    preview,
    progress,
    resend_failed,
)
from bot.storage.models import Broadcast, OutboxMessage, Owner, Training
from bot.storage.segments import Segment, regency_kecamatan
from conversations.i18n import N_
from webhook.admin.auth import WebSession
from webhook.admin.csrf import check_csrf
from webhook.admin.policy import signed_in
from webhook.admin.rendering import Id, not_found, open_db, page
from webhook.admin.scope import kecamatan_options, regency_options, segment_in_scope
from webhook.admin.segment_words import (
    DELIVERY_ORDER,
    SegmentWords,
    commodity_options,
    need_options,
    officer_names,
    permit_filter_options,
    zone,
)

router = APIRouter(prefix="/admin")


@router.get("/siaran", response_class=HTMLResponse)
def broadcasts(request: Request) -> HTMLResponse:
    """Recent broadcasts and the form for a new one."""
    return _broadcasts_page(request, signed_in(request), preview=None)


def _broadcasts_page(request: Request, session: WebSession, preview: dict[str, Any] | None) -> HTMLResponse:
    """The broadcasts page: recent ones, and the new-broadcast form or its preview."""
    with open_db(request) as db:
        scope = session.officer.kecamatan_scope
        recent = db.exec(select(Broadcast).order_by(Broadcast.id.desc()).limit(200)).all()  # type: ignore[union-attr]
        regencies = regency_kecamatan(db) if scope is not None else None
        rows = [b for b in recent if Segment.from_json(b.segment).within(scope, regencies)][:50]
        states = current_status(db, rows, utcnow())
        options = kecamatan_options(db, session)
        regency_choices = regency_options(db, session)
        trainings = db.exec(select(Training).order_by(Training.starts_at.desc()).limit(30)).all()  # type: ignore[attr-defined]
        said = SegmentWords.load(db, scope)
        audiences = {b.id: said.line(b.segment) for b in rows}
        authors = officer_names(db, [b.officer_id for b in rows])
    return page(
        request,
        "broadcasts",
        session,
        rows=rows,
        states=states,
        audiences=audiences,
        authors=authors,
        options=options,
        regencies=regency_choices,
        commodities=commodity_options(),
        needs=need_options(),
        permits=permit_filter_options(),
        preview=preview,
        trainings=trainings,
        zone=zone(),
    )


LATEST_SCHEDULE = timedelta(days=366)  # a broadcast set for 9999 is a typing slip, not a plan
_PHOTO_NAME = re.compile(r"^[0-9a-f]{32}\.(?:jpg|png)$")
MAX_PHOTO_BYTES = 5_000_000


def _save_photo(request: Request, upload: UploadFile | None) -> str:
    """Keep an uploaded JPEG/PNG for a broadcast; returns its file name ("" when none was sent)."""
    if upload is None or not upload.filename:
        return ""
    data = upload.file.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        raise HTTPException(status_code=413, detail=N_("The photo is too large (5 MB at most)."))
    if data[:3] == b"\xff\xd8\xff":
        suffix = ".jpg"
    elif data[:8] == b"\x89PNG\r\n\x1a\n":
        suffix = ".png"
    else:
        raise HTTPException(status_code=400, detail=N_("The photo must be a JPG or PNG."))
    folder = Path(request.app.state.settings.media_dir) / "broadcast"
    folder.mkdir(parents=True, exist_ok=True)
    name = uuid.uuid4().hex + suffix
    (folder / name).write_bytes(data)
    return name


def _photo_reference(request: Request, name: str) -> str | None:
    """The media reference of a previously uploaded broadcast photo (names are checked: no paths)."""
    if not name:
        return None
    if not _PHOTO_NAME.match(name):
        raise HTTPException(status_code=400, detail=N_("Unknown photo. Upload it again."))
    path = Path(request.app.state.settings.media_dir) / "broadcast" / name
    if not path.exists():
        raise HTTPException(status_code=400, detail=N_("Unknown photo. Upload it again."))
    return f"file:{path}"


@dataclass(frozen=True)
class BroadcastFields:
    """The broadcast form's text and segment filters (the preview and the send route both read them)."""

    text: str
    kecamatan: str
    commodity: str
    izin: str
    kebutuhan: str
    pelatihan: str
    kabupaten: str = ""

    def segment(self, session: WebSession) -> Segment:
        """The recipients these filters choose, within the officer's scope."""
        return segment_in_scope(
            self.kecamatan or None,
            self.commodity or None,
            self.izin or None,
            session,
            self.kebutuhan,
            self.pelatihan,
            self.kabupaten or None,
        )


def broadcast_fields(
    text: Annotated[str, Form(min_length=5, max_length=1000)],
    kecamatan: Annotated[str, Form()] = "",
    commodity: Annotated[str, Form()] = "",
    izin: Annotated[str, Form()] = "",
    kebutuhan: Annotated[str, Form()] = "",
    pelatihan: Annotated[str, Form()] = "",
    kabupaten: Annotated[str, Form()] = "",
) -> BroadcastFields:
    """Read the broadcast form's fields."""
    return BroadcastFields(text, kecamatan, commodity, izin, kebutuhan, pelatihan, kabupaten)


@router.post("/siaran/pratinjau", response_class=HTMLResponse)
def broadcast_preview(
    request: Request,
    csrf: Annotated[str, Form()],
    fields: Annotated[BroadcastFields, Depends(broadcast_fields)],
    photo: Annotated[UploadFile | None, File()] = None,
) -> HTMLResponse:
    """The exact recipient count and a sample, before sending."""
    session = signed_in(request)
    check_csrf(session, csrf)
    photo_name = _save_photo(request, photo)
    segment = fields.segment(session)
    with open_db(request) as db:
        audience = preview(db, segment, None)
        sample = [db.get(Owner, i) for i in audience.sample]
        filters = SegmentWords.load(db, session.officer.kecamatan_scope).parts(segment)
    form = {**asdict(fields), "photo": photo_name}  # the preview page sends these back with "Kirim"
    shown = {
        "count": audience.reachable,
        "unreachable": audience.unreachable,
        "sample": sample,
        "form": form,
        "filters": filters,
    }
    return _broadcasts_page(request, session, shown)


@router.post("/siaran")
def broadcast_send(
    request: Request,
    csrf: Annotated[str, Form()],
    fields: Annotated[BroadcastFields, Depends(broadcast_fields)],
    when: Annotated[str, Form()] = "",
    photo: Annotated[str, Form()] = "",
) -> Response:
    """Queue the broadcast (now, or at a chosen local time), with its photo if one was uploaded."""
    session = signed_in(request)
    check_csrf(session, csrf)
    photo_reference = _photo_reference(request, photo)
    segment = fields.segment(session)
    settings = request.app.state.settings
    now = utcnow()
    send_at = now
    if when:
        try:
            send_at = max(now, datetime.fromisoformat(when).replace(tzinfo=ZoneInfo(settings.default_timezone)))
        except ValueError as error:
            raise HTTPException(status_code=400, detail=N_("That date and time could not be read.")) from error
        if send_at > now + LATEST_SCHEDULE:
            raise HTTPException(status_code=400, detail=N_("Choose a time within the coming year."))
    with open_db(request) as db:
        broadcast = create_broadcast(
            db,
            session.officer.id,
            settings.office_name,
            fields.text,
            segment,
            None,
            send_at,
            now,
            photo=photo_reference,
        )
        db.commit()
    request.app.state.runtime.sender.wake.set()
    return RedirectResponse(f"/admin/siaran/{broadcast.id}", status_code=303)


@router.get("/siaran/{broadcast_id}", response_class=HTMLResponse)
def broadcast_detail(request: Request, broadcast_id: Id) -> HTMLResponse:
    """Progress per status."""
    session = signed_in(request)
    with open_db(request) as db:
        broadcast = db.get(Broadcast, broadcast_id)
        if broadcast is None:
            raise not_found()
        counts = progress(db, broadcast_id)
        state = current_status(db, [broadcast], utcnow())[broadcast_id]
        filters = SegmentWords.load(db, session.officer.kecamatan_scope).parts(broadcast.segment)
        author = officer_names(db, [broadcast.officer_id]).get(broadcast.officer_id or 0)
        last_sent = db.exec(
            select(func.max(OutboxMessage.sent_at)).where(OutboxMessage.broadcast_id == broadcast_id)
        ).one()
    steps = [(code, counts.get(code, 0)) for code in DELIVERY_ORDER]
    steps += [(code, n) for code, n in sorted(counts.items()) if code not in DELIVERY_ORDER]  # a newer state: "-"
    return page(
        request,
        "broadcast",
        session,
        broadcast=broadcast,
        counts=counts,
        steps=steps,
        state=state,
        filters=filters,
        author=author,
        last_sent=last_sent,
    )


@router.post("/siaran/{broadcast_id}/{action}")
def broadcast_action(request: Request, broadcast_id: Id, action: str, csrf: Annotated[str, Form()]) -> Response:
    """Cancel a broadcast, or resend its failed messages."""
    session = signed_in(request)
    check_csrf(session, csrf)
    with open_db(request) as db:
        broadcast = db.get(Broadcast, broadcast_id)
        assert broadcast is not None  # the policy checked it
        if action not in ("batal", "ulang"):
            raise not_found()
        if broadcast.status == "cancelled":  # stopped already: nothing to stop, and nothing is sent again
            return RedirectResponse(f"/admin/siaran/{broadcast_id}", status_code=303)
        if action == "batal":
            cancel_broadcast(db, broadcast_id, f"officer:{session.officer.id}", utcnow())
        else:
            resend_failed(db, broadcast_id, f"officer:{session.officer.id}", utcnow())
        db.commit()
    request.app.state.runtime.sender.wake.set()
    return RedirectResponse(f"/admin/siaran/{broadcast_id}", status_code=303)
