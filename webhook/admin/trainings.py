"""Trainings: the list with the owners' answers, and creating one that invites a segment."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func
from sqlmodel import select

from bot.clock import as_utc, utcnow
from bot.scheduling.trainings import TrainingPlan, create_training
from bot.storage.models import Business, Invitation, Owner, Training
from bot.storage.segments import Segment, regency_kecamatan
from conversations.i18n import N_
from webhook.admin.csrf import check_csrf
from webhook.admin.policy import signed_in
from webhook.admin.rendering import MAX_INT, open_db, page
from webhook.admin.scope import kecamatan_options, regency_options, segment_in_scope
from webhook.admin.segment_words import ANSWER_ORDER, SegmentWords, commodity_options, training_state, zone

router = APIRouter(prefix="/admin")
LATEST_TRAINING = timedelta(days=2 * 366)
SHOWN_WAITING = 20  # names of the waiting list shown per training; the rest are counted


@router.get("/pelatihan", response_class=HTMLResponse)
def trainings(request: Request) -> HTMLResponse:
    """Trainings with their answers."""
    session = signed_in(request)
    scope = session.officer.kecamatan_scope
    with open_db(request) as db:
        answered = (
            select(Invitation.training_id, Invitation.status, func.count())
            .join(Owner, Owner.id == Invitation.owner_id)
            .join(Business, Business.owner_id == Owner.id)
            .where(Owner.consent_status == "given", Owner.deleted_at.is_(None))  # type: ignore[union-attr]
            .group_by(Invitation.training_id, Invitation.status)
        )
        if scope is not None:  # an officer counts the answers of their own kecamatan's owners
            answered = answered.where(Business.kecamatan_code.in_(scope))  # type: ignore[union-attr]
        answers = {(t, s): n for t, s, n in db.exec(answered).all()}
        reached = {t for t, _s in answers}
        waiting = (
            select(Invitation.training_id, Owner.name)
            .join(Owner, Owner.id == Invitation.owner_id)
            .join(Business, Business.owner_id == Owner.id)
            .where(Invitation.status == "waitlist", Owner.consent_status == "given", Owner.deleted_at.is_(None))  # type: ignore[union-attr]
            .order_by(Invitation.responded_at, Invitation.id)  # type: ignore[arg-type]
        )
        if scope is not None:
            waiting = waiting.where(Business.kecamatan_code.in_(scope))  # type: ignore[union-attr]
        waitlists: dict[int, list[str]] = {}
        for training_id, name in db.exec(waiting).all():
            waitlists.setdefault(training_id, []).append(name or "-")
        regencies = regency_kecamatan(db) if scope is not None else None
        rows = [
            t
            for t in db.exec(select(Training).order_by(Training.starts_at.desc())).all()  # type: ignore[attr-defined]
            if t.id in reached or Segment.from_json(t.segment).within(scope, regencies)
        ]
        options = kecamatan_options(db, session)
        regency_choices = regency_options(db, session)
        said = SegmentWords.load(db, scope)
        audiences = {t.id: said.line(t.segment) for t in rows}
    now = utcnow()
    states = {t.id: training_state(t.status, as_utc(t.ends_at) < now) for t in rows}
    return page(
        request,
        "trainings",
        session,
        rows=rows,
        answers=answers,
        answer_order=ANSWER_ORDER,
        waitlists=waitlists,
        audiences=audiences,
        states=states,
        options=options,
        regencies=regency_choices,
        commodities=commodity_options(),
        zone=zone(),
        shown_waiting=SHOWN_WAITING,
    )


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
    kabupaten: Annotated[str, Form()] = "",
) -> Response:
    """Create a training and invite its segment."""
    session = signed_in(request)
    check_csrf(session, csrf)
    zone = request.app.state.settings.default_timezone
    try:
        starts = datetime.fromisoformat(start).replace(tzinfo=ZoneInfo(zone))
    except ValueError as error:
        raise HTTPException(status_code=400, detail=N_("That date and time could not be read.")) from error
    now = utcnow()
    if not now - timedelta(days=1) <= starts <= now + LATEST_TRAINING:
        raise HTTPException(status_code=400, detail=N_("Choose a start from today up to two years ahead."))
    segment = segment_in_scope(kecamatan or None, commodity or None, None, session, kabupaten=kabupaten or None)
    plan = TrainingPlan(title, starts, starts + timedelta(hours=3), place, capacity or None, None, segment, zone)
    with open_db(request) as db:
        create_training(db, plan, f"officer:{session.officer.id}", utcnow())
        db.commit()
    return RedirectResponse("/admin/pelatihan", status_code=303)
