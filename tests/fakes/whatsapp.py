"""A fake WhatsApp Cloud API on 127.0.0.1 (messages, media) and real-shaped webhook bodies."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.servers import ServerThread

ACCESS_TOKEN = "EAAG-fake-access-token"
PHONE_NUMBER_ID = "109876543210987"
APP_SECRET = "fake-app-secret-for-tests"
VERIFY_TOKEN = "verify-me-please"
IMAGE_BYTES = b"\xff\xd8\xff\xe0fake-whatsapp-jpeg"
_ids = itertools.count(1)


@dataclass
class Sent:
    """One request to the messages endpoint."""

    body: dict[str, Any]
    at: float
    ok: bool


@dataclass
class FakeCloudAPI:
    """Records messages, serves media, and fails on demand."""

    url: str = ""
    sent: list[Sent] = field(default_factory=list)
    throttle: int = 0  # answer this many sends with error 130429
    fail_500: int = 0
    window_closed: set[str] = field(default_factory=set)  # recipients who get error 131047
    uploads: list[bytes] = field(default_factory=list)
    # Media an owner "sent", by media id: (bytes, MIME type); any other id serves IMAGE_BYTES as a JPEG.
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def delivered(self, to: str | None = None) -> list[dict[str, Any]]:
        """Message bodies accepted, optionally for one recipient."""
        with self.lock:
            return [
                s.body for s in self.sent if s.ok and (to is None or to in (s.body.get("to"), s.body.get("recipient")))
            ]

    def texts(self, to: str | None = None) -> list[str]:
        """What the owner reads: text bodies, interactive bodies, template parameters."""
        result = []
        for body in self.delivered(to):
            kind = body["type"]
            if kind == "text":
                result.append(body["text"]["body"])
            elif kind == "interactive":
                result.append(body["interactive"]["body"]["text"])
            elif kind == "template":
                params = [p["text"] for c in body["template"]["components"] for p in c["parameters"]]
                result.append(f"[template {body['template']['name']}] " + " | ".join(params))
        return result

    def app(self) -> Starlette:
        """The ASGI app."""
        return Starlette(
            routes=[
                Route("/{phone_id}/messages", self._messages, methods=["POST"]),
                Route("/{phone_id}/media", self._upload, methods=["POST"]),
                Route("/download/{media_id}", self._download, methods=["GET"]),
                Route("/{media_id}", self._media, methods=["GET"]),
            ]
        )

    def serve(self) -> ServerThread:
        """A server thread for this fake."""
        return ServerThread(self.app())

    @staticmethod
    def _authorised(request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {ACCESS_TOKEN}"

    @staticmethod
    def _error(status: int, code: int, message: str) -> JSONResponse:
        return JSONResponse(
            {"error": {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbC"}},
            status_code=status,
        )

    async def _messages(self, request: Request) -> Response:
        if not self._authorised(request):
            return self._error(401, 190, "Invalid OAuth access token")
        if request.path_params["phone_id"] != PHONE_NUMBER_ID:
            return self._error(400, 100, "Unsupported post request")
        body = json.loads(await request.body())
        to = str(body.get("to") or body.get("recipient"))
        with self.lock:
            if self.throttle > 0:
                self.throttle -= 1
                self.sent.append(Sent(body, time.monotonic(), False))
                return self._error(400, 130429, "Rate limit hit")
            if self.fail_500 > 0:
                self.fail_500 -= 1
                self.sent.append(Sent(body, time.monotonic(), False))
                return self._error(500, 131000, "Something went wrong")
            if to in self.window_closed and body.get("type") != "template":
                self.sent.append(Sent(body, time.monotonic(), False))
                return self._error(400, 131047, "Re-engagement message")
            self.sent.append(Sent(body, time.monotonic(), True))
        return JSONResponse(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": f"wamid.OUT{next(_ids)}"}],
            }
        )

    async def _upload(self, request: Request) -> Response:
        if not self._authorised(request):
            return self._error(401, 190, "Invalid OAuth access token")
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            return self._error(400, 100, "file is required")
        with self.lock:
            self.uploads.append(await upload.read())
        return JSONResponse({"id": f"media-{len(self.uploads)}"})

    async def _media(self, request: Request) -> Response:
        if not self._authorised(request):
            return self._error(401, 190, "Invalid OAuth access token")
        media_id = request.path_params["media_id"]
        data, mime = self.media.get(media_id, (IMAGE_BYTES, "image/jpeg"))
        return JSONResponse(
            {
                "messaging_product": "whatsapp",
                "url": f"{self.url}/download/{media_id}",
                "mime_type": mime,
                "sha256": hashlib.sha256(data).hexdigest(),
                "file_size": len(data),
                "id": media_id,
            }
        )

    async def _download(self, request: Request) -> Response:
        if not self._authorised(request):
            return Response(status_code=401)
        data, mime = self.media.get(request.path_params["media_id"], (IMAGE_BYTES, "image/jpeg"))
        return Response(data, media_type=mime)


# --- webhook bodies, shaped like Meta's ------------------------------------------------------------------
def sign(body: bytes, secret: str = APP_SECRET) -> str:
    """The X-Hub-Signature-256 header Meta would send."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def envelope(value: dict[str, Any], phone_number_id: str = PHONE_NUMBER_ID) -> dict[str, Any]:
    """A webhook body around one change value."""
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "6281100000000", "phone_number_id": phone_number_id},
                            **value,
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }


