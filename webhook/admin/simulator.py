"""The simulator: an officer tries the owners' conversation in the browser."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from bot.channels.console import render as render_reply
from conversations import Inbound
from webhook.admin.auth import require
from webhook.admin.csrf import check_csrf
from webhook.admin.rendering import page

router = APIRouter(prefix="/admin")


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
