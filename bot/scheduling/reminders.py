"""The reminder dispatcher: due rows become inbox triggers, in each owner's sending window, once."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import ARRAY, Integer, and_, any_, exists, func, insert, literal, literal_column, select, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.messaging.sending_window import SendingWindow
from bot.storage.db import is_sqlite
from bot.storage.models import ChannelAccount, InboxEvent, Owner, Reminder, SchedulerState

log = logging.getLogger(__name__)
TRIGGER_PLATFORMS = ("whatsapp", "telegram", "console")


@dataclass
class DispatchResult:
    """What one dispatch pass did."""

    queued: int = 0
    deferred: int = 0
    skipped: int = 0


def dispatch_due(
    engine: Engine,
    now: datetime,
    window: SendingWindow,
    batch: int = 5000,
    owner_id: int | None = None,
    max_batches: int | None = None,
) -> DispatchResult:
    """Claim due reminders and queue each as an inbox trigger for the owner's channel, or move it to the window."""
    result = DispatchResult()
    batches = 0
    while max_batches is None or batches < max_batches:
        batches += 1
        with Session(engine, expire_on_commit=False) as db:
            done = _dispatch_batch(db, engine, now, window, batch, owner_id, result)
            db.commit()
        if done < batch:
            break
    return result


def _dispatch_batch(
    db: Session,
    engine: Engine,
    now: datetime,
    window: SendingWindow,
    batch: int,
    owner_id: int | None,
    result: DispatchResult,
) -> int:
    query = (
        select(
            Reminder.id,
            Reminder.owner_id,
            Reminder.kind,
            Reminder.ref,
            Owner.timezone,
            Owner.consent_status,
            Owner.deleted_at,
        )
        .join(Owner, Owner.id == Reminder.owner_id)
        # A literal status: a prepared statement can then use the partial index of pending reminders.
        .where(Reminder.status == literal_column("'pending'"), Reminder.due_at <= now)
        .order_by(Reminder.due_at, Reminder.id)
        .limit(batch)
    )
    if owner_id is not None:
        query = query.where(Reminder.owner_id == owner_id)
    if not is_sqlite(engine):  # several dispatchers share the table: each row is taken by one of them
        query = query.with_for_update(skip_locked=True, of=Reminder)  # type: ignore[arg-type]
    rows = db.execute(query).all()
    if not rows:
        return 0
    accounts = _best_accounts(db, {r.owner_id for r in rows})
    openings: dict[str, datetime] = {}
    queued: list[dict[str, Any]] = []
    queued_ids: list[int] = []
    deferred: dict[datetime, list[int]] = defaultdict(list)
    skipped: list[int] = []
    for row in rows:
        account = accounts.get(row.owner_id)
        if row.consent_status != "given" or row.deleted_at is not None or account is None:
            skipped.append(row.id)
            continue
        zone = row.timezone or "Asia/Jakarta"
        if zone not in openings:
            openings[zone] = window.next_opening(now, zone)
        opening = openings[zone]
        if opening > now:
            deferred[opening].append(row.id)
            continue
        platform, external_id = account
        queued_ids.append(row.id)
        queued.append(
            {
                "platform": platform,
                "event_key": f"reminder:{row.id}",
                "chat_key": external_id,
                "payload": {"trigger": {"kind": row.kind, "ref": row.ref, "reminder_id": row.id}},
                "status": "pending",
                "attempts": 0,
                "received_at": now,
            }
        )
    if queued and is_sqlite(engine):
        statement = sqlite_insert(InboxEvent).on_conflict_do_nothing(index_elements=["platform", "event_key"])
        db.execute(statement, queued)
    elif queued:  # PostgreSQL: one statement for the whole batch, rows unpacked from arrays
        db.execute(
            _PG_INSERT_TRIGGERS,
            {
                "platforms": [q["platform"] for q in queued],
                "ids": [q["payload"]["trigger"]["reminder_id"] for q in queued],
                "chats": [q["chat_key"] for q in queued],
                "kinds": [q["payload"]["trigger"]["kind"] for q in queued],
                "refs": [q["payload"]["trigger"]["ref"] for q in queued],
                "now": now,
            },
        )
    if queued:
        _set_status(db, queued_ids, status="queued", queued_at=now)
    for opening, ids in deferred.items():
        _set_status(db, ids, due_at=opening)
    _set_status(db, skipped, status="skipped")
    result.queued += len(queued_ids)
    result.deferred += sum(len(ids) for ids in deferred.values())
    result.skipped += len(skipped)
    return len(rows)


