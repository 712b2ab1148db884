"""Webhook request bodies, read only up to the configured size."""

from __future__ import annotations

from fastapi import Request


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
