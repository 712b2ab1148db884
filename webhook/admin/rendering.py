"""Pages and what every route shares: templates, the database session, ids in URLs, the audit entry."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote

from fastapi import HTTPException, Request
from fastapi import Path as UrlPath
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from sqlmodel import Session

from bot.storage.models import AuditLog
from conversations.i18n import N_
from conversations.officer import PERMIT_NAMES
from webhook.admin import words
from webhook.admin.language import current_translator
from webhook.admin.words import BROADCAST_STATES

if TYPE_CHECKING:
    from webhook.admin.auth import WebSession

templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))


class _RequestTranslator:
    """`_` of the dashboard: translates and formats in the language and zone of the request being served."""

    def __call__(self, message: str, **values: object) -> str:
        return current_translator()(message, **values)

    def __getattr__(self, name: str) -> Any:
        return getattr(current_translator(), name)


_ = _RequestTranslator()
templates.env.globals["_"] = _
templates.env.globals["PERMIT_NAMES"] = PERMIT_NAMES
templates.env.globals["BROADCAST_STATES"] = BROADCAST_STATES
templates.env.globals.update(words.GLOBALS)  # commodity_word(code), permit_status_word(code), ...
templates.env.filters["tanggal"] = lambda value: _.date(value) if value else "-"
templates.env.filters["waktu"] = lambda value: _.moment(value) if value else "-"  # date, time and zone (WIB)


@pass_context
def _language_link(context: Any, language: str) -> str:
    """The address that switches the dashboard to `language` and comes back to this page."""
    request = context["request"]
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/admin/bahasa?ke={language}&kembali={quote(here, safe='')}"


templates.env.globals["language_link"] = _language_link
templates.env.globals["current_language"] = lambda: current_translator().locale
PAGE = 50
# Ids and counts are 32-bit INTEGER columns (PostgreSQL): a larger number in a URL or form is refused, not a 500.
MAX_INT = 2**31 - 1
Id = Annotated[int, UrlPath(ge=1, le=MAX_INT)]


NOT_FOUND = N_("Not found. It may have been removed, or it lies outside your area.")


def not_found() -> HTTPException:
    """404 for an object that does not exist, is hidden (consent withdrawn) or lies outside the officer's area."""
    return HTTPException(
        status_code=404, detail=N_("Not found. It may have been removed, or it lies outside your area.")
    )


def page(request: Request, name: str, session: WebSession | None, **context: Any) -> HTMLResponse:
    """Render a page with the common context."""
    return templates.TemplateResponse(request, f"admin/{name}.html", {"me": session, **context})


def open_db(request: Request) -> Session:
    """A database session for one request (rows stay readable after commit)."""
    return Session(request.app.state.engine, expire_on_commit=False)


def record_action(
    db: Session, session: WebSession, action: str, target_type: str, target_id: int | None, **detail: Any
) -> None:
    """Write what an officer did to the audit log."""
    db.add(
        AuditLog(
            actor=f"officer:{session.officer.id}",
            action=action,
            target_type=target_type,
            target_id=target_id,
            detail=detail,
        )
    )
