"""The sender: delivers outbox rows at each platform's pace, retrying what can be retried."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Coroutine, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy.engine import Engine

from bot.clock import utcnow
from bot.messaging.adapters import SendResult, Transport
from bot.messaging.liveness import ProcessLock
from bot.messaging.outbox import (
    Claimed,
    claim_due,
    claimers,
    mark_blocked,
    mark_failed,
    mark_retry,
    mark_sent_many,
    mark_waiting,
    release,
    release_stale,
)
from bot.messaging.ratelimit import RateLimiter
from bot.storage.db import describe_error, is_sqlite, log_loop_error, retry_delay

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
# How often rows left in flight by another process that died are looked for (a restart looks at once).
RELEASE_EVERY_SECONDS = 5.0
MAX_BACKOFF_SECONDS = 600.0
# Actions that are not chat messages and do not count towards a chat's message rate.
_NOT_MESSAGES = {"answer_callback", "clear_keyboard", "mark_read"}
# Deliveries are marked sent in batches of this many (or every 50 ms); sending pauses while MAX_UNRECORDED are
# waiting to be written, so a crash sends again at most that many plus those in flight.
FLUSH_BATCH = 16
MAX_UNRECORDED = 32
# How many ids of messages marked sent are remembered, to recognise a handed-over answer's predecessors as delivered.
RECENTLY_SENT = 4096
# Threads (and so database connections) for the sender's claims and marks.
SENDER_THREADS = 4


def backoff_seconds(attempts: int) -> float:
    """Exponential backoff with jitter: about 2, 4, 8 ... seconds, at most ten minutes."""
    base = min(MAX_BACKOFF_SECONDS, 2.0**attempts)
    return base * random.uniform(0.8, 1.2)


@dataclass
class Sender:
    """Claims due outbox rows and hands them to the platform transports."""

    engine: Engine
    transports: dict[str, Transport]
    limiters: dict[str, RateLimiter]
    clock: Callable[[], datetime] = utcnow
    # Per platform: decides before sending whether a message may go as is, as another payload, or must wait.
    gates: dict[str, Callable[[Claimed], tuple[str, dict[str, Any] | None]]] = field(default_factory=dict)
    concurrency: int = 32
    poll_seconds: float = 0.5
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    on_ready: Callable[[], None] | None = None  # called once rows left in flight by a previous run are re-queued
    process_lock: ProcessLock | None = None  # this process's liveness lock: its key marks the rows it takes
    on_beat: Callable[[], None] | None = None  # called once per turn of the run loop (the watchdog)
    _in_flight: set[tuple[str, str]] = field(default_factory=set)
    # Deliveries are recorded in batches: a crash loses at most this short list (sent again on restart).
    _sent: list[tuple[int, str | None]] = field(default_factory=list)
    _flushing: frozenset[int] = frozenset()
    _flush_now: asyncio.Event = field(default_factory=asyncio.Event)
    _backlog: bool = False  # the last claim was cut short by the concurrency limit
    _behind_busy: set[tuple[str, str]] = field(default_factory=set)  # chats that had more due while busy
    _executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(SENDER_THREADS, thread_name_prefix="outbox")
    )
    _db_failures: int = 0  # database calls of the run loop that failed in a row (an outage)
    # Answers handed over by the inbox worker: delivered after what the chat has in flight, without a claim.
    _following: dict[tuple[str, str], list[Claimed]] = field(default_factory=dict)
    _taken_ids: set[int] = field(default_factory=set)  # claimed by this sender and not yet sent or given back
    _recently_sent: dict[int, None] = field(default_factory=dict)  # ids marked sent lately (insertion-ordered)
    _handed: set[asyncio.Task[None]] = field(default_factory=set)

    async def _db(self, fn, *args):  # type: ignore[no-untyped-def]
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    async def _db_or_pause(self, fn, *args):  # type: ignore[no-untyped-def]
        """A database call of the run loop; if it fails (the database restarting, say) log, pause, return None.

        The pause ends early on `wake` (new work: the database is back; or the runtime stopping)."""
        try:
            result = await self._db(fn, *args)
        except Exception as error:  # noqa: BLE001  (an outage pauses deliveries; it must not end them)
            self._db_failures += 1
            delay = retry_delay(self._db_failures)
            log_loop_error("sender", error, delay)  # a traceback names the call that failed
            self.wake.clear()
            try:
                await asyncio.wait_for(self.wake.wait(), timeout=delay)
            except TimeoutError:
                pass
            return None
        self._db_failures = 0
        return result

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set."""
        # One SQLite process owns the outbox: whatever was in flight when it died goes out again now. On PostgreSQL
        # the rows of processes that are gone (their liveness lock is free) go out again now, others' stay theirs.
        released = None
        while released is None and not stop.is_set():
            released = await self._db_or_pause(self._release_left_in_flight, is_sqlite(self.engine))
        if released:
            log.info("re-queued %d messages left in flight by a process that stopped", released)
        if self.on_ready is not None:  # answers may be handed over now: no re-queueing will happen under them
            self.on_ready()
        tasks: set[asyncio.Task[None]] = set()
        last_release = asyncio.get_running_loop().time()
        flusher = asyncio.create_task(self._flush_loop(stop))
        while not stop.is_set():
            free = self.concurrency - len(tasks)
            claimed: list[list[Claimed]] = []
            if tasks and free < max(1, self.concurrency // 4):
                # A turn while every delivery hangs is no advance (the watchdog must see such a stall), unless a
                # platform asked for a pause: then waiting is the work.
                if self.on_beat is not None and any(limiter.paused() for limiter in self.limiters.values()):
                    self.on_beat()
                await asyncio.sleep(0.005)  # claim in batches, not one row per finished send
                continue
            if self.on_beat is not None:
                self.on_beat()
            if free > 0:
                claimed, self._behind_busy = await self._db_or_pause(
                    partial(claim_due, claimed_by=self._key),
                    self.engine,
                    self.clock(),
                    free,
                    set(self._in_flight),
                    set(self.transports),
                    self._unrecorded(),
                ) or ([], set())
                self._backlog = len(claimed) >= free
            for batch in claimed:
                self._in_flight.add((batch[0].platform, batch[0].chat_id))
                self._taken_ids.update(m.id for m in batch)
                task = asyncio.create_task(self._deliver_chat(batch))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            now = asyncio.get_running_loop().time()
            if now - last_release > RELEASE_EVERY_SECONDS:
                released = await self._db_or_pause(self._release_left_in_flight, False)
                if released:
                    log.info("re-queued %d messages left in flight by a process that stopped or stalled", released)
                last_release = now
            if self._backlog:
                await asyncio.sleep(0)
            else:  # everything due is taken: wait for new messages, a free chat with more, or the next poll
                self.wake.clear()
                try:
                    await asyncio.wait_for(self.wake.wait(), timeout=self.poll_seconds)
                except TimeoutError:
                    pass
        if tasks or self._handed:
            await asyncio.wait(tasks | self._handed, timeout=10)
        await flusher
        await self._db(mark_sent_many, self.engine, self._take_sent(), self.clock())
        self._executor.shutdown(wait=False)

    @property
    def _key(self) -> int | None:
        return self.process_lock.key if self.process_lock is not None else None

    def _release_left_in_flight(self, everything: bool) -> int:
        """Queue again the rows of processes that are gone, and those past the lease (in a sender thread)."""
        lock = self.process_lock
        dead = lock.dead_among(claimers(self.engine, lock.key)) if lock is not None else []
        return release_stale(self.engine, self.clock(), everything, dead)

    def _take_sent(self) -> list[tuple[int, str | None]]:
        sent, self._sent = self._sent, []
        return sent

    def _unrecorded(self) -> frozenset[int]:
        """Messages delivered but not yet marked sent in the database (they must not hold their chat back)."""
        return frozenset(oid for oid, _mid in self._sent) | self._flushing

    async def _flush_loop(self, stop: asyncio.Event) -> None:
        """Write recorded deliveries every 50 ms, or sooner once FLUSH_BATCH have piled up."""
        while not stop.is_set():
            self._flush_now.clear()
            try:
                await asyncio.wait_for(self._flush_now.wait(), timeout=0.05)
            except TimeoutError:
                pass
            if self._sent:
                sent = self._take_sent()
                self._flushing = frozenset(oid for oid, _mid in sent)
                try:
                    await self._db(mark_sent_many, self.engine, sent, self.clock())
                    self._remember_sent(oid for oid, _mid in sent)
                except Exception as error:  # noqa: BLE001  (kept for the next round: a delivery is never forgotten)
                    self._sent = sent + self._sent
                    log.warning(
                        "sender: could not record %d deliveries (%s); retrying", len(sent), describe_error(error)
                    )
                    await asyncio.sleep(1.0)
                    continue
                finally:
                    self._flushing = frozenset()

    def submit(self, messages: list[Claimed], unsent_before: list[int]) -> None:
        """Deliver answers the inbox worker stored already claimed (call in the event loop).

        They go after whatever this sender has in flight for the chat. If an older message of the chat is waiting
        elsewhere (a retry, another process), they are given back to the queue, which keeps each chat's order."""
        key = (messages[0].platform, messages[0].chat_id)
        self._taken_ids.update(m.id for m in messages)
        if any(not self._is_ours(oid) for oid in unsent_before):
            self._start(self._give_back(messages))
        elif key in self._in_flight:
            self._following.setdefault(key, []).extend(messages)
        else:
            self._in_flight.add(key)
            self._start(self._deliver_chat(messages))

    def _is_ours(self, message_id: int) -> bool:
        """Whether this sender holds the message, has sent it, or has just marked it sent."""
        return message_id in self._taken_ids or message_id in self._unrecorded() or message_id in self._recently_sent

    def _remember_sent(self, ids: Iterable[int]) -> None:
        for oid in ids:
            self._recently_sent[oid] = None
        while len(self._recently_sent) > RECENTLY_SENT:
            del self._recently_sent[next(iter(self._recently_sent))]

    def _start(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._handed.add(task)
        task.add_done_callback(self._handed.discard)

    async def _give_back(self, messages: list[Claimed]) -> None:
        """Return messages to the queue for the claim loop (they must wait behind an older one)."""
        ids = [m.id for m in messages]
        try:
            await self._db(release, self.engine, ids)
        except Exception as error:  # noqa: BLE001  (still claimed: the lease returns them)
            log.warning("sender: could not return %d messages to the queue (%s)", len(ids), describe_error(error))
        self._taken_ids.difference_update(ids)
        self.wake.set()

    async def _deliver_chat(self, batch: list[Claimed]) -> None:
        """Deliver one chat's messages in order, then any handed over meanwhile; after one that does not go, the
        rest wait their turn in the queue."""
        key = (batch[0].platform, batch[0].chat_id)
        pending = list(batch)  # this chat's messages not dealt with yet
        try:
            while pending:
                message = pending[0]
                delivered = await self._deliver(message)
                pending.pop(0)
                self._taken_ids.discard(message.id)
                if not delivered:
                    rest = pending + self._following.pop(key, [])
                    await self._db(release, self.engine, [m.id for m in rest])
                    self._taken_ids.difference_update(m.id for m in rest)
                    return
                if not pending:
                    pending = self._following.pop(key, [])
        except Exception as error:  # noqa: BLE001  (the database failed mid-chat: the others must not wait a minute)
            # The message at hand was not sent (a database step before or after a failed send raised), so it and the
            # rest go back to the queue now rather than waiting for their lease, and no later answer is lost.
            rest = pending + self._following.pop(key, [])
            log.warning("sender: a chat stopped (%s); %d messages back to the queue", describe_error(error), len(rest))
            await self._give_back(rest)
        finally:
            self._in_flight.discard(key)
            if self._backlog or key in self._behind_busy:  # only then may a claim find more now
                self.wake.set()

    async def _deliver(self, message: Claimed) -> bool:
        """Send one message and record the outcome; True when it was sent."""
        gate = self.gates.get(message.platform)
        if gate is not None:
            decision, payload = await self._db(gate, message)
            if decision == "waiting":
                await self._db(mark_waiting, self.engine, message.id, "outside the 24-hour window, no template")
                return False
            if payload is not None:
                message = replace(message, payload=payload)
        limiter = self.limiters.get(message.platform)
        if limiter is not None:
            await limiter.acquire(message.chat_id, message.payload.get("type") not in _NOT_MESSAGES)
        while len(self._sent) + len(self._flushing) >= MAX_UNRECORDED:  # the database is slow: wait for it
            self._flush_now.set()
            await asyncio.sleep(0.005)
        transport = self.transports[message.platform]
        try:
            result = await transport.deliver(message.chat_id, message.payload)
        except Exception as error:  # noqa: BLE001  (a transport bug must not lose the message)
            log.exception("transport %s crashed", message.platform)
            result = SendResult("retry", error=f"{type(error).__name__}: {error}")
        await self._record(message, result)
        return result.status == "sent"

    async def _record(self, message: Claimed, result: SendResult) -> None:
        now = self.clock()
        if result.status == "sent":  # recorded in batches: one write for many messages
            self._sent.append((message.id, result.message_id))
            if len(self._sent) >= FLUSH_BATCH:
                self._flush_now.set()
        elif result.status == "waiting":
            await self._db(mark_waiting, self.engine, message.id, result.error or "outside the messaging window")
        elif result.status == "blocked":
            log.info("%s chat %s blocked the bot", message.platform, _mask(message.chat_id))
            await self._db(mark_blocked, self.engine, message.platform, message.chat_id, result.error or "blocked")
        elif result.status == "retry" and message.attempts < MAX_ATTEMPTS:
            if result.retry_after is not None:
                delay = result.retry_after
                limiter = self.limiters.get(message.platform)
                if result.pause_all and limiter is not None:
                    limiter.pause(delay)
                # Being throttled is not the message's fault: it does not use up an attempt.
                await self._db(
                    mark_retry, self.engine, message.id, now + timedelta(seconds=delay), result.error or "", False
                )
            else:
                delay = backoff_seconds(message.attempts)
                await self._db(mark_retry, self.engine, message.id, now + timedelta(seconds=delay), result.error or "")
        else:
            log.warning("giving up on outbox %s: %s", message.id, result.error)
            await self._db(mark_failed, self.engine, message.id, result.error or result.status)


def _mask(value: str) -> str:
    """Hide most of an identifier in logs."""
    return value[:2] + "…" + value[-2:] if len(value) > 4 else "…"
