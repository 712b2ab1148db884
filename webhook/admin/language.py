"""The dashboard's language (Indonesian, or English when the officer chooses it) and the deployment's time zone.

The choice is a cookie; a pure ASGI middleware puts the request's translator in a context variable before any route,
dependency or error handler runs, so every `_` of the dashboard (Python and templates) answers in that language.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from http.cookies import SimpleCookie
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from conversations.i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES, Translator, translator

COOKIE = "bahasa"
ONE_YEAR = 365 * 24 * 3600
_current: ContextVar[Translator | None] = ContextVar("dashboard_translator", default=None)


def current_translator() -> Translator:
    """The translator of the request being served (Indonesian outside a request)."""
    return _current.get() or translator(DEFAULT_LOCALE)


def chosen_language(scope: Scope) -> str:
    """The language the officer chose (the cookie), else Indonesian."""
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            morsel = SimpleCookie(value.decode("latin-1")).get(COOKIE)
            if morsel is not None and morsel.value in SUPPORTED_LOCALES:
                return morsel.value
    return DEFAULT_LOCALE


@contextmanager
def speaking(scope: Scope, timezone: str) -> Iterator[Translator]:
    """Serve the code inside in the language the request's officer chose (for code that runs outside the
    middleware, such as Starlette's handler of unexpected errors)."""
    token = _current.set(translator(chosen_language(scope), timezone))
    try:
        yield _current.get() or translator(DEFAULT_LOCALE)
    finally:
        _current.reset(token)


class DashboardLanguage:
    """Serve each request in the officer's language and the deployment's time zone."""

    def __init__(self, app: ASGIApp, timezone: str) -> None:
        self.app = app
        self.timezone = timezone

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with speaking(scope, self.timezone):
            await self.app(scope, receive, send)


router = APIRouter()


@router.get("/admin/bahasa")
def choose_language(
    ke: Annotated[str, Query(max_length=5)] = DEFAULT_LOCALE,
    kembali: Annotated[str, Query(max_length=300)] = "/admin",
) -> RedirectResponse:
    """Switch the dashboard's language and go back to the page the officer was on."""
    # Only a page of the dashboard itself: never an address elsewhere ("//evil.example", "https://...").
    back = kembali if kembali.startswith("/admin") and "//" not in kembali and "\\" not in kembali else "/admin"
    response = RedirectResponse(back, status_code=303)
    if ke in SUPPORTED_LOCALES:
        response.set_cookie(COOKIE, ke, max_age=ONE_YEAR, httponly=True, samesite="lax")
    return response
