"""POST /telegram/webhook: check the secret, store the update, answer 200 (503 while the database is down)."""

from __future__ import annotations

import json
import secrets

from fastapi import APIRouter, Request, Response

from bot.channels.telegram import chat_key
from bot.channels.telegram_update import read_update
from bot.storage.db import DATABASE_UNAVAILABLE
from webhook.intake import database_down, read_body

router = APIRouter()


@router.post("/telegram/webhook")
async def telegram_webhook(request: Request) -> Response:
    """Accept one Telegram update after checking its secret header in constant time."""
    settings = request.app.state.settings
    runtime = request.app.state.runtime
    expected = settings.telegram_webhook_secret or ""
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not expected or runtime.telegram is None or not secrets.compare_digest(given.encode(), expected.encode()):
        return Response(status_code=403)
    body = await read_body(request, settings.max_request_bytes)
    if body is None:
        return Response(status_code=413)
    try:
        update = json.loads(body)
    except ValueError:
        return Response(status_code=400)
    if not isinstance(update, dict) or type(update.get("update_id")) is not int:  # `true` is no update id
        return Response(status_code=400)
    if read_update(update) is None:  # logged: a part the bot reads has the wrong type or size
        return Response(status_code=200)  # answered, so that Telegram does not deliver it again and again
    try:
        await runtime.accept("telegram", str(update["update_id"]), chat_key(update), update)
    except DATABASE_UNAVAILABLE as error:
        return database_down("telegram", error)
    return Response(status_code=200)
