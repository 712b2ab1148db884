"""Telegram: Bot API updates to neutral events, and outbox payloads to Bot API calls (python-telegram-bot)."""

from __future__ import annotations

import asyncio
import logging
import warnings
from datetime import timedelta
from pathlib import Path
from typing import Any

from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.warnings import PTBDeprecationWarning, PTBUserWarning

from bot.channels.aiohttp_request import AiohttpRequest
from bot.channels.telegram_update import read_update
from bot.messaging.adapters import Interpretation, SendResult, reply_payloads
from conversations import Inbound, InboundKind, Reply
from conversations.i18n import N_, Translator

log = logging.getLogger(__name__)
# Known methods are called through do_api_request on purpose (raw answers: see TelegramTransport._call); PTB would
# advise the named method on every call.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.", category=PTBUserWarning)

PLATFORM = "telegram"
TEXT_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
# Update types the bot needs (my_chat_member tells when a user blocks or unblocks the bot).
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
COMMANDS = (
    ("start", N_("Start or register")),
    ("menu", N_("Main menu")),
    ("lapor", N_("Update my report")),
    ("bantuan", N_("Help")),
    ("berhenti", N_("Stop all messages")),
    ("hapus", N_("Delete my data")),
)
_PRIVATE = "private"


def _dict(value: object) -> dict[str, Any]:
    """`value` when it is a JSON object, else an empty one (payloads are never trusted to be well formed)."""
    return value if isinstance(value, dict) else {}


def interpret(update: dict[str, Any], bot_username: str = "") -> Interpretation:
    """Read one Bot API update (as JSON) into neutral terms; unknown or malformed kinds become an empty one."""
    if read_update(update) is None:  # stored by an earlier version, or posted around the webhook's check
        return Interpretation(chat_id=None)
    if isinstance(update.get("callback_query"), dict):
        return _callback(update["callback_query"])
    if isinstance(update.get("my_chat_member"), dict):
        return _membership(update["my_chat_member"], bot_username)
    for key, edited in (("message", False), ("edited_message", True)):
        if isinstance(update.get(key), dict):
            message = update[key]
            chat = _dict(message.get("chat"))
            if chat.get("type") != _PRIVATE:
                return _group_message(message, bot_username)
            if edited:
                return _private(message, Inbound(kind=InboundKind.EDITED, channel=PLATFORM))
            return _private(message, _message_inbound(message))
    return Interpretation(chat_id=None)


def _private(message: dict[str, Any], inbound: Inbound) -> Interpretation:
    sender = _dict(message.get("from"))
    chat_id = str(_dict(message.get("chat")).get("id", sender.get("id", "")))
    return Interpretation(chat_id=chat_id, user_id=str(sender.get("id", chat_id)), inbound=inbound)


def _message_inbound(message: dict[str, Any]) -> Inbound:
    """The neutral event for a private message, whatever it carries."""
    common = {"channel": PLATFORM, "supports_photos": True, "supports_location": True}
    caption = message.get("caption") or ""
    caption = caption if isinstance(caption, str) else ""
    if isinstance(message.get("text"), str):
        return Inbound(kind=InboundKind.TEXT, text=message["text"], **common)
    sizes = (
        [p for p in message.get("photo") or [] if isinstance(p, dict) and p.get("file_id")]
        if isinstance(message.get("photo"), list)
        else []
    )
    if sizes:
        largest = max(sizes, key=lambda p: _size(p))
        return Inbound(kind=InboundKind.PHOTO, text=caption, media_ref=f"telegram:{largest['file_id']}", **common)
    document = _dict(message.get("document"))
    if document.get("file_id"):
        kind = InboundKind.PHOTO if str(document.get("mime_type", "")).startswith("image/") else InboundKind.DOCUMENT
        return Inbound(kind=kind, text=caption, media_ref=f"telegram:{document['file_id']}", **common)
    if isinstance(message.get("location"), dict):
        location = message["location"]
        return Inbound(
            kind=InboundKind.LOCATION, latitude=location.get("latitude"), longitude=location.get("longitude"), **common
        )
    if isinstance(message.get("contact"), dict):
        contact = message["contact"]
        sender_id = _dict(message.get("from")).get("id")
        return Inbound(
            kind=InboundKind.CONTACT,
            text=contact.get("phone_number", ""),
            contact_phone=contact.get("phone_number"),
            contact_is_sender=contact.get("user_id") is not None and contact.get("user_id") == sender_id,
            **common,
        )
    if "sticker" in message:
        return Inbound(kind=InboundKind.STICKER, **common)
    if any(k in message for k in ("voice", "audio", "video_note")):
        return Inbound(kind=InboundKind.VOICE, **common)
    return Inbound(kind=InboundKind.OTHER, text=caption, **common)


