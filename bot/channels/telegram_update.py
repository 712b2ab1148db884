"""The parts of a Telegram Bot API update the bot reads, as typed and bounded values.

An update is checked here before it is stored: one whose parts have the wrong type or size (a chat id that is not a
number, an `update_id` of `true`, a text of 5,000 characters) is logged and left out. Unknown fields are allowed and
kept (the Bot API grows), but every field the bot reads has its type and limit, the same as the platform's own: ids
are integers of at most 52 bits, a text at most 4096 characters, a caption 1024, callback data 64 bytes.
"""

from __future__ import annotations

import logging
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StringConstraints, ValidationError

from bot.channels.edge import why_invalid

log = logging.getLogger(__name__)

TelegramId = Annotated[StrictInt, Field(ge=-(2**53), le=2**53)]  # ids "have at most 52 significant bits"
UpdateId = Annotated[StrictInt, Field(ge=0, le=2**53)]
FileId = Annotated[str, StringConstraints(min_length=1, max_length=256)]
Text32 = Annotated[str, StringConstraints(max_length=32)]
Text64 = Annotated[str, StringConstraints(max_length=64)]
Text256 = Annotated[str, StringConstraints(max_length=256)]
Caption = Annotated[str, StringConstraints(max_length=1024)]
Text = Annotated[str, StringConstraints(max_length=4096)]


class _Part(BaseModel):
    """A part of an update: strict types for what the bot reads, other fields kept as they are."""

    model_config = ConfigDict(strict=True, extra="allow", frozen=True, populate_by_name=True)


class User(_Part):
    id: TelegramId
    is_bot: StrictBool | None = None
    first_name: Text256 | None = None
    username: Text64 | None = None


class Chat(_Part):
    id: TelegramId
    type: Text32


class PhotoSize(_Part):
    file_id: FileId
    file_size: StrictInt | None = None
    width: StrictInt | None = None
    height: StrictInt | None = None


class Document(_Part):
    file_id: FileId
    mime_type: Annotated[str, StringConstraints(max_length=100)] | None = None
    file_name: Text256 | None = None


class Location(_Part):
    latitude: Annotated[float, Field(ge=-90, le=90)]
    longitude: Annotated[float, Field(ge=-180, le=180)]


class Contact(_Part):
    phone_number: Text64
    user_id: TelegramId | None = None


class Message(_Part):
    message_id: StrictInt
    chat: Chat
    sender: User | None = Field(None, alias="from")
    message_thread_id: StrictInt | None = None
    is_topic_message: StrictBool | None = None
    text: Text | None = None
    caption: Caption | None = None
    photo: Annotated[list[PhotoSize], Field(max_length=20)] | None = None
    document: Document | None = None
    location: Location | None = None
    contact: Contact | None = None


class CallbackQuery(_Part):
    id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    sender: User = Field(alias="from")
    message: Message | None = None
    data: Text64 | None = None


class ChatMember(_Part):
    status: Text32


class ChatMemberUpdated(_Part):
    chat: Chat
    sender: User = Field(alias="from")
    new_chat_member: ChatMember


class Update(_Part):
    update_id: UpdateId
    message: Message | None = None
    edited_message: Message | None = None
    callback_query: CallbackQuery | None = None
    my_chat_member: ChatMemberUpdated | None = None
    channel_post: Message | None = None
    edited_channel_post: Message | None = None


def read_update(raw: object) -> Update | None:
    """An update, validated; None (and a log line saying where, without values) when it cannot be used."""
    try:
        return Update.model_validate(raw)
    except ValidationError as error:
        log.warning("ignoring a Telegram update that does not fit: %s", why_invalid(error))
        return None
