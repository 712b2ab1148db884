"""What `lapor-ikm run` logs: LOG_LEVEL, ACCESS_LOG, and a warning about a PostgreSQL that does not vacuum."""

from __future__ import annotations

from pathlib import Path

from bot.storage.db import autovacuum_is_off, make_engine
from tests.fakes import updates as tg
from tests.fakes.telegram import FakeTelegram
from tests.servers import wait_until
from tests.telegram_harness import TOKEN, RunProcess


def _log_of_one_answer(fake: FakeTelegram, tmp_path: Path, user: int, db_url: str = "", **env: str) -> str:
    """Start `run` with `env`, have it answer one /start through the webhook, stop it; its log."""
    bot = RunProcess(fake.url, db_url or f"sqlite:///{tmp_path / 'log.db'}", tmp_path, **env)  # type: ignore[attr-defined]
    try:
        assert bot.post(tg.text_update(user, "/start")) == 200
        wait_until(lambda: len(fake.texts(user)) == 2, what="the answer")
    finally:
        bot.stop()
    return bot.output()


def test_requests_are_not_logged_by_default(fake: FakeTelegram, tmp_path: Path) -> None:
    output = _log_of_one_answer(fake, tmp_path, 8301)
    assert "Telegram webhook registered" in output  # INFO by default
    assert "POST /telegram/webhook" not in output and "GET /healthz" not in output
    assert "autovacuum" not in output  # SQLite has none to check


def test_access_log_and_level_can_be_chosen(fake: FakeTelegram, tmp_path: Path) -> None:
    output = _log_of_one_answer(fake, tmp_path, 8302, LOG_LEVEL="warning", ACCESS_LOG="true")
    assert "Telegram webhook registered" not in output  # INFO is below WARNING
    assert '"POST /telegram/webhook HTTP/1.1" 200' in output
    assert TOKEN not in output


def test_run_warns_when_postgresql_does_not_vacuum(fake: FakeTelegram, tmp_path: Path, pg_url: str) -> None:
    engine = make_engine(pg_url)
    try:
        off = autovacuum_is_off(engine)
    finally:
        engine.dispose()
    output = _log_of_one_answer(fake, tmp_path, 8303, db_url=pg_url)
    assert ("PostgreSQL's autovacuum is off" in output) == off
