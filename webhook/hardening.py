"""Browser hardening on every response (security headers), and the Origin check on the dashboard's forms."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from conversations.i18n import N_
from webhook.admin.rendering import _

# No page runs a script; styles are the pages' own (inline <style> blocks and bar widths).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# FastAPI's API pages (served in development only) load their scripts from a CDN: no CSP there.
API_PAGES = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})


def same_origin(headers: Headers) -> bool:
    """Does a form come from the dashboard's own pages?

    The browser's Origin header (or, without it, the Referer) must name the host the request was sent to. A request
    with neither comes from a program, not a page in a browser: it cannot carry an officer's cookie by accident and
    still needs the form's CSRF token.
    """
    source = headers.get("origin") or headers.get("referer")
    if source is None:
        return True
    if source == "null":  # a sandboxed frame or a privacy redirect: not one of our pages
        return False
    # Host names, not ports: a proxy may pass the Host header without the port the browser used (nginx's $host).
    ours = urlsplit("//" + headers.get("host", "")).hostname
    return ours is not None and urlsplit(source).hostname == ours


class Hardening:
    """ASGI middleware: security headers on every response; cross-site forms to /admin refused with 403."""

    def __init__(self, app: ASGIApp, production: bool) -> None:
        self.app = app
        self.headers = {**HEADERS, **({"Strict-Transport-Security": HSTS} if production else {})}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if (
            scope["method"] in STATE_CHANGING
            and scope["path"].startswith("/admin")
            and not same_origin(Headers(scope=scope))
        ):
            await self._refuse(send)
            return

        extra = self.headers
        if scope["path"] in API_PAGES:
            extra = {k: v for k, v in extra.items() if k != "Content-Security-Policy"}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _refuse(self, send: Send) -> None:
        text = _(N_("This form was not sent from a Lapor IKM page. Open the page again and send it from there."))
        body = text.encode()
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
        headers += [(k.lower().encode(), v.encode()) for k, v in self.headers.items()]
        await send({"type": "http.response.start", "status": 403, "headers": headers})
        await send({"type": "http.response.body", "body": body})
