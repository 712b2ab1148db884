"""PostgreSQL restarted under the running bot: webhooks answer 503 while it is down, then the bot goes on.

The shared PostgreSQL server must not be restarted, so this test starts a throwaway cluster of its own
(`initdb` into a directory under /tmp, on a free port, 127.0.0.1 only, trust authentication, fsync off).
"""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

from bot.channels.telegram import TelegramAdapter, chat_key
from bot.clock import utcnow
from bot.config import Settings
from bot.messaging.inbox import InboxWorker, store_event
from bot.messaging.sender import Sender
from bot.service import ConversationService
from bot.storage.db import make_engine, upgrade
from bot.storage.models import InboxEvent, OutboxMessage, Owner, Reminder
from tests.fakes import updates as tg
from tests.fakes.telegram import FakeTelegram
from tests.servers import free_port, wait_until
from tests.telegram_harness import RunProcess, settled

OWNER = 8301
NEWCOMER = 8302


def _postgres_bindir() -> Path | None:
    """Where initdb and pg_ctl are: LAPOR_PG_BIN, the PATH, or Debian's /usr/lib/postgresql/<version>/bin."""
    candidates = [os.environ.get("LAPOR_PG_BIN", "")]
    on_path = shutil.which("initdb")
    candidates.append(str(Path(on_path).parent) if on_path else "")
    versions = [Path(path).parent.name for path in glob.glob("/usr/lib/postgresql/*/bin")]
    newest_first = sorted((v for v in versions if v.isdigit()), key=int, reverse=True)
    candidates += [f"/usr/lib/postgresql/{version}/bin" for version in newest_first]
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").is_file() and (Path(candidate) / "pg_ctl").is_file():
            return Path(candidate)
    return None


