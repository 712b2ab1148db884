"""What every chat-platform adapter provides to the inbox worker and the sender."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from conversations import Inbound, Reply


@dataclass(frozen=True)
class Interpretation:
    """A platform event read into neutral terms.

    `inbound` goes to the conversation engine for `user_id`; `notices` are sent to `chat_id` without the engine
    (for example "please message me privately" in a group); `blocked` reports that the user blocked (True) or
    unblocked (False) the bot; `extra` carries platform details the renderer needs (a pressed button's message).
    """

    chat_id: str | None
    user_id: str | None = None
    inbound: Inbound | None = None
    notices: list[Reply] = field(default_factory=list)
    blocked: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    verified_phone: str | None = None  # E.164 number the platform vouches for (WhatsApp's wa_id)
    receipt: dict[str, Any] | None = None  # a delivery receipt for one of our messages


@dataclass(frozen=True)
class SendResult:
    """The outcome of one delivery attempt."""

    status: str  # sent / retry / blocked / failed / waiting (outside the platform's messaging window)
    message_id: str | None = None
    retry_after: float | None = None  # seconds the platform asked us to wait
    error: str | None = None
    pause_all: bool = False  # the platform throttled the whole bot, not only this chat


class Transport(Protocol):
    """Delivers one outbox payload to a platform."""

    platform: str

    async def deliver(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        """Send one payload; never raises for platform errors."""
        ...


def split_text(text: str, limit: int) -> list[str]:
    """Split a long text at paragraph, line or word boundaries into chunks of at most `limit` characters."""
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut < limit // 2:
            cut = limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    chunks.append(rest)
    return [c for c in chunks if c] or [""]


def reply_payloads(replies: list[Reply], limit: int) -> list[dict[str, Any]]:
    """Neutral outbox payloads for replies: long texts split, choices kept on the last part."""
    payloads: list[dict[str, Any]] = []
    for reply in replies:
        if reply.image:
            payloads.append({"type": "photo", "photo": reply.image, "text": reply.text[:1000]})
            continue
        parts = split_text(reply.text, limit)
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            payload: dict[str, Any] = {"type": "message", "text": part}
            if last:
                if reply.choices:
                    payload["choices"] = [[c.id, c.label, c.description] for c in reply.choices]
                if reply.multi:
                    payload["multi"] = True
                if reply.ask_contact:
                    payload["ask_contact"] = True
                if reply.ask_location:
                    payload["ask_location"] = True
            payloads.append(payload)
    return payloads
