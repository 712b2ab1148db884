"""The inbox: inbound events are stored before the platform gets its 200, then processed once, in order per chat."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import bindparam, exists, func, literal, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.clock import utcnow
from bot.messaging.adapters import Interpretation
from bot.messaging.outbox import (
    PRIORITY_REMINDER,
    PRIORITY_REPLY,
    Claimed,
    enqueue,
    parse_ids,
    unsent_before,
    unsent_replies,
)
from bot.storage.db import DATABASE_UNAVAILABLE, describe_error, is_sqlite
from bot.storage.models import ChannelAccount, InboxEvent, OutboxMessage
from conversations import Inbound, InboundKind, Reply
from conversations.events import PermitReading

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
# Where the reading of a photo or document is kept in its stored event (see `InboxWorker.reader`): the platform's own
# fields never start with an underscore.
READING = "_reading"


@dataclass(frozen=True)
class Outcome:
    """What one conversation step gives back to the inbox."""

    replies: list[Reply]
    owner_id: int | None  # None when the message came from an officer
    locale: str
    forget_media: tuple[str, ...] = ()  # photo references whose kept copies go once the step is committed


@dataclass(frozen=True)
class MediaWork:
    """What the media folder needs after a committed step: a copy of the photo sent, copies of deleted data gone."""

    fetch: str | None = None  # a platform media id to keep a copy of
    forget: tuple[str, ...] = ()


class Conversation(Protocol):
    """The step the inbox runs for each event: the conversation service, seen from the message path."""

    def handle_in(
        self, db: Session, platform: str, external_id: str, inbound: Inbound, verified_phone: str | None = None
    ) -> Outcome:
        """Run one step inside the caller's transaction."""
        ...

    def reading_awaited(self, db: Session, platform: str, external_id: str) -> bool:
        """Whether a photo this chat sends now waits for its reading (else read only with a reader free)."""
        ...


class Adapter(Protocol):
    """The parts of a channel adapter the inbox needs."""

    platform: str
    messaging_window: bool  # messages may wait until the user writes again (WhatsApp's 24-hour window)

    def interpret(self, payload: dict[str, Any]) -> Interpretation:
        """Read a stored payload."""
        ...

    def render(self, replies: list[Reply], interpretation: Interpretation) -> list[dict[str, Any]]:
        """Outbox payloads for replies."""
        ...


_EVENTS = InboxEvent.__table__  # type: ignore[attr-defined]


# The events of one chat still waiting (parameter names differ from the columns': those are reserved in an UPDATE).
_WAITING_IN_CHAT = (
    _EVENTS.c.platform == bindparam("of_platform"),
    _EVENTS.c.chat_key == bindparam("of_chat"),
    _EVENTS.c.status == "pending",
)


def _claim_query(lock: bool) -> Any:
    oldest = select(func.min(_EVENTS.c.id)).where(*_WAITING_IN_CHAT).scalar_subquery()
    # The status is checked again on the row itself: PostgreSQL re-evaluates it after waiting for a lock, so an
    # event another process has just finished is not taken a second time.
    taken = select(_EVENTS.c.id).where(_EVENTS.c.id == oldest, _EVENTS.c.status == "pending")
    # Only the chat's oldest event: if another process holds it, this chat waits (keeps order). PostgreSQL only.
    taken = taken.with_for_update(skip_locked=True) if lock else taken
    # Taken and marked done in one statement: the transaction that processes the event commits both or neither.
    # The chat's replies not yet sent come with it (the sender must know them before it sends the answer), which
    # saves a query per answer.
    return (
        update(_EVENTS)
        .where(_EVENTS.c.id == taken.scalar_subquery())
        .values(status="done", processed_at=bindparam("taken_at"))
        .returning(_EVENTS.c.id, _EVENTS.c.payload, unsent_replies(_EVENTS.c.platform, _EVENTS.c.chat_key))
    )


