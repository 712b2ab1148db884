"""What `lapor-ikm run` writes to its log: LOG_LEVEL and ACCESS_LOG."""

from __future__ import annotations

from pathlib import Path

from tests.fakes import updates as tg
from tests.fakes.telegram import FakeTelegram
from tests.servers import wait_until
from tests.telegram_harness import TOKEN, RunProcess


def test_requests_are_not_logged_by_default(fake: FakeTelegram, tmp_path: Path) -> None:
    bot = RunProcess(fake.url, f"sqlite:///{tmp_path / 'log.db'}", tmp_path)  # type: ignore[attr-defined]
    try:
        assert bot.post(tg.text_update(8301, "/start")) == 200
        wait_until(lambda: len(fake.texts(8301)) == 2, what="the answer")
    finally:
        bot.stop()
    output = bot.output()
    assert "Telegram webhook registered" in output  # INFO by default
    assert "POST /telegram/webhook" not in output and "GET /healthz" not in output


def test_access_log_and_level_can_be_chosen(fake: FakeTelegram, tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'log.db'}"
    bot = RunProcess(fake.url, db_url, tmp_path, LOG_LEVEL="warning", ACCESS_LOG="true")  # type: ignore[attr-defined]
    try:
        assert bot.post(tg.text_update(8302, "/start")) == 200
        wait_until(lambda: len(fake.texts(8302)) == 2, what="the answer")
    finally:
        bot.stop()
    output = bot.output()
    assert "Telegram webhook registered" not in output  # INFO is below WARNING
    assert '"POST /telegram/webhook HTTP/1.1" 200' in output
    assert TOKEN not in output
