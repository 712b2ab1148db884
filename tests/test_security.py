"""Secrets and phone numbers stay out of logs; owner text is stored literally."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest

from bot.config import Settings
from bot.logsetup import RedactingFilter, configure_logging
from conversations import Inbound
from tests.dialog import EngineChat
from tests.telegram_harness import running_app
from tests.test_engine import consented, regions  # noqa: F401  (fixture)


def test_tokens_secrets_and_phone_numbers_are_masked() -> None:
    redactor = RedactingFilter(["EAAG-super-secret-token", "app-secret-123456"])
    text = (
        "POST https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage "
        "to +6281234567890 and 081298765432 with EAAG-super-secret-token, sig app-secret-123456, order 12345"
    )
    cleaned = redactor.redact(text)
    assert "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" not in cleaned and "<bot-token>" in cleaned
    assert "81234567890" not in cleaned and "+62812…90" in cleaned and "0812…32" in cleaned
    assert "EAAG-super-secret-token" not in cleaned and "app-secret-123456" not in cleaned
    assert "order 12345" in cleaned  # ordinary numbers stay


def test_configured_logging_redacts_records(caplog) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(_env_file=None, telegram_bot_token="999999:ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ")  # type: ignore[call-arg]
    configure_logging(settings)
    root = logging.getLogger()
    record = logging.LogRecord(
        "x",
        logging.WARNING,
        __file__,
        1,
        "token %s phone %s",
        ("999999:ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ", "+6281234567890"),
        None,
    )
    for handler in root.handlers:
        for flt in handler.filters:
            flt.filter(record)
    assert "ZZZZ" not in record.getMessage() and "81234567890" not in record.getMessage()
    assert logging.getLogger("httpx").level == logging.WARNING


def test_owner_text_with_markup_and_sql_is_stored_literally(regions) -> None:  # noqa: F811
    chat = EngineChat(regions=regions)
    consented(chat)
    tricky = "Robert'); DROP TABLE owner;-- <b>*Sri*</b> \u202e"
    chat.send_inbound(Inbound.text_message(tricky))
    assert chat.report.name == " ".join(tricky.split())  # kept as typed; channels send it as plain text


@pytest.mark.parametrize("environment", ["development", "production"])
def test_the_api_description_is_published_only_in_development(
    environment: str, lite_engine, sqlite_url: str, tmp_path: Path
) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        environment=environment,
        database_url=sqlite_url,
        secret_key="k" * 40,
        media_dir=str(tmp_path / "media"),
        run_sender=False,
    )
    with running_app(settings, lite_engine) as server:
        answers = [
            httpx.get(server.url + path, timeout=10).status_code for path in ("/openapi.json", "/docs", "/redoc")
        ]
        health = httpx.get(server.url + "/healthz", timeout=10).status_code
    assert answers == ([200, 200, 200] if environment == "development" else [404, 404, 404])
    assert health == 200