def inbound(wa_id: str, kind: str, content: dict[str, Any], name: str = "Sri", **extra: Any) -> dict[str, Any]:
    """A message from `wa_id` of type `kind` (its object is `content`)."""
    message = {
        "from": wa_id,
        "from_user_id": f"ID.{wa_id[::-1]}",
        "id": f"wamid.IN{next(_ids)}{int(time.time() * 1000)}",
        "timestamp": str(int(time.time())),
        "type": kind,
        kind: content,
        **extra,
    }
    contact = {"profile": {"name": name}, "wa_id": wa_id, "user_id": f"ID.{wa_id[::-1]}"}
    return envelope({"contacts": [contact], "messages": [message]})


def text(wa_id: str, body: str) -> dict[str, Any]:
    """A typed message."""
    return inbound(wa_id, "text", {"body": body})


def button_reply(wa_id: str, choice_id: str, title: str = "…") -> dict[str, Any]:
    """A pressed reply button."""
    return inbound(
        wa_id,
        "interactive",
        {"type": "button_reply", "button_reply": {"id": choice_id, "title": title}},
        context={"from": "6281100000000", "id": "wamid.OUT1"},
    )


def list_reply(wa_id: str, choice_id: str, title: str = "…") -> dict[str, Any]:
    """A chosen list row."""
    return inbound(
        wa_id,
        "interactive",
        {"type": "list_reply", "list_reply": {"id": choice_id, "title": title, "description": ""}},
        context={"from": "6281100000000", "id": "wamid.OUT2"},
    )


def status(message_id: str, state: str, recipient: str, error_code: int | None = None) -> dict[str, Any]:
    """A delivery receipt for one of our messages."""
    item: dict[str, Any] = {
        "id": message_id,
        "status": state,
        "timestamp": str(int(time.time())),
        "recipient_id": recipient,
    }
    if error_code is not None:
        item["errors"] = [{"code": error_code, "title": "Message failed", "message": "Message failed"}]
    return envelope({"statuses": [item]})


def image(wa_id: str, media_id: str, mime_type: str = "image/jpeg", caption: str | None = None) -> dict[str, Any]:
    """A photo the owner sent (its bytes are served by `FakeCloudAPI.media[media_id]`)."""
    content = {"id": media_id, "mime_type": mime_type, "sha256": hashlib.sha256(media_id.encode()).hexdigest()}
    if caption:
        content["caption"] = caption
    return inbound(wa_id, "image", content)


def document(
    wa_id: str, media_id: str, mime_type: str = "application/pdf", filename: str = "dokumen.pdf"
) -> dict[str, Any]:
    """A file the owner sent as a document (a PDF print-out, say)."""
    content = {
        "id": media_id,
        "mime_type": mime_type,
        "sha256": hashlib.sha256(media_id.encode()).hexdigest(),
        "filename": filename,
    }
    return inbound(wa_id, "document", content)
