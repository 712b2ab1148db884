"""A loop that keeps turning while every one of its workers hangs has stopped all the same (issue 18: a restarted
server once stopped answering without a word, its loops alive and its workers stuck): the watchdog must say so."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from bot.clock import utcnow
from bot.messaging import watchdog
from bot.messaging.adapters import SendResult
from bot.messaging.inbox import store_event
from bot.messaging.outbox import enqueue
from tests.fakes import updates as tg
from tests.servers import wait_until
from tests.telegram_harness import running_app, telegram_settings

STUCK_AFTER = 3.0  # each loop turns at least once a second when it is idle: three seconds silent is a stall


@pytest.fixture(autouse=True)
def _quick_watchdog(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(watchdog, "STUCK_AFTER_SECONDS", STUCK_AFTER)


def _store(engine: Any, user: int, update_id: int) -> None:
    """An update stored for the inbox a while ago (a routine sweep takes it at once)."""
    update = tg.text_update(user, "halo", update_id=update_id)
    store_event(engine, "telegram", str(update_id), str(user), update, utcnow() - timedelta(seconds=10))


def test_an_inbox_whose_workers_all_hang_is_reported_stuck(fake, lite_engine, sqlite_url: str, caplog) -> None:
    settings = telegram_settings(fake.url, sqlite_url, webhook=True)  # type: ignore[attr-defined]
    go_on = threading.Event()
    with running_app(settings, lite_engine) as server:
        runtime = server.app.state.runtime
        assert runtime.inbox_concurrency == 1  # SQLite: one worker, which the first event takes
        process_next = runtime.worker.process_next

        def hang(platform: str, chat: str, read: bool = True) -> str:
            go_on.wait(30)
            return process_next(platform, chat, read)

        runtime.worker.process_next = hang
        try:
            _store(lite_engine, 8301, 93_001)  # taken by the one worker, which hangs
            _store(lite_engine, 8302, 93_002)  # waits behind it
            wait_until(lambda: "inbox" in runtime.watchdog.stuck(), timeout=STUCK_AFTER + 5, what="the stall seen")
            answer = httpx.get(f"{server.url}/healthz")
            assert answer.status_code == 503 and answer.json() == {"status": "stuck", "loops": ["inbox"]}
            assert any("inbox loop has not advanced" in r.getMessage() for r in caplog.records)
        finally:
            go_on.set()
        wait_until(lambda: not runtime.watchdog.stuck(), timeout=10, what="the inbox to advance again")


class _Hanging:
    """A transport whose sends do not come back until told to."""

    def __init__(self) -> None:
        self.go_on = threading.Event()

    async def deliver(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        while not self.go_on.is_set():
            await asyncio.sleep(0.02)
        return SendResult("sent", message_id=f"m-{chat_id}")


def test_a_sender_whose_deliveries_all_hang_is_reported_stuck(fake, lite_engine, sqlite_url: str) -> None:
    settings = telegram_settings(fake.url, sqlite_url, webhook=True)  # type: ignore[attr-defined]
    with running_app(settings, lite_engine) as server:
        runtime = server.app.state.runtime
        transport = _Hanging()
        runtime.sender.concurrency = 1  # one chat in flight fills the sender
        runtime.sender.transports["telegram"] = transport
        try:
            with Session(lite_engine) as db:
                for chat in ("8401", "8402"):  # the first chat's send hangs; the second's waits behind it
                    enqueue(db, "telegram", chat, [{"type": "message", "text": "halo"}], utcnow())
                    db.commit()
                    time.sleep(0.3)
            wait_until(lambda: "sender" in runtime.watchdog.stuck(), timeout=STUCK_AFTER + 5, what="the stall seen")
            assert httpx.get(f"{server.url}/healthz").json() == {"status": "stuck", "loops": ["sender"]}
        finally:
            transport.go_on.set()
        wait_until(lambda: not runtime.watchdog.stuck(), timeout=10, what="the sender to advance again")


def test_a_sender_waiting_out_a_platforms_pause_is_not_stuck(fake, lite_engine, sqlite_url: str) -> None:
    settings = telegram_settings(fake.url, sqlite_url, webhook=True)  # type: ignore[attr-defined]
    with running_app(settings, lite_engine) as server:
        runtime = server.app.state.runtime
        runtime.sender.concurrency = 1
        runtime.sender.limiters["telegram"].pause(STUCK_AFTER + 3)  # "too many requests, retry after ..."
        with Session(lite_engine) as db:
            for chat in ("8501", "8502"):
                enqueue(db, "telegram", chat, [{"type": "message", "text": "halo"}], utcnow())
                db.commit()
                time.sleep(0.3)
        time.sleep(STUCK_AFTER + 1)
        assert runtime.watchdog.stuck() == []
        wait_until(lambda: len(fake.sent()) == 2, timeout=15, what="both messages after the pause")  # type: ignore[attr-defined]


def test_a_stopped_process_gives_its_liveness_lock_back(pg_url: str) -> None:
    from bot.messaging.liveness import ProcessLock
    from bot.storage.db import make_engine

    engine, other_engine = make_engine(pg_url), make_engine(pg_url)  # another process's view
    try:
        lock = ProcessLock(engine)
        lock.acquire()
        assert ProcessLock(other_engine).dead_among([lock.key]) == []
        lock.release()  # its connection must not go back to the pool still holding the lock
        assert ProcessLock(other_engine).dead_among([lock.key]) == [lock.key]
    finally:
        engine.dispose()
        other_engine.dispose()


def test_a_liveness_connection_lost_while_its_session_lives_on_does_not_hang_the_sender(pg_url: str) -> None:
    """The client lost its socket, the server has not noticed yet (a network cut: until TCP keepalive, hours): the
    old session still holds this process's lock. Taking it again must not wait for that session to end."""
    from bot.messaging.liveness import ProcessLock
    from bot.storage.db import make_engine

    engine = make_engine(pg_url)
    lock = ProcessLock(engine)
    lock.acquire()
    lingering = lock._connection
    lock._connection = None  # what the process sees: no usable liveness connection
    result: list[list[int]] = []
    looking = threading.Thread(target=lambda: result.append(lock.dead_among([])), daemon=True)
    try:
        looking.start()
        looking.join(5)
        assert not looking.is_alive(), "the sender's thread waits for its own old session to end"
        assert result == [[]]
    finally:
        assert lingering is not None
        lingering.invalidate()  # the old session ends: anything still waiting for the lock gets it
        looking.join(5)
        lock.release()
        engine.dispose()
