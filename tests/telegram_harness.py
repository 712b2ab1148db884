"""Start the real app against the fake Bot API and talk to it like Telegram does."""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from bot.clock import utcnow
from bot.config import Settings
from bot.storage.models import InboxEvent, OutboxMessage
from tests.fakes.telegram import TOKEN, FakeTelegram
from tests.servers import ServerThread, free_port, wait_until

SECRET = "s3cret-Token_for-tests"


def _media_folder() -> str:
    folder = tempfile.mkdtemp(prefix="lapor-media-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def telegram_settings(fake_url: str, db_url: str, webhook: bool, **overrides: Any) -> Settings:
    """Settings for a Telegram deployment pointed at the fake API."""
    values: dict[str, Any] = {
        "database_url": db_url,
        "telegram_bot_token": TOKEN,
        "telegram_api_base_url": fake_url,
        "telegram_poll_timeout": 1,
        "telegram_rate_per_chat": 50.0,  # a human types slower than this; tests do not
        "office_name": "Dinas Koperasi dan UKM Kota Metro",
        # Photos owners send are downloaded to be read: into a folder of this test run, never the working directory.
        "media_dir": _media_folder(),
    }
    if webhook:
        values |= {
            "telegram_webhook_url": "https://lapor.example.id/telegram/webhook",
            "telegram_webhook_secret": SECRET,
        }
    values |= overrides
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def settled(engine: Engine) -> bool:
    """True when every inbound event is processed and every message delivered (or given up)."""
    with Session(engine) as db:
        pending = db.exec(select(func.count()).select_from(InboxEvent).where(InboxEvent.status == "pending")).one()
        queued = db.exec(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status.in_(("queued", "sending")))  # type: ignore[attr-defined]
        ).one()
    return pending == 0 and queued == 0


def settle_without_failures(engine: Engine) -> None:
    """Wait until every stored event is processed and its replies sent; none may have failed."""
    wait_until(lambda: settled(engine), timeout=15, what="the inbox to settle")
    with Session(engine) as db:
        failed = db.exec(select(InboxEvent).where(InboxEvent.status != "done")).all()
    assert not failed, [(e.payload, e.error) for e in failed]


class TelegramClient:
    """Posts updates to our webhook as Telegram would."""

    def __init__(self, base_url: str, engine: Engine, fake: FakeTelegram) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=10)
        self.engine = engine
        self.fake = fake

    def post(self, update: dict[str, Any], secret: str | None = SECRET) -> httpx.Response:
        """POST one update to /telegram/webhook."""
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        return self.http.post("/telegram/webhook", json=update, headers=headers)

    def exchange(self, update: dict[str, Any], chat_id: int) -> str:
        """Post an update and return the texts the bot sent to the chat in answer."""
        before = len(self.fake.texts(chat_id))
        response = self.post(update)
        assert response.status_code == 200, response.text
        wait_until(lambda: settled(self.engine), timeout=15, what="the reply to be delivered")
        return "\n\n".join(self.fake.texts(chat_id)[before:])


@contextmanager
def running_app(settings: Settings, engine: Engine, clock: Callable[[], datetime] = utcnow) -> Iterator[ServerThread]:
    """Our FastAPI app (with its runtime loops) in a server thread."""
    from webhook.app import create_app

    with ServerThread(create_app(settings, engine, clock)) as server:
        yield server


class RunProcess:
    """`python -m bot run` in a subprocess, killed with SIGKILL on demand."""

    def __init__(self, fake_url: str, db_url: str, tmp_path: Path, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": db_url,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": fake_url,
            "TELEGRAM_WEBHOOK_URL": "https://lapor.example.id/telegram/webhook",
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "PORT": str(self.port),
            **env,
        }
        self.log_path = tmp_path / f"run-{self.port}.log"
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], env=self.env, cwd=tmp_path, stdout=self.log, stderr=subprocess.STDOUT
        )
        wait_until(self._healthy, timeout=30, what="lapor-ikm run to answer /healthz")

    def _healthy(self) -> bool:
        assert self.process.poll() is None, "the server exited"
        try:
            return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def post(self, update: dict) -> int:
        """POST an update to the webhook."""
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        return httpx.post(f"{self.url}/telegram/webhook", json=update, headers=headers, timeout=10).status_code

    def alive(self) -> bool:
        """The process has not exited."""
        return self.process.poll() is None

    def output(self) -> str:
        """What the process logged so far."""
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """kill -9."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.log.close()

    def stop(self) -> None:
        """A normal stop."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.log.close()
