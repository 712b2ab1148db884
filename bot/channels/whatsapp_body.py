"""The parts of a WhatsApp Cloud API webhook body the bot reads, as typed and bounded values.

A body is read here, at the edge, before anything is stored: a message or status whose fields have the wrong type or
size, or whose sender is not a WhatsApp identity, is logged and left out, and the good ones beside it are kept. The
limits match the columns they end up in (`InboxEvent.event_key` 128, `chat_key` 64) and the platform's own (a text
is at most 4096 characters). Unknown fields are dropped: what is stored is only what the bot reads.
"""

from __future__ import annotations

import logging
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from bot.channels.edge import why_invalid

log = logging.getLogger(__name__)

# A phone number in international form without "+" (E.164: at most 15 digits), as WhatsApp's wa_id.
WA_ID = r"^[1-9][0-9]{5,14}$"
# A business-scoped user id, sent instead of the phone number by users who chose a username: "ID.1a2b3c...".
BSUID = r"^[A-Z]{2}\.[A-Za-z0-9.]{1,60}$"
MESSAGE_ID_CHARS = 128  # InboxEvent.event_key holds a message id (statuses add a prefix and the status: see below)


Text32 = Annotated[str, StringConstraints(max_length=32)]
Text100 = Annotated[str, StringConstraints(max_length=100)]
Text256 = Annotated[str, StringConstraints(max_length=256)]
Text500 = Annotated[str, StringConstraints(max_length=500)]
Text4096 = Annotated[str, StringConstraints(max_length=4096)]  # WhatsApp's longest text and caption


class _Part(BaseModel):
    """A part of the body: strict types (no number taken for a text), unknown fields ignored."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class TextPart(_Part):
    body: Text4096


class ReplyPart(_Part):
    id: Text256
    title: Text100 | None = None


class InteractivePart(_Part):
    type: Text32 | None = None
    button_reply: ReplyPart | None = None
    list_reply: ReplyPart | None = None


class ButtonPart(_Part):
    text: Text256 | None = None
    payload: Text256 | None = None


class MediaPart(_Part):
    # A media id goes into a Graph API path with our token: letters, digits, "_" and "-" only (no "/" or "..").
    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,128}$")]
    mime_type: Text100 | None = None
    caption: Text4096 | None = None
    filename: Text256 | None = None


class LocationPart(_Part):
    latitude: Annotated[float, Field(ge=-90, le=90)]
    longitude: Annotated[float, Field(ge=-180, le=180)]
    name: Text500 | None = None
    address: Text500 | None = None


class PhonePart(_Part):
    wa_id: Text32 | None = None
    phone: Text100 | None = None


class SharedContactPart(_Part):
    phones: Annotated[list[PhonePart], Field(max_length=20)] = []


class ReactionPart(_Part):
    emoji: Text32 | None = None


class MessagePart(_Part):
    """One message a user sent; the sender is a phone number (wa_id) or a business-scoped user id."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True, populate_by_name=True)

    id: Annotated[str, StringConstraints(min_length=1, max_length=MESSAGE_ID_CHARS)]
    sender: Annotated[str, StringConstraints(pattern=WA_ID)] | None = Field(None, alias="from")
    from_user_id: Annotated[str, StringConstraints(pattern=BSUID)] | None = None
    type: Text32
    group_id: Text256 | None = None
    timestamp: Text32 | None = None
    text: TextPart | None = None
    interactive: InteractivePart | None = None
    button: ButtonPart | None = None
    image: MediaPart | None = None
    document: MediaPart | None = None
    location: LocationPart | None = None
    contacts: Annotated[list[SharedContactPart], Field(max_length=10)] = []
    reaction: ReactionPart | None = None

    @model_validator(mode="after")
    def _has_a_sender(self) -> MessagePart:
        if not self.sender and not self.from_user_id:
            raise ValueError("a message without a sender")
        return self

    @property
    def sender_id(self) -> str:
        """The phone number (wa_id) or, for users who hide it behind a username, their business-scoped id."""
        return self.sender or self.from_user_id or ""


class StatusErrorPart(_Part):
    code: int | None = None
    title: Text500 | None = None
    message: Text500 | None = None


class StatusPart(_Part):
    """A delivery receipt for one of our messages."""

    id: Annotated[str, StringConstraints(min_length=1, max_length=MESSAGE_ID_CHARS - 20)]  # "status:<id>:<status>"
    status: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,12}$")]
    recipient_id: Text100 | None = None
    recipient_user_id: Text100 | None = None
    timestamp: Text32 | None = None
    errors: Annotated[list[StatusErrorPart], Field(max_length=10)] = []


def read_message(raw: object) -> MessagePart | None:
    """A stored or posted message, validated; None (and a log line) when it cannot be used."""
    try:
        return MessagePart.model_validate(raw)
    except ValidationError as error:
        log.warning("ignoring a WhatsApp message that does not fit: %s", why_invalid(error))
        return None


def read_status(raw: object) -> StatusPart | None:
    """A stored or posted delivery status, validated; None (and a log line) when it cannot be used."""
    try:
        return StatusPart.model_validate(raw)
    except ValidationError as error:
        log.warning("ignoring a WhatsApp status that does not fit: %s", why_invalid(error))
        return None
