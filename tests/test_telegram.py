"""Telegram end to end: the real app and python-telegram-bot's HTTP client against a fake Bot API on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session, select

from bot.models import ChannelAccount, Owner, Permit, Product
from tests.fakes import updates as tg
from tests.fakes.telegram import FakeTelegram
from tests.telegram_harness import TelegramClient, running_app, telegram_settings

USER = 7001


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    fake = FakeTelegram()
    with fake.serve() as server:
        fake.url = server.url  # type: ignore[attr-defined]
        yield fake


@pytest.fixture
def webhook_app(fake: FakeTelegram, engine, db_url: str) -> Iterator[TelegramClient]:
    settings = telegram_settings(fake.url, db_url, webhook=True)  # type: ignore[attr-defined]
    with running_app(settings, engine) as server:
        yield TelegramClient(server.url, engine, fake)


def test_startup_registers_webhook_with_secret_and_commands(webhook_app: TelegramClient, fake: FakeTelegram) -> None:
    calls = {c.method: c.params for c in fake.calls}
    assert calls["setWebhook"]["url"] == "https://lapor.example.id/telegram/webhook"
    assert calls["setWebhook"]["secret_token"] == "s3cret-Token_for-tests"
    assert set(calls["setWebhook"]["allowed_updates"]) >= {"message", "callback_query", "my_chat_member"}
    commands = {c["command"]: c["description"] for c in calls["setMyCommands"]["commands"]}
    assert set(commands) == {"start", "menu", "lapor", "bantuan", "berhenti", "hapus"}
    assert commands["hapus"] == "Hapus data saya"


def test_full_registration_by_webhook(webhook_app: TelegramClient, fake: FakeTelegram, engine) -> None:
    say = lambda text: webhook_app.exchange(tg.text_update(USER, text), USER)  # noqa: E731
    press = lambda data: webhook_app.exchange(tg.callback_update(USER, data), USER)  # noqa: E731

    first = say("/start")
    assert "UU No. 27 Tahun 2022" in first
    keyboard = fake.sent(USER)[-1]["reply_markup"]["inline_keyboard"]
    assert [b["callback_data"] for row in keyboard for b in row] == ["setuju", "tolak", "baca"]
    assert "Siapa nama lengkap" in press("setuju")
    assert "answerCallbackQuery" in fake.methods() and "editMessageReplyMarkup" in fake.methods()
    phone_question = say("Sri Wahyuni")
    markup = fake.sent(USER)[-1]["reply_markup"]
    assert markup["keyboard"][0][0]["request_contact"] is True
    assert "Berapa nomor HP" in phone_question
    contact = tg.message_update(USER, contact={"phone_number": "6281234567890", "first_name": "Sri", "user_id": USER})
    assert "nama usaha" in webhook_app.exchange(contact, USER)
    say("Keripik Pisang Bu Sri")
    press("18.72.01")  # Metro Pusat
    press("18.72.01.1005")  # Yosomulyo
    press("makanan")
    say("3")
    say("5 jt")
    press("no")  # no sentra
    say("Keripik pisang <b>balado</b> *pedas*")
    press("makanan")
    assert "Kirim foto" in press("berlabel")
    assert "Foto sudah disimpan" in webhook_app.exchange(tg.photo_update(USER, "AgACProductPhoto"), USER)
    press("no")  # no other product
    press("terbit")  # NIB
    say("0220 0098 61929")
    assert "Foto sudah disimpan" in webhook_app.exchange(tg.photo_update(USER, "AgACnibPhoto"), USER)
    press("belum")  # P-IRT
    press("diurus")  # halal
    press("lewati")
    press("tidak_perlu")  # BPOM
    press("belum")  # merek
    done = press("tidak_ada")
    assert "Pendaftaran selesai" in done
    # Owner text is shown literally: Telegram gets no parse mode, so <b> and * are not interpreted.
    assert "Keripik pisang <b>balado</b> *pedas*" in done
    assert all("parse_mode" not in p for p in fake.sent(USER))

    with Session(engine) as db:
        owner = db.exec(select(Owner)).one()
        assert owner.phone == "+6281234567890" and owner.phone_verified
        assert db.exec(select(ChannelAccount)).one().platform == "telegram"
        product = db.exec(select(Product)).one()
        assert product.name == "Keripik pisang <b>balado</b> *pedas*" and product.photo == "telegram:AgACProductPhoto"
        nib = db.exec(select(Permit).where(Permit.type == "nib")).one()
        assert nib.number == "0220009861929" and nib.evidence_photo == "telegram:AgACnibPhoto"
        assert nib.reported_via == "telegram"
