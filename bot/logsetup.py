"""Logging that never shows tokens, secrets or owners' phone numbers."""

from __future__ import annotations

import logging
import re

from bot.config import Settings

_TELEGRAM_TOKEN = re.compile(r"(?<!\d)\d{5,}:[A-Za-z0-9_-]{20,}")
_PHONE = re.compile(r"(?<![\w.])(\+?62|0)(8\d{2})\d{4,9}(\d{2})(?!\d)")


class RedactingFilter(logging.Filter):
    """Replaces secrets and phone numbers in every record's message."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 6]

    def redact(self, text: str) -> str:
        """The text with secrets and phone numbers masked."""
        for secret in self.secrets:
            text = text.replace(secret, "<secret>")
        text = _TELEGRAM_TOKEN.sub("<bot-token>", text)
        return _PHONE.sub(lambda m: f"{m.group(1)}{m.group(2)}…{m.group(3)}", text)

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drop it."""
        message = record.getMessage()
        cleaned = self.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def configure_logging(settings: Settings, level: int = logging.INFO) -> None:
    """Root logging with redaction on every handler; HTTP client request lines (which carry tokens) quieted."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    redactor = RedactingFilter(
        [
            settings.telegram_bot_token or "",
            settings.telegram_webhook_secret or "",
            settings.whatsapp_access_token or "",
            settings.whatsapp_app_secret or "",
            settings.whatsapp_verify_token or "",
            settings.secret_key or "",
        ]
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
    for noisy in ("httpx", "httpcore", "telegram.request"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
