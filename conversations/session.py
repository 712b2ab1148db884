"""Conversation state: plain data that the caller stores between steps."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class Session:
    """Where an owner is in the conversation.

    `queue` holds the questions still to ask, the first one being the open question. A question id
    is a name with optional `|`-separated arguments, e.g. ``permit.status|pirt|p1``.
    """

    queue: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    locale: str = "id"
    last_seen: datetime | None = None
    resume_offered: bool = False

    @property
    def current(self) -> str | None:
        """The question waiting for an answer, if any."""
        return self.queue[0] if self.queue else None

    def to_dict(self) -> dict[str, Any]:
        """Serialise for storage (JSON-safe)."""
        return {
            "queue": list(self.queue),
            "data": dict(self.data),
            "locale": self.locale,
            "last_seen": self.last_seen.isoformat() if self.last_seen else None,
            "resume_offered": self.resume_offered,
        }

    def copy(self) -> Session:
        """An independent copy (the state is JSON data: copied without deepcopy's bookkeeping)."""
        return Session(
            queue=list(self.queue),
            data=_copied(self.data),
            locale=self.locale,
            last_seen=self.last_seen,
            resume_offered=self.resume_offered,
        )

    @classmethod
    def from_dict(cls, raw: dict[str, Any] | None) -> Session:
        """Rebuild from storage, tolerating missing keys from older versions."""
        raw = raw or {}
        last_seen = raw.get("last_seen")
        return cls(
            queue=list(raw.get("queue") or []),
            data=dict(raw.get("data") or {}),
            locale=raw.get("locale") or "id",
            last_seen=datetime.fromisoformat(last_seen) if last_seen else None,
            resume_offered=bool(raw.get("resume_offered")),
        )


def _copied(value: Any) -> Any:
    """A copy of JSON-like data: dicts and lists are new, plain values shared, anything else deep-copied."""
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    if value is None or isinstance(value, str | int | float | datetime):
        return value
    return copy.deepcopy(value)
