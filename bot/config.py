"""Settings read from the environment and a `.env` file (names promised in docs/design)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DB_PATH = Path("lapor_ikm.db")


class Settings(BaseSettings):
    """Deployment settings; every name can be set as an environment variable or in `.env`."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(default=f"sqlite:///{DEFAULT_DB_PATH}")
    host: str = "127.0.0.1"
    port: int = 8000
    environment: str = "development"

    office_name: str = "Dinas Koperasi, UKM dan Perindustrian"
    # How owners reach the office (address, phone, hours), told when they ask for help or about a permit.
    office_contact: str = ""
    default_locale: str = "id"
    default_timezone: str = "Asia/Jakarta"
    # How long personal data is kept after an owner's last activity (told to owners in the consent text).
    retention_years: int = 2
    # An owner who comes back after this many hours mid-flow is asked whether to continue.
    resume_after_hours: int = 12
    regions_file: str | None = None  # a CSV in the documented format; with REGION_CODES, added on top
    # The deployment's area by Kemendagri code: "51.03" (Badung), "52" (NTB province), "17.71,18.72" (several).
    region_codes: str | None = None
    # Scheduling: permit follow-ups every N days; sending window in each owner's local time.
    followup_days: int = 14
    # Per permit type, overriding FOLLOWUP_DAYS, e.g. {"halal": 21, "bpom": 30}
    followup_days_per_permit: dict[str, int] = Field(default_factory=dict)
    send_window: str = "08:00-20:00"
    skip_holidays: bool = True
    # Periodic "please update your report" requests (cron, in DEFAULT_TIMEZONE): 1 January and 1 July, 09:00.
    report_request_cron: str = "0 9 1 1,7 *"
    reminder_batch: int = 5000

    telegram_bot_token: str | None = None
    telegram_api_base_url: str = "https://api.telegram.org"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = None
    telegram_poll_timeout: int = 25
    telegram_rate_per_second: float = 30.0
    telegram_rate_per_chat: float = 1.0

    # Which loops this process runs (several web processes may share one database; see README).
    run_inbox_worker: bool = True
    run_sender: bool = True
    run_telegram_polling: bool = True
    run_scheduler: bool = True
    dispatch_interval_seconds: int = 30
    inbox_concurrency: int = 16
    max_request_bytes: int = 1_000_000
    # Logging for `run`: the level, and whether uvicorn logs every HTTP request (the reverse proxy usually does).
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    access_log: bool = False
    # Signs officers' session cookies. Required outside development (a random one per process otherwise).
    secret_key: str | None = None

    whatsapp_access_token: str | None = None
    whatsapp_phone_number_id: str | None = None
    whatsapp_app_secret: str | None = None
    whatsapp_verify_token: str | None = None
    whatsapp_api_base_url: str = "https://graph.facebook.com/v21.0"
    whatsapp_rate_per_second: float = 80.0
    whatsapp_rate_per_chat: float = 1.0
    # Approved templates for messages outside the 24-hour window, by purpose (see README), e.g.
    # {"reminder": {"name": "lapor_ikm_pengingat", "language": "id"}}
    whatsapp_templates: dict[str, dict[str, str]] = Field(default_factory=dict)
    media_dir: str = "media"
    # Permit numbers read from owners' photos and PDFs (offline OCR in a worker process of its own, about 700 MB,
    # started on the first photo): on or off, how many photos at a time (1 or 2), the time limit per photo (seconds of
    # the worker's CPU) and the worker's CPU priority (19: it reads with what the owners' answers leave over).
    read_documents: bool = True
    document_readers: int = Field(default=1, ge=1, le=2)
    document_time_limit: float = 20.0
    document_niceness: int = Field(default=19, ge=0, le=19)
    # The OCR engine, "module:factory" (tests use a fake one); the default is RapidOCR with its wheel's own models.
    document_engine: str = "bot.documents.worker:rapidocr_engine"

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_in_capitals(cls, value: object) -> object:
        """`warning` means WARNING."""
        return value.upper() if isinstance(value, str) else value

    @property
    def whatsapp_enabled(self) -> bool:
        """True when the WhatsApp channel is configured."""
        return bool(self.whatsapp_access_token and self.whatsapp_phone_number_id)

    def check_for_serving(self) -> None:
        """Refuse combinations that would run insecurely or not at all."""
        _check_webhook(self)
        if self.environment != "development" and (not self.secret_key or len(self.secret_key) < 32):
            raise SettingsError("SECRET_KEY must be set to at least 32 random characters outside development")
        if self.whatsapp_enabled:
            if not self.whatsapp_app_secret and self.environment != "development":
                raise SettingsError(
                    "WHATSAPP_APP_SECRET must be set outside development: without it webhook signatures "
                    "cannot be checked"
                )
            if not self.whatsapp_verify_token:
                raise SettingsError("WHATSAPP_VERIFY_TOKEN must be set for the webhook handshake")
            for purpose, template in self.whatsapp_templates.items():
                if not template.get("name"):
                    raise SettingsError(f"WHATSAPP_TEMPLATES: the template for {purpose!r} has no name")


_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class SettingsError(ValueError):
    """The settings cannot work together."""


def _check_webhook(settings: Settings) -> None:
    if settings.telegram_webhook_url:
        if not settings.telegram_bot_token:
            raise SettingsError("TELEGRAM_WEBHOOK_URL is set but TELEGRAM_BOT_TOKEN is not")
        if not settings.telegram_webhook_secret or not _SECRET.match(settings.telegram_webhook_secret):
            raise SettingsError(
                "TELEGRAM_WEBHOOK_SECRET must be set (1-256 characters: letters, digits, _ and -) "
                "when TELEGRAM_WEBHOOK_URL is set"
            )


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()