# Built once: statements that run for every event (building one costs more than running it).
_CLAIM = {False: _claim_query(False), True: _claim_query(True)}
_STORE = {
    dialect: insert(_EVENTS)
    .values(status="pending", attempts=0)
    .on_conflict_do_nothing(index_elements=["platform", "event_key"])
    .returning(_EVENTS.c.id)  # a row when stored (the driver's rowcount of an INSERT is not kept: -1 on psycopg)
    for dialect, insert in (("sqlite", sqlite_insert), ("postgresql", pg_insert))
}


def _take_new_query(dialect: str) -> Any:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    waiting = select(_EVENTS.c.id).where(*_WAITING_IN_CHAT)
    source = select(
        bindparam("of_platform", type_=_EVENTS.c.platform.type),
        bindparam("of_key", type_=_EVENTS.c.event_key.type),
        bindparam("of_chat", type_=_EVENTS.c.chat_key.type),
        bindparam("of_payload", type_=_EVENTS.c.payload.type),
        literal("done", _EVENTS.c.status.type),
        literal(0, _EVENTS.c.attempts.type),
        bindparam("taken_at", type_=_EVENTS.c.received_at.type),
        bindparam("taken_at", type_=_EVENTS.c.processed_at.type),
    ).where(~exists(waiting))
    columns = ["platform", "event_key", "chat_key", "payload", "status", "attempts", "received_at", "processed_at"]
    return (
        insert(_EVENTS)
        .from_select(columns, source)
        .on_conflict_do_nothing(index_elements=["platform", "event_key"])
        .returning(_EVENTS.c.id, unsent_replies(bindparam("of_platform"), bindparam("of_chat")))
    )


# An event stored already taken, for the process that received it to answer at once: only when none of its chat's
# events waits (it must not overtake them) and the platform has not delivered it before.
_TAKE_NEW = {dialect: _take_new_query(dialect) for dialect in ("sqlite", "postgresql")}


def store_event(
    engine: Engine, platform: str, event_key: str, chat_key: str, payload: dict[str, Any], now: datetime
) -> bool:
    """Write an inbound event; False when the platform already delivered it (a retry)."""
    values = {
        "platform": platform,
        "event_key": event_key,
        "chat_key": chat_key,
        "payload": payload,
        "received_at": now,
    }
    if is_sqlite(engine):  # pysqlite's own transactions are off (bot.storage.db): keep our BEGIN IMMEDIATE
        with engine.begin() as connection:
            stored = connection.execute(_STORE["sqlite"], values).first()
        return stored is not None
    # One statement needs no transaction around it: in autocommit it is one round trip instead of three (BEGIN,
    # INSERT, COMMIT), and durable all the same when it returns.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        stored = connection.execute(_STORE["postgresql"], values).first()
    return stored is not None


@dataclass(frozen=True)
class Handoff:
    """Replies a step stored already claimed, for this process's sender to deliver without looking for them."""

    messages: list[Claimed]
    unsent_before: list[int]  # older messages of the chat not yet sent: the sender checks they are its own


