"""WhatsApp end to end: signed webhooks into the real app, replies through httpx to a fake Cloud API on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

from bot.channels.whatsapp import message_body, render
from bot.config import Settings
from bot.messaging.adapters import Interpretation
from bot.messaging.outbox import enqueue
from bot.storage.models import ChannelAccount, InboxEvent, OutboxMessage, Owner, Product
from conversations import Choice, Reply
from tests.fakes import updates as tg
from tests.fakes import whatsapp as wa
from tests.fakes.telegram import TOKEN, FakeTelegram
from tests.servers import wait_until
from tests.telegram_harness import SECRET, running_app, settled

WA_ID = "6281234567890"


def wa_settings(cloud_url: str, db_url: str, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": db_url,
        "whatsapp_access_token": wa.ACCESS_TOKEN,
        "whatsapp_phone_number_id": wa.PHONE_NUMBER_ID,
        "whatsapp_app_secret": wa.APP_SECRET,
        "whatsapp_verify_token": wa.VERIFY_TOKEN,
        "whatsapp_api_base_url": cloud_url,
        "whatsapp_rate_per_chat": 50.0,
        "media_dir": str(tmp_path / "media"),
        "environment": "production",
        "secret_key": "s" * 40,
        "office_name": "Dinas Koperasi dan UKM Kota Metro",
    }
    values |= overrides
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def both_channels(
    cloud_url: str, telegram_url: str, token: str, db_url: str, tmp_path: Path, **overrides: Any
) -> Settings:
    """A deployment with WhatsApp and Telegram (webhook and its secret), both pointed at fake servers."""
    return wa_settings(
        cloud_url,
        db_url,
        tmp_path,
        telegram_bot_token=token,
        telegram_api_base_url=telegram_url,
        telegram_webhook_url="https://lapor.example.id/telegram/webhook",
        telegram_webhook_secret=SECRET,
        **overrides,
    )


class WhatsAppClient:
    """Posts signed webhook bodies as Meta does."""

    def __init__(self, base_url: str, engine, cloud: wa.FakeCloudAPI) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=10)
        self.engine = engine
        self.cloud = cloud

    def post(self, body: dict[str, Any], signature: str | None | bool = True) -> httpx.Response:
        raw = json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if signature is True:
            headers["X-Hub-Signature-256"] = wa.sign(raw)
        elif isinstance(signature, str):
            headers["X-Hub-Signature-256"] = signature
        return self.http.post("/whatsapp/webhook", content=raw, headers=headers)

    def exchange(self, body: dict[str, Any], to: str = WA_ID) -> str:
        before = len(self.cloud.texts(to))
        assert self.post(body).status_code == 200
        wait_until(lambda: settled(self.engine), timeout=15, what="the reply")
        return "\n\n".join(self.cloud.texts(to)[before:])

    def say(self, text: str, wa_id: str = WA_ID) -> str:
        return self.exchange(wa.text(wa_id, text), wa_id)

    def press(self, choice_id: str, wa_id: str = WA_ID) -> str:
        return self.exchange(wa.button_reply(wa_id, choice_id), wa_id)

    def pick(self, choice_id: str, wa_id: str = WA_ID) -> str:
        return self.exchange(wa.list_reply(wa_id, choice_id), wa_id)


@pytest.fixture
def app(cloud: wa.FakeCloudAPI, lite_engine, sqlite_url: str, tmp_path: Path, clock) -> Iterator[WhatsAppClient]:
    settings = wa_settings(cloud.url, sqlite_url, tmp_path)
    with running_app(settings, lite_engine, clock) as server:
        yield WhatsAppClient(server.url, lite_engine, cloud)


def test_verification_handshake(app: WhatsAppClient) -> None:
    ok = app.http.get(
        "/whatsapp/webhook",
        params={"hub.mode": "subscribe", "hub.verify_token": wa.VERIFY_TOKEN, "hub.challenge": "1158201444"},
    )
    assert ok.status_code == 200 and ok.text == "1158201444"
    bad = app.http.get(
        "/whatsapp/webhook", params={"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"}
    )
    assert bad.status_code == 403


@pytest.mark.parametrize(("signature", "status"), [(None, 401), ("sha256=" + "0" * 64, 403), ("md5=abc", 403)])
def test_missing_or_wrong_signature_stores_nothing(app: WhatsAppClient, signature, status: int) -> None:
    assert app.post(wa.text(WA_ID, "halo"), signature=signature).status_code == status
    with Session(app.engine) as db:
        assert db.exec(select(InboxEvent)).first() is None


def test_body_signed_with_another_secret_is_refused(app: WhatsAppClient) -> None:
    raw = json.dumps(wa.text(WA_ID, "halo")).encode()
    response = app.http.post(
        "/whatsapp/webhook",
        content=raw,
        headers={"X-Hub-Signature-256": wa.sign(raw, "another-secret"), "Content-Type": "application/json"},
    )
    assert response.status_code == 403


def test_full_registration_over_whatsapp(app: WhatsAppClient, cloud: wa.FakeCloudAPI, tmp_path: Path) -> None:
    notice = app.say("Halo")
    assert "UU No. 27 Tahun 2022" in notice
    buttons = cloud.delivered(WA_ID)[-1]["interactive"]
    assert buttons["type"] == "button"
    assert [b["reply"]["id"] for b in buttons["action"]["buttons"]] == ["setuju", "tolak", "baca"]
    assert all(len(b["reply"]["title"]) <= 20 for b in buttons["action"]["buttons"])
    assert "Siapa nama lengkap" in app.press("setuju")
    phone_question = app.say("Sri Wahyuni")
    assert "+62 812-3456-7890" in phone_question  # the WhatsApp number is offered
    app.press("pakai")
    app.say("Keripik Pisang Bu Sri")
    cities = cloud.delivered(WA_ID)[-1]["interactive"]
    assert cities["type"] == "button"  # the two demo lists are a two-city deployment: the city comes first
    assert [b["reply"]["title"] for b in cities["action"]["buttons"]] == ["Kota Bengkulu", "Kota Metro"]
    assert "kecamatan mana di Kota Metro?" in app.press("18.72")
    listing = cloud.delivered(WA_ID)[-1]["interactive"]
    assert listing["type"] == "list"  # Metro's five kecamatan only, none of Bengkulu's nine
    rows = listing["action"]["sections"][0]["rows"]
    assert [r["title"].split(". ", 1)[1] for r in rows] == [
        "Metro Barat",
        "Metro Pusat",
        "Metro Selatan",
        "Metro Timur",
        "Metro Utara",
    ]
    app.pick("18.72.01")  # Metro Pusat
    location = app.pick("18.72.01.1005")
    assert cloud.delivered(WA_ID)[-1]["interactive"]["type"] == "location_request_message"
    assert "lokasi" in location
    app.exchange(wa.inbound(WA_ID, "location", {"latitude": -5.1136, "longitude": 105.3067, "name": "Rumah"}))
    app.pick("makanan")
    app.say("tiga")
    app.say("5 jt")
    app.press("no")
    app.say("Keripik pisang balado")  # a food business: no category question
    app.press("berlabel")
    stored = app.exchange(
        wa.inbound(WA_ID, "image", {"id": "1479537139650973", "mime_type": "image/jpeg", "sha256": "x"})
    )
    assert "Foto sudah disimpan" in stored
    assert (tmp_path / "media" / "whatsapp" / "1479537139650973.jpg").read_bytes() == wa.IMAGE_BYTES
    app.press("no")
    app.press("terbit")
    app.say("0220 0098 61929")
    nib_print = {"id": "2480537139650974", "mime_type": "application/pdf", "filename": "NIB.pdf"}
    assert "Dokumen sudah disimpan" in app.exchange(wa.inbound(WA_ID, "document", nib_print))  # not "gambar"
    for choice in ["belum", "belum", "tidak_perlu", "belum"]:
        app.exchange(wa.list_reply(WA_ID, choice) if choice == "tidak_perlu" else wa.button_reply(WA_ID, choice))
    done = app.say("1,3")
    assert "Pendaftaran selesai" in done
    with Session(app.engine) as db:
        owner = db.exec(select(Owner)).one()
        assert owner.phone == "+6281234567890" and owner.phone_verified
        product = db.exec(select(Product)).one()
        assert product.photo == "whatsapp:1479537139650973"
        account = db.exec(select(ChannelAccount)).one()
        assert (account.platform, account.external_id) == ("whatsapp", WA_ID)


def test_duplicate_wamid_is_processed_once(app: WhatsAppClient, cloud: wa.FakeCloudAPI) -> None:
    body = wa.text(WA_ID, "halo")
    assert app.post(body).status_code == 200
    assert app.post(body).status_code == 200  # Meta retrying
    wait_until(lambda: settled(app.engine), what="settled")
    assert len(cloud.texts(WA_ID)) == 2


def test_two_messages_in_one_body_and_another_number(app: WhatsAppClient, cloud: wa.FakeCloudAPI) -> None:
    first = wa.text(WA_ID, "halo")
    second = wa.text("6289876543210", "halo juga")
    first["entry"][0]["changes"][0]["value"]["messages"] += second["entry"][0]["changes"][0]["value"]["messages"]
    first["entry"][0]["changes"][0]["value"]["contacts"] += second["entry"][0]["changes"][0]["value"]["contacts"]
    foreign_value = wa.text("6281111111111", "x")["entry"][0]["changes"][0]["value"]
    del foreign_value["metadata"]
    foreign = wa.envelope(foreign_value, phone_number_id="999")
    assert app.post(first).status_code == 200
    assert app.post(foreign).status_code == 200
    wait_until(lambda: settled(app.engine), what="settled")
    assert len(cloud.texts(WA_ID)) == 2 and len(cloud.texts("6289876543210")) == 2
    assert cloud.texts("6281111111111") == []
    with Session(app.engine) as db:
        assert len(db.exec(select(InboxEvent)).all()) == 2


UNUSUAL = [
    ("sticker", "sticker", {"id": "5678", "mime_type": "image/webp", "animated": False}, "stiker"),
    ("audio", "audio", {"id": "4321", "mime_type": "audio/ogg; codecs=opus", "voice": True}, "pesan suara"),
    ("reaction", "reaction", {"message_id": "wamid.OUT1", "emoji": "👍"}, "pesan jenis ini"),
    ("unsupported", "unsupported", {}, "pesan jenis ini"),
    ("video", "video", {"id": "9999", "mime_type": "video/mp4"}, "pesan jenis ini"),
    ("document", "document", {"id": "7777", "mime_type": "application/pdf", "filename": "nib.pdf"}, "Terima kasih"),
    (
        "contacts",
        "contacts",
        [{"name": {"formatted_name": "Adik"}, "phones": [{"phone": "+62 811", "wa_id": "62811"}]}],
        "kontak",
    ),
]


@pytest.mark.parametrize(("name", "kind", "content", "expected"), UNUSUAL, ids=[u[0] for u in UNUSUAL])
def test_unusual_messages_get_a_polite_answer(app: WhatsAppClient, name, kind, content, expected: str) -> None:
    app.say("halo")
    app.press("setuju")
    extra = {"errors": [{"code": 131051, "title": "Message type unknown"}]} if kind == "unsupported" else {}
    reply = app.exchange(wa.inbound(WA_ID, kind, content, **extra))
    assert expected.lower() in reply.lower()
    assert "Siapa nama lengkap" in reply


def test_status_receipts_update_the_delivery(app: WhatsAppClient) -> None:
    app.say("halo")
    with Session(app.engine) as db:
        message = db.exec(select(OutboxMessage).order_by(OutboxMessage.id)).first()
    assert message is not None and message.platform_message_id
    for state in ["sent", "delivered", "read", "delivered"]:  # receipts may arrive out of order
        app.post(wa.status(message.platform_message_id, state, WA_ID))
    wait_until(lambda: settled(app.engine), what="settled")
    with Session(app.engine) as db:
        stored = db.get(OutboxMessage, message.id)
        assert stored.delivery == "read" and stored.read_at is not None and stored.delivered_at is not None


def test_username_only_user_is_keyed_by_business_scoped_id(app: WhatsAppClient, cloud: wa.FakeCloudAPI) -> None:
    body = wa.text(WA_ID, "halo")
    value = body["entry"][0]["changes"][0]["value"]
    del value["messages"][0]["from"]
    value["messages"][0]["from_user_id"] = "ID.1349123456789"
    value["contacts"] = [{"profile": {"name": "Sri", "username": "@keripiksri"}, "user_id": "ID.1349123456789"}]
    assert app.post(body).status_code == 200
    wait_until(lambda: settled(app.engine), what="settled")
    assert len(cloud.texts("ID.1349123456789")) == 2
    assert cloud.delivered("ID.1349123456789")[0].get("recipient") == "ID.1349123456789"
    with Session(app.engine) as db:
        assert db.exec(select(ChannelAccount)).one().external_id == "ID.1349123456789"


def test_throttling_and_server_errors_are_retried(app: WhatsAppClient, cloud: wa.FakeCloudAPI) -> None:
    cloud.throttle = 1
    cloud.fail_500 = 1
    app.post(wa.text(WA_ID, "halo"))
    wait_until(lambda: settled(app.engine), timeout=30, what="settled")
    assert len(cloud.texts(WA_ID)) == 2
    assert "UU No. 27" in cloud.texts(WA_ID)[0]


def _queue_reminder(engine, purpose: str | None, now: datetime) -> None:
    payload: dict[str, Any] = {
        "type": "message",
        "text": "Jangan lupa pelatihan kemasan besok jam 09.00.\nDi aula Dinas.",
    }
    if purpose:
        payload["purpose"] = purpose
    with Session(engine) as db:
        enqueue(db, "whatsapp", WA_ID, [payload], now, kind="reminder", priority=5)
        db.commit()


def test_24_hour_rule_waits_without_template_and_sends_when_the_owner_writes(
    app: WhatsAppClient, cloud: wa.FakeCloudAPI, clock
) -> None:
    app.say("halo")
    clock.advance(hours=25)
    _queue_reminder(app.engine, purpose="reminder", now=clock.now)  # no template configured in this deployment
    app.post(wa.status("wamid.none", "read", WA_ID))  # any event wakes the sender
    wait_until(lambda: settled(app.engine), what="settled")
    with Session(app.engine) as db:
        reminder = db.exec(select(OutboxMessage).where(OutboxMessage.kind == "reminder")).one()
    assert reminder.status == "waiting"
    assert not any("pelatihan kemasan" in t for t in cloud.texts(WA_ID))
    app.say("halo lagi")  # the owner writes: the window opens and the reminder goes as free text
    wait_until(lambda: any("pelatihan kemasan" in t for t in cloud.texts(WA_ID)), what="the reminder")


def test_24_hour_rule_uses_the_configured_template(
    cloud: wa.FakeCloudAPI, lite_engine, sqlite_url: str, tmp_path: Path, clock
) -> None:
    templates = {"reminder": {"name": "lapor_ikm_pengingat", "language": "id"}}
    settings = wa_settings(cloud.url, sqlite_url, tmp_path, whatsapp_templates=templates)
    with running_app(settings, lite_engine, clock) as server:
        client = WhatsAppClient(server.url, lite_engine, cloud)
        client.say("halo")
        clock.advance(hours=24, minutes=1)
        _queue_reminder(lite_engine, purpose="reminder", now=clock.now)
        client.post(wa.status("wamid.none", "read", WA_ID))
        wait_until(lambda: settled(lite_engine), what="settled")
    last = cloud.delivered(WA_ID)[-1]
    assert last["type"] == "template" and last["template"]["name"] == "lapor_ikm_pengingat"
    parameter = last["template"]["components"][0]["parameters"][0]["text"]
    assert "\n" not in parameter and "pelatihan kemasan" in parameter


def test_failed_receipt_outside_window_waits(app: WhatsAppClient) -> None:
    app.say("halo")
    with Session(app.engine) as db:
        message = db.exec(select(OutboxMessage).order_by(OutboxMessage.id)).first()
    app.post(wa.status(message.platform_message_id, "failed", WA_ID, error_code=131047))
    wait_until(lambda: settled(app.engine), what="settled")
    with Session(app.engine) as db:
        assert db.get(OutboxMessage, message.id).status == "waiting"


def test_one_owner_on_telegram_and_whatsapp(
    cloud: wa.FakeCloudAPI, lite_engine, sqlite_url: str, tmp_path: Path
) -> None:
    telegram = FakeTelegram()
    with telegram.serve() as tg_server:
        settings = both_channels(cloud.url, tg_server.url, TOKEN, sqlite_url, tmp_path, telegram_rate_per_chat=50.0)
        with running_app(settings, lite_engine) as server:
            client = WhatsAppClient(server.url, lite_engine, cloud)
            http = client.http
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            for update in [
                tg.text_update(55, "/start"),
                tg.callback_update(55, "setuju"),
                tg.text_update(55, "Sri Wahyuni"),
                tg.message_update(55, contact={"phone_number": "+6281234567890", "first_name": "Sri", "user_id": 55}),
            ]:
                assert http.post("/telegram/webhook", json=update, headers=headers).status_code == 200
                wait_until(lambda: settled(lite_engine), what="settled")
            reply = client.say("halo")  # the same person, now on WhatsApp
    assert "UU No. 27" not in reply  # no second consent: it is the same owner
    assert "Halo, Sri Wahyuni! Kita lanjutkan:" in reply and "nama usaha" in reply  # and it goes on where it was
    with Session(lite_engine) as db:
        owners = db.exec(select(Owner)).all()
        assert len(owners) == 1 and owners[0].name == "Sri Wahyuni"
        platforms = sorted(a.platform for a in db.exec(select(ChannelAccount)).all())
        assert platforms == ["telegram", "whatsapp"]


# --- rendering rules -------------------------------------------------------------------------------------
def test_buttons_lists_and_pages() -> None:
    three = message_body(
        {
            "type": "message",
            "text": "Setuju?",
            "choices": [["a", "Setuju sekali dengan ini semua", None], ["b", "Tidak", None], ["c", "Baca lagi", None]],
        }
    )
    titles = [b["reply"]["title"] for b in three["interactive"]["action"]["buttons"]]
    assert titles[0].endswith("…") and all(len(t) <= 20 for t in titles)
    eight = message_body(
        {
            "type": "message",
            "text": "Pilih",
            "choices": [[str(i), f"Pilihan nomor {i} yang panjang sekali", f"keterangan {i}" * 20] for i in range(8)],
        }
    )
    rows = eight["interactive"]["action"]["sections"][0]["rows"]
    assert len(rows) == 8 and all(len(r["title"]) <= 24 and len(r.get("description", "")) <= 72 for r in rows)
    many = [[str(i), f"Kelurahan {i}", None] for i in range(1, 24)]
    page3 = message_body({"type": "message", "text": "Pilih", "choices": many, "page": 3})
    rows = page3["interactive"]["action"]["sections"][0]["rows"]
    assert rows[0]["title"].startswith("19.") and rows[-1]["id"] == "__page:4"
    assert message_body({"type": "message", "text": "x" * 5000})["type"] == "text"


def test_long_interactive_body_is_sent_before_the_choices() -> None:
    text = ("Penjelasan panjang. " * 80) + "\n\nSetuju?"
    payloads = render([Reply(text, (Choice("ya", "Ya"), Choice("tidak", "Tidak")))], Interpretation(chat_id="1"))
    assert [bool(p.get("choices")) for p in payloads] == [False, True]
    assert payloads[1]["text"] == "Setuju?" and len(payloads[0]["text"]) <= 4096


def test_server_refuses_to_start_without_app_secret_outside_development(tmp_path: Path) -> None:
    from bot.config import SettingsError

    settings = wa_settings("http://127.0.0.1:9", "sqlite://", tmp_path, whatsapp_app_secret=None)
    with pytest.raises(SettingsError, match="WHATSAPP_APP_SECRET"):
        settings.check_for_serving()
    wa_settings(
        "http://127.0.0.1:9", "sqlite://", tmp_path, whatsapp_app_secret=None, environment="development"
    ).check_for_serving()
