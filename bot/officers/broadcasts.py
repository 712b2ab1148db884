"""Broadcasts: one outbox row per recipient, written set-based (flat memory), sent at the platform's pace."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import JSON, Select, and_, exists, func, insert, literal, select, update
from sqlmodel import Session

from bot.messaging.outbox import PRIORITY_BROADCAST
from bot.storage.db import is_sqlite
from bot.storage.models import AuditLog, Broadcast, ChannelAccount, OutboxMessage, Owner
from bot.storage.segments import Segment, owners_query, segment_count
from conversations.i18n import N_, Translator

SENDING_PLATFORMS = ("telegram", "whatsapp")
# A broadcast this large refreshes the outbox's planner statistics (PostgreSQL).
ANALYZE_AFTER = 1000


def broadcast_text(office: str, text: str) -> str:
    """The message owners receive: who it is from, the text, and how to stop such messages."""
    _ = Translator("id")
    return _(
        N_("📢 From {office}:\n\n{text}\n\n(Type BERHENTI if you no longer want messages.)"), office=office, text=text
    )


@dataclass(frozen=True)
class Audience:
    """Who a segment reaches: owners in it, those a message can reach, and a few of their ids to show."""

    owners: int
    reachable: int  # with a Telegram or WhatsApp account that has not blocked the bot
    sample: list[int]

    @property
    def unreachable(self) -> int:
        """Owners in the segment no message can reach (registered on the console, or blocked the bot)."""
        return self.owners - self.reachable


def reachable_owners(segment: Segment) -> Select[Any]:
    """SELECT of the segment's owner ids that a message can reach."""
    account = select(ChannelAccount.id).where(
        ChannelAccount.owner_id == Owner.id,
        ChannelAccount.blocked.is_(False),  # type: ignore[attr-defined]
        ChannelAccount.platform.in_(SENDING_PLATFORMS),  # type: ignore[attr-defined]
    )
    return owners_query(segment).where(exists(account))


def preview(db: Session, segment: Segment, scope: tuple[str, ...] | None, sample: int = 5) -> Audience:
    """The exact number of recipients (as the broadcast will count them), those out of reach, and a sample."""
    limited = segment.restricted_to(scope)
    reachable = reachable_owners(limited)
    ids = [row[0] for row in db.execute(reachable.limit(sample)).all()]
    count = int(db.execute(select(func.count()).select_from(reachable.subquery())).scalar_one())
    return Audience(segment_count(db, limited), count, ids)


def create_broadcast(
    db: Session,
    officer_id: int | None,
    office: str,
    text: str,
    segment: Segment,
    scope: tuple[str, ...] | None,
    send_at: datetime,
    now: datetime,
    photo: str | None = None,
) -> Broadcast:
    """Store a broadcast and queue one message per recipient (their most recently used unblocked account)."""
    limited = segment.restricted_to(scope)
    broadcast = Broadcast(
        officer_id=officer_id,
        text=text,
        photo=photo,
        segment=limited.to_json(),
        scheduled_at=send_at,
        status="scheduled" if send_at > now else "sending",
        created_at=now,
    )
    db.add(broadcast)
    db.flush()
    body = broadcast_text(office, text)
    payload: dict[str, Any] = (
        {"type": "photo", "photo": photo, "text": body, "purpose": "broadcast"}
        if photo
        else {"type": "message", "text": body, "purpose": "broadcast"}
    )
    # Each owner's best account (not blocked, wrote most recently), ranked in one pass: a window function needs no
    # per-row subquery, so the plan stays linear even before the planner has statistics for freshly loaded tables.
    ranked = (
        select(
            ChannelAccount.id,
            func.row_number()
            .over(
                partition_by=ChannelAccount.owner_id,
                order_by=(ChannelAccount.last_inbound_at.desc().nulls_last(), ChannelAccount.id),  # type: ignore[union-attr]
            )
            .label("rank"),
        )
        .where(
            ChannelAccount.blocked.is_(False),  # type: ignore[attr-defined]
            ChannelAccount.platform.in_(SENDING_PLATFORMS),  # type: ignore[attr-defined]
        )
        .subquery()
    )
    best = select(ranked.c.id).where(ranked.c.rank == 1)
    source = select(
        ChannelAccount.platform,
        ChannelAccount.external_id,
        ChannelAccount.owner_id,
        literal("broadcast"),
        literal(PRIORITY_BROADCAST),
        literal(payload, JSON),
        literal("queued"),
        literal(0),
        literal(send_at.astimezone(UTC)),  # a literal skips the column's conversion: stored as UTC here
        literal(broadcast.id),
        literal(now),
    ).where(
        ChannelAccount.owner_id.in_(owners_query(limited)),  # type: ignore[attr-defined]
        ChannelAccount.id.in_(best),  # type: ignore[union-attr]
    )
    columns = [
        "platform",
        "chat_id",
        "owner_id",
        "kind",
        "priority",
        "payload",
        "status",
        "attempts",
        "not_before",
        "broadcast_id",
        "created_at",
    ]
    db.execute(insert(OutboxMessage).from_select(columns, source))
    broadcast.recipients = int(
        db.execute(select(func.count()).where(OutboxMessage.broadcast_id == broadcast.id)).scalar_one()
    )
    if broadcast.recipients == 0:
        broadcast.status = "done"  # nobody to send to: nothing stays "sending"
    if broadcast.recipients >= ANALYZE_AFTER and not is_sqlite(db.get_bind()):
        # The queue just grew by thousands of rows: without fresh statistics PostgreSQL plans the sender's claim for
        # an empty queue (sorting it whole each time, ~60 ms per claim at 100,000 rows) until autovacuum catches up.
        db.execute(sa.text("ANALYZE outboxmessage"))
    db.add(broadcast)
    db.add(
        AuditLog(
            at=now,
            actor=f"officer:{officer_id}" if officer_id else "system",
            action="broadcast_created",
            target_type="broadcast",
            target_id=broadcast.id,
            detail={"recipients": broadcast.recipients, "segment": limited.to_json(), "send_at": send_at.isoformat()},
        )
    )
    return broadcast


