"""The outbox: every outbound message is a row, queued in the same transaction that decided to send it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, and_, bindparam, cast, func, insert, literal_column, or_, text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.storage.db import is_sqlite
from bot.storage.models import ChannelAccount, OutboxMessage

PRIORITY_REPLY = 0
PRIORITY_REMINDER = 5
PRIORITY_BROADCAST = 9
# A row left in "sending" longer than this was lost with its process: it is sent again.
SENDING_LEASE = timedelta(seconds=60)


_MESSAGES = OutboxMessage.__table__  # type: ignore[attr-defined]
# Literals, not parameters, so that prepared statements use the partial indexes of unsent and in-flight rows.
_IS_UNSENT = _MESSAGES.c.status.in_([literal_column("'queued'"), literal_column("'sending'")])
_IS_SENDING = _MESSAGES.c.status == literal_column("'sending'")
# Built once, Core rather than the ORM: these run for every answer. RETURNING keeps the parameters' order.
_INSERT = insert(_MESSAGES).returning(_MESSAGES.c.id, sort_by_parameter_order=True)
_UNSENT_BEFORE = select(_MESSAGES.c.id).where(
    _MESSAGES.c.platform == bindparam("platform"),
    _MESSAGES.c.chat_id == bindparam("chat_id"),
    _MESSAGES.c.id < bindparam("first_id"),
    _IS_UNSENT,
    _MESSAGES.c.priority <= bindparam("priority"),
)


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
    claim: bool = False,
    claimed_by: int | None = None,
) -> list[int]:
    """Queue payloads for one chat, in order, inside the caller's transaction; their ids, in the same order.

    With `claim` the rows are stored already taken (status "sending"), for a sender of this process to deliver
    straight away, under its liveness key `claimed_by`: a crash before then queues them again (liveness.py)."""
    rows = [
        {
            "platform": platform,
            "chat_id": chat_id,
            "owner_id": owner_id,
            "kind": kind,
            "priority": priority,
            "payload": payload,
            "status": "sending" if claim else "queued",
            "attempts": 1 if claim else 0,
            "claimed_at": now if claim else None,
            "claimed_by": claimed_by if claim else None,
            "not_before": now,
            "inbox_id": inbox_id,
            "created_at": now,
        }
        for payload in payloads
    ]
    if not rows:
        return []
    return [row[0] for row in db.connection().execute(_INSERT, rows)]


def unsent_replies(platform: Any, chat_id: Any) -> Any:
    """A scalar subquery for another statement: the ids of a chat's replies not yet sent, as text ("4,7"; NULL
    when there are none). `platform` and `chat_id` are column expressions of that statement."""
    return (
        select(func.aggregate_strings(cast(_MESSAGES.c.id, String), ","))
        .where(
            _MESSAGES.c.platform == platform,
            _MESSAGES.c.chat_id == chat_id,
            _IS_UNSENT,
            _MESSAGES.c.priority <= PRIORITY_REPLY,
        )
        .scalar_subquery()
    )


def parse_ids(text: str | None) -> list[int]:
    """The ids of `unsent_replies`' text."""
    return [int(part) for part in text.split(",")] if text else []


def unsent_before(db: Session, platform: str, chat_id: str, first_id: int, priority: int) -> list[int]:
    """Messages of a chat older than `first_id` that are not yet sent and would go before one of `priority`."""
    values = {"platform": platform, "chat_id": chat_id, "first_id": first_id, "priority": priority}
    return list(db.connection().execute(_UNSENT_BEFORE, values).scalars())


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
    engine: Engine,
    now: datetime,
    limit: int,
    busy_chats: set[tuple[str, str]],
    platforms: set[str],
    recorded: frozenset[int] = frozenset(),
    per_chat: int = 10,
    claimed_by: int | None = None,
) -> tuple[list[list[Claimed]], set[tuple[str, str]]]:
    """Take the next messages of up to `limit` chats: for each, its oldest due message and those right behind it.

    `recorded` are ids this sender has delivered but not yet marked sent: they no longer hold their chat back.
    Also returns the busy chats that have messages due (worth another look once they are free)."""
    with Session(engine) as db:
        query = (
            select(OutboxMessage)
            .where(
                # A literal, not a parameter: a prepared statement can then use the partial index of queued rows.
                OutboxMessage.status == literal_column("'queued'"),
                OutboxMessage.not_before <= now,
                OutboxMessage.platform.in_(platforms),  # type: ignore[attr-defined]
            )
            .order_by(OutboxMessage.priority, OutboxMessage.id)
            .limit(limit * 4)
        )
        if not is_sqlite(engine):
            query = query.with_for_update(skip_locked=True)
        candidates: dict[tuple[str, str], list[OutboxMessage]] = {}
        waiting: set[tuple[str, str]] = set()
        for row in db.exec(query).all():  # by priority then age: each chat's list starts with its next message
            key = (row.platform, row.chat_id)
            if key in busy_chats:
                waiting.add(key)
            else:
                candidates.setdefault(key, []).append(row)
        pending = _pending_in_chats(db, candidates, recorded)
        taken: list[list[OutboxMessage]] = []
        for key, rows in candidates.items():
            batch = _next_in_order(rows, pending.get(key, []), per_chat)
            if batch:
                taken.append(batch)
            if len(taken) >= limit:
                break
        claimed = [[_claimed(row) for row in batch] for batch in taken]
        ids = [message.id for batch in claimed for message in batch]
        if ids:
            db.exec(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids))  # type: ignore[union-attr]
                .values(status="sending", claimed_at=now, claimed_by=claimed_by, attempts=OutboxMessage.attempts + 1)
            )
        db.commit()
        return claimed, waiting


