"""The inbox: inbound events are stored before the platform gets its 200, then processed once, in order per chat."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.channels.base import Interpretation
from bot.clock import utcnow
from bot.db import is_sqlite
from bot.models import ChannelAccount, InboxEvent
from bot.outbox import enqueue
from bot.service import ConversationService
from conversations import Reply

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


class Adapter(Protocol):
    """The parts of a channel adapter the inbox needs."""

    platform: str

    def interpret(self, payload: dict[str, Any]) -> Interpretation:
        """Read a stored payload."""
        ...

    def render(self, replies: list[Reply], interpretation: Interpretation) -> list[dict[str, Any]]:
        """Outbox payloads for replies."""
        ...


def store_event(
    engine: Engine, platform: str, event_key: str, chat_key: str, payload: dict[str, Any], now: datetime
) -> bool:
    """Write an inbound event; False when the platform already delivered it (a retry)."""
    values = {
        "platform": platform,
        "event_key": event_key,
        "chat_key": chat_key,
        "payload": payload,
        "status": "pending",
        "attempts": 0,
        "received_at": now,
    }
    insert = sqlite_insert if is_sqlite(engine) else pg_insert
    statement = insert(InboxEvent).values(**values).on_conflict_do_nothing(index_elements=["platform", "event_key"])
    with engine.begin() as connection:
        result = connection.execute(statement)
    return bool(result.rowcount)


@dataclass
class InboxWorker:
    """Processes stored events through the conversation and queues the replies in the same transaction."""

    engine: Engine
    service: ConversationService
    adapters: dict[str, Adapter]
    clock: Callable[[], datetime] = utcnow

    def pending_chats(self, limit: int, exclude: set[tuple[str, str]]) -> list[tuple[str, str]]:
        """Chats with waiting events, the longest-waiting first."""
        with Session(self.engine) as db:
            rows = db.exec(
                select(InboxEvent.platform, InboxEvent.chat_key, func.min(InboxEvent.id))
                .where(InboxEvent.status == "pending")
                .group_by(InboxEvent.platform, InboxEvent.chat_key)
                .order_by(func.min(InboxEvent.id))
                .limit(limit + len(exclude))
            ).all()
        chats = [(platform, chat) for platform, chat, _first in rows if (platform, chat) not in exclude]
        return chats[:limit]

    def process_next(self, platform: str, chat_key: str) -> str:
        """Process the oldest pending event of one chat: "done", "empty" (none to take) or "failed"."""
        event_id: int | None = None
        try:
            with Session(self.engine, expire_on_commit=False) as db:
                event = self._claim(db, platform, chat_key)
                if event is None:
                    return "empty"
                event_id = event.id
                self._process(db, event)
                db.commit()
            return "done"
        except Exception as error:  # noqa: BLE001  (recorded on the event, retried, never lost)
            log.exception("inbox event %s of %s:%s failed", event_id, platform, chat_key)
            if event_id is not None:
                self._record_failure(event_id, error)
            return "failed"

    def _claim(self, db: Session, platform: str, chat_key: str) -> InboxEvent | None:
        query = (
            select(InboxEvent)
            .where(InboxEvent.platform == platform, InboxEvent.chat_key == chat_key, InboxEvent.status == "pending")
            .order_by(InboxEvent.id)
            .limit(1)
        )
        if is_sqlite(self.engine):
            return db.exec(query).first()
        event = db.exec(query.with_for_update(skip_locked=True)).first()
        if event is None:
            return None
        # Another process holds an older event of this chat: leave this one for after it (keeps order).
        older = db.exec(
            select(InboxEvent.id).where(
                InboxEvent.platform == platform,
                InboxEvent.chat_key == chat_key,
                InboxEvent.status == "pending",
                InboxEvent.id < (event.id or 0),
            )
        ).first()
        return None if older is not None else event

    def _process(self, db: Session, event: InboxEvent) -> None:
        adapter = self.adapters[event.platform]
        now = self.clock()
        interpretation = adapter.interpret(event.payload)
        owner_id: int | None = None
        replies: list[Reply] = list(interpretation.notices)
        if interpretation.blocked is not None and interpretation.user_id:
            db.exec(
                update(ChannelAccount)
                .where(ChannelAccount.platform == event.platform, ChannelAccount.external_id == interpretation.user_id)
                .values(blocked=interpretation.blocked)
            )
        if interpretation.inbound is not None and interpretation.user_id:
            outcome = self.service.handle_in(db, event.platform, interpretation.user_id, interpretation.inbound)
            owner_id = outcome.owner_id
            replies += outcome.replies
        if interpretation.chat_id and (replies or interpretation.extra):
            payloads = adapter.render(replies, interpretation)
            enqueue(db, event.platform, interpretation.chat_id, payloads, now, owner_id=owner_id, inbox_id=event.id)
        event.status = "done"
        event.processed_at = now
        db.add(event)

    def _record_failure(self, event_id: int, error: Exception) -> None:
        with Session(self.engine) as db:
            event = db.get(InboxEvent, event_id)
            if event is None:
                return
            event.attempts += 1
            event.error = f"{type(error).__name__}: {error}"[:1000]
            if event.attempts >= MAX_ATTEMPTS:
                event.status = "failed"
            db.add(event)
            db.commit()