@dataclass
class InboxWorker:
    """Processes stored events through the conversation and queues the replies in the same transaction."""

    engine: Engine
    service: Conversation
    adapters: dict[str, Adapter]
    clock: Callable[[], datetime] = utcnow
    # Downloads a platform media id to local storage (WhatsApp media URLs expire); returns success.
    media_fetcher: Callable[[str, str], bool] | None = None
    # Called (in the worker's thread) after a commit with the replies stored claimed; set by a process whose sender
    # delivers these platforms (`direct`), so answers skip the sender's search of the queue.
    handoff: Callable[[Handoff], None] | None = None
    direct: frozenset[str] = frozenset()
    claimed_by: int | None = None  # the liveness key the replies stored claimed carry (bot/messaging/liveness.py)
    # Called (in the worker's thread) after a commit that queued messages for the sender to find.
    on_queued: Callable[[], None] | None = None
    # Reads the permit number on an owner's photo or document before its step (blocking, seconds: OCR), None when
    # it cannot get the file or (its third argument False: the photo may not wait) every reader is busy. The reading
    # is kept in the stored event, so a retry or a restart does not read again.
    reader: Callable[[str, Inbound, bool], PermitReading | None] | None = None
    # Deletes the kept copies of photo references (an owner deleted their data), after the commit.
    media_forgetter: Callable[[tuple[str, ...]], object] | None = None

    def pending_chats(
        self, limit: int, exclude: set[tuple[str, str]], received_before: datetime | None = None
    ) -> list[tuple[str, str]]:
        """Chats with waiting events (received before `received_before`, if given), the longest-waiting first."""
        query = select(InboxEvent.platform, InboxEvent.chat_key, func.min(InboxEvent.id)).where(
            InboxEvent.status == "pending"
        )
        if received_before is not None:
            query = query.where(InboxEvent.received_at < received_before)
        with Session(self.engine) as db:
            rows = db.exec(
                query.group_by(InboxEvent.platform, InboxEvent.chat_key)
                .order_by(func.min(InboxEvent.id))
                .limit(limit + len(exclude))
            ).all()
        chats = [(platform, chat) for platform, chat, _first in rows if (platform, chat) not in exclude]
        return chats[:limit]

    def process_next(self, platform: str, chat_key: str, read: bool = True) -> str:
        """Process the oldest pending event of one chat: "done", "empty" (none to take) or "failed"; with `read`
        False, "unread" when it is a photo or document to read first (`read_waiting`), left pending as it was, or
        "glance" when its reading is not awaited (it is read only if a reader is free at once)."""
        event_id: int | None = None
        try:
            for _attempt in range(2):
                with Session(self.engine, expire_on_commit=False) as db:
                    claimed = self._claim(db, platform, chat_key, self.clock())
                    if claimed is None:
                        return "empty"
                    event_id, payload, unsent = claimed
                    interpretation = self._interpret(platform, payload)
                    unread = self._unread_media(payload, interpretation)
                    if unread is None:
                        handoff, queued, media = self._process(
                            db, event_id, platform, chat_key, payload, unsent, interpretation
                        )
                        db.commit()
                        break
                    db.rollback()  # read outside any transaction: OCR takes seconds, the event waits as it was
                assert interpretation is not None  # there is media to read
                awaited = self._reading_awaited(platform, interpretation.user_id)
                if not read:
                    return "unread" if awaited else "glance"
                self._read(event_id, platform, payload, unread, awaited)
            else:
                return "done"  # read, but taken meanwhile by another process (it was pending): nothing left here
            self._committed(handoff, queued, platform, media)
            return "done"
        except Exception as error:  # noqa: BLE001  (recorded on the event, retried, never lost)
            if isinstance(error, DATABASE_UNAVAILABLE):
                log.warning("inbox: database unavailable (%s) at event %s", describe_error(error), event_id)
            else:
                log.exception("inbox event %s of %s failed", event_id, platform)
            if event_id is not None:
                try:
                    self._record_failure(event_id, error)
                except Exception as record_error:  # noqa: BLE001  (the database is gone: the event stays pending)
                    log.warning(
                        "could not record the failure of inbox event %s: %s", event_id, describe_error(record_error)
                    )
            return "failed"

    def answer_new(self, platform: str, event_key: str, chat_key: str, payload: dict[str, Any]) -> str:
        """Store an event just received and process it in the same transaction: "done"; "queue" when it must be
        stored to wait its turn instead (its chat has events waiting, or the platform sent it before: nothing
        stored), or when processing failed (rolled back, nothing stored: the inbox retries it once stored)."""
        interpretation = self._interpret(platform, payload)
        if self._unread_media(payload, interpretation) is not None:
            return "queue"  # read first by the inbox, which never holds the platform's 200 for seconds
        try:
            with Session(self.engine, expire_on_commit=False) as db:
                values = {
                    "of_platform": platform,
                    "of_key": event_key,
                    "of_chat": chat_key,
                    "of_payload": payload,
                    "taken_at": self.clock(),
                }
                row = db.connection().execute(_TAKE_NEW[self.engine.dialect.name], values).first()
                if row is None:
                    return "queue"
                handoff, queued, media = self._process(
                    db, row[0], platform, chat_key, payload, parse_ids(row[1]), interpretation
                )
                db.commit()
        except DATABASE_UNAVAILABLE:
            return "queue"  # storing it fails too, and says so
        except Exception:  # noqa: BLE001  (stored as pending instead: retried, counted and kept like any event)
            log.exception("an event of %s failed when answered at once; it is queued", platform)
            return "queue"
        self._committed(handoff, queued, platform, media)
        return "done"

    def read_waiting(self, platform: str, chat_key: str, awaited: bool = True) -> bool:
        """Read the photo or document of the chat's oldest pending event, if it has one not read yet; True if read.
        Not `awaited` (`process_next` said "glance"): only if a reader is free at once.

        The event stays pending and unlocked meanwhile: the runtime reads in threads of its own, so that a photo
        never holds an inbox worker (nor, on SQLite, the only one) for the seconds OCR takes."""
        with Session(self.engine) as db:
            row = db.exec(
                select(InboxEvent.id, InboxEvent.payload)
                .where(
                    InboxEvent.platform == platform,
                    InboxEvent.chat_key == chat_key,
                    InboxEvent.status == "pending",
                )
                .order_by(InboxEvent.id)
                .limit(1)
            ).first()
        if row is None:
            return False
        event_id, payload = row
        unread = self._unread_media(payload, self._interpret(platform, payload))
        if unread is None:
            return False
        self._read(event_id, platform, dict(payload), unread, awaited)
        return True

    def _interpret(self, platform: str, payload: dict[str, Any]) -> Interpretation | None:
        """The stored event read by its adapter, once per step (None for a reminder, which carries no message)."""
        return None if payload.get("trigger") is not None else self.adapters[platform].interpret(payload)

    def _unread_media(self, payload: dict[str, Any], interpretation: Interpretation | None) -> Inbound | None:
        """The photo or document in the event that still has to be read (None: nothing to read, or read already)."""
        if self.reader is None or READING in payload or interpretation is None:
            return None
        inbound = interpretation.inbound
        if inbound is not None and inbound.kind in (InboundKind.PHOTO, InboundKind.DOCUMENT) and inbound.media_ref:
            return inbound
        return None

    def _read(self, event_id: int, platform: str, payload: dict[str, Any], inbound: Inbound, awaited: bool) -> None:
        """Read the event's photo or document and keep the reading in the stored event (still pending)."""
        assert self.reader is not None
        try:
            reading = self.reader(platform, inbound, awaited)
        except Exception:  # noqa: BLE001  (the owner's message is answered all the same, as if not read)
            log.exception("could not read the %s of inbox event %s", inbound.kind, event_id)
            reading = None
        payload[READING] = reading.to_json() if reading is not None else None
        with Session(self.engine) as db:
            db.exec(
                update(InboxEvent)
                .where(InboxEvent.id == event_id, InboxEvent.status == "pending")
                .values(payload=payload)
            )
            db.commit()

    def _reading_awaited(self, platform: str, user_id: str | None) -> bool:
        """Whether the owner's open question waits for a photo's reading (the conversation says: all but a product's
        photo, which is read only if a reader is free at once)."""
        if user_id is None:
            return True
        with Session(self.engine) as db:
            return self.service.reading_awaited(db, platform, user_id)

    def _committed(self, handoff: Handoff | None, queued: bool, platform: str, media: MediaWork) -> None:
        """Keep a copy of the media the owner sent, then tell the sender what the committed step stored for it.

        The download (two HTTP calls) runs after the commit, so that a slow media server never holds the event, the
        chat's rows and a database connection, and before the answer goes, so that "Foto sudah disimpan" is true
        when it arrives; a crash in between leaves the photo to be fetched when an officer opens it."""
        if media.fetch and self.media_fetcher is not None:
            try:
                self.media_fetcher(platform, media.fetch)
            except Exception:  # noqa: BLE001  (the step is committed; the copy is fetched when an officer asks)
                log.exception("could not keep a copy of %s media %s", platform, media.fetch)
        if media.forget and self.media_forgetter is not None:
            try:
                self.media_forgetter(media.forget)
            except Exception:  # noqa: BLE001  (the daily sweep deletes what no row refers to)
                log.exception("could not delete %d kept photos of a deleted owner", len(media.forget))
        if handoff is not None and self.handoff is not None:
            self.handoff(handoff)
        if queued and self.on_queued is not None:
            self.on_queued()

    def _claim(
        self, db: Session, platform: str, chat_key: str, now: datetime
    ) -> tuple[int, dict[str, Any], list[int]] | None:
        """The chat's oldest pending event (id and payload), marked done in this transaction (and so locked), and
        the ids of the chat's replies not yet sent."""
        query = _CLAIM[not is_sqlite(self.engine)]
        row = db.connection().execute(query, {"of_platform": platform, "of_chat": chat_key, "taken_at": now}).first()
        return (row[0], row[1], parse_ids(row[2])) if row is not None else None

    def _process(
        self,
        db: Session,
        event_id: int,
        platform: str,
        chat_key: str,
        payload: dict[str, Any],
        unsent: list[int],
        interpretation: Interpretation | None,
    ) -> tuple[Handoff | None, bool, MediaWork]:
        """Run one event (`unsent`: the chat's replies not yet sent when it was claimed); returns the answer for
        this process's sender, whether messages were queued, and what the media folder needs after the commit."""
        adapter = self.adapters[platform]
        now = self.clock()
        if interpretation is None:  # a due reminder (see `_interpret`)
            self._process_trigger(db, event_id, platform, chat_key, adapter, payload["trigger"], now)
            return None, True, MediaWork()
        reading = payload.get(READING)
        if reading and interpretation.inbound is not None:
            inbound = replace(interpretation.inbound, reading=PermitReading.from_json(reading))
            interpretation = replace(interpretation, inbound=inbound)
        owner_id: int | None = None
        forget: tuple[str, ...] = ()
        replies: list[Reply] = list(interpretation.notices)
        if interpretation.receipt is not None:
            apply_receipt(db, platform, interpretation.receipt)
        queued = False
        if "page" in interpretation.extra and interpretation.chat_id:
            repeat_choices_page(db, platform, interpretation.chat_id, int(interpretation.extra["page"]), now)
            queued = True
        media_id = interpretation.extra.get("media_id")
        if interpretation.blocked is not None and interpretation.user_id:
            db.exec(
                update(ChannelAccount)
                .where(ChannelAccount.platform == platform, ChannelAccount.external_id == interpretation.user_id)
                .values(blocked=interpretation.blocked)
            )
        if interpretation.inbound is not None and interpretation.user_id:
            outcome = self.service.handle_in(
                db, platform, interpretation.user_id, interpretation.inbound, interpretation.verified_phone
            )
            owner_id = outcome.owner_id
            forget = outcome.forget_media
            replies += outcome.replies
            if adapter.messaging_window:
                # The owner wrote: messages that waited for the messaging window can go now.
                queued = True
                db.exec(
                    update(OutboxMessage)
                    .where(
                        OutboxMessage.platform == platform,
                        OutboxMessage.chat_id == interpretation.chat_id,
                        OutboxMessage.status == "waiting",
                    )
                    .values(status="queued", not_before=now)
                )
        handoff = None
        if interpretation.chat_id and (replies or interpretation.extra):
            payloads = adapter.render(replies, interpretation)
            claim = platform in self.direct
            ids = enqueue(
                db,
                platform,
                interpretation.chat_id,
                payloads,
                now,
                owner_id=owner_id,
                inbox_id=event_id,
                claim=claim,
                claimed_by=self.claimed_by,
            )
            if claim and ids:
                messages = [
                    Claimed(id, platform, interpretation.chat_id, owner_id, payload, 1, "reply")
                    for id, payload in zip(ids, payloads, strict=True)
                ]
                if queued or interpretation.chat_id != chat_key:  # the step queued others, or writes elsewhere
                    older = unsent_before(db, platform, interpretation.chat_id, ids[0], PRIORITY_REPLY)
                else:
                    older = unsent
                handoff = Handoff(messages, older)
            queued = queued or (bool(ids) and not claim)
        return handoff, queued, MediaWork(str(media_id) if media_id else None, forget)

    def _process_trigger(
        self,
        db: Session,
        event_id: int,
        platform: str,
        chat_key: str,
        adapter: Adapter,
        trigger: dict[str, Any],
        now: datetime,
    ) -> None:
        """A due reminder: run it through the conversation and queue what it says, marked as a reminder."""
        inbound = Inbound(
            kind=InboundKind.TRIGGER,
            trigger=str(trigger.get("kind")),
            text=str(trigger.get("ref") or ""),
            channel=platform,
            supports_photos=platform != "console",
            supports_location=platform != "console",
        )
        outcome = self.service.handle_in(db, platform, chat_key, inbound)
        interpretation = Interpretation(chat_id=chat_key, user_id=chat_key)
        payloads = [{**p, "purpose": "reminder"} for p in adapter.render(outcome.replies, interpretation)]
        enqueue(
            db,
            platform,
            chat_key,
            payloads,
            now,
            owner_id=outcome.owner_id,
            kind="reminder",
            priority=PRIORITY_REMINDER,
            inbox_id=event_id,
        )

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