def _claimed(row: OutboxMessage) -> Claimed:
    """A detached copy of a row about to be marked as taken (its attempt counted)."""
    return Claimed(row.id or 0, row.platform, row.chat_id, row.owner_id, dict(row.payload), row.attempts + 1, row.kind)


def _pending_in_chats(
    db: Session, candidates: dict[tuple[str, str], list[OutboxMessage]], recorded: frozenset[int]
) -> dict[tuple[str, str], list[tuple[int, int]]]:
    """(id, priority) of every message still queued or in flight in these chats, up to the newest candidate."""
    if not candidates:
        return {}
    largest = max(row.id or 0 for rows in candidates.values() for row in rows)
    rows = db.exec(
        select(OutboxMessage.platform, OutboxMessage.chat_id, OutboxMessage.id, OutboxMessage.priority).where(
            OutboxMessage.chat_id.in_({chat for _platform, chat in candidates}),  # type: ignore[attr-defined]
            _IS_UNSENT,
            OutboxMessage.id <= largest,
        )
    ).all()
    pending: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for platform, chat_id, other_id, priority in rows:
        if other_id not in recorded:
            pending.setdefault((platform, chat_id), []).append((other_id, priority))
    return pending


def _next_in_order(rows: list[OutboxMessage], pending: list[tuple[int, int]], per_chat: int) -> list[OutboxMessage]:
    """The messages of one chat that may go now, in order: none while an older one of its priority is unsent."""
    first = rows[0]
    if any(other < (first.id or 0) and priority <= first.priority for other, priority in pending):
        return []
    batch = [first]
    for row in rows[1:per_chat]:
        if row.priority != first.priority:
            break
        previous = batch[-1].id or 0
        if any(previous < other < (row.id or 0) for other, _priority in pending):
            break  # something between them (a retry waiting for its time) goes first
        batch.append(row)
    return batch


def release(engine: Engine, message_ids: list[int]) -> None:
    """Put claimed messages that were not tried back in the queue, as they were."""
    if not message_ids:
        return
    with Session(engine) as db:
        db.exec(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(message_ids))  # type: ignore[union-attr]
            .values(status="queued", attempts=OutboxMessage.attempts - 1)
        )
        db.commit()


_MARK_SENT = (
    update(_MESSAGES)
    .where(_MESSAGES.c.id == bindparam("oid"))
    .values(status="sent", sent_at=bindparam("sent"), platform_message_id=bindparam("mid"), error=None)
)
# PostgreSQL: the whole batch in one statement (one row per statement cost the server a plan and an executor each).
_PG_MARK_SENT = text(
    """
    UPDATE outboxmessage SET status = 'sent', sent_at = :sent, platform_message_id = marks.mid, error = NULL
    FROM unnest(CAST(:oids AS integer[]), CAST(:mids AS text[])) AS marks(oid, mid)
    WHERE outboxmessage.id = marks.oid
    """
)


def mark_sent_many(engine: Engine, sent: list[tuple[int, str | None]], now: datetime) -> None:
    """Record many deliveries in one transaction."""
    if not sent:
        return
    with engine.begin() as connection:
        if is_sqlite(engine):
            connection.execute(_MARK_SENT, [{"oid": oid, "mid": mid, "sent": now} for oid, mid in sent])
        else:
            oids, mids = zip(*sent, strict=True)
            connection.execute(_PG_MARK_SENT, {"oids": list(oids), "mids": list(mids), "sent": now})


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
                _IS_UNSENT,
            )
            .values(status="blocked", error=error[:500])
        )
        db.exec(
            update(ChannelAccount)
            .where(ChannelAccount.platform == platform, ChannelAccount.external_id == chat_id)
            .values(blocked=True)
        )
        db.commit()


def claimers(engine: Engine, own: int | None) -> list[int]:
    """The liveness keys of other processes that have rows in flight."""
    with Session(engine) as db:
        keys = db.exec(
            select(OutboxMessage.claimed_by)
            .where(_IS_SENDING, OutboxMessage.claimed_by.is_not(None), OutboxMessage.claimed_by != own)  # type: ignore[union-attr]
            .distinct()
        ).all()
    return [int(k) for k in keys if k is not None]


def release_stale(engine: Engine, now: datetime, everything: bool = False, dead: Sequence[int] = ()) -> int:
    """Return rows stuck in "sending" to the queue: those of processes that died (`dead` liveness keys), those past
    the lease (a sender stuck, or rows without a key), or all of them with `everything` (SQLite's one process)."""
    with Session(engine) as db:
        condition = _IS_SENDING
        if not everything:
            stale = [
                OutboxMessage.claimed_at.is_(None),  # type: ignore[union-attr]
                OutboxMessage.claimed_at < now - SENDING_LEASE,  # type: ignore[operator]
            ]
            if dead:
                stale.append(OutboxMessage.claimed_by.in_(list(dead)))  # type: ignore[union-attr]
            condition = and_(condition, or_(*stale))
        result = db.exec(update(OutboxMessage).where(condition).values(status="queued", claimed_by=None))
        db.commit()
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def mark_waiting(engine: Engine, message_id: int, reason: str) -> None:
    """Hold a row until the user writes again (WhatsApp's 24-hour window is closed and no template fits)."""
    with Session(engine) as db:
        db.exec(
            update(OutboxMessage).where(OutboxMessage.id == message_id).values(status="waiting", error=reason[:500])
        )
        db.commit()
