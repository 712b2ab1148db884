"""Settings read from the environment and a `.env` file (names promised in docs/design)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
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
    default_locale: str = "id"
    default_timezone: str = "Asia/Jakarta"
    # How long personal data is kept after an owner's last activity (told to owners in the consent text).
    retention_years: int = 2
    # An owner who comes back after this many hours mid-flow is asked whether to continue.
    resume_after_hours: int = 12
    regions_file: str | None = None

    telegram_bot_token: str | None = None
    telegram_api_base_url: str = "https://api.telegram.org"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = None

    whatsapp_access_token: str | None = None
    whatsapp_phone_number_id: str | None = None
    whatsapp_app_secret: str | None = None
    whatsapp_verify_token: str | None = None
    whatsapp_api_base_url: str = "https://graph.facebook.com/v21.0"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()
