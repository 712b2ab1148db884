"""WhatsApp Cloud API: webhook payloads to neutral events, outbox payloads to Cloud API calls (httpx)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import phonenumbers
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.channels.whatsapp_body import BSUID, MessagePart, read_message, read_status
from bot.messaging.adapters import Interpretation, SendResult, reply_payloads
from bot.messaging.outbox import Claimed
from bot.storage.media import OTHER, SUFFIXES, safe_name
from bot.storage.models import ChannelAccount
from conversations import Inbound, InboundKind, Reply
from conversations.i18n import N_, Translator

log = logging.getLogger(__name__)

PLATFORM = "whatsapp"
TEXT_LIMIT = 4096
INTERACTIVE_BODY_LIMIT = 1024
BUTTON_TITLE_LIMIT = 20
ROW_TITLE_LIMIT = 24
ROW_DESCRIPTION_LIMIT = 72
LIST_ROWS = 10
PAGE_ROWS = 9  # a page of a long list: nine choices and a "more" row
WINDOW = timedelta(hours=24)
PAGE_PREFIX = "__page:"

# Cloud API error codes (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes).
THROUGHPUT = {130429}  # too many messages per second for this number: slow everything down
PAIR_RATE = {131056}  # too many messages to this user in a short time
RETRY_LATER = {4, 80007, 131048, 131000, 133004, 1, 2}
OUTSIDE_WINDOW = {131047}  # more than 24 hours since the user's last message
STOPPED = {131050}  # the user stopped marketing messages


# --- signatures ------------------------------------------------------------------------------------------
def signature_valid(body: bytes, header: str | None, app_secret: str) -> bool:
    """Check X-Hub-Signature-256 (sha256=HMAC of the raw body with the app secret) in constant time."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header.removeprefix("sha256="), expected)


# --- webhook bodies into events ----------------------------------------------------------------------
def split_webhook(body: dict[str, Any], phone_number_id: str | None) -> list[tuple[str, str, dict[str, Any]]]:
    """(event_key, chat_key, payload) for every usable message and status in a webhook body for our number.

    Each message and status is validated on its own (`whatsapp_body`): one that does not fit is logged and left out,
    the others are kept. Group messages are left out too: the bot talks to owners one to one, and answering a group
    message privately would write to someone who never wrote to the bot.
    """
    events: list[tuple[str, str, dict[str, Any]]] = []
    for entry in _objects(body.get("entry")):
        for change in _objects(entry.get("changes")):
            value = _as_dict(change.get("value"))
            number = str(_as_dict(value.get("metadata")).get("phone_number_id") or "")
            if phone_number_id and number != phone_number_id:
                log.info("ignoring WhatsApp event for another phone number id")
                continue
            for raw in _objects(value.get("messages")):
                message = read_message(raw)
                if message is None:
                    continue
                if message.group_id is not None:
                    log.info("ignoring a WhatsApp group message: the bot answers one-to-one chats only")
                    continue
                stored = message.model_dump(by_alias=True, exclude_none=True)
                events.append((message.id, message.sender_id, {"message": stored}))
            for raw in _objects(value.get("statuses")):
                status = read_status(raw)
                if status is None:
                    continue
                recipient = status.recipient_id or status.recipient_user_id or "unknown"
                stored = status.model_dump(exclude_none=True)
                events.append((f"status:{status.id}:{status.status}", recipient, {"status": stored}))
    return events


def _as_dict(value: object) -> dict[str, Any]:
    """`value` when it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def _objects(value: object) -> list[dict[str, Any]]:
    """The JSON objects in a list (anything else in a webhook body is ignored, never trusted)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def e164(wa_id: str | None) -> str | None:
    """A wa_id ("6281234567890") as E.164 ("+6281234567890"), when it is a valid phone number."""
    if not wa_id or not wa_id.isdigit():
        return None
    try:
        number = phonenumbers.parse("+" + wa_id, None)
    except phonenumbers.NumberParseException:
        return None
    return (
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if phonenumbers.is_valid_number(number)
        else None
    )


def interpret(payload: dict[str, Any]) -> Interpretation:
    """Read one stored WhatsApp event (validated again: rows stored by an earlier version are not trusted)."""
    if "status" in payload:
        status = read_status(payload["status"])
        return Interpretation(chat_id=None, receipt=status.model_dump() if status else None)
    message = read_message(payload.get("message"))
    if message is None or message.group_id is not None:
        return Interpretation(chat_id=None)
    inbound, extra = _message_inbound(message)
    sender = message.sender_id
    return Interpretation(
        chat_id=sender, user_id=sender, inbound=inbound, extra=extra, verified_phone=e164(message.sender)
    )