def _size(photo: dict[str, Any]) -> float:
    """How big a photo size is, for picking the largest."""
    try:
        return float(photo.get("file_size") or (photo.get("width") or 0) * (photo.get("height") or 0))
    except (TypeError, ValueError):
        return 0.0


def _callback(query: dict[str, Any]) -> Interpretation:
    message = _dict(query.get("message"))
    sender = _dict(query.get("from"))
    chat = _dict(message.get("chat"))
    extra = {"callback_query_id": query.get("id"), "message_id": message.get("message_id")}
    if chat and chat.get("type") != _PRIVATE:
        return Interpretation(chat_id=None, extra=extra)
    data = str(query.get("data") or "")
    common = {"channel": PLATFORM, "supports_photos": True, "supports_location": True}
    if data.startswith("#"):  # a choice whose id was too long for callback data: its number
        inbound = Inbound(kind=InboundKind.TEXT, text=data[1:], **common)
    else:
        inbound = Inbound(kind=InboundKind.CHOICE, choice_id=data, **common)
    chat_id = str(chat.get("id", sender.get("id", "")))
    return Interpretation(chat_id=chat_id, user_id=str(sender.get("id", chat_id)), inbound=inbound, extra=extra)


def _membership(change: dict[str, Any], bot_username: str) -> Interpretation:
    chat = _dict(change.get("chat"))
    status = _dict(change.get("new_chat_member")).get("status")
    chat_id = str(chat.get("id", ""))
    if chat.get("type") == _PRIVATE:
        if status == "kicked":
            return Interpretation(chat_id=chat_id, user_id=chat_id, blocked=True)
        if status == "member":
            return Interpretation(chat_id=chat_id, user_id=chat_id, blocked=False)
        return Interpretation(chat_id=None)
    if status in ("member", "administrator") and chat.get("type") in ("group", "supergroup"):
        return Interpretation(chat_id=chat_id, notices=[_private_only_notice(bot_username)])
    return Interpretation(chat_id=None)


def _group_message(message: dict[str, Any], bot_username: str) -> Interpretation:
    """In groups the bot only answers commands and mentions, asking to be messaged privately."""
    chat = _dict(message.get("chat"))
    if chat.get("type") not in ("group", "supergroup"):
        return Interpretation(chat_id=None)  # channel posts and the like
    text = str(message.get("text") or "")
    mentioned = bool(bot_username) and f"@{bot_username}".lower() in text.lower()
    if not (text.startswith("/") or mentioned):
        return Interpretation(chat_id=None)
    # In a forum the answer goes to the topic the command was written in (without it, to the General topic).
    topic = message.get("message_thread_id") if message.get("is_topic_message") else None
    extra = {"message_thread_id": topic} if isinstance(topic, int) else {}
    return Interpretation(chat_id=str(chat.get("id")), notices=[_private_only_notice(bot_username)], extra=extra)


def _private_only_notice(bot_username: str) -> Reply:
    _ = Translator("id")
    link = f"https://t.me/{bot_username}" if bot_username else ""
    return Reply(
        text=_(
            N_(
                "Hello! Lapor IKM only works in a private chat, so your data stays private. "
                "Please message me here: {link}"
            ),
            link=link,
        )
    )


def render(replies: list[Reply], interpretation: Interpretation) -> list[dict[str, Any]]:
    """Outbox payloads for the replies; a pressed button is answered and its keyboard removed first (or, for a
    multi-select option switched, the pressed message is edited to show the new selection)."""
    payloads: list[dict[str, Any]] = []
    extra = interpretation.extra
    pressed = extra.get("message_id")
    messages = reply_payloads(replies, TEXT_LIMIT)
    if extra.get("message_thread_id"):
        messages = [{**m, "message_thread_id": extra["message_thread_id"]} for m in messages]
    if extra.get("callback_query_id"):
        payloads.append({"type": "answer_callback", "callback_query_id": extra["callback_query_id"]})
        if pressed and len(replies) == 1 and replies[0].replaces_pressed and len(messages) == 1:
            return [*payloads, {**messages[0], "type": "edit_text", "message_id": pressed}]
        if pressed:
            payloads.append({"type": "clear_keyboard", "message_id": pressed})
    return payloads + messages


