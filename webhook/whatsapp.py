"""GET /whatsapp/webhook (verification handshake) and POST /whatsapp/webhook (signed events)."""

from __future__ import annotations

import json
import secrets

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse

from bot.channels.whatsapp import signature_valid, split_webhook
from bot.storage.db import DATABASE_UNAVAILABLE
from webhook.intake import database_down, read_body

router = APIRouter()


@router.get("/whatsapp/webhook")
async def whatsapp_verify(request: Request) -> Response:
    """Meta's subscription handshake: echo hub.challenge when hub.verify_token matches."""
    settings = request.app.state.settings
    params = request.query_params
    expected = settings.whatsapp_verify_token or ""
    given = params.get("hub.verify_token", "")
    if params.get("hub.mode") == "subscribe" and expected and secrets.compare_digest(given.encode(), expected.encode()):
        return PlainTextResponse(params.get("hub.challenge", ""))
    return Response(status_code=403)


@router.post("/whatsapp/webhook")
async def whatsapp_events(request: Request) -> Response:
    """Check the signature over the raw body, store every message and status, then answer 200 (503 if the database
    is down: Meta delivers the whole payload again, and what was already stored is recognised as a duplicate)."""
    settings = request.app.state.settings
    runtime = request.app.state.runtime
    if runtime.whatsapp is None:
        return Response(status_code=403)
    body = await read_body(request, settings.max_request_bytes)
    if body is None:
        return Response(status_code=413)
    header = request.headers.get("X-Hub-Signature-256")
    if settings.whatsapp_app_secret:
        if not header:
            return Response(status_code=401)
        if not signature_valid(body, header, settings.whatsapp_app_secret):
            return Response(status_code=403)
    try:
        payload = json.loads(body)
    except ValueError:
        return Response(status_code=400)
    if not isinstance(payload, dict):
        return Response(status_code=400)
    try:
        for event_key, chat, event in split_webhook(payload, settings.whatsapp_phone_number_id):
            await runtime.accept("whatsapp", event_key, chat, event)
    except DATABASE_UNAVAILABLE as error:
        return database_down("whatsapp", error)
    return Response(status_code=200)
