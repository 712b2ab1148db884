"""The officers' dashboard: overview, businesses, export, broadcasts, trainings, help requests, audit, simulator."""

from __future__ import annotations

import io
import re
import secrets
import uuid
from dataclasses import asdict, dataclass
from datetime import MAXYEAR, MINYEAR, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi import Path as UrlPath
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import func
from sqlmodel import Session, select

from bot.broadcasts import cancel_broadcast, create_broadcast, preview, progress, resend_failed
from bot.channels.console import render as render_reply
from bot.channels.whatsapp import media_path
from bot.clock import utcnow
from bot.export import business_query, write_export
from bot.models import (
    AuditLog,
    Broadcast,
    Business,
    HelpRequest,
    Invitation,
    Need,
    Officer,
    Owner,
    Permit,
    Product,
    Region,
    Training,
)
from bot.officers import ROLES, OfficerError, authenticate, create_officer, issue_link_code
from bot.rekap import PERMITS, rekap, trend
from bot.segments import Segment
from bot.trainings import TrainingPlan, create_training
from conversations import Inbound
from conversations.i18n import Translator
from conversations.officer import PERMIT_NAMES
from webhook.admin.auth import LOGIN_COOKIE, WebSession, check_csrf, in_scope, require, set_session

router = APIRouter(prefix="/admin")
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))
_ = Translator("id")
templates.env.globals["_"] = _
templates.env.globals["PERMIT_NAMES"] = PERMIT_NAMES
templates.env.filters["tanggal"] = lambda value: _.date(value) if value else "-"
PAGE = 50
# Ids and counts are 32-bit INTEGER columns (PostgreSQL): a larger number in a URL or form is refused, not a 500.
MAX_INT = 2**31 - 1
Id = Annotated[int, UrlPath(ge=1, le=MAX_INT)]
SENDERS = ("admin", "officer")


def page(request: Request, name: str, session: WebSession | None, **context: Any) -> HTMLResponse:
    """Render a page with the common context."""
    return templates.TemplateResponse(request, f"admin/{name}.html", {"me": session, **context})


def _db(request: Request) -> Session:
    return Session(request.app.state.engine, expire_on_commit=False)


def _audit(
    db: Session, session: WebSession, action: str, target_type: str, target_id: int | None, **detail: Any
) -> None:
    db.add(
        AuditLog(
            actor=f"officer:{session.officer.id}",
            action=action,
            target_type=target_type,
            target_id=target_id,
            detail=detail,
        )
    )


def _kecamatan_options(db: Session, session: WebSession) -> list[Region]:
    rows = db.exec(select(Region).where(Region.level == "kecamatan").order_by(Region.name)).all()
    return [r for r in rows if in_scope(session, r.code)]


def _segment(
    kecamatan: str | None,
    commodity: str | None,
    izin: str | None,
    session: WebSession,
    need: str | None = None,
    training: str | None = None,
) -> Segment:
    if training and not re.fullmatch(r"[0-9]{1,9}", training):  # not a training id the form offers
        raise HTTPException(status_code=404, detail="Tidak ditemukan")
    segment = Segment(
        kecamatan=(kecamatan,) if kecamatan else (),
        commodity=(commodity,) if commodity else (),
        permits=(izin,) if izin else (),
        needs=(need,) if need else (),
        training_id=int(training) if training else None,
    )
    return segment.restricted_to(session.officer.kecamatan_scope)


# --- login --------------------------------------------------------------------------------------------------
@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    """The login page (with a CSRF token bound to a cookie)."""
    token = secrets.token_urlsafe(24)
    response = page(request, "login", None, token=token, error=None)
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", path="/admin", max_age=3600)
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
    with _db(request) as db:
        officer = authenticate(db, username.strip(), password, utcnow())
        if officer is not None:
            db.add(AuditLog(actor=f"officer:{officer.id}", action="login", target_type="officer", target_id=officer.id))
        db.commit()
    if officer is None or officer.id is None:
        token = secrets.token_urlsafe(24)
        error = _("Wrong username or password, or the account is locked for a while.")
        response = page(request, "login", None, token=token, error=error)
        response.status_code = 401
        response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", path="/admin", max_age=3600)
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
    response.delete_cookie("lapor_sesi", path="/admin")
    return response


