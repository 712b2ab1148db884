"""Help requests: owners who asked for help, and closing a request once handled."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import select

from bot.clock import utcnow
from bot.storage.models import Business, HelpRequest, Owner
from webhook.admin.csrf import check_csrf
from webhook.admin.policy import signed_in
from webhook.admin.rendering import Id, open_db, page, record_action
from webhook.admin.scope import in_scope
from webhook.admin.segment_words import help_topic, training_ids_of_topics, training_titles

router = APIRouter(prefix="/admin")


@router.get("/bantuan", response_class=HTMLResponse)
def help_requests(request: Request) -> HTMLResponse:
    """Owners who asked for help."""
    session = signed_in(request)
    with open_db(request) as db:
        rows = db.exec(
            select(HelpRequest, Owner, Business)
            .join(Owner, Owner.id == HelpRequest.owner_id)
            .join(Business, Business.owner_id == Owner.id)
            .where(Owner.consent_status == "given", Owner.deleted_at.is_(None))  # type: ignore[union-attr]
            .order_by(HelpRequest.status.desc(), HelpRequest.created_at.desc())  # type: ignore[attr-defined]
        ).all()
        rows = [r for r in rows if in_scope(session, r[2].kecamatan_code)]
        titles = training_titles(db, training_ids_of_topics(item.topic for item, _o, _b in rows))
    topics = {item.id: help_topic(item.topic, titles) for item, _o, _b in rows}
    waiting = sum(1 for item, _o, _b in rows if item.status == "open")
    return page(request, "help", session, rows=rows, topics=topics, waiting=waiting)


@router.post("/bantuan/{request_id}/selesai")
def help_close(request: Request, request_id: Id, csrf: Annotated[str, Form()]) -> Response:
    """Mark a help request as handled (the policy has checked it exists and is in the officer's scope)."""
    session = signed_in(request)
    check_csrf(session, csrf)
    with open_db(request) as db:
        item = db.get(HelpRequest, request_id)
        assert item is not None
        if item.status != "closed":
            item.status, item.closed_at = "closed", utcnow()
            db.add(item)
            record_action(db, session, "help_closed", "help", request_id)
            db.commit()
    return RedirectResponse("/admin/bantuan", status_code=303)
