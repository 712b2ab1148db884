"""The simulator: an officer tries the owners' conversation in the browser, in a sandbox of its own.

What is typed here never reaches the official data: the conversation runs against a throwaway SQLite database
(created on first use, holding a copy of the region list), so a test owner never appears in the list or the export.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session, SQLModel, select

from bot.channels.console import render as render_reply
from bot.service import ConversationService
from bot.storage.db import make_engine
from bot.storage.models import Region
from conversations import Inbound
from webhook.admin.csrf import check_csrf
from webhook.admin.policy import signed_in
from webhook.admin.rendering import page

router = APIRouter(prefix="/admin")
_sandbox_lock = threading.Lock()


def sandbox(request: Request) -> ConversationService:
    """The simulator's own conversation service and database (one per running server)."""
    state = request.app.state
    with _sandbox_lock:
        service: ConversationService | None = getattr(state, "simulator", None)
        if service is None:
            folder = Path(tempfile.mkdtemp(prefix="lapor-ikm-simulator-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            engine = make_engine(f"sqlite:///{folder / 'simulator.db'}")
            SQLModel.metadata.create_all(engine)
            with Session(state.engine) as official, Session(engine) as db:
                for region in official.exec(select(Region)).all():
                    db.add(Region.model_validate(region.model_dump()))
                db.commit()
            service = state.simulator = ConversationService(engine, state.settings)
    return service


@router.get("/simulator", response_class=HTMLResponse)
def simulator(request: Request) -> HTMLResponse:
    """Try the owners' conversation in the browser."""
    session = signed_in(request)
    return page(request, "simulator", session, said=None, replies=[])


@router.post("/simulator", response_class=HTMLResponse)
def simulator_say(
    request: Request, csrf: Annotated[str, Form()], message: Annotated[str, Form(max_length=4000)] = ""
) -> HTMLResponse:
    """Send one owner message as a test owner of this officer and show the replies."""
    session = signed_in(request)
    check_csrf(session, csrf)
    inbound = Inbound.text_message(message, channel="web")
    replies = sandbox(request).handle("web", f"sim-{session.officer.id}", inbound)
    return page(request, "simulator", session, said=message, replies=[render_reply(r) for r in replies])
