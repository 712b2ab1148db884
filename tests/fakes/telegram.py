"""A fake Telegram Bot API server on 127.0.0.1: records calls, serves updates, fails on demand."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.servers import ServerThread

TOKEN = "123456:TEST-token_for_fake"
FAKE_JPEG = b"\xff\xd8fake-jpeg-bytes"  # what a file an owner sent is, unless a test gives its bytes


@dataclass
class Call:
    """One Bot API request the fake received."""

    method: str
    params: dict[str, Any]
    at: float


@dataclass
class FakeTelegram:
    """State and switches of the fake server (thread-safe enough for tests)."""

    token: str = TOKEN
    username: str = "LaporIkmTestBot"
    calls: list[Call] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    fail_429: int = 0  # answer this many sendMessage calls with 429
    retry_after: int = 1
    fail_500: int = 0  # answer this many sendMessage calls with 500
    forbidden: set[str] = field(default_factory=set)  # chats that blocked the bot
    gone: set[int] = field(default_factory=set)  # message ids that cannot be edited (deleted by the user)
    stall_seconds: float = 0.0  # sendMessage waits this long before answering
    next_message_id: int = 1000
    uploads: list[bytes] = field(default_factory=list)  # files received as multipart uploads
    files: dict[str, bytes] = field(default_factory=dict)  # files owners "sent", by file_id (others: fake JPEG bytes)
    on_call: Callable[[Call], None] | None = None  # told of every request as it arrives (benchmarks time replies)
    lock: threading.Lock = field(default_factory=threading.Lock)

    # --- what tests read ---------------------------------------------------------------------------------
    def sent(self, chat_id: int | str | None = None) -> list[dict[str, Any]]:
        """sendMessage calls that succeeded, optionally for one chat."""
        with self.lock:
            return [
                c.params
                for c in self.calls
                if c.method == "sendMessage"
                and c.params.get("_ok")
                and (chat_id is None or str(c.params["chat_id"]) == str(chat_id))
            ]

    def texts(self, chat_id: int | str | None = None) -> list[str]:
        """Texts of delivered messages."""
        return [str(p.get("text", "")) for p in self.sent(chat_id)]

    def methods(self) -> list[str]:
        """Every method called, in order."""
        with self.lock:
            return [c.method for c in self.calls]

    def push_update(self, update: dict[str, Any]) -> None:
        """Make an update available to getUpdates."""
        with self.lock:
            self.updates.append(update)

    # --- the server --------------------------------------------------------------------------------------
    def app(self) -> Starlette:
        """The ASGI app."""
        return Starlette(
            routes=[
                Route("/bot{token}/{method}", self._endpoint, methods=["POST", "GET"]),
                Route("/file/bot{token}/{path:path}", self._file, methods=["GET"]),
            ]
        )

    def serve(self) -> ServerThread:
        """A server thread for this fake (use as a context manager)."""
        return ServerThread(self.app())

    async def _file(self, request: Request) -> Response:
        file_id = request.path_params["path"].rpartition("/")[2].removesuffix(".jpg")
        return Response(self.files.get(file_id, FAKE_JPEG), media_type="application/octet-stream")

    async def _params(self, request: Request) -> dict[str, Any]:
        if request.headers.get("content-type", "").startswith("application/json"):
            body = await request.body()
            return dict(json.loads(body or b"{}"))
        form = await request.form()
        params: dict[str, Any] = {}
        for key, value in form.items():
            if not isinstance(value, str):  # an uploaded file
                data = await value.read()
                with self.lock:
                    self.uploads.append(data)
                params[key] = f"upload:{value.filename}"
            else:
                try:
                    params[key] = json.loads(value) if value[:1] in "[{" or value in ("true", "false") else value
                except ValueError:
                    params[key] = value
        return params

    async def _endpoint(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401)
        method = request.path_params["method"]
        params = await self._params(request)
        call = Call(method, params, time.monotonic())
        with self.lock:
            self.calls.append(call)
        if self.on_call is not None:
            self.on_call(call)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return JSONResponse({"ok": False, "error_code": 404, "description": "Not Found"}, status_code=404)
        return await handler(params)

    @staticmethod
    def _ok(result: Any) -> JSONResponse:
        return JSONResponse({"ok": True, "result": result})

    async def _m_getMe(self, params: dict[str, Any]) -> Response:  # noqa: N802
        return self._ok(
            {
                "id": 424242,
                "is_bot": True,
                "first_name": "Lapor IKM",
                "username": self.username,
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        )

    async def _m_getUpdates(self, params: dict[str, Any]) -> Response:  # noqa: N802
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 2.0)
        while True:
            with self.lock:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
                ready = list(self.updates)
            if ready or time.monotonic() >= deadline:
                return self._ok(ready)
            await asyncio.sleep(0.02)

    async def _m_setWebhook(self, params: dict[str, Any]) -> Response:  # noqa: N802
        return self._ok(True)

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> Response:  # noqa: N802
        return self._ok(True)

    async def _m_setMyCommands(self, params: dict[str, Any]) -> Response:  # noqa: N802
        return self._ok(True)

    async def _m_answerCallbackQuery(self, params: dict[str, Any]) -> Response:  # noqa: N802
        return self._ok(True)

    async def _m_getFile(self, params: dict[str, Any]) -> Response:  # noqa: N802
        file_id = params.get("file_id", "")
        size = len(self.files.get(file_id, FAKE_JPEG))
        return self._ok(
            {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "file_size": size,
                "file_path": f"photos/{file_id}.jpg",
            }
        )

    def _message(self, params: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.next_message_id += 1
            message_id = self.next_message_id
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": int(params.get("chat_id", 0)), "type": "private"},
            "text": params.get("text", ""),
        }

    async def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> Response:  # noqa: N802
        return self._ok(self._message(params))

    async def _m_editMessageText(self, params: dict[str, Any]) -> Response:  # noqa: N802
        if int(params.get("message_id", 0)) in self.gone:
            return JSONResponse(
                {"ok": False, "error_code": 400, "description": "Bad Request: message to edit not found"},
                status_code=400,
            )
        return self._ok(self._message(params))

    async def _m_sendPhoto(self, params: dict[str, Any]) -> Response:  # noqa: N802
        return await self._send(params, photo=True)

    async def _m_sendMessage(self, params: dict[str, Any]) -> Response:  # noqa: N802
        return await self._send(params)

    async def _send(self, params: dict[str, Any], photo: bool = False) -> Response:
        if self.stall_seconds:
            await asyncio.sleep(self.stall_seconds)
        with self.lock:
            if str(params.get("chat_id")) in self.forbidden:
                return JSONResponse(
                    {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
                    status_code=403,
                )
            if self.fail_429 > 0:
                self.fail_429 -= 1
                return JSONResponse(
                    {
                        "ok": False,
                        "error_code": 429,
                        "description": f"Too Many Requests: retry after {self.retry_after}",
                        "parameters": {"retry_after": self.retry_after},
                    },
                    status_code=429,
                )
            if self.fail_500 > 0:
                self.fail_500 -= 1
                return JSONResponse(
                    {"ok": False, "error_code": 500, "description": "Internal Server Error"}, status_code=500
                )
            params["_ok"] = True
        message = self._message(params)
        if photo:  # Telegram answers with the stored sizes; their file_id serves later sends
            message["photo"] = [{"file_id": "AgACposter", "file_unique_id": "uposter", "width": 800, "height": 600}]
        return self._ok(message)