# --- overview -------------------------------------------------------------------------------------------------
@router.get("", response_class=HTMLResponse)
def overview(request: Request) -> HTMLResponse:
    """Rekap per kecamatan and per commodity, with bars, and what needs attention."""
    session = require(request)
    scope = session.officer.kecamatan_scope
    with _db(request) as db:
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


# --- businesses ---------------------------------------------------------------------------------------------
@router.get("/usaha", response_class=HTMLResponse)
def businesses(
    request: Request,
    kecamatan: str | None = None,
    commodity: str | None = None,
    izin: str | None = None,
    q: str | None = None,
    p: Annotated[int, Query(ge=1, le=MAX_INT // PAGE)] = 1,
) -> HTMLResponse:
    """Businesses with filters and search."""
    session = require(request)
    segment = _segment(kecamatan or None, commodity or None, izin or None, session)
    with _db(request) as db:
        query = business_query(segment, q or None)
        total = db.exec(select(func.count()).select_from(query.subquery())).one()
        rows = db.exec(query.offset((p - 1) * PAGE).limit(PAGE)).all()
        regions = {r.code: r.name for r in db.exec(select(Region)).all()}
        options = _kecamatan_options(db, session)
    filters = {"kecamatan": kecamatan or "", "commodity": commodity or "", "izin": izin or "", "q": q or ""}
    return page(
        request,
        "businesses",
        session,
        rows=rows,
        total=total,
        regions=regions,
        options=options,
        filters=filters,
        p=p,
        pages=max(1, (total + PAGE - 1) // PAGE),
    )


@router.get("/usaha/{business_id}", response_class=HTMLResponse)
def business_detail(request: Request, business_id: Id) -> HTMLResponse:
    """One business: owner, products, permits, needs, and the history of its reports."""
    session = require(request)
    with _db(request) as db:
        business = db.get(Business, business_id)
        if business is None or not in_scope(session, business.kecamatan_code):
            raise HTTPException(status_code=404, detail="Tidak ditemukan")
        owner = db.get(Owner, business.owner_id)
        if owner is None or owner.consent_status != "given":
            raise HTTPException(status_code=404, detail="Tidak ditemukan")
        products = db.exec(select(Product).where(Product.business_id == business.id)).all()
        permits = db.exec(select(Permit).where(Permit.business_id == business.id).order_by(Permit.type)).all()
        needs = db.exec(select(Need).where(Need.business_id == business.id).order_by(Need.created_at.desc())).all()  # type: ignore[attr-defined]
        history = db.exec(
            select(AuditLog)
            .where(AuditLog.target_type == "owner", AuditLog.target_id == owner.id)
            .order_by(AuditLog.at.desc())  # type: ignore[attr-defined]
            .limit(50)
        ).all()
        regions = {r.code: r.name for r in db.exec(select(Region)).all()}
        _audit(db, session, "business_viewed", "business", business.id)
        db.commit()
    return page(
        request,
        "business",
        session,
        business=business,
        owner=owner,
        products=products,
        permits=permits,
        needs=needs,
        history=history,
        regions=regions,
    )


@router.get("/usaha/{business_id}/foto")
async def business_photo(request: Request, business_id: Id, ref: str) -> Response:
    """A photo an owner sent (product or permit evidence), for officers who may see the business."""
    session = require(request)
    with _db(request) as db:
        business = db.get(Business, business_id)
        if business is None or not in_scope(session, business.kecamatan_code):
            raise HTTPException(status_code=404, detail="Tidak ditemukan")
        refs = {p.photo for p in db.exec(select(Product).where(Product.business_id == business_id)).all()}
        refs |= {p.evidence_photo for p in db.exec(select(Permit).where(Permit.business_id == business_id)).all()}
    if ref not in refs:
        raise HTTPException(status_code=404, detail="Tidak ditemukan")
    platform, _sep, media_id = ref.partition(":")
    runtime = request.app.state.runtime
    if platform == "whatsapp":
        folder = Path(request.app.state.settings.media_dir) / "whatsapp"
        stem = media_path(folder.parent, media_id, "").name
        found = next(iter(sorted(folder.glob(stem + ".*"))), None) if folder.exists() else None
        if found is not None:
            return Response(
                found.read_bytes(), media_type="image/jpeg" if found.suffix == ".jpg" else "application/octet-stream"
            )
    if platform == "telegram" and runtime.telegram is not None:
        return Response(await runtime.telegram.download(ref), media_type="image/jpeg")
    raise HTTPException(status_code=404, detail="Foto tidak tersedia")


@router.get("/ekspor")
def export(
    request: Request,
    format: str = "csv",  # noqa: A002  (the query parameter officers see in the link)
    kecamatan: str | None = None,
    commodity: str | None = None,
    izin: str | None = None,
    q: str | None = None,
) -> Response:
    """Download the businesses on screen as CSV or XLSX."""
    session = require(request)
    if format not in ("csv", "xlsx"):
        raise HTTPException(status_code=400, detail="Format tidak dikenal")
    segment = _segment(kecamatan or None, commodity or None, izin or None, session)
    buffer = io.BytesIO()
    with _db(request) as db:
        count = write_export(db, buffer, format, request.app.state.settings.default_timezone, segment, q or None)
        _audit(db, session, "export", "business", None, rows=count, format=format, **segment.to_json())
        db.commit()
    media = "text/csv" if format == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    stamp = datetime.now(ZoneInfo("Asia/Jakarta")).strftime("%Y%m%d-%H%M")
    headers = {"Content-Disposition": f'attachment; filename="lapor-ikm-{stamp}.{format}"'}
    buffer.seek(0)
    return StreamingResponse(buffer, media_type=media, headers=headers)


# --- broadcasts ---------------------------------------------------------------------------------------------
@router.get("/siaran", response_class=HTMLResponse)
def broadcasts(request: Request) -> HTMLResponse:
    """Recent broadcasts and the form for a new one."""
    return _broadcasts_page(request, require(request), preview=None)


def _broadcasts_page(request: Request, session: WebSession, preview: dict[str, Any] | None) -> HTMLResponse:
    """The broadcasts page: recent ones, and the new-broadcast form or its preview."""
    with _db(request) as db:
        rows = db.exec(select(Broadcast).order_by(Broadcast.id.desc()).limit(50)).all()  # type: ignore[union-attr]
        options = _kecamatan_options(db, session)
        trainings = db.exec(select(Training).order_by(Training.starts_at.desc()).limit(30)).all()  # type: ignore[attr-defined]
    return page(request, "broadcasts", session, rows=rows, options=options, preview=preview, trainings=trainings)


_PHOTO_NAME = re.compile(r"^[0-9a-f]{32}\.(?:jpg|png)$")
MAX_PHOTO_BYTES = 5_000_000


def _save_photo(request: Request, upload: UploadFile | None) -> str:
    """Keep an uploaded JPEG/PNG for a broadcast; returns its file name ("" when none was sent)."""
    if upload is None or not upload.filename:
        return ""
    data = upload.file.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        raise HTTPException(status_code=413, detail="Foto terlalu besar (paling besar 5 MB)")
    if data[:3] == b"\xff\xd8\xff":
        suffix = ".jpg"
    elif data[:8] == b"\x89PNG\r\n\x1a\n":
        suffix = ".png"
    else:
        raise HTTPException(status_code=400, detail="Foto harus JPG atau PNG")
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
        raise HTTPException(status_code=400, detail="Foto tidak dikenal")
    path = Path(request.app.state.settings.media_dir) / "broadcast" / name
    if not path.exists():
        raise HTTPException(status_code=400, detail="Foto tidak dikenal")
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

    def segment(self, session: WebSession) -> Segment:
        """The recipients these filters choose, within the officer's scope."""
        return _segment(
            self.kecamatan or None, self.commodity or None, self.izin or None, session, self.kebutuhan, self.pelatihan
        )


def broadcast_fields(
    text: Annotated[str, Form(min_length=5, max_length=1000)],
    kecamatan: Annotated[str, Form()] = "",
    commodity: Annotated[str, Form()] = "",
    izin: Annotated[str, Form()] = "",
    kebutuhan: Annotated[str, Form()] = "",
    pelatihan: Annotated[str, Form()] = "",
) -> BroadcastFields:
    """Read the broadcast form's fields."""
    return BroadcastFields(text, kecamatan, commodity, izin, kebutuhan, pelatihan)


@router.post("/siaran/pratinjau", response_class=HTMLResponse)
def broadcast_preview(
    request: Request,
    csrf: Annotated[str, Form()],
    fields: Annotated[BroadcastFields, Depends(broadcast_fields)],
    photo: Annotated[UploadFile | None, File()] = None,
) -> HTMLResponse:
    """The exact recipient count and a sample, before sending."""
    session = require(request, SENDERS)
    check_csrf(session, csrf)
    photo_name = _save_photo(request, photo)
    segment = fields.segment(session)
    with _db(request) as db:
        count, sample_ids = preview(db, segment, None)
        sample = [db.get(Owner, i) for i in sample_ids]
    form = {**asdict(fields), "photo": photo_name}  # the preview page sends these back with "Kirim"
    return _broadcasts_page(request, session, {"count": count, "sample": sample, "form": form})


@router.post("/siaran")
def broadcast_send(
    request: Request,
    csrf: Annotated[str, Form()],
    fields: Annotated[BroadcastFields, Depends(broadcast_fields)],
    when: Annotated[str, Form()] = "",
    photo: Annotated[str, Form()] = "",
) -> Response:
    """Queue the broadcast (now, or at a chosen local time), with its photo if one was uploaded."""
    session = require(request, SENDERS)
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
            raise HTTPException(status_code=400, detail="Waktu tidak dikenal") from error
    with _db(request) as db:
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
    session = require(request)
    with _db(request) as db:
        broadcast = db.get(Broadcast, broadcast_id)
        if broadcast is None:
            raise HTTPException(status_code=404, detail="Tidak ditemukan")
        counts = progress(db, broadcast_id)
    return page(request, "broadcast", session, broadcast=broadcast, counts=counts)


@router.post("/siaran/{broadcast_id}/{action}")
def broadcast_action(request: Request, broadcast_id: Id, action: str, csrf: Annotated[str, Form()]) -> Response:
    """Cancel a broadcast, or resend its failed messages."""
    session = require(request, SENDERS)
    check_csrf(session, csrf)
    with _db(request) as db:
        if action == "batal":
            cancel_broadcast(db, broadcast_id, f"officer:{session.officer.id}", utcnow())
        elif action == "ulang":
            resend_failed(db, broadcast_id, f"officer:{session.officer.id}", utcnow())
        else:
            raise HTTPException(status_code=404, detail="Tidak ditemukan")
        db.commit()
    request.app.state.runtime.sender.wake.set()
    return RedirectResponse(f"/admin/siaran/{broadcast_id}", status_code=303)


# --- trainings, help requests, audit, officers --------------------------------------------------------------
@router.get("/pelatihan", response_class=HTMLResponse)
def trainings(request: Request) -> HTMLResponse:
    """Trainings with their answers."""
    session = require(request)
    with _db(request) as db:
        rows = db.exec(select(Training).order_by(Training.starts_at.desc())).all()  # type: ignore[attr-defined]
        answers = {
            (t, s): n
            for t, s, n in db.exec(
                select(Invitation.training_id, Invitation.status, func.count()).group_by(
                    Invitation.training_id, Invitation.status
                )
            ).all()
        }
        options = _kecamatan_options(db, session)
    return page(request, "trainings", session, rows=rows, answers=answers, options=options)


@router.post("/pelatihan")
def training_create(
    request: Request,
    csrf: Annotated[str, Form()],
    title: Annotated[str, Form(min_length=5, max_length=200)],
    start: Annotated[str, Form()],
    place: Annotated[str, Form(min_length=3, max_length=300)],
    capacity: Annotated[int, Form(ge=0, le=MAX_INT)] = 0,
    kecamatan: Annotated[str, Form()] = "",
    commodity: Annotated[str, Form()] = "",
) -> Response:
    """Create a training and invite its segment."""
    session = require(request, SENDERS)
    check_csrf(session, csrf)
    zone = request.app.state.settings.default_timezone
    try:
        starts = datetime.fromisoformat(start).replace(tzinfo=ZoneInfo(zone))
    except ValueError as error:
        raise HTTPException(status_code=400, detail="Waktu tidak dikenal") from error
    if not MINYEAR < starts.year < MAXYEAR:  # the reminders before and the end after must still be dates
        raise HTTPException(status_code=400, detail="Waktu tidak dikenal")
    segment = _segment(kecamatan or None, commodity or None, None, session)
    plan = TrainingPlan(title, starts, starts + timedelta(hours=3), place, capacity or None, None, segment, zone)
    with _db(request) as db:
        create_training(db, plan, f"officer:{session.officer.id}", utcnow())
        db.commit()
    return RedirectResponse("/admin/pelatihan", status_code=303)


@router.get("/bantuan", response_class=HTMLResponse)
def help_requests(request: Request) -> HTMLResponse:
    """Owners who asked for help."""
    session = require(request)
    with _db(request) as db:
        rows = db.exec(
            select(HelpRequest, Owner, Business)
            .join(Owner, Owner.id == HelpRequest.owner_id)
            .join(Business, Business.owner_id == Owner.id)
            .order_by(HelpRequest.status.desc(), HelpRequest.created_at.desc())  # type: ignore[attr-defined]
        ).all()
    rows = [r for r in rows if in_scope(session, r[2].kecamatan_code)]
    return page(request, "help", session, rows=rows)


@router.post("/bantuan/{request_id}/selesai")
def help_close(request: Request, request_id: Id, csrf: Annotated[str, Form()]) -> Response:
    """Mark a help request as handled."""
    session = require(request, SENDERS)
    check_csrf(session, csrf)
    with _db(request) as db:
        item = db.get(HelpRequest, request_id)
        if item is not None:
            item.status, item.closed_at = "closed", utcnow()
            db.add(item)
            _audit(db, session, "help_closed", "help", request_id)
            db.commit()
    return RedirectResponse("/admin/bantuan", status_code=303)


@router.get("/audit", response_class=HTMLResponse)
def audit(request: Request) -> HTMLResponse:
    """The audit log (admins)."""
    session = require(request, ("admin",))
    with _db(request) as db:
        rows = db.exec(select(AuditLog).order_by(AuditLog.id.desc()).limit(300)).all()  # type: ignore[union-attr]
    return page(request, "audit", session, rows=rows)


@router.get("/petugas", response_class=HTMLResponse)
def officers(request: Request) -> HTMLResponse:
    """Officer accounts (admins)."""
    return _officers_page(request, require(request, ("admin",)), code=None, error=None)


def _officers_page(request: Request, session: WebSession, code: str | None, error: str | None) -> HTMLResponse:
    with _db(request) as db:
        rows = db.exec(select(Officer).order_by(Officer.id)).all()
        options = _kecamatan_options(db, session)
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
    with _db(request) as db:
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


# --- simulator ----------------------------------------------------------------------------------------------
@router.get("/simulator", response_class=HTMLResponse)
def simulator(request: Request) -> HTMLResponse:
    """Try the owners' conversation in the browser."""
    session = require(request)
    return page(request, "simulator", session, said=None, replies=[])


@router.post("/simulator", response_class=HTMLResponse)
def simulator_say(
    request: Request, csrf: Annotated[str, Form()], message: Annotated[str, Form(max_length=4000)] = ""
) -> HTMLResponse:
    """Send one owner message as "simulator" and show the replies."""
    session = require(request)
    check_csrf(session, csrf)
    service = request.app.state.runtime.service
    replies = service.handle("web", f"sim-{session.officer.id}", Inbound.text_message(message, channel="web"))
    return page(request, "simulator", session, said=message, replies=[render_reply(r) for r in replies])
