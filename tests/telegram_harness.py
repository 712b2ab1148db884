"""Start the real app against the fake Bot API and talk to it like Telegram does."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from bot.clock import utcnow
from bot.config import Settings
from bot.models import InboxEvent, OutboxMessage
from tests.fakes.telegram import TOKEN, FakeTelegram
from tests.servers import ServerThread, wait_until

SECRET = "s3cret-Token_for-tests"


def telegram_settings(fake_url: str, db_url: str, webhook: bool, **overrides: Any) -> Settings:
    """Settings for a Telegram deployment pointed at the fake API."""
    values: dict[str, Any] = {
        "database_url": db_url,
        "telegram_bot_token": TOKEN,
        "telegram_api_base_url": fake_url,
        "telegram_poll_timeout": 1,
        "telegram_rate_per_chat": 50.0,  # a human types slower than this; tests do not
        "office_name": "Dinas Koperasi dan UKM Kota Metro",
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
