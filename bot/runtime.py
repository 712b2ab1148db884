"""The running service: inbox worker, sender and Telegram polling, started and stopped with the web app."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine

from bot.channels.console_adapter import ConsoleAdapter
from bot.channels.telegram import TelegramAdapter, TelegramTransport, chat_key
from bot.channels.telegram_update import read_update
from bot.channels.whatsapp import WhatsAppAdapter, WhatsAppTransport, window_gate
from bot.clock import utcnow
from bot.config import Settings
from bot.documents.intake import PhotoIntake
from bot.documents.reader import DocumentReader
from bot.messaging.adapters import Transport
from bot.messaging.inbox import Adapter, InboxWorker, store_event
from bot.messaging.liveness import ProcessLock
from bot.messaging.ratelimit import RateLimiter
from bot.messaging.sender import SENDER_THREADS, Sender
from bot.messaging.sending_window import SendingWindow, parse_window
from bot.messaging.watchdog import Watchdog, inbox_has_work, outbox_has_work
from bot.scheduling.reminders import dispatch_due, latest_fire_time, request_reports
from bot.service import ConversationService
from bot.storage.db import DATABASE_UNAVAILABLE, describe_error, is_sqlite, log_loop_error, retry_delay
from bot.storage.media import forget_media, keep_media, kept_media_file, sweep_media

log = logging.getLogger(__name__)
# How often the inbox worker asks the database for waiting events it was not told about (other processes' webhooks,
# events left by a crash); events stored by this process are taken at once.
INBOX_SWEEP_SECONDS = 1.0
WATCH_SECONDS = 15.0  # how often the watchdog looks at the loops
LOOPS = frozenset({"inbox", "sender", "telegram-polling", "watchdog"})  # tasks that run until the server stops
# A routine sweep leaves events younger than this to the process that stored them (it is on them already): taking one
# from under it would only make the answer wait behind that process's unrecorded deliveries.
INBOX_SWEEP_GRACE = timedelta(seconds=2)
# Threads storing webhooks' updates (their own, so that a busy inbox never delays the 200 to the platform).
STORE_THREADS = 4
# Platforms whose updates the receiving process answers before its 200 when their chat has nothing waiting: stored
# already taken and processed in one transaction (one thread hop, one transaction and the inbox's own statement
# fewer per answer). Not WhatsApp: a step there may first download the owner's photo, and Meta wants its 200 at once.
ANSWER_AT_ONCE = frozenset({"telegram"})
READING_THREADS = 4
GLANCING_THREADS = 2  # for photos whose reading is not awaited: they download and read only with a reader free


def connections_needed(inbox_concurrency: int) -> int:
    """Database connections `run` keeps open: one per inbox thread, webhook store thread and sender thread, and two
    for the officer pages and the health check (a pool smaller than this opens and closes connections under load)."""
    return inbox_concurrency + STORE_THREADS + SENDER_THREADS + 2


class Runtime:
    """Everything `lapor-ikm run` keeps running besides the HTTP server."""

    def __init__(self, settings: Settings, engine: Engine, clock: Callable[[], datetime] = utcnow) -> None:
        self.settings = settings
        self.engine = engine
        self.clock = clock
        self.service = ConversationService(engine, settings, clock=clock)
        self.adapters: dict[str, Adapter] = {"console": ConsoleAdapter()}
        self.transports: dict[str, Transport] = {}
        self.telegram: TelegramTransport | None = None
        if settings.telegram_bot_token:
            self.telegram = TelegramTransport(settings.telegram_bot_token, settings.telegram_api_base_url)
            self.adapters["telegram"] = TelegramAdapter()
            self.transports["telegram"] = self.telegram
        self.whatsapp: WhatsAppTransport | None = None
        gates = {}
        if settings.whatsapp_enabled:
            self.whatsapp = WhatsAppTransport(
                settings.whatsapp_access_token or "",
                settings.whatsapp_phone_number_id or "",
                settings.whatsapp_api_base_url,
                Path(settings.media_dir),
            )
            self.adapters["whatsapp"] = WhatsAppAdapter()
            self.transports["whatsapp"] = self.whatsapp
            gates["whatsapp"] = window_gate(engine, settings.whatsapp_templates, clock)
        self.worker = InboxWorker(engine, self.service, self.adapters, clock, media_fetcher=self._fetch_media)
        self.worker.media_forgetter = lambda refs: forget_media(Path(settings.media_dir), refs)
        self.intake: PhotoIntake | None = None
        if settings.read_documents:
            reader = DocumentReader(
                concurrency=settings.document_readers,
                time_limit=settings.document_time_limit,
                engine=settings.document_engine,
                niceness=settings.document_niceness,
            )
            self.intake = PhotoIntake(reader, self._media_file)
            self.worker.reader = self.intake.read
        self._loop: asyncio.AbstractEventLoop | None = None
        self.inbox_wake = asyncio.Event()
        # Chats with events this process stored and has not processed yet: the worker goes to them without asking
        # the database; a sweep (every INBOX_SWEEP_SECONDS, and after reminders or failures) finds the rest.
        self._hinted: dict[tuple[str, str], int] = {}
        self._busy: set[tuple[str, str]] = set()  # chats being processed here now (by the inbox or at once)
        # Chats whose next event is a photo being read: busy (their order holds) but not counted against
        # INBOX_CONCURRENCY, so that reading never takes a worker from other owners' answers.
        self._reading: set[tuple[str, str]] = set()
        self._answering = False  # answers at once (ANSWER_AT_ONCE) once the inbox worker runs here
        self._sweep_now = True
        self.stop_event = asyncio.Event()
        self.process_lock = ProcessLock(engine)
        self.watchdog = Watchdog(engine)
        self.worker.claimed_by = self.process_lock.key
        self.sender = Sender(
            engine,
            self.transports,
            {
                "telegram": RateLimiter(settings.telegram_rate_per_second, settings.telegram_rate_per_chat),
                "whatsapp": RateLimiter(settings.whatsapp_rate_per_second, settings.whatsapp_rate_per_chat),
            },
            clock=clock,
            gates=gates,
            process_lock=self.process_lock,
        )
        concurrency = 1 if is_sqlite(engine) else settings.inbox_concurrency
        self.inbox_concurrency = concurrency
        self._executor = ThreadPoolExecutor(max(2, concurrency), thread_name_prefix="inbox")
        self._store_executor = ThreadPoolExecutor(STORE_THREADS, thread_name_prefix="store")
        # Downloads and the database work of reading go on side by side; the reader itself reads DOCUMENT_READERS
        # photos at a time (bench/RESULTS.md, "Photos read while others talk": one thread queued every download).
        self._read_executor = ThreadPoolExecutor(READING_THREADS, thread_name_prefix="read")
        self._glance_executor = ThreadPoolExecutor(GLANCING_THREADS, thread_name_prefix="glance")
        self._tasks: list[asyncio.Task[Any]] = []
        start, end = parse_window(settings.send_window)
        self.window = SendingWindow(start=start, end=end, skip_holidays=settings.skip_holidays)
        self.scheduler: AsyncIOScheduler | None = None
        self._reports_owed = False  # a report round could not be created (database down): the dispatcher retries

    async def start(self) -> None:
        """Connect to the platforms and start the background loops."""
        self._loop = asyncio.get_running_loop()
        if self.telegram is not None:
            await self.telegram.start()
            adapter = self.adapters["telegram"]
            assert isinstance(adapter, TelegramAdapter)
            adapter.bot_username = self.telegram.username
            if self.settings.telegram_webhook_url:
                await self.telegram.set_webhook(
                    self.settings.telegram_webhook_url, self.settings.telegram_webhook_secret or ""
                )
                log.info("Telegram webhook registered")
            elif self.settings.run_telegram_polling:
                await self.telegram.delete_webhook()
                self._tasks.append(asyncio.create_task(self._poll_telegram(), name="telegram-polling"))
        if self.whatsapp is not None and not self.settings.whatsapp_app_secret:
            log.warning("WHATSAPP_APP_SECRET is not set: webhook signatures are NOT checked (development only)")
        if self.settings.run_inbox_worker:
            self.watchdog.watch("inbox", inbox_has_work)
            self._tasks.append(asyncio.create_task(self._run_inbox(), name="inbox"))
            self._answering = True
        if self.settings.run_scheduler:
            self._start_scheduler()
        if self.settings.run_sender:
            try:
                await asyncio.to_thread(self.process_lock.acquire)
            except DATABASE_UNAVAILABLE as error:  # taken again when the sender next looks for others' rows
                log.warning("could not take the liveness lock yet (%s)", describe_error(error))
            self.sender.on_ready = self._hand_answers_to_sender
            self.watchdog.watch("sender", outbox_has_work)
            self.sender.on_beat = lambda: self.watchdog.beat("sender")
            self._tasks.append(asyncio.create_task(self.sender.run(self.stop_event), name="sender"))
        self._tasks.append(asyncio.create_task(self._watch(), name="watchdog"))
        for task in self._tasks:
            if task.get_name() in LOOPS:  # not the one-off report catch-up, which ends by design
                task.add_done_callback(self._loop_ended)

    def _loop_ended(self, task: asyncio.Task[Any]) -> None:
        """A background loop returned: expected when stopping, an error otherwise (it is gone until a restart)."""
        if self.stop_event.is_set() or task.cancelled():
            log.info("%s loop stopped", task.get_name())
            return
        error = task.exception()
        log.error("%s loop ended unexpectedly; restart the server", task.get_name(), exc_info=error)

    async def _watch(self) -> None:
        """Look at the loops every few seconds, so that a stuck one is logged even when nobody asks /healthz."""
        while not self.stop_event.is_set():
            try:
                await asyncio.to_thread(self.watchdog.stuck)
            except DATABASE_UNAVAILABLE:
                pass  # the loops say so themselves
            try:
                await asyncio.wait_for(self.stop_event.wait(), timeout=WATCH_SECONDS)
            except TimeoutError:
                pass

    def _hand_answers_to_sender(self) -> None:
        """Once the sender has re-queued what a previous run left in flight, answers go to it straight from the
        worker (stored already claimed) instead of waiting for the sender to find them in the queue."""
        loop, sender = asyncio.get_running_loop(), self.sender
        self.worker.on_queued = lambda: loop.call_soon_threadsafe(sender.wake.set)
        self.worker.handoff = lambda h: loop.call_soon_threadsafe(sender.submit, h.messages, h.unsent_before)
        self.worker.direct = frozenset(self.transports)

    def _start_scheduler(self) -> None:
        """Periodic jobs only (reminders are rows): the dispatcher every 30 s, the report-request cron and the nightly
        sweep of photo copies no row uses."""
        scheduler = AsyncIOScheduler(timezone=self.settings.default_timezone)
        scheduler.add_job(
            self.dispatch_reminders,
            IntervalTrigger(seconds=self.settings.dispatch_interval_seconds),
            id="dispatch-reminders",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,  # a late run is still wanted; rows keep what fell due meanwhile
            next_run_time=datetime.now(UTC),
        )
        scheduler.add_job(
            self.request_reports,
            CronTrigger.from_crontab(self.settings.report_request_cron, timezone=self.settings.default_timezone),
            id="report-requests",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=6 * 3600,
        )
        scheduler.add_job(
            self.sweep_media,
            CronTrigger(hour=3, minute=17, timezone=self.settings.default_timezone),
            id="media-sweep",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
        )
        scheduler.start()
        self.scheduler = scheduler
        # A round missed while the service was down is done now (request_reports is idempotent per round).
        self._tasks.append(asyncio.create_task(self.request_reports(), name="report-catch-up"))

    async def dispatch_reminders(self) -> None:
        """Move due reminders into the inbox (in each owner's sending window)."""
        if self._reports_owed:  # the report round's time came while the database was down
            await self._create_report_round()  # what it creates is due now: dispatched just below
        loop = asyncio.get_running_loop()
        try:
            result = await loop.run_in_executor(
                self._executor, dispatch_due, self.engine, self.clock(), self.window, self.settings.reminder_batch
            )
        except DATABASE_UNAVAILABLE as error:  # the next interval tries again; rows keep what is due
            interval = float(self.settings.dispatch_interval_seconds)
            log.warning(
                "reminder dispatch: database unavailable (%s); next try in %.0f s", describe_error(error), interval
            )
            return
        if result.queued:
            log.info("reminders: %d queued, %d deferred, %d skipped", result.queued, result.deferred, result.skipped)
            self._sweep_now = True
            self.inbox_wake.set()

    async def sweep_media(self) -> None:
        """Delete owners' photo copies no row refers to any more (after KEEP_UNUSED), every night."""
        try:
            gone = await asyncio.to_thread(sweep_media, self.engine, Path(self.settings.media_dir))
        except DATABASE_UNAVAILABLE as error:  # tomorrow's sweep does it
            log.warning("media sweep: database unavailable (%s)", describe_error(error))
            return
        if gone:
            log.info("media sweep: %d photos no longer used deleted", gone)

    async def request_reports(self) -> None:
        """Create this round's report requests if the latest cron time has not been served yet, and send them."""
        if await self._create_report_round():
            await self.dispatch_reminders()

    async def _create_report_round(self) -> int:
        """The report requests of the latest cron time not served yet: how many were created (after an outage,
        the next reminder dispatch tries again)."""
        now = self.clock()
        fired = latest_fire_time(self.settings.report_request_cron, self.settings.default_timezone, now)
        if fired is None:
            return 0
        loop = asyncio.get_running_loop()
        try:
            created = await loop.run_in_executor(self._executor, request_reports, self.engine, fired, now)
        except DATABASE_UNAVAILABLE as error:
            self._reports_owed = True
            log.warning(
                "report requests: database unavailable (%s); tried again at the next reminder dispatch",
                describe_error(error),
            )
            return 0
        self._reports_owed = False
        return created

    def _fetch_media(self, platform: str, media_id: str) -> bool:
        """Keep a copy of an owner's photo (WhatsApp media URLs expire), unless it was fetched to be read."""
        return platform == "whatsapp" and self._media_file(platform, f"{platform}:{media_id}") is not None

    def _media_file(self, platform: str, media_ref: str) -> Path | None:
        """A local copy of an owner's photo or document, fetched now if need be (blocking: the inbox's threads)."""
        media_dir = Path(self.settings.media_dir)
        kept = kept_media_file(media_dir, media_ref)
        if kept is not None or media_ref.startswith("file:"):
            return kept
        media_id = media_ref.removeprefix(f"{platform}:")
        if platform == "whatsapp" and self.whatsapp is not None:
            return self.whatsapp.fetch_media(media_id)
        if platform == "telegram" and self.telegram is not None and self._loop is not None:
            download = asyncio.run_coroutine_threadsafe(self.telegram.download(media_ref), self._loop)
            try:
                data = download.result(timeout=60)
            except Exception as error:  # noqa: BLE001  (answered as if not read: the typed path goes on)
                download.cancel()
                log.warning("could not download Telegram media to read it: %s", describe_error(error))
                return None
            return keep_media(media_dir, platform, media_id, data)
        return None

    async def stop(self) -> None:
        """Stop the loops and close connections."""
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
        self.stop_event.set()
        self.inbox_wake.set()
        self.sender.wake.set()
        for task in self._tasks:
            if task.get_name() == "telegram-polling":
                task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.telegram is not None:
            await self.telegram.stop()
        if self.whatsapp is not None:
            await self.whatsapp.stop()
        self._executor.shutdown(wait=False)
        self._store_executor.shutdown(wait=False)
        self._read_executor.shutdown(wait=False, cancel_futures=True)
        self._glance_executor.shutdown(wait=False, cancel_futures=True)
        if self.intake is not None:
            await asyncio.to_thread(self.intake.close)
        await asyncio.to_thread(self.process_lock.release)

    async def accept(
        self, platform: str, event_key: str, key: str, payload: dict[str, Any], at_once: bool = True
    ) -> bool:
        """Store an inbound event durably, and answer it (`at_once`, when it may) or wake the worker; False for a
        duplicate."""
        loop = asyncio.get_running_loop()
        chat = (platform, key)
        if at_once and self._may_answer_at_once(chat):
            self._busy.add(chat)
            try:
                outcome = await loop.run_in_executor(
                    self._executor, self.worker.answer_new, platform, event_key, key, payload
                )
            finally:
                self._busy.discard(chat)
                if chat in self._hinted:  # more of the chat came meanwhile: the inbox left it to us
                    self.inbox_wake.set()
            if outcome == "done":
                return True
        stored = await loop.run_in_executor(
            self._store_executor, store_event, self.engine, platform, event_key, key, payload, self.clock()
        )
        if stored:
            chat = (platform, key)
            self._hinted[chat] = self._hinted.get(chat, 0) + 1
            self.inbox_wake.set()
        return stored

    def _may_answer_at_once(self, chat: tuple[str, str]) -> bool:
        """Whether an update of `chat` can be answered before the 200: nothing of the chat is waiting or being
        processed here, and a chat more fits in INBOX_CONCURRENCY after the chats waiting here (which go first:
        else it is stored for the inbox, behind them)."""
        return (
            self._answering
            and chat[0] in ANSWER_AT_ONCE
            and chat not in self._busy
            and chat not in self._hinted
            and len(self._busy) + len(self._hinted) - self._reading_counted() < self.inbox_concurrency
        )

    def _reading_counted(self) -> int:
        """How often the chats waiting for their photo's reading are counted in `_busy` and `_hinted`: none of them
        holds a worker or waits for one (bench/RESULTS.md, "Photos read while others talk": counted once, 20 chats
        queued behind the reader shut the fast path for everyone)."""
        return sum(1 + (chat in self._hinted) for chat in self._reading)

    async def _run_inbox(self) -> None:
        """Process pending events: one chat at a time per chat, several chats at once."""
        loop = asyncio.get_running_loop()
        busy = self._busy
        tasks: set[asyncio.Task[None]] = set()

        async def drain(chat: tuple[str, str]) -> None:
            """The chat's oldest event; a failing one is retried here with backoff (the chat stays busy meanwhile).

            One event per visit: the main loop comes back if the chat has more (its hint, or the next sweep)."""
            try:
                failures = 0
                while not self.stop_event.is_set():
                    status = await loop.run_in_executor(self._executor, self.worker.process_next, *chat, False)
                    if status in ("unread", "glance"):
                        await read(chat, awaited=status == "unread")
                        break
                    if status != "failed":
                        self._processed(chat, status)
                        break
                    failures += 1
                    await asyncio.sleep(min(30.0, 0.5 * 2**failures))
            finally:
                busy.discard(chat)
                self.inbox_wake.set()

        async def read(chat: tuple[str, str], awaited: bool) -> None:
            """Read the photo the chat's next event holds, its worker slot free meanwhile; then the event waits to
            be processed like any other (its hint kept). A reading not awaited has threads of its own, which never
            wait for the reader: else it would queue behind awaited ones for a thread."""
            self._reading.add(chat)
            self.inbox_wake.set()
            executor = self._read_executor if awaited else self._glance_executor
            try:
                await loop.run_in_executor(executor, self.worker.read_waiting, *chat, awaited)
            except Exception as error:  # noqa: BLE001  (the database is away: processed without a reading later)
                log.warning("could not read a photo of %s: %s", chat[0], describe_error(error))
            finally:
                self._reading.discard(chat)
                self._hinted.setdefault(chat, 1)

        failures = 0
        last_sweep = float("-inf")
        while not self.stop_event.is_set():
            free = self.inbox_concurrency - len(busy) + len(self._reading)
            if free > 0:  # a turn while every worker hangs is no advance: the watchdog must see such a stall
                self.watchdog.beat("inbox")
            # At most `inbox_concurrency` entries looked at: the dict holds every chat with news (thousands at peaks).
            chats = list(islice((chat for chat in self._hinted if chat not in busy), free))
            sweep_due = self._sweep_now or loop.time() - last_sweep >= INBOX_SWEEP_SECONDS
            if len(chats) < free and sweep_due:
                # Asked for (start, reminders, more behind a swept event): everything; routine: events left over.
                received_before = None if self._sweep_now else self.clock() - INBOX_SWEEP_GRACE
                try:
                    found = await loop.run_in_executor(
                        self._executor,
                        self.worker.pending_chats,
                        free - len(chats),
                        busy | set(chats),
                        received_before,
                    )
                    chats += found
                    failures = 0
                    last_sweep, self._sweep_now = loop.time(), False
                except Exception as error:  # noqa: BLE001  (an outage pauses the inbox; it must not end it)
                    failures += 1
                    delay = retry_delay(failures)
                    log_loop_error("inbox", error, delay)
                    self.inbox_wake.clear()  # an update stored meanwhile means the database is back: go at once
                    try:
                        await asyncio.wait_for(self.inbox_wake.wait(), timeout=delay)
                    except TimeoutError:
                        pass
                    continue
            for chat in chats:
                busy.add(chat)
                task = asyncio.create_task(drain(chat))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            self.inbox_wake.clear()
            try:
                await asyncio.wait_for(self.inbox_wake.wait(), timeout=INBOX_SWEEP_SECONDS)
            except TimeoutError:
                pass
        if tasks:
            await asyncio.wait(tasks, timeout=10)

    def _processed(self, chat: tuple[str, str], status: str) -> None:
        """Account for one visit to a chat: its hint shrinks; a chat found by a sweep may have more waiting."""
        hinted = self._hinted.get(chat)
        if hinted is None:
            if status == "done":
                self._sweep_now = True  # found by a sweep: look again at once rather than at the next sweep
        elif status == "empty":  # another process holds or took the chat's oldest event: ours may wait behind it
            del self._hinted[chat]
            self._sweep_now = True
        elif hinted <= 1:
            del self._hinted[chat]
        else:
            self._hinted[chat] = hinted - 1

    async def _poll_telegram(self) -> None:
        """Long polling: store each update in the inbox before asking for the next ones."""
        assert self.telegram is not None
        offset: int | None = None
        failures = 0
        store_failures = 0
        while not self.stop_event.is_set():
            try:
                updates = await self.telegram.get_updates(offset, timeout=self.settings.telegram_poll_timeout)
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001  (network trouble: wait and poll again)
                failures += 1
                log.warning("getUpdates failed (%s); retrying", type(error).__name__)
                await asyncio.sleep(min(30.0, 2.0**failures))
                continue
            for update in updates:
                update_id = update.get("update_id")
                if type(update_id) is not int:
                    continue
                if read_update(update) is None:  # logged; passed over so the next fetch moves on
                    offset = update_id + 1
                    continue
                try:
                    # Stored only: answered by the inbox, several chats at once, while the next ones are fetched.
                    await self.accept("telegram", str(update_id), chat_key(update), update, at_once=False)
                    store_failures = 0
                except Exception as error:  # noqa: BLE001  (not stored: the offset stays, Telegram hands it out again)
                    store_failures += 1
                    delay = retry_delay(store_failures)
                    log_loop_error("telegram polling", error, delay)
                    await asyncio.sleep(delay)
                    break
                offset = update_id + 1
