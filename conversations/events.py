"""Neutral inbound events and outbound replies, shared by every channel adapter."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class InboundKind(enum.StrEnum):
    """What an owner sent, independent of the platform."""

    TEXT = "text"
    CHOICE = "choice"  # a button or list row was pressed
    PHOTO = "photo"
    DOCUMENT = "document"
    LOCATION = "location"
    CONTACT = "contact"
    STICKER = "sticker"
    VOICE = "voice"
    EDITED = "edited"  # an earlier message was edited
    TRIGGER = "trigger"  # not from the owner: a reminder fell due (see `trigger` and `text`)
    OTHER = "other"  # reactions, polls, unknown types


@dataclass(frozen=True)
class Inbound:
    """One message from an owner, normalised by an adapter."""

    kind: InboundKind
    text: str = ""
    choice_id: str | None = None
    media_ref: str | None = None  # platform file id or stored path of a photo/document
    latitude: float | None = None
    longitude: float | None = None
    contact_phone: str | None = None
    contact_is_sender: bool = False  # the shared contact is the sender's own, verified by the platform
    sender_phone: str | None = None  # E.164 number the platform vouches for (WhatsApp), if any
    trigger: str | None = None  # for TRIGGER: the reminder kind; `text` holds what it is about
    channel: str = "console"
    supports_photos: bool = False  # the channel can carry photos from the owner
    supports_location: bool = False  # the channel can share a location

    @classmethod
    def text_message(cls, text: str, channel: str = "console", supports_photos: bool = False) -> Inbound:
        """A typed message."""
        return cls(kind=InboundKind.TEXT, text=text, channel=channel, supports_photos=supports_photos)


@dataclass(frozen=True)
class Choice:
    """One answer option: `id` is what flows match on, `label` is what people see."""

    id: str
    label: str
    description: str | None = None


@dataclass(frozen=True)
class Reply:
    """One message to the owner; channels render `choices` as buttons, lists or numbered lines."""

    text: str
    choices: tuple[Choice, ...] = field(default_factory=tuple)
    # True when choices can be toggled one by one until a "done" choice (multi-select).
    multi: bool = False
    # The same multi-select prompt after a pressed option was switched: a channel that can edit messages shows it in
    # place of the message pressed, instead of sending the question again for every option.
    replaces_pressed: bool = False
    ask_contact: bool = False  # the channel may offer a "share my number" button
    ask_location: bool = False
    image: str | None = None  # a picture sent with `text` as caption ("file:<path>" or a platform media id)