_RECEIPT_RANK = {"sent": 0, "delivered": 1, "read": 2}


def apply_receipt(db: Session, platform: str, receipt: dict[str, Any]) -> None:
    """Record a delivery receipt (delivered, read, failed) on the message it is about."""
    message = db.exec(
        select(OutboxMessage).where(
            OutboxMessage.platform == platform, OutboxMessage.platform_message_id == str(receipt.get("id"))
        )
    ).first()
    if message is None:
        return
    status = str(receipt.get("status"))
    at = _timestamp(receipt.get("timestamp"))
    if status == "failed":
        errors = receipt.get("errors") or [{}]
        code = errors[0].get("code")
        message.delivery = "failed"
        message.error = f"{code}: {errors[0].get('title') or errors[0].get('message') or ''}"[:500]
        if code == 131047:  # sent after the 24-hour window closed: wait for the owner to write again
            message.status = "waiting"
    elif status in _RECEIPT_RANK and _RECEIPT_RANK[status] > _RECEIPT_RANK.get(message.delivery or "sent", 0):
        message.delivery = status
        if status == "delivered":
            message.delivered_at = at
        if status == "read":
            message.read_at = at
            message.delivered_at = message.delivered_at or at
    db.add(message)


def _timestamp(value: object) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(str(value)), tz=UTC)
    except (TypeError, ValueError):
        return None


def repeat_choices_page(db: Session, platform: str, chat_id: str, page: int, now: datetime) -> None:
    """Send another page of the last list of choices shown to a chat."""
    last = db.exec(
        select(OutboxMessage)
        .where(OutboxMessage.platform == platform, OutboxMessage.chat_id == chat_id, OutboxMessage.kind == "reply")
        .order_by(OutboxMessage.id.desc())  # type: ignore[union-attr]
        .limit(20)
    ).all()
    for message in last:
        if message.payload.get("choices"):
            enqueue(db, platform, chat_id, [{**message.payload, "page": page}], now, owner_id=message.owner_id)
            return