def keyboard(payload: dict[str, Any]) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    """The markup for a message payload: inline buttons, or a reply keyboard asking for a contact/location."""
    choices = payload.get("choices") or []
    if payload.get("ask_contact") or payload.get("ask_location"):
        _ = Translator("id")
        rows = []
        if payload.get("ask_contact"):
            rows.append([KeyboardButton(_(N_("📱 Share my number")), request_contact=True)])
        if payload.get("ask_location"):
            rows.append([KeyboardButton(_(N_("📍 Share my location")), request_location=True)])
        rows += [[KeyboardButton(label)] for _id, label, _desc in choices]
        return ReplyKeyboardMarkup(rows, one_time_keyboard=True, resize_keyboard=True)
    if not choices:
        return None
    buttons = []
    for number, (choice_id, label, _desc) in enumerate(choices, start=1):
        data = choice_id if len(choice_id.encode("utf-8")) <= CALLBACK_DATA_LIMIT else f"#{number}"
        buttons.append(InlineKeyboardButton(label, callback_data=data))
    short = len(buttons) <= 3 and all(len(b.text) <= 12 for b in buttons)
    rows = [buttons] if short else [[b] for b in buttons]
    return InlineKeyboardMarkup(rows)


def _retry_seconds(error: RetryAfter) -> float:
    """RetryAfter's wait in seconds, whether PTB gives an int (deprecated) or a timedelta."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramTransport:
    """Sends outbox payloads with python-telegram-bot's Bot (transport only)."""

    platform = PLATFORM

    def __init__(self, token: str, api_base_url: str, read_timeout: float = 20.0) -> None:
        base = api_base_url.rstrip("/")
        # aiohttp, not PTB's default httpx: with many sends in flight httpx spends its time scanning its pool.
        request = AiohttpRequest(connection_pool_size=64, read_timeout=read_timeout)
        polling = AiohttpRequest(connection_pool_size=2, read_timeout=60)
        self.bot = Bot(
            token,
            base_url=f"{base}/bot",
            base_file_url=f"{base}/file/bot",
            request=request,
            get_updates_request=polling,
        )
        self.username = ""
        self._uploaded: dict[str, str] = {}
        self._upload_locks: dict[str, asyncio.Lock] = {}

    async def start(self) -> None:
        """Initialise the bot (getMe) and set the Indonesian command menu."""
        await self.bot.initialize()
        self.username = self.bot.username or ""
        _ = Translator("id")
        try:
            await self.bot.set_my_commands([BotCommand(name, _(desc)) for name, desc in COMMANDS])
        except TelegramError as error:  # the menu is a convenience: never block start-up on it
            log.warning("could not set the command menu: %s", error)

    async def stop(self) -> None:
        """Close HTTP connections."""
        await self.bot.shutdown()

    async def deliver(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        """Send one payload and classify the outcome."""
        kind = payload.get("type")
        try:
            if kind == "answer_callback":
                await self.bot.answer_callback_query(payload["callback_query_id"])
                return SendResult("sent")
            if kind == "clear_keyboard":
                await self._call("editMessageReplyMarkup", chat_id=chat_id, message_id=payload["message_id"])
                return SendResult("sent")
            if kind == "edit_text":
                return await self._edit_text(chat_id, payload)
            if kind == "photo":
                return await self._send_photo(chat_id, payload)
            return await self._send_text(chat_id, payload)
        except RetryAfter as error:
            return SendResult("retry", retry_after=_retry_seconds(error), error=str(error), pause_all=True)
        except Forbidden as error:
            return SendResult("blocked", error=str(error))
        except BadRequest as error:
            harmless = ("message is not modified", "query is too old", "message to edit not found")
            if kind in ("answer_callback", "clear_keyboard") or any(h in str(error).lower() for h in harmless):
                return SendResult("sent", error=str(error))
            return SendResult("failed", error=str(error))
        except (TimedOut, NetworkError) as error:
            return SendResult("retry", error=str(error))
        except TelegramError as error:
            return SendResult("retry", error=str(error))

    async def _edit_text(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        """Show a prompt in place of the message pressed; sent as a new message when that one cannot be edited
        (deleted, or too old)."""
        text, message_id = payload.get("text") or "", payload["message_id"]
        try:
            await self._call(
                "editMessageText", chat_id=chat_id, message_id=message_id, text=text, reply_markup=keyboard(payload)
            )
            return SendResult("sent", message_id=str(message_id))
        except BadRequest as error:
            if "message is not modified" in str(error).lower():  # the same press twice: it already shows this
                return SendResult("sent", message_id=str(message_id), error=str(error))
            log.info("could not edit message %s (%s): sending the prompt anew", message_id, error)
        return await self._send_text(chat_id, payload)

    async def _send_text(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        """Send a text message with its buttons or keyboard."""
        text = payload.get("text") or ""
        topic = {"message_thread_id": payload["message_thread_id"]} if payload.get("message_thread_id") else {}
        sent = await self._call("sendMessage", chat_id=chat_id, text=text, reply_markup=keyboard(payload), **topic)
        return SendResult("sent", message_id=str(_dict(sent).get("message_id", "")) or None)

    async def _send_photo(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        """Send a photo; a local file is uploaded once, later recipients get Telegram's file id."""
        photo = str(payload["photo"])
        caption = payload.get("text") or None
        if not photo.startswith("file:"):
            sent = await self.bot.send_photo(chat_id, photo.removeprefix(f"{PLATFORM}:"), caption=caption)
            return SendResult("sent", message_id=str(sent.message_id))
        # Sends run concurrently: the others wait for the first upload instead of uploading the file again.
        async with self._upload_locks.setdefault(photo, asyncio.Lock()):
            file_id = self._uploaded.get(photo)
            if file_id is None:
                data = Path(photo.removeprefix("file:")).read_bytes()
                sent = await self.bot.send_photo(chat_id, data, caption=caption)
                if sent.photo:
                    self._uploaded[photo] = sent.photo[-1].file_id
                return SendResult("sent", message_id=str(sent.message_id))
        sent = await self.bot.send_photo(chat_id, file_id, caption=caption)
        return SendResult("sent", message_id=str(sent.message_id))

    async def get_updates(self, offset: int | None, timeout: int) -> list[dict[str, Any]]:
        """Long-poll for raw updates."""
        # Raw JSON (not Update objects): the inbox stores exactly what Telegram sent, unknown fields included.
        params = {"offset": offset, "timeout": timeout, "allowed_updates": ALLOWED_UPDATES}
        result = await self.bot.do_api_request("getUpdates", api_kwargs=params, read_timeout=timeout + 10)
        return list(result) if isinstance(result, list) else []

    async def _call(self, method: str, **params: Any) -> Any:
        """A Bot API call whose answer stays JSON (building PTB's objects for an answer we take one id from cost more
        than sending the message)."""
        return await self.bot.do_api_request(method, api_kwargs={k: v for k, v in params.items() if v is not None})

    async def download(self, media_ref: str) -> bytes:
        """The bytes of a stored photo or document reference ("telegram:<file_id>")."""
        file_id = media_ref.removeprefix(f"{PLATFORM}:")
        telegram_file = await self.bot.get_file(file_id)
        return bytes(await telegram_file.download_as_bytearray())

    async def set_webhook(self, url: str, secret: str) -> None:
        """Register the webhook with its secret and the update types we need."""
        await self.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)

    async def delete_webhook(self) -> None:
        """Remove a webhook so long polling can start."""
        await self.bot.delete_webhook()


def chat_key(update: dict[str, Any]) -> str:
    """The user (or chat) an update belongs to, so one person's updates are processed in order."""
    for key in ("message", "edited_message", "callback_query", "my_chat_member", "channel_post", "edited_channel_post"):
        item = update.get(key)
        if isinstance(item, dict):
            sender = _dict(item.get("from"))
            chat = _dict(item.get("chat")) or _dict(_dict(item.get("message")).get("chat"))
            if chat.get("type", "private") == _PRIVATE and sender.get("id") is not None:
                return str(sender["id"])
            if chat.get("id") is not None:
                return str(chat["id"])
    return "unknown"


class TelegramAdapter:
    """The inbox's view of Telegram: read stored updates and render replies."""

    platform = PLATFORM
    messaging_window = False

    def __init__(self, bot_username: str = "") -> None:
        self.bot_username = bot_username

    def interpret(self, payload: dict[str, Any]) -> Interpretation:
        """Read a stored update."""
        return interpret(payload, self.bot_username)

    def render(self, replies: list[Reply], interpretation: Interpretation) -> list[dict[str, Any]]:
        """Outbox payloads for replies."""
        return render(replies, interpretation)
