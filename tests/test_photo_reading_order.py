"""Reading a photo never holds up other owners: on SQLite the inbox works one chat at a time, and a photo takes seconds.

The served bot (SQLite, Telegram webhook to the fake Bot API) reads photos with the fake OCR engine, whose "photo"
is a text file: `sleep 3` makes the read take three seconds. While one owner's photo is read, another owner's
"halo" is answered at once (before the webhook's 200, not stored to wait for the inbox); the photo's owner gets the
answer for the photo after the read.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from types import SimpleNamespace

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.runtime import READING_THREADS
from bot.storage.models import InboxEvent
from tests.conftest import FAKE_OCR
from tests.fakes import updates as tg
from tests.fakes.telegram import FakeTelegram
from tests.servers import wait_until
from tests.telegram_harness import SECRET, running_app, settled, telegram_settings
from tests.test_photo_channels import TelegramOwner

SLOW_PHOTO = b"sleep 3\nNOMOR INDUK BERUSAHA\nNIB : 0220 0098 61929\n"
PHOTO_OWNER, OTHER_OWNER = 6100, 6200


@pytest.fixture
def served(fake: FakeTelegram, lite_engine, sqlite_url: str) -> Iterator[httpx.Client]:
    settings = telegram_settings(fake.url, sqlite_url, webhook=True, document_engine=FAKE_OCR)  # type: ignore[attr-defined]
    with running_app(settings, lite_engine) as server, httpx.Client(base_url=server.url, timeout=10) as http:
        yield http


def _post(http: httpx.Client, update: dict) -> None:
    response = http.post("/telegram/webhook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert response.status_code == 200


def test_an_owner_is_answered_while_another_owners_photo_is_read(
    served: httpx.Client, fake: FakeTelegram, lite_engine: Engine
) -> None:
    fake.files["AgACslowNib"] = SLOW_PHOTO
    _post(served, tg.photo_update(PHOTO_OWNER, "AgACslowNib"))
    time.sleep(0.5)  # the read has begun (the fake engine's worker starts in well under a second)
    sent = time.monotonic()
    _post(served, tg.text_update(OTHER_OWNER, "halo"))
    wait_until(lambda: fake.texts(OTHER_OWNER), timeout=10, what="the other owner's answer")
    answered_in = time.monotonic() - sent
    assert answered_in < 1.5, f"the other owner waited {answered_in:.1f} s behind a photo being read"
    assert not fake.texts(PHOTO_OWNER)  # still reading
    with Session(lite_engine) as db:
        (halo,) = db.exec(select(InboxEvent).where(InboxEvent.chat_key == str(OTHER_OWNER))).all()
    # Answered at once: a chat waiting for its reading holds no inbox worker, and SQLite's inbox has only one.
    assert halo.processed_at == halo.received_at
    wait_until(lambda: fake.texts(PHOTO_OWNER), timeout=15, what="the photo owner's answer")
    # Read (before consent, the certificate is kept for the decision): the reading reached the conversation.
    assert "NIB" in "\n".join(fake.texts(PHOTO_OWNER)) and "simpan" in "\n".join(fake.texts(PHOTO_OWNER))


def test_a_product_photo_is_not_kept_waiting_behind_certificates_but_permits_photos_are_read(
    served: httpx.Client, fake: FakeTelegram, lite_engine: Engine
) -> None:
    """While the one reader reads a slow photo and more owners' NIB photos wait for it (more than the threads that
    wait for the reader): a photo at the product-photo question is taken at once as the product's photo, unread;
    the NIB photos wait their turn and are read."""
    chat = SimpleNamespace(http=served, telegram=fake, wait=lambda timeout: _settle(lite_engine, timeout))
    product_owner = TelegramOwner(chat, 6300)  # type: ignore[arg-type]
    nib_owners = [TelegramOwner(chat, 6400 + n) for n in range(READING_THREADS + 1)]  # type: ignore[arg-type]
    product_owner.register_to_product_photo()
    for owner in nib_owners:
        owner.register_to_nib()
    fake.files["AgACslowNib"] = SLOW_PHOTO
    fake.files["AgACproduct"] = fake.files["AgACnibPage"] = b"NOMOR INDUK BERUSAHA\nNIB : 0220 0098 61929\n"
    _post(served, tg.photo_update(PHOTO_OWNER, "AgACslowNib"))
    time.sleep(0.5)  # the read has begun
    for owner in nib_owners:
        _post(served, tg.photo_update(owner.user, "AgACnibPage"))
    sent = time.monotonic()
    _post(served, tg.photo_update(product_owner.user, "AgACproduct"))
    wait_until(lambda: "Foto sudah disimpan" in "\n".join(fake.texts(product_owner.user)), timeout=10, what="the photo")
    assert time.monotonic() - sent < 1.5, "a product photo waited for the reader"
    assert not any("Nomor NIB di foto" in text for text in fake.texts(product_owner.user))
    with Session(lite_engine) as db:
        events = db.exec(select(InboxEvent).where(InboxEvent.chat_key == str(product_owner.user))).all()
    assert events[-1].payload["_reading"] is None  # taken unread
    confirmed = "Nomor NIB di foto: 0220 0098 61929"
    assert not any(confirmed in text for owner in nib_owners for text in fake.texts(owner.user))  # still waiting
    for owner in nib_owners:
        wait_until(lambda owner=owner: any(confirmed in text for text in fake.texts(owner.user)), timeout=15)


def _settle(engine: Engine, timeout: float) -> None:
    wait_until(lambda: settled(engine), timeout=timeout, what="the inbox and the outbox to settle")


@pytest.mark.parametrize(("value", "readers"), [("1", 1), ("2", 2)])
def test_document_readers_is_taken_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, readers: int
) -> None:
    from bot.config import Settings

    monkeypatch.setenv("DOCUMENT_READERS", value)
    assert Settings(_env_file=None).document_readers == readers  # type: ignore[call-arg]
    monkeypatch.setenv("DOCUMENT_READERS", "3")  # each reader holds the OCR model (about 700 MB)
    with pytest.raises(ValueError, match="document_readers"):
        Settings(_env_file=None)  # type: ignore[call-arg]
