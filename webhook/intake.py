"""What both webhooks share: bodies read only up to the configured size, and the answer while the database is down."""

from __future__ import annotations

import logging

from fastapi import Request, Response

from bot.storage.db import describe_error

log = logging.getLogger(__name__)


async def read_body(request: Request, limit: int) -> bytes | None:
    """The request's body, or None when it is larger than `limit` bytes (refused before it is all read)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None  # refused on the header alone: nothing of it is read into memory
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():  # a chunked body has no length to check beforehand
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def database_down(webhook: str, error: Exception) -> Response:
    """503 with Retry-After: nothing was stored, and the platform delivers the update again after a non-2xx answer."""
    log.warning("%s webhook: database unavailable (%s); answered 503", webhook, describe_error(error))
    return Response(status_code=503, headers={"Retry-After": "5"})
