"""Telegram end to end: the real app and python-telegram-bot's HTTP client against a fake Bot API on 127.0.0.1."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session, select

from bot.channels.telegram import render as telegram_render
from bot.clock import utcnow
from bot.messaging.adapters import Interpretation
from bot.messaging.outbox import enqueue
from bot.storage.db import make_engine
from bot.storage.models import Business, ChannelAccount, InboxEvent, Need, OutboxMessage, Owner, Permit, Product
from bot.storage.regions import DEMO_REGION_FILES, load_region_files
from conversations import Choice, Reply
from tests.fakes import updates as tg
from tests.fakes.telegram import FakeTelegram
from tests.pg import lock_waits
from tests.seed import seed_owner
from tests.servers import wait_until
from tests.telegram_harness import TelegramClient, running_app, settled, telegram_settings

USER = 7001


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
    assert "kabupaten atau kota mana" in say("Keripik Pisang Bu Sri")  # the two demo lists: two cities
    assert "kecamatan mana di Kota Metro?" in press("18.72")
    press("18.72.01")  # Metro Pusat
    location_question = press("18.72.01.1005")  # Yosomulyo
    assert fake.sent(USER)[-1]["reply_markup"]["keyboard"][0][0]["request_location"] is True
    assert "lokasi" in location_question
    shared = tg.message_update(USER, location={"latitude": -5.1136, "longitude": 105.3067})
    assert "lokasi usaha Bapak/Ibu sudah disimpan" in webhook_app.exchange(shared, USER)
    press("makanan")
    say("3")
    say("5 jt")
    press("no")  # no sentra
    say("Keripik pisang <b>balado</b> *pedas*")  # a food business: no category question
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
        business = db.exec(select(Business)).one()
        assert (business.latitude, business.longitude) == (-5.1136, 105.3067)


@pytest.fixture
def lite_app(fake: FakeTelegram, lite_engine, sqlite_url: str) -> Iterator[TelegramClient]:
    settings = telegram_settings(fake.url, sqlite_url, webhook=True)  # type: ignore[attr-defined]
    with running_app(settings, lite_engine) as server:
        yield TelegramClient(server.url, lite_engine, fake)


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", "s3cret-Token_for-test"])
def test_wrong_or_missing_secret_is_refused_and_nothing_stored(lite_app: TelegramClient, secret) -> None:
    response = lite_app.post(tg.text_update(USER, "halo"), secret=secret)
    assert response.status_code == 403
    with Session(lite_app.engine) as db:
        assert db.exec(select(InboxEvent)).first() is None


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"message": {}}', b'{"update_id": "12"}'])
def test_malformed_bodies_are_refused(lite_app: TelegramClient, body: bytes) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_for-tests", "Content-Type": "application/json"}
    response = lite_app.http.post("/telegram/webhook", content=body, headers=headers)
    assert response.status_code == 400


def test_oversized_body_is_refused(lite_app: TelegramClient) -> None:
    update = tg.text_update(USER, "x" * 1_100_000)
    assert lite_app.post(update).status_code == 413


def test_duplicate_update_is_processed_once(lite_app: TelegramClient, fake: FakeTelegram) -> None:
    update = tg.text_update(USER, "/start", update_id=9100)
    assert lite_app.post(update).status_code == 200
    assert lite_app.post(update).status_code == 200  # Telegram retrying after a timeout
    wait_until(lambda: settled(lite_app.engine), what="settled")
    assert len(fake.texts(USER)) == 2  # the notice and the consent question, once
    with Session(lite_app.engine) as db:
        assert len(db.exec(select(InboxEvent)).all()) == 1


def test_blocked_user_is_marked_and_not_sent_to_then_unblocks(lite_app: TelegramClient, fake: FakeTelegram) -> None:
    lite_app.exchange(tg.text_update(USER, "/start"), USER)
    fake.forbidden.add(str(USER))
    lite_app.post(tg.callback_update(USER, "setuju"))
    wait_until(lambda: settled(lite_app.engine), what="settled")
    with Session(lite_app.engine) as db:
        assert db.exec(select(ChannelAccount)).one().blocked
        statuses = {m.status for m in db.exec(select(OutboxMessage).where(OutboxMessage.kind == "reply")).all()}
        assert "blocked" in statuses
    # Unblocking (Telegram sends my_chat_member "member") clears the flag.
    fake.forbidden.clear()
    lite_app.exchange(tg.membership_update(USER, "member"), USER)
    with Session(lite_app.engine) as db:
        assert not db.exec(select(ChannelAccount)).one().blocked


def test_my_chat_member_kicked_marks_blocked(lite_app: TelegramClient) -> None:
    lite_app.exchange(tg.text_update(USER, "/start"), USER)
    lite_app.exchange(tg.membership_update(USER, "kicked"), USER)
    with Session(lite_app.engine) as db:
        assert db.exec(select(ChannelAccount)).one().blocked


def test_429_retry_after_is_obeyed(lite_app: TelegramClient, fake: FakeTelegram) -> None:
    fake.fail_429 = 1
    fake.retry_after = 1
    lite_app.post(tg.text_update(USER, "/start"))
    wait_until(lambda: settled(lite_app.engine), timeout=20, what="settled")
    sends = [c for c in fake.calls if c.method == "sendMessage"]
    assert len(fake.texts(USER)) == 2
    assert sends[1].at - sends[0].at >= 0.95  # the retry waited for retry_after


def test_server_errors_are_retried_with_backoff(lite_app: TelegramClient, fake: FakeTelegram) -> None:
    fake.fail_500 = 2
    lite_app.post(tg.text_update(USER, "/start"))
    wait_until(lambda: settled(lite_app.engine), timeout=30, what="settled")
    assert len(fake.texts(USER)) == 2
    assert "UU No. 27" in fake.texts(USER)[0]


UNUSUAL = [
    (
        "sticker",
        tg.message_update(
            USER,
            sticker={
                "file_id": "CAAC",
                "file_unique_id": "x",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            },
        ),
        "stiker",
    ),
    ("voice", tg.message_update(USER, voice={"file_id": "AwAC", "file_unique_id": "v", "duration": 3}), "pesan suara"),
    ("audio", tg.message_update(USER, audio={"file_id": "CQAC", "file_unique_id": "a", "duration": 30}), "pesan suara"),
    (
        "video_note",
        tg.message_update(USER, video_note={"file_id": "DQAC", "file_unique_id": "n", "length": 240, "duration": 5}),
        "pesan suara",
    ),
    ("location", tg.message_update(USER, location={"latitude": -5.1136, "longitude": 105.3067}), "lokasi usaha"),
    (
        "poll",
        tg.message_update(
            USER,
            poll={
                "id": "1",
                "question": "?",
                "options": [],
                "total_voter_count": 0,
                "is_closed": False,
                "is_anonymous": True,
                "type": "regular",
                "allows_multiple_answers": False,
            },
        ),
        "pesan jenis ini",
    ),
    ("dice", tg.message_update(USER, dice={"emoji": "🎲", "value": 4}), "pesan jenis ini"),
    (
        "document",
        tg.message_update(
            USER,
            document={"file_id": "BQAC", "file_unique_id": "d", "file_name": "nib.pdf", "mime_type": "application/pdf"},
        ),
        "Terima kasih",
    ),
    (
        "edited",
        {
            "update_id": 123456789,
            "edited_message": {
                "message_id": 5,
                "from": tg.user(USER),
                "chat": tg.private_chat(USER),
                "date": 1,
                "edit_date": 2,
                "text": "Sri",
            },
        },
        "pesan baru",
    ),
]


@pytest.mark.parametrize(("name", "update", "expected"), UNUSUAL, ids=[u[0] for u in UNUSUAL])
def test_unusual_private_messages_get_a_polite_answer(
    lite_app: TelegramClient, name: str, update, expected: str
) -> None:
    lite_app.exchange(tg.text_update(USER, "/start"), USER)
    lite_app.exchange(tg.callback_update(USER, "setuju"), USER)
    reply = lite_app.exchange(update, USER)
    assert expected.lower() in reply.lower()
    assert "Siapa nama lengkap" in reply  # and the open question again


@pytest.mark.parametrize(
    "update",
    [
        {
            "update_id": 8801,
            "channel_post": {
                "message_id": 1,
                "chat": {"id": -100123, "type": "channel", "title": "Info"},
                "date": 1,
                "text": "halo",
            },
        },
        {
            "update_id": 8802,
            "message_reaction": {
                "chat": tg.private_chat(USER),
                "message_id": 3,
                "date": 1,
                "old_reaction": [],
                "new_reaction": [{"type": "emoji", "emoji": "👍"}],
            },
        },
        {"update_id": 8803, "inline_query": {"id": "1", "from": tg.user(USER), "query": "x", "offset": ""}},
        {"update_id": 8804},
    ],
)
def test_unknown_update_types_are_stored_and_ignored(lite_app: TelegramClient, fake: FakeTelegram, update) -> None:
    assert lite_app.post(update).status_code == 200
    wait_until(lambda: settled(lite_app.engine), what="settled")
    assert fake.texts() == []
    with Session(lite_app.engine) as db:
        assert db.exec(select(InboxEvent)).one().status == "done"


def test_group_chat_asks_for_a_private_chat_only_when_addressed(lite_app: TelegramClient, fake: FakeTelegram) -> None:
    group = -100777
    lite_app.post(tg.group_update(group, USER, "pagi semua"))
    lite_app.post(tg.group_update(group, USER, "/start@LaporIkmTestBot"))
    wait_until(lambda: settled(lite_app.engine), what="settled")
    texts = fake.texts(group)
    assert len(texts) == 1 and "https://t.me/LaporIkmTestBot" in texts[0]
    with Session(lite_app.engine) as db:
        assert db.exec(select(Owner)).first() is None  # nobody was registered from a group


def test_stale_button_is_explained(lite_app: TelegramClient) -> None:
    lite_app.exchange(tg.text_update(USER, "/start"), USER)
    reply = lite_app.exchange(tg.callback_update(USER, "18.72.01"), USER)
    assert "Tombol itu sudah tidak berlaku" in reply or "tidak berlaku" in reply


def test_updates_of_one_chat_are_processed_in_order(lite_app: TelegramClient) -> None:
    lite_app.exchange(tg.text_update(USER, "/start"), USER)
    lite_app.exchange(tg.callback_update(USER, "setuju"), USER)
    other = USER + 1
    for text in ["Sri Wahyuni", "lewati", "Keripik Bu Sri", "metro pusat"]:
        assert lite_app.post(tg.text_update(USER, text)).status_code == 200
        assert lite_app.post(tg.text_update(other, "halo")).status_code == 200
    wait_until(lambda: settled(lite_app.engine), timeout=20, what="settled")
    with Session(lite_app.engine) as db:
        owner = db.exec(select(Owner).where(Owner.name.is_not(None))).one()  # type: ignore[union-attr]
        business = db.exec(select(Business)).one()
    assert owner.name == "Sri Wahyuni" and business.name == "Keripik Bu Sri"
    assert business.kecamatan_code == "18.72.01"


def test_long_replies_are_split_at_4096_characters(lite_app: TelegramClient, fake: FakeTelegram) -> None:
    paragraph = "Keripik pisang balado dari Yosomulyo, " * 30
    long_text = "\n\n".join(f"{i}. {paragraph}" for i in range(12))
    reply = Reply(text=long_text, choices=(Choice("ya", "Ya"), Choice("tidak", "Tidak")))
    payloads = telegram_render([reply], Interpretation(chat_id=str(USER)))
    with Session(lite_app.engine) as db:
        enqueue(db, "telegram", str(USER), payloads, utcnow())
        db.commit()
    lite_app.post(tg.membership_update(USER, "member"))  # any event wakes the sender
    wait_until(lambda: settled(lite_app.engine), what="settled")
    sent = fake.sent(USER)
    assert len(sent) == 4 and all(len(p["text"]) <= 4096 for p in sent)
    squash = lambda text: "".join(text.split())  # noqa: E731  (splitting may only drop whitespace)
    assert squash("".join(p["text"] for p in sent)) == squash(long_text)
    assert [("reply_markup" in p) for p in sent] == [False, False, False, True]
    assert sent[0]["text"].startswith("0. Keripik") and sent[-1]["text"].rstrip().endswith("Yosomulyo,")


def at_the_needs_question(app: TelegramClient) -> None:
    """A registered owner opens the needs question (several answers, chosen by pressing them one by one)."""
    with Session(app.engine) as db:
        seed_owner(db, "Sri Wahyuni", "18.72.01", platform="telegram", external_id=str(USER))
        db.commit()
    assert "Menu utama" in app.exchange(tg.text_update(USER, "halo"), USER)
    assert "Bantuan apa yang paling dibutuhkan" in app.exchange(tg.text_update(USER, "kebutuhan"), USER)


def test_switching_needs_edits_the_pressed_question_instead_of_asking_again(
    lite_app: TelegramClient, fake: FakeTelegram
) -> None:
    at_the_needs_question(lite_app)
    asked = len(fake.texts(USER))

    def edits() -> list[dict[str, Any]]:
        return [c.params for c in fake.calls if c.method == "editMessageText"]

    assert lite_app.exchange(tg.callback_update(USER, "kemasan", message_id=501), USER) == ""  # nothing new sent
    assert lite_app.exchange(tg.callback_update(USER, "modal", message_id=501), USER) == ""
    first, second = edits()
    assert int(first["message_id"]) == 501 and "Sudah dipilih: Kemasan" in first["text"]
    labels = [b["text"] for row in second["reply_markup"]["inline_keyboard"] for b in row]
    assert "✅ Modal / pinjaman KUR" in labels and "✅ Kemasan & label" in labels and "Selesai memilih" in labels
    assert len(fake.texts(USER)) == asked

    done = lite_app.exchange(tg.callback_update(USER, "selesai", message_id=501), USER)
    assert done and "editMessageReplyMarkup" in fake.methods()  # the question's buttons go; the answer is new
    with Session(lite_app.engine) as db:
        assert sorted(n.kind for n in db.exec(select(Need)).all()) == ["kemasan", "modal"]


def test_a_pressed_question_that_cannot_be_edited_is_sent_anew(lite_app: TelegramClient, fake: FakeTelegram) -> None:
    at_the_needs_question(lite_app)
    fake.gone.add(502)  # the owner deleted the question before pressing on it
    again = lite_app.exchange(tg.callback_update(USER, "pelatihan", message_id=502), USER)
    assert "Sudah dipilih: Pelatihan" in again
    labels = [b["text"] for row in fake.sent(USER)[-1]["reply_markup"]["inline_keyboard"] for b in row]
    assert "✅ Pelatihan" in labels


def test_an_update_arriving_while_its_chat_is_answered_waits_its_turn(fake: FakeTelegram, pg_url: str) -> None:
    """The webhook answers an update before its 200 when its chat has nothing waiting; one that arrives meanwhile
    is stored and answered after it, in order (the first answer is held up by a lock on the owner)."""
    engine = make_engine(pg_url)
    with Session(engine) as db:
        load_region_files(db, DEMO_REGION_FILES)
    settings = telegram_settings(fake.url, pg_url, webhook=True)  # type: ignore[attr-defined]
    with running_app(settings, engine) as server:
        app = TelegramClient(server.url, engine, fake)
        app.exchange(tg.text_update(USER, "/start"), USER)
        app.exchange(tg.callback_update(USER, "setuju"), USER)  # the bot asks for the name
        name, skip = tg.text_update(USER, "Sri Wahyuni"), tg.text_update(USER, "lewati")
        posted: list[int] = []
        with Session(engine) as holder:
            holder.exec(select(Owner).with_for_update()).one()  # a step on the owner's other channel, say
            first = threading.Thread(target=lambda: posted.append(app.post(name).status_code))
            first.start()
            wait_until(lambda: lock_waits(engine), what="the answer to wait for the owner")
            assert app.post(skip).status_code == 200  # stored at once, behind the answer in progress
            assert _event_status(engine, skip) == "pending"
            holder.rollback()
        first.join(timeout=15)
        assert posted == [200]
        wait_until(lambda: settled(engine), timeout=15, what="settled")
    with Session(engine) as db:
        owner = db.exec(select(Owner)).one()
        assert owner.name == "Sri Wahyuni" and owner.phone is None  # the name first, then the phone skipped
        assert _event_status(engine, name) == "done" and _event_status(engine, skip) == "done"
    texts = fake.texts(USER)
    assert "nama usaha" in texts[-1].lower(), texts[-2:]
    engine.dispose()


def _event_status(engine, update: dict[str, Any]) -> str:
    with Session(engine) as db:
        event = db.exec(select(InboxEvent).where(InboxEvent.event_key == str(update["update_id"]))).one()
        return event.status