def _message_inbound(message: MessagePart) -> tuple[Inbound | None, dict[str, Any]]:
    common = {
        "channel": PLATFORM,
        "supports_photos": True,
        "supports_location": True,
        "sender_phone": e164(message.sender),
    }
    kind = message.type
    if kind == "text" and message.text is not None:
        return Inbound(kind=InboundKind.TEXT, text=message.text.body, **common), {}
    if kind == "interactive" and message.interactive is not None:
        reply = message.interactive.button_reply or message.interactive.list_reply
        choice = reply.id if reply is not None else ""
        if choice.startswith(PAGE_PREFIX):
            page = choice.removeprefix(PAGE_PREFIX)
            if page.isdigit() and len(page) <= 3:
                return None, {"page": int(page)}
            return Inbound(kind=InboundKind.OTHER, **common), {}  # not a page button we sent
        if choice:
            return Inbound(kind=InboundKind.CHOICE, choice_id=choice, **common), {}
        return Inbound(kind=InboundKind.OTHER, **common), {}
    if kind == "button" and message.button is not None:  # a quick-reply button of a template
        return Inbound(kind=InboundKind.TEXT, text=message.button.text or message.button.payload or "", **common), {}
    media = message.image if kind == "image" else message.document if kind == "document" else None
    if media is not None:
        is_image = kind == "image" or (media.mime_type or "").startswith("image/")
        return (
            Inbound(
                kind=InboundKind.PHOTO if is_image else InboundKind.DOCUMENT,
                text=media.caption or "",
                media_ref=f"{PLATFORM}:{media.id}",
                **common,
            ),
            {"media_id": media.id, "mime_type": media.mime_type},
        )
    if kind == "location" and message.location is not None:
        location = message.location
        inbound = Inbound(kind=InboundKind.LOCATION, latitude=location.latitude, longitude=location.longitude, **common)
        return inbound, {}
    if kind == "contacts":
        phones = message.contacts[0].phones if message.contacts else []
        phone = (phones[0].wa_id or phones[0].phone or "") if phones else ""
        return (
            Inbound(
                kind=InboundKind.CONTACT,
                text=phone,
                contact_phone=phone,
                contact_is_sender=bool(phone) and phone == message.sender,
                **common,
            ),
            {},
        )
    if kind == "sticker":
        return Inbound(kind=InboundKind.STICKER, **common), {}
    if kind in ("audio", "voice"):
        return Inbound(kind=InboundKind.VOICE, **common), {}
    if kind == "reaction" and not (message.reaction and message.reaction.emoji):
        return None, {}  # a reaction taken back: nothing to answer
    if kind == "system":
        return None, {}  # WhatsApp's own notice (a number changed): the user said nothing
    return Inbound(kind=InboundKind.OTHER, **common), {}


# --- rendering ----------------------------------------------------------------------------------------------
def render(replies: list[Reply], interpretation: Interpretation) -> list[dict[str, Any]]:
    """Outbox payloads: long texts split; an interactive body over 1024 characters goes first as plain text."""
    payloads: list[dict[str, Any]] = []
    for payload in reply_payloads(replies, TEXT_LIMIT):
        text = payload.get("text", "")
        interactive = payload.get("choices") or payload.get("ask_location")
        if interactive and len(text) > INTERACTIVE_BODY_LIMIT:
            head, _, tail = text.rpartition("\n\n")
            if head and len(tail) <= INTERACTIVE_BODY_LIMIT:
                payloads.append({"type": "message", "text": head})
                payload = {**payload, "text": tail}
            else:
                payloads.append({"type": "message", "text": text})
                payload = {**payload, "text": Translator("id")(N_("Please choose:"))}
        payloads.append(payload)
    return payloads


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _unique(titles: list[str], limit: int) -> list[str]:
    """Clipped titles made unique (WhatsApp refuses two buttons with one title)."""
    seen: set[str] = set()
    result = []
    for index, title in enumerate(titles, start=1):
        clipped = _clip(title, limit)
        if clipped in seen:
            clipped = _clip(f"{index}. {title}", limit)
        seen.add(clipped)
        result.append(clipped)
    return result


