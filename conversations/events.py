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
class PermitReading:
    """What the bot read on a photo or PDF an owner sent, before the step: permit numbers for the owner to confirm.

    Read by the channel's side (an OCR worker) and judged by `understanding.document_numbers`; the flows judge each
    number again with the typed rules, so a photographed number is held to what a typed one is.
    """

    read: bool  # False: nothing could be read (blur, dark, cut off, too slow)
    page: str | None = None  # the permit the page is ("nib", "pirt", "halal", "bpom"), from its title words
    numbers: tuple[tuple[str, str], ...] = ()  # (permit, number) found, the page's own permit's first
    expires: str | None = None  # the page's permit's expiry date as printed on it, ISO ("2029-03-12")

    def to_json(self) -> dict[str, object]:
        """A plain form to store with the inbound event."""
        data: dict[str, object] = {"read": self.read, "page": self.page, "numbers": [list(p) for p in self.numbers]}
        if self.expires:
            data["expires"] = self.expires
        return data

    @classmethod
    def from_json(cls, data: dict[str, object]) -> PermitReading:
        """The reading stored by `to_json`."""
        numbers = data.get("numbers") or []
        assert isinstance(numbers, list)
        page = data.get("page")
        return cls(
            read=bool(data.get("read")),
            page=str(page) if page else None,
            numbers=tuple((str(pair[0]), str(pair[1])) for pair in numbers if len(pair) == 2),
            expires=str(data["expires"]) if data.get("expires") else None,
        )


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
    reading: PermitReading | None = None  # for PHOTO/DOCUMENT: what was read on it (None: it was not read)

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