def progress(db: Session, broadcast_id: int) -> dict[str, int]:
    """How many recipients are in each state (queued, sent, delivered, read, failed, blocked, waiting, cancelled)."""
    counts: dict[str, int] = {}
    rows = db.execute(
        select(OutboxMessage.status, OutboxMessage.delivery, func.count())
        .where(OutboxMessage.broadcast_id == broadcast_id)
        .group_by(OutboxMessage.status, OutboxMessage.delivery)
    ).all()
    for status, delivery, count in rows:
        key = delivery if status == "sent" and delivery in ("delivered", "read", "failed") else status
        counts[key] = counts.get(key, 0) + int(count)
    return counts


UNFINISHED = ("queued", "sending", "waiting")  # outbox states of a message that may still go


def current_status(db: Session, broadcasts: Sequence[Broadcast], now: datetime) -> dict[int, str]:
    """Each broadcast's state now: scheduled, sending, done (no message left to go) or cancelled."""
    ids = [b.id for b in broadcasts if b.id is not None]
    unfinished = dict(
        db.execute(
            select(OutboxMessage.broadcast_id, func.count())
            .where(OutboxMessage.broadcast_id.in_(ids), OutboxMessage.status.in_(UNFINISHED))  # type: ignore[union-attr,attr-defined]
            .group_by(OutboxMessage.broadcast_id)
        ).all()
    )
    states = {}
    for broadcast in broadcasts:
        assert broadcast.id is not None
        if broadcast.status == "cancelled":
            states[broadcast.id] = "cancelled"
        elif broadcast.scheduled_at > now and unfinished.get(broadcast.id):
            states[broadcast.id] = "scheduled"
        else:
            states[broadcast.id] = "sending" if unfinished.get(broadcast.id) else "done"
    return states


def cancel_broadcast(db: Session, broadcast_id: int, actor: str, now: datetime) -> int:
    """Stop what has not gone yet; returns how many messages were held back."""
    result = db.execute(
        update(OutboxMessage)
        .where(
            and_(
                OutboxMessage.broadcast_id == broadcast_id,
                OutboxMessage.status.in_(("queued", "waiting")),  # type: ignore[attr-defined]
            )
        )
        .values(status="cancelled")
    )
    db.execute(update(Broadcast).where(Broadcast.id == broadcast_id).values(status="cancelled"))
    db.add(AuditLog(at=now, actor=actor, action="broadcast_cancelled", target_type="broadcast", target_id=broadcast_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def resend_failed(db: Session, broadcast_id: int, actor: str, now: datetime) -> int:
    """Queue the failed messages of a broadcast again."""
    result = db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.broadcast_id == broadcast_id, OutboxMessage.status == "failed")
        .values(status="queued", attempts=0, not_before=now, error=None)
    )
    db.add(AuditLog(at=now, actor=actor, action="broadcast_resent", target_type="broadcast", target_id=broadcast_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
