"""python-telegram-bot's HTTP layer on aiohttp, for sending many messages at once.

PTB's default (httpx) spends most of a busy broadcast scanning its connection pool: httpcore checks every pooled
connection for each request, so the cost per message grows with the number of sends in flight. aiohttp's connector
keeps idle connections in a queue, and its cost per request stays flat.
"""

from __future__ import annotations

import json

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_JSON = {"Content-Type": "application/json"}


class AiohttpRequest(BaseRequest):
    """A `BaseRequest` that sends Bot API calls through one pooled `aiohttp.ClientSession`."""

    def __init__(
        self,
        connection_pool_size: int = 64,
        read_timeout: float = 20.0,
        connect_timeout: float = 10.0,
        pool_timeout: float = 10.0,
        media_write_timeout: float = 60.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout in seconds."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (its connector holds up to `connection_pool_size` connections)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=self._pool_size)
            self._session = aiohttp.ClientSession(connector=connector, headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; map aiohttp's errors to PTB's `TimedOut` and `NetworkError`."""
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        files = request_data.multipart_data if request_data else None
        body: aiohttp.FormData | bytes | None = None
        headers = None
        if files:
            form = aiohttp.FormData()
            for name, value in request_data.json_parameters.items():  # type: ignore[union-attr]
                form.add_field(name, value)
            for name, (filename, content, mime) in files.items():
                form.add_field(name, content, filename=filename, content_type=mime)
            body = form
        elif request_data is not None:
            # A JSON body (the Bot API takes one for every call but uploads): cheaper to build than a URL-encoded form.
            body = json.dumps(request_data.parameters, ensure_ascii=False).encode()
            headers = _JSON
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=_value(pool_timeout, self._pool_timeout) + _value(connect_timeout, self._connect_timeout),
            sock_connect=_value(connect_timeout, self._connect_timeout),
            # aiohttp has no write timeout: an upload's is added to the wait for the answer.
            sock_read=_value(read_timeout, self._read_timeout)
            + (_value(write_timeout, self._media_write_timeout) if files else 0.0),
        )
        try:
            async with self._session.request(method, url, data=body, headers=headers, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error


def _value(given: object, default: float) -> float:
    """A timeout passed to a call, or the default when the call left it unset (PTB's DefaultValue) or None."""
    return given if isinstance(given, int | float) and not isinstance(given, bool) else default