def _id_in(column: Any, ids: list[int], postgres: bool) -> Any:
    """`column IN ids`: one array parameter on PostgreSQL (cheap to compile), a list elsewhere."""
    if postgres:
        return column == any_(literal(ids, ARRAY(Integer)))
    return column.in_(ids)


_PG_INSERT_TRIGGERS = text(
    """
    INSERT INTO inboxevent (platform, event_key, chat_key, payload, status, attempts, received_at)
    SELECT p, 'reminder:' || rid, c,
           json_build_object('trigger', json_build_object('kind', k, 'ref', r, 'reminder_id', rid)),
           'pending', 0, :now
    FROM unnest(CAST(:platforms AS text[]), CAST(:ids AS integer[]), CAST(:chats AS text[]),
                CAST(:kinds AS text[]), CAST(:refs AS text[])) AS t(p, rid, c, k, r)
    ON CONFLICT (platform, event_key) DO NOTHING
    """
)


def _set_status(db: Session, ids: list[int], **values: Any) -> None:
    postgres = db.get_bind().dialect.name == "postgresql"
    step = 50_000 if postgres else 900
    for start in range(0, len(ids), step):
        chunk = ids[start : start + step]
        db.execute(update(Reminder).where(_id_in(Reminder.id, chunk, postgres)).values(**values))


def _best_accounts(db: Session, owner_ids: set[int]) -> dict[int, tuple[str, str]]:
    """For each owner, the unblocked account they used most recently (WhatsApp first on a tie)."""
    best: dict[int, tuple[str, str]] = {}
    ranked: dict[int, tuple[Any, ...]] = {}
    ids = list(owner_ids)
    postgres = db.get_bind().dialect.name == "postgresql"
    step = 50_000 if postgres else 900
    for start in range(0, len(ids), step):
        rows = db.execute(
            select(
                ChannelAccount.owner_id,
                ChannelAccount.platform,
                ChannelAccount.external_id,
                ChannelAccount.last_inbound_at,
            ).where(
                _id_in(ChannelAccount.owner_id, ids[start : start + step], postgres),
                ChannelAccount.blocked.is_(False),  # type: ignore[attr-defined]
            )
        ).all()
        for owner_id, platform, external_id, last in rows:
            if platform not in TRIGGER_PLATFORMS:
                continue
            rank = (last.timestamp() if last else 0.0, -TRIGGER_PLATFORMS.index(platform))
            if owner_id not in ranked or rank > ranked[owner_id]:
                ranked[owner_id] = rank
                best[owner_id] = (platform, external_id)
    return best


# --- periodic report requests --------------------------------------------------------------------------
def report_round(moment: datetime) -> str:
    """The name of a reporting round: the year and month it was requested ("2027-01")."""
    return moment.strftime("%Y-%m")


def latest_fire_time(cron: str, timezone: str, now: datetime) -> datetime | None:
    """The last time `cron` fired at or before `now` (looking back a year)."""
    trigger = CronTrigger.from_crontab(cron, timezone=timezone)
    moment = trigger.get_next_fire_time(None, now - timedelta(days=366))
    last = None
    while moment is not None and moment <= now:
        last = moment
        moment = trigger.get_next_fire_time(moment, moment + timedelta(seconds=1))
    return last


def request_reports(engine: Engine, fired_at: datetime, now: datetime) -> int:
    """Ask every consenting owner once for this round to update their report (due now; windows apply)."""
    round_name = report_round(fired_at)
    with Session(engine) as db:
        state = db.get(SchedulerState, "report_round")
        if state is not None and state.value >= round_name:
            return 0
        already = exists().where(
            and_(Reminder.owner_id == Owner.id, Reminder.kind == "report_request", Reminder.ref == round_name)
        )
        source = select(
            Owner.id, literal("report_request"), literal(round_name), literal(now), literal("pending"), literal(now)
        ).where(
            Owner.consent_status == "given",
            Owner.deleted_at.is_(None),  # type: ignore[union-attr]
            Owner.last_report_at < fired_at,  # who reported after the round began is up to date
            ~already,
        )
        in_round = (
            select(func.count())
            .select_from(Reminder)
            .where(Reminder.kind == "report_request", Reminder.ref == round_name)
        )
        before = db.execute(in_round).scalar_one()
        db.execute(insert(Reminder).from_select(["owner_id", "kind", "ref", "due_at", "status", "created_at"], source))
        count = db.execute(in_round).scalar_one() - before
        db.merge(SchedulerState(key="report_round", value=round_name, updated_at=now))
        db.commit()
    log.info("report round %s: %d owners asked", round_name, count)
    return count