class PrivatePostgres:
    """A throwaway PostgreSQL cluster that this test may stop and start at will."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = free_port()
        self.as_user: list[str] = []
        owner: int | None = None
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root (CI runs as root): run it as `postgres`
            import pwd

            owner = pwd.getpwnam("postgres").pw_uid
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.root = Path(tempfile.mkdtemp(prefix="lapor-pg-", dir="/tmp"))
        if owner is not None:
            os.chown(self.root, owner, -1)
        self.data = self.root / "data"
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *args: str) -> None:
        command = [*self.as_user, str(self.bindir / program), *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed ({done.returncode}): {done.stdout}\n{done.stderr}\n{self._log()}")

    def _log(self) -> str:
        log = self.root / "postgres.log"
        return log.read_text(errors="replace")[-3000:] if log.exists() else ""

    def init(self) -> None:
        """initdb, and the settings every start uses."""
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "-N")
        settings = {
            "port": str(self.port),
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.root}'",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
        }
        # Written by the same user as initdb's files (the config file belongs to postgres when run as root).
        lines = "".join(f"{key} = {value}\n" for key, value in settings.items())
        subprocess.run(
            [*self.as_user, "sh", "-c", f"cat >> '{self.data / 'postgresql.conf'}'"], input=lines, text=True, check=True
        )

    def start(self) -> None:
        """Start and wait until it accepts connections."""
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "postgres.log"), "-w", "-t", "30", "start")

    def stop(self) -> None:
        """Stop in fast mode: open sessions are cut off, as in a restart by the administrator."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop")

    def remove(self) -> None:
        """Stop (if running) and delete the cluster."""
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                [*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def private_pg() -> Iterator[PrivatePostgres]:
    """A running private PostgreSQL cluster (skipped without PostgreSQL's binaries, unless LAPOR_REQUIRE_PG)."""
    bindir = _postgres_bindir()
    missing = None
    if bindir is None:
        missing = "initdb/pg_ctl not found (set LAPOR_PG_BIN or install PostgreSQL's server package)"
    elif os.geteuid() == 0 and (shutil.which("runuser") is None or not _has_postgres_user()):
        missing = "running as root, and there is no `postgres` user or no runuser to start PostgreSQL as"
    if missing:
        if os.environ.get("LAPOR_REQUIRE_PG"):
            pytest.fail(f"PostgreSQL is required (LAPOR_REQUIRE_PG) but a private cluster cannot be made: {missing}")
        pytest.skip(f"cannot make a private PostgreSQL cluster: {missing}")
    assert bindir is not None
    cluster = PrivatePostgres(bindir)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


def _has_postgres_user() -> bool:
    import pwd

    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return False
    return True


def test_postgresql_restart_while_the_bot_runs(fake: FakeTelegram, private_pg: PrivatePostgres, tmp_path: Path) -> None:
    upgrade(private_pg.url)
    engine = make_engine(private_pg.url)
    bot = RunProcess(
        fake.url,  # type: ignore[attr-defined]
        private_pg.url,
        tmp_path,
        RUN_TELEGRAM_POLLING="false",
        TELEGRAM_RATE_PER_CHAT="50",
        DISPATCH_INTERVAL_SECONDS="1",  # the reminder dispatcher meets the outage too
    )

    def answered(update: dict, chat: int, expected: str) -> None:
        assert bot.post(update) == 200
        wait_until(lambda: any(expected in t for t in fake.texts(chat)), timeout=15, what=repr(expected))

    try:
        answered(tg.text_update(OWNER, "/start"), OWNER, "UU No. 27")
        answered(tg.callback_update(OWNER, "setuju"), OWNER, "Siapa nama lengkap")
        wait_until(lambda: settled(engine), what="settled before the restart")

        private_pg.stop()
        down_at = time.monotonic()
        name = tg.text_update(OWNER, "Sri Wahyuni")
        newcomer = tg.text_update(NEWCOMER, "/start")
        refusals = 0
        while time.monotonic() - down_at < 2.5:  # Telegram keeps retrying what was refused
            for update in (name, newcomer):
                assert bot.post(update) == 503
                refusals += 1
            time.sleep(0.25)
        assert bot.alive()
        assert httpx.get(f"{bot.url}/healthz", timeout=10).status_code == 503  # a load balancer sees it
        private_pg.start()
        restarted_at = time.monotonic()

        for update in (name, newcomer):  # the retries now get through
            wait_until(lambda u=update: bot.post(u) == 200, timeout=10, what="the webhook to accept again")
        wait_until(
            lambda: any("Berapa nomor HP" in t for t in fake.texts(OWNER)), timeout=15, what="the phone question"
        )
        wait_until(lambda: any("UU No. 27" in t for t in fake.texts(NEWCOMER)), timeout=15, what="the newcomer")
        recovered_in = time.monotonic() - restarted_at
        contact = tg.message_update(
            OWNER, contact={"phone_number": "6281234567890", "first_name": "Sri", "user_id": OWNER}
        )
        answered(contact, OWNER, "nama usaha")
        answered(tg.text_update(NEWCOMER, "setuju"), NEWCOMER, "Siapa nama lengkap")

        # The reminder dispatcher still runs: a due reminder for an owner without a chat is taken (skipped).
        with Session(engine) as db:
            ghost = Owner(name="Tanpa Akun", consent_status="given")
            db.add(ghost)
            db.flush()
            reminder = Reminder(owner_id=ghost.id or 0, kind="report_request", ref="t", due_at=utcnow() - timedelta(1))
            db.add(reminder)
            db.commit()
            reminder_id = reminder.id

        def dispatched() -> bool:
            with Session(engine) as db:
                row = db.get(Reminder, reminder_id)
                return row is not None and row.status != "pending"

        wait_until(dispatched, timeout=10, what="the reminder dispatcher")
        wait_until(lambda: settled(engine), timeout=15, what="everything delivered")

        # Every update got exactly its reply; nothing was lost or stored twice.
        owner_texts, newcomer_texts = fake.texts(OWNER), fake.texts(NEWCOMER)
        for question in ("UU No. 27", "Siapa nama lengkap", "Berapa nomor HP", "nama usaha"):
            assert sum(question in t for t in owner_texts) == 1, (question, owner_texts)
        for question in ("UU No. 27", "Siapa nama lengkap"):
            assert sum(question in t for t in newcomer_texts) == 1, (question, newcomer_texts)
        with Session(engine) as db:
            events = db.exec(select(InboxEvent).where(InboxEvent.platform == "telegram")).all()
        assert len(events) == 6 and {e.status for e in events} == {"done"}
        assert all(e.attempts == 0 for e in events)

        # The process and its loops lived through it: each loop met the outage and said so.
        assert bot.alive()
        output = bot.output()
        for loop in ("inbox", "sender", "reminder dispatch"):
            assert f"{loop}: database unavailable" in output, loop
        print(f"refused {refusals} posts while down; replies {recovered_in:.1f} s after PostgreSQL was back")
    finally:
        bot.stop()
        engine.dispose()
        print("--- lapor-ikm run, last lines ---\n" + "\n".join(bot.output().splitlines()[-60:]))  # shown on failure


def test_an_event_cut_off_by_the_restart_is_processed_after_it(
    private_pg: PrivatePostgres, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrade(private_pg.url)
    engine = make_engine(private_pg.url)
    update = tg.text_update(OWNER, "/start")
    assert store_event(engine, "telegram", str(update["update_id"]), chat_key(update), update, utcnow())
    worker = InboxWorker(engine, ConversationService(engine, settings), {"telegram": TelegramAdapter()})
    process = worker._process

    def stopped_midway(db: Session, *event: Any) -> Any:
        private_pg.stop()  # the event is claimed; its connection is cut off before the replies are written
        return process(db, *event)

    monkeypatch.setattr(worker, "_process", stopped_midway)
    try:
        assert worker.process_next("telegram", str(OWNER)) == "failed"  # not an exception that ends the worker
        assert worker.process_next("telegram", str(OWNER)) == "failed"  # still down: failed again, nothing raised

        # The sender's batch of recorded deliveries is kept while the database is away, and written once it is back.
        sender = Sender(engine, {}, {})

        async def flush_through_the_outage() -> list[tuple[int, str | None]]:
            stop = asyncio.Event()
            sender._sent = [(999_999, "m1")]
            flusher = asyncio.create_task(sender._flush_loop(stop))
            await asyncio.sleep(0.3)
            kept = list(sender._sent)
            await asyncio.get_running_loop().run_in_executor(None, private_pg.start)
            for _ in range(100):
                if not sender._sent:
                    break
                await asyncio.sleep(0.05)
            stop.set()
            await flusher
            return kept

        assert asyncio.run(flush_through_the_outage()) == [(999_999, "m1")]
        assert sender._sent == []

        monkeypatch.setattr(worker, "_process", process)
        assert worker.process_next("telegram", str(OWNER)) == "done"
        with Session(engine) as db:
            event = db.exec(select(InboxEvent)).one()
            replies = db.exec(select(OutboxMessage).where(OutboxMessage.chat_id == str(OWNER))).all()
        assert event.status == "done" and event.attempts == 0  # the outage was not held against the event
        assert len(replies) == 2 and "UU No. 27" in replies[0].payload.get("text", "")
    finally:
        engine.dispose()
