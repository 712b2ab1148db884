"""The outbox: every outbound message is a row, queued in the same transaction that decided to send it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.db import is_sqlite
from bot.models import ChannelAccount, OutboxMessage

PRIORITY_REPLY = 0
PRIORITY_REMINDER = 5
PRIORITY_BROADCAST = 9
# A row left in "sending" longer than this was lost with its process: it is sent again.
SENDING_LEASE = timedelta(seconds=60)


def enqueue(
    db: Session,
    platform: str,
    chat_id: str,
    payloads: Iterable[dict[str, Any]],
    now: datetime,
    owner_id: int | None = None,
    kind: str = "reply",
    priority: int = PRIORITY_REPLY,
    inbox_id: int | None = None,
) -> list[OutboxMessage]:
    """Queue payloads for one chat, in order, inside the caller's transaction."""
    rows = [
        OutboxMessage(
            platform=platform,
            chat_id=chat_id,
            owner_id=owner_id,
            kind=kind,
            priority=priority,
            payload=payload,
            not_before=now,
            inbox_id=inbox_id,
            created_at=now,
        )
        for payload in payloads
    ]
    db.add_all(rows)
    return rows


@dataclass(frozen=True)
class Claimed:
    """An outbox row taken by a sender, detached from the database session."""

    id: int
    platform: str
    chat_id: str
    owner_id: int | None
    payload: dict[str, Any]
    attempts: int
    kind: str


def claim_due(
    engine: Engine, now: datetime, limit: int, busy_chats: set[tuple[str, str]], platforms: set[str]
) -> list[Claimed]:
    """Take up to `limit` due rows, at most one per chat and the oldest first in each chat."""
    with Session(engine) as db:
        query = (
            select(OutboxMessage)
            .where(
                OutboxMessage.status == "queued",
                OutboxMessage.not_before <= now,
                OutboxMessage.platform.in_(platforms),  # type: ignore[attr-defined]
            )
            .order_by(OutboxMessage.priority, OutboxMessage.id)
            .limit(limit * 2)
        )
        if not is_sqlite(engine):
            query = query.with_for_update(skip_locked=True)
        rows = db.exec(query).all()
        first: dict[tuple[str, str], OutboxMessage] = {}
        for row in rows:  # candidates come by priority then age: the first one per chat is its next message
            first.setdefault((row.platform, row.chat_id), row)
        blocked = _chats_with_earlier_pending(db, list(first.values()))
        taken: list[OutboxMessage] = []
        for key, row in first.items():
            if key in busy_chats or key in blocked:
                continue
            row.status = "sending"
            row.claimed_at = now
            row.attempts += 1
            db.add(row)
            taken.append(row)
            if len(taken) >= limit:
                break
        db.commit()
        return [
            Claimed(r.id or 0, r.platform, r.chat_id, r.owner_id, dict(r.payload), r.attempts, r.kind) for r in taken
        ]


def _chats_with_earlier_pending(db: Session, candidates: list[OutboxMessage]) -> set[tuple[str, str]]:
    """Chats where an older message is still in flight or waiting to be retried (keeps each chat in order)."""
    if not candidates:
        return set()
    chat_ids = list({row.chat_id for row in candidates})
    largest = max(row.id or 0 for row in candidates)
    pending = db.exec(
        select(OutboxMessage.platform, OutboxMessage.chat_id, OutboxMessage.id, OutboxMessage.priority).where(
            OutboxMessage.chat_id.in_(chat_ids),  # type: ignore[attr-defined]
            OutboxMessage.status.in_(("queued", "sending")),  # type: ignore[attr-defined]
            OutboxMessage.id < largest,
        )
    ).all()
    mine = {(row.platform, row.chat_id): row for row in candidates}
    blocked: set[tuple[str, str]] = set()
    for platform, chat_id, other_id, priority in pending:
        row = mine.get((platform, chat_id))
        if row is not None and other_id < (row.id or 0) and priority <= row.priority:
            blocked.add((platform, chat_id))
    return blocked


def mark_sent_many(engine: Engine, sent: list[tuple[int, str | None]], now: datetime) -> None:
    """Record many deliveries in one transaction."""
    if not sent:
        return
    statement = (
        update(OutboxMessage.__table__)  # type: ignore[arg-type]
        .where(OutboxMessage.__table__.c.id == bindparam("oid"))  # type: ignore[attr-defined]
        .values(status="sent", sent_at=now, platform_message_id=bindparam("mid"), error=None)
    )
    with engine.begin() as connection:
        connection.execute(statement, [{"oid": oid, "mid": mid} for oid, mid in sent])


def mark_retry(engine: Engine, message_id: int, not_before: datetime, error: str, count_attempt: bool = True) -> None:
    """Put a row back in the queue for a later try."""
    with Session(engine) as db:
        values: dict[str, Any] = {"status": "queued", "not_before": not_before, "error": error[:500]}
        if not count_attempt:
            values["attempts"] = OutboxMessage.attempts - 1
        db.exec(update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values))
        db.commit()


def mark_failed(engine: Engine, message_id: int, error: str) -> None:
    """Give up on a row (bad request, or too many attempts)."""
    with Session(engine) as db:
        db.exec(update(OutboxMessage).where(OutboxMessage.id == message_id).values(status="failed", error=error[:500]))
        db.commit()


def mark_blocked(engine: Engine, platform: str, chat_id: str, error: str) -> None:
    """The user blocked the bot: this and every queued message to them stop, and the account is flagged."""
    with Session(engine) as db:
        db.exec(
            update(OutboxMessage)
            .where(
                OutboxMessage.platform == platform,
                OutboxMessage.chat_id == chat_id,
                OutboxMessage.status.in_(("queued", "sending")),  # type: ignore[attr-defined]
            )
            .values(status="blocked", error=error[:500])
        )
        db.exec(
            update(ChannelAccount)
            .where(ChannelAccount.platform == platform, ChannelAccount.external_id == chat_id)
            .values(blocked=True)
        )
        db.commit()


def release_stale(engine: Engine, now: datetime, everything: bool = False) -> int:
    """Return rows stuck in "sending" (their sender died) to the queue; all of them with `everything`."""
    with Session(engine) as db:
        condition = OutboxMessage.status == "sending"
        if not everything:
            condition = and_(
                condition,
                or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at < now - SENDING_LEASE),  # type: ignore[union-attr]
            )
        result = db.exec(update(OutboxMessage).where(condition).values(status="queued"))
        db.commit()
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def mark_waiting(engine: Engine, message_id: int, reason: str) -> None:
    """Hold a row until the user writes again (WhatsApp's 24-hour window is closed and no template fits)."""
    with Session(engine) as db:
        db.exec(
            update(OutboxMessage).where(OutboxMessage.id == message_id).values(status="waiting", error=reason[:500])
        )
        db.commit()
