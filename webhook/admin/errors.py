"""Error pages of the dashboard: in the officer's language and the dashboard's style, with a way back."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from conversations.i18n import N_
from webhook.admin.auth import current
from webhook.admin.language import speaking
from webhook.admin.rendering import _, page

TITLES = {
    400: N_("That could not be done"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    413: N_("Too large"),
    422: N_("Please check the form"),
}
OTHER_ERROR = N_("Something went wrong")
SERVER_ERROR = N_(
    "The dashboard could not finish this. Nothing you did caused it; try again in a moment, and tell the administrator"
    " if it keeps happening."
)
INVALID_FORM = N_("The form is incomplete or a field is not valid. Go back, check the fields and send it again.")


def _is_dashboard(request: Request) -> bool:
    return request.url.path == "/admin" or request.url.path.startswith("/admin/")


def error_page(request: Request, status: int, message: str, session: object = ...) -> Response:
    """An HTML error page (the menu shows when the officer is logged in)."""
    title = _(TITLES.get(status, OTHER_ERROR))
    who = current(request) if session is ... else session
    response = page(request, "error", who, title=title, message=_(message), status=status)  # type: ignore[arg-type]
    response.status_code = status
    return response


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    if not _is_dashboard(request):
        return await http_exception_handler(request, error)
    if 300 <= error.status_code < 400:  # "log in first": a redirect, not a page
        return RedirectResponse(str((error.headers or {}).get("Location", "/admin/login")), error.status_code)
    return error_page(request, error.status_code, str(error.detail))


async def _invalid_request(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    if not _is_dashboard(request):
        return await request_validation_exception_handler(request, error)
    return error_page(request, 422, INVALID_FORM)


async def _server_error(request: Request, error: Exception) -> Response:
    """A bug or an outage (the database gone) on a dashboard page: a page in the officer's language, with a way back.

    This runs outside the middleware that set the request's language, so it sets it again from the cookie; the
    session is not looked up (the database may be what failed), so the page offers the login page, which leads on
    to the overview for an officer still logged in."""
    if not _is_dashboard(request):
        return PlainTextResponse("Internal Server Error", status_code=500)
    settings = getattr(request.app.state, "settings", None)
    zone = getattr(settings, "default_timezone", "Asia/Jakarta")
    with speaking(request.scope, zone):
        return error_page(request, 500, SERVER_ERROR, session=None)


def install(app: FastAPI) -> None:
    """Serve the dashboard's errors as pages (the webhooks keep FastAPI's JSON answers)."""
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(Exception, _server_error)
