"""The console as a channel for scheduled messages: reminders wait in the outbox until `chat` shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.messaging.adapters import Interpretation, reply_payloads
from bot.storage.models import OutboxMessage
from conversations import Choice, Reply

PLATFORM = "console"


class ConsoleAdapter:
    """Renders replies for the console (no platform limits)."""

    platform = PLATFORM
    messaging_window = False

    def interpret(self, payload: dict[str, Any]) -> Interpretation:
        """Console input never goes through the inbox; only reminders do (handled before this)."""
        return Interpretation(chat_id=None)

    def render(self, replies: list[Reply], interpretation: Interpretation) -> list[dict[str, Any]]:
        """Outbox payloads."""
        return reply_payloads(replies, 1_000_000)


def take_console_messages(engine: Engine, user: str, now: datetime) -> list[Reply]:
    """Queued messages for a console user, in order, marked as delivered."""
    with Session(engine, expire_on_commit=False) as db:
        rows = db.exec(
            select(OutboxMessage)
            .where(OutboxMessage.platform == PLATFORM, OutboxMessage.chat_id == user, OutboxMessage.status == "queued")
            .order_by(OutboxMessage.priority, OutboxMessage.id)
        ).all()
        if rows:
            db.exec(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_([r.id for r in rows]))  # type: ignore[union-attr]
                .values(status="sent", sent_at=now)
            )
            db.commit()
    return [
        Reply(
            text=row.payload.get("text", ""),
            choices=tuple(Choice(c[0], c[1], c[2]) for c in row.payload.get("choices") or []),
        )
        for row in rows
    ]
