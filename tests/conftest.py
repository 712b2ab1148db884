"""Shared fixtures: real SQLite files and real PostgreSQL databases (each test run makes its own)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.config import Settings
from bot.storage.db import make_engine, upgrade
from bot.storage.regions import DEMO_REGION_FILES, load_region_files

# Tests that start the bot read owners' photos with a fake OCR engine that loads at once (a text file's lines are its
# "reading"; any other file is unreadable); the tests of photo reading name the real engine themselves.
FAKE_OCR = "tests.fakes.ocr_engine:make"
os.environ.setdefault("DOCUMENT_ENGINE", FAKE_OCR)

# The PostgreSQL server CI provides; override with LAPOR_TEST_PG (a URL to an admin database).
PG_ADMIN_URL = os.environ.get("LAPOR_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_admin() -> psycopg.Connection:
    return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)


@pytest.fixture(scope="session")
def pg_available() -> bool:
    """Whether the PostgreSQL server answers (CI fails the run if PostgreSQL tests were skipped)."""
    try:
        with _pg_admin():
            return True
    except psycopg.OperationalError:
        return False


def _pg_url(name: str) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


@pytest.fixture
def pg_url(pg_available: bool) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database, dropped after the test."""
    if not pg_available:
        if os.environ.get("LAPOR_REQUIRE_PG"):
            pytest.fail(f"PostgreSQL is required (LAPOR_REQUIRE_PG) but {PG_ADMIN_URL} does not answer")
        pytest.skip("PostgreSQL is not reachable")
    name = f"lapor_test_{uuid.uuid4().hex[:12]}"
    with _pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = _pg_url(name)
    try:
        upgrade(url)
        yield url
    finally:
        with _pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh, migrated SQLite file."""
    url = f"sqlite:///{tmp_path / 'lapor.db'}"
    upgrade(url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """The same test on SQLite and on PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return request.getfixturevalue(fixture)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on a migrated database holding the demo regions."""
    eng = make_engine(db_url)
    with Session(eng) as db:
        load_region_files(db, DEMO_REGION_FILES)
    yield eng
    eng.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings as a deployment would have them, independent of the developer's .env (media kept in tmp)."""
    return Settings(  # type: ignore[call-arg]
        _env_file=None, office_name="Dinas Koperasi dan UKM Kota Metro", media_dir=str(tmp_path / "media")
    )


class FakeClock:
    """A clock that starts where the test says, ticks like a real one, and jumps when the test moves it."""

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
        self.offset = start - datetime.now(UTC)

    @property
    def now(self) -> datetime:
        """The current fake time."""
        return datetime.now(UTC) + self.offset

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Jump forward."""
        self.offset += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    """A controllable clock starting on Wednesday 25 November 2026, 10:00 WIB."""
    return FakeClock()


@pytest.fixture
def lite_engine(sqlite_url: str) -> Iterator[Engine]:
    """A migrated SQLite database with the demo regions (for tests that need not run twice)."""
    eng = make_engine(sqlite_url)
    with Session(eng) as db:
        load_region_files(db, DEMO_REGION_FILES)
    yield eng
    eng.dispose()


@pytest.fixture
def fake() -> Iterator[object]:
    """A fake Telegram Bot API server on 127.0.0.1 (its address in `fake.url`)."""
    from tests.fakes.telegram import FakeTelegram

    telegram = FakeTelegram()
    with telegram.serve() as server:
        telegram.url = server.url  # type: ignore[attr-defined]
        yield telegram


@pytest.fixture
def cloud() -> Iterator[object]:
    """A fake WhatsApp Cloud API on 127.0.0.1 (its address in `cloud.url`)."""
    from tests.fakes.whatsapp import FakeCloudAPI

    fake_cloud = FakeCloudAPI()
    with fake_cloud.serve() as server:
        fake_cloud.url = server.url
        yield fake_cloud


@pytest.fixture
def whatsapp(cloud, engine, db_url: str, tmp_path: Path, clock) -> Iterator[object]:
    """The real app on SQLite or PostgreSQL receiving signed WhatsApp webhooks, replying to the fake Cloud API."""
    from tests.telegram_harness import running_app
    from tests.test_whatsapp import WhatsAppClient, wa_settings

    with running_app(wa_settings(cloud.url, db_url, tmp_path), engine, clock) as server:
        yield WhatsAppClient(server.url, engine, cloud)


@pytest.fixture
def telegram(fake, engine, db_url: str) -> Iterator[object]:
    """The real app on SQLite or PostgreSQL receiving Telegram webhooks, replying to the fake Bot API."""
    from tests.telegram_harness import TelegramClient, running_app, telegram_settings

    with running_app(telegram_settings(fake.url, db_url, webhook=True), engine) as server:
        yield TelegramClient(server.url, engine, fake)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Chromium (Debian's, through playwright), shared by a module's page checks."""
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        if os.environ.get("LAPOR_REQUIRE_BROWSER"):
            pytest.fail("Chromium is required (LAPOR_REQUIRE_BROWSER) but /usr/bin/chromium is missing")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def engine_present() -> None:
    """The OCR engine (RapidOCR on onnxruntime) is installed; the test is skipped without it, failing instead under
    LAPOR_REQUIRE_OCR=1 (CI)."""
    missing = [name for name in ("rapidocr", "onnxruntime") if importlib.util.find_spec(name) is None]
    if missing:
        reason = f"OCR engine not installed ({', '.join(missing)}): pip install -e '.[dev]'"
        if os.environ.get("LAPOR_REQUIRE_OCR") == "1":
            pytest.fail(reason + " and LAPOR_REQUIRE_OCR=1")
        pytest.skip(reason)