def message_body(payload: dict[str, Any]) -> dict[str, Any]:
    """The Cloud API message object (without the recipient) for an outbox payload."""
    _ = Translator("id")
    kind = payload.get("type")
    if kind == "template":
        template = payload["template"]
        parameters = [{"type": "text", "text": template_text(p)} for p in template.get("params") or []]
        components = [{"type": "body", "parameters": parameters}] if parameters else []
        return {
            "type": "template",
            "template": {
                "name": template["name"],
                "language": {"code": template.get("language") or "id"},
                "components": components,
            },
        }
    if kind == "photo":
        image = {"id": payload["photo"]} if not str(payload["photo"]).startswith("http") else {"link": payload["photo"]}
        if payload.get("text"):
            image["caption"] = _clip(payload["text"], INTERACTIVE_BODY_LIMIT)
        return {"type": "image", "image": image}
    text = payload.get("text") or ""
    choices = payload.get("choices") or []
    if payload.get("ask_location"):
        body = text + "\n\n" + _(N_("(Type SKIP to skip.)")) if choices else text
        return {
            "type": "interactive",
            "interactive": {
                "type": "location_request_message",
                "body": {"text": _clip(body, INTERACTIVE_BODY_LIMIT)},
                "action": {"name": "send_location"},
            },
        }
    if not choices:
        return {"type": "text", "text": {"body": text, "preview_url": False}}
    if len(choices) <= 3:
        titles = _unique([label for _id, label, _d in choices], BUTTON_TITLE_LIMIT)
        buttons = [{"type": "reply", "reply": {"id": c[0], "title": t}} for c, t in zip(choices, titles, strict=True)]
        return {
            "type": "interactive",
            "interactive": {"type": "button", "body": {"text": text}, "action": {"buttons": buttons}},
        }
    return _list_body(text, choices, int(payload.get("page") or 1))


def _list_body(text: str, choices: list[list[Any]], page: int) -> dict[str, Any]:
    """A list message; more than ten choices are paged nine at a time with a "more" row."""
    _ = Translator("id")
    numbered = [(number, c) for number, c in enumerate(choices, start=1)]
    if len(numbered) <= LIST_ROWS:
        shown, more = numbered, False
    else:
        pages = (len(numbered) + PAGE_ROWS - 1) // PAGE_ROWS
        page = (page - 1) % pages + 1
        shown = numbered[(page - 1) * PAGE_ROWS : page * PAGE_ROWS]
        more = True
        text = (
            text
            + "\n\n"
            + _(N_("Choices {first}-{last} of {total}."), first=shown[0][0], last=shown[-1][0], total=len(numbered))
        )
    rows = []
    for number, (choice_id, label, description) in shown:
        title = f"{number}. {label}"
        row: dict[str, Any] = {"id": choice_id, "title": _clip(title, ROW_TITLE_LIMIT)}
        detail = description or (label if len(title) > ROW_TITLE_LIMIT else None)
        if detail:
            row["description"] = _clip(detail, ROW_DESCRIPTION_LIMIT)
        rows.append(row)
    if more:
        next_page = page + 1
        rows.append({"id": f"{PAGE_PREFIX}{next_page}", "title": _clip(_(N_("More choices ›")), ROW_TITLE_LIMIT)})
    return {
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": _clip(text, INTERACTIVE_BODY_LIMIT)},
            "action": {
                "button": _clip(_(N_("Choose")), BUTTON_TITLE_LIMIT),
                "sections": [{"title": _clip(_(N_("Choices")), ROW_TITLE_LIMIT), "rows": rows}],
            },
        },
    }


def template_text(value: object) -> str:
    """A template parameter: Meta refuses new lines, tabs and runs of spaces inside parameters."""
    text = re.sub(r"[\t\r\n]+", " · ", str(value))
    return re.sub(r" {4,}", "   ", text).strip()[:1000]


def window_open(last_inbound_at: datetime | None, now: datetime) -> bool:
    """True while free-form messages are allowed: within 24 hours of the user's last message."""
    return last_inbound_at is not None and now - last_inbound_at < WINDOW


