"""Every message, status and update type the platforms document (`tests/payloads.py`), posted to the real server on
SQLite and PostgreSQL: a 200, no inbox event failed, and an answer to the sender exactly where one is expected."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.fakes.telegram import FakeTelegram
from tests.payloads import TELEGRAM, TG_USER, WA_FROM, WHATSAPP
from tests.servers import wait_until
from tests.telegram_harness import TelegramClient, settle_without_failures
from tests.test_whatsapp import WhatsAppClient


def from_sender(body: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    """The same body from another sender (each case has its own, so that answers can be told apart)."""
    return json.loads(re.sub(rf"\b{old}\b", new, json.dumps(body)))


def test_every_whatsapp_type_is_taken_calmly(whatsapp: WhatsAppClient, engine) -> None:
    outcomes = {}
    for index, (name, body, expected) in enumerate(WHATSAPP):
        sender = f"62812777{index:05d}"
        before = len(whatsapp.cloud.delivered())
        assert whatsapp.post(from_sender(body, WA_FROM, sender)).status_code == 200, name
        settle_without_failures(engine)
        if expected == "reply":
            wait_until(lambda s=sender: whatsapp.cloud.texts(s), timeout=15, what=f"an answer to {name}")
        outcomes[name] = "reply" if len(whatsapp.cloud.delivered()) > before else "none"
    assert outcomes == {name: expected for name, _body, expected in WHATSAPP}


def test_every_telegram_update_type_is_taken_calmly(telegram: TelegramClient, fake: FakeTelegram, engine) -> None:
    outcomes = {}
    for index, (name, update, expected) in enumerate(TELEGRAM):
        user = str(71_000 + index)
        before = len(fake.sent())
        assert telegram.post(from_sender(update, str(TG_USER), user)).status_code == 200, name
        settle_without_failures(engine)
        if expected == "reply":
            wait_until(lambda u=user: fake.sent(u), timeout=15, what=f"an answer to {name}")
        outcomes[name] = "reply" if len(fake.sent()) > before else "none"
    assert outcomes == {name: expected for name, _update, expected in TELEGRAM}