# --- the Cloud API client -----------------------------------------------------------------------------------
class WhatsAppTransport:
    """Sends outbox payloads to the Cloud API messages endpoint and fetches media."""

    platform = PLATFORM

    def __init__(self, access_token: str, phone_number_id: str, api_base_url: str, media_dir: Path) -> None:
        self.phone_number_id = phone_number_id
        self.media_dir = media_dir
        self.base_url = api_base_url.rstrip("/")
        self._uploaded: dict[str, str] = {}
        self._upload_lock = asyncio.Lock()
        self.headers = {"Authorization": f"Bearer {access_token}"}
        self.client = httpx.AsyncClient(
            base_url=self.base_url,
            headers=self.headers,
            timeout=httpx.Timeout(20.0, connect=10.0),
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=50),
        )

    async def start(self) -> None:
        """Nothing to fetch at start; kept for symmetry with Telegram."""

    async def stop(self) -> None:
        """Close HTTP connections."""
        await self.client.aclose()

    async def deliver(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        """Send one payload and classify the outcome."""
        if payload.get("type") in ("answer_callback", "clear_keyboard"):
            return SendResult("sent")
        if payload.get("type") == "photo" and str(payload.get("photo", "")).startswith("file:"):
            media_id = await self._upload(str(payload["photo"]))
            if media_id is None:
                return SendResult("retry", error="media upload failed")
            payload = {**payload, "photo": media_id}
        recipient = {"recipient": chat_id} if re.match(BSUID, chat_id) else {"to": chat_id}
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", **recipient, **message_body(payload)}
        try:
            response = await self.client.post(f"/{self.phone_number_id}/messages", json=body)
        except httpx.HTTPError as error:
            return SendResult("retry", error=f"{type(error).__name__}: {error}")
        return classify_response(response)

    async def _upload(self, reference: str) -> str | None:
        """Upload a local picture once (media ids stay valid for 30 days) and return its media id."""
        async with self._upload_lock:  # recipients are sent to in parallel: the first one uploads
            return await self._upload_once(reference)

    async def _upload_once(self, reference: str) -> str | None:
        if reference in self._uploaded:
            return self._uploaded[reference]
        path = Path(reference.removeprefix("file:"))
        mime = "image/png" if path.suffix == ".png" else "image/jpeg"
        try:
            response = await self.client.post(
                f"/{self.phone_number_id}/media",
                data={"messaging_product": "whatsapp", "type": mime},
                files={"file": (path.name, path.read_bytes(), mime)},
            )
            response.raise_for_status()
            media_id = str(response.json()["id"])
        except (httpx.HTTPError, OSError, KeyError, ValueError) as error:
            log.warning("could not upload media to WhatsApp: %s", type(error).__name__)
            return None
        self._uploaded[reference] = media_id
        return media_id

    def fetch_media(self, media_id: str) -> Path | None:
        """Download a media file (its URL first, then the bytes) into the media folder; blocking."""
        try:
            with httpx.Client(base_url=self.base_url, headers=self.headers, timeout=20.0) as client:
                meta = client.get(f"/{media_id}")
                meta.raise_for_status()
                info = meta.json()
                download = client.get(info["url"])
                download.raise_for_status()
        except (httpx.HTTPError, KeyError, ValueError) as error:
            log.warning("could not fetch WhatsApp media: %s", type(error).__name__)
            return None
        suffix = SUFFIXES.get(str(info.get("mime_type", "")).split(";")[0], OTHER)
        path = media_path(self.media_dir, media_id, suffix)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(download.content)
        return path


def media_path(media_dir: Path, media_id: str, suffix: str) -> Path:
    """Where a fetched WhatsApp media file is kept."""
    return media_dir / PLATFORM / (safe_name(media_id) + suffix)


def classify_response(response: httpx.Response) -> SendResult:
    """Map a Cloud API answer to what the sender should do."""
    if response.status_code == 200:
        try:
            message_id = response.json()["messages"][0]["id"]
        except (ValueError, KeyError, IndexError):
            message_id = None
        return SendResult("sent", message_id=message_id)
    try:
        error = response.json().get("error") or {}
    except ValueError:
        error = {}
    code = error.get("code")
    description = f"{response.status_code} {code}: {error.get('message') or response.text[:200]}"
    if code in THROUGHPUT:
        return SendResult("retry", retry_after=1.0, error=description, pause_all=True)
    if code in PAIR_RATE:
        return SendResult("retry", retry_after=6.0, error=description)
    if code in OUTSIDE_WINDOW:
        return SendResult("waiting", error=description)
    if code in STOPPED:
        return SendResult("blocked", error=description)
    if code in RETRY_LATER or response.status_code >= 500 or response.status_code == 429:
        return SendResult("retry", error=description)
    return SendResult("failed", error=description)


class WhatsAppAdapter:
    """The inbox's view of WhatsApp."""

    platform = PLATFORM
    messaging_window = True  # free-form messages only within 24 hours of the owner's last message

    def interpret(self, payload: dict[str, Any]) -> Interpretation:
        """Read a stored event."""
        return interpret(payload)

    def render(self, replies: list[Reply], interpretation: Interpretation) -> list[dict[str, Any]]:
        """Outbox payloads for replies."""
        return render(replies, interpretation)


def window_gate(
    engine: Engine, templates: dict[str, dict[str, Any]], clock: Callable[[], datetime]
) -> Callable[[Claimed], tuple[str, dict[str, Any] | None]]:
    """A sender gate: inside the 24-hour window send as is; outside, a configured template or wait."""

    def gate(message: Claimed) -> tuple[str, dict[str, Any] | None]:
        payload = message.payload
        if payload.get("type") not in ("message", "photo"):
            return "send", None
        with Session(engine) as db:
            last = db.exec(
                select(ChannelAccount.last_inbound_at).where(
                    ChannelAccount.platform == PLATFORM, ChannelAccount.external_id == message.chat_id
                )
            ).first()
        if window_open(last, clock()):
            return "send", None
        template = templates.get(str(payload.get("purpose") or ""))
        if template is None:
            return "waiting", None
        params = [payload.get("text") or ""]
        return "send", {
            "type": "template",
            "template": {"name": template["name"], "language": template.get("language", "id"), "params": params},
        }

    return gate
