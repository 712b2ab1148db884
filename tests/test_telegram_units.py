"""Telegram pieces on their own: payload reading, rendering, photo download, rate limiting."""

from __future__ import annotations

import asyncio

import pytest

from bot.channels.telegram import TelegramTransport, chat_key, interpret, keyboard, render
from bot.messaging.adapters import Interpretation, split_text
from bot.messaging.ratelimit import TokenBucket
from conversations import Choice, InboundKind, Reply
from tests.fakes import updates as tg
from tests.fakes.telegram import TOKEN, FakeTelegram


@pytest.mark.parametrize(
    ("update", "kind", "field", "value"),
    [
        (tg.text_update(5, "sdh"), InboundKind.TEXT, "text", "sdh"),
        (tg.callback_update(5, "setuju"), InboundKind.CHOICE, "choice_id", "setuju"),
        (tg.callback_update(5, "#3"), InboundKind.TEXT, "text", "3"),
        (tg.photo_update(5, "BIG"), InboundKind.PHOTO, "media_ref", "telegram:BIG"),
        (tg.photo_update(5, "BIG", caption="nib saya"), InboundKind.PHOTO, "text", "nib saya"),
        (
            tg.message_update(5, document={"file_id": "IMG", "file_unique_id": "i", "mime_type": "image/jpeg"}),
            InboundKind.PHOTO,
            "media_ref",
            "telegram:IMG",
        ),
        (
            tg.message_update(5, contact={"phone_number": "+6281234567890", "first_name": "S", "user_id": 5}),
            InboundKind.CONTACT,
            "contact_is_sender",
            True,
        ),
        (
            tg.message_update(5, contact={"phone_number": "+6281234567890", "first_name": "Adik"}),
            InboundKind.CONTACT,
            "contact_is_sender",
            False,
        ),
    ],
)
def test_private_updates_become_neutral_events(update, kind, field, value) -> None:
    result = interpret(update, "LaporIkmTestBot")
    assert result.user_id == "5" and result.chat_id == "5"
    assert result.inbound is not None and result.inbound.kind is kind
    assert getattr(result.inbound, field) == value


def test_chat_key_is_the_sender_in_private_and_the_chat_in_groups() -> None:
    assert chat_key(tg.text_update(5, "x")) == "5"
    assert chat_key(tg.callback_update(5, "x")) == "5"
    assert chat_key(tg.group_update(-100, 5, "x")) == "-100"
    assert chat_key({"update_id": 1}) == "unknown"


def test_keyboards() -> None:
    short = keyboard({"choices": [["yes", "Ya", None], ["no", "Tidak", None]]})
    assert [[b.callback_data for b in row] for row in short.inline_keyboard] == [["yes", "no"]]
    long_id = "x" * 70
    tall = keyboard({"choices": [["a", "Kemasan berlabel", None], [long_id, "Pilihan panjang", None]]})
    assert [[b.callback_data for b in row] for row in tall.inline_keyboard] == [["a"], ["#2"]]
    contact = keyboard({"choices": [["lewati", "Lewati", None]], "ask_contact": True})
    assert contact.keyboard[0][0].request_contact and contact.keyboard[1][0].text == "Lewati"
    assert keyboard({"text": "x"}) is None


def test_render_answers_the_pressed_button_first() -> None:
    interpretation = Interpretation(chat_id="5", extra={"callback_query_id": "cb1", "message_id": 9})
    payloads = render([Reply("Halo", (Choice("a", "A"),))], interpretation)
    assert [p["type"] for p in payloads] == ["answer_callback", "clear_keyboard", "message"]
    assert payloads[2]["choices"] == [["a", "A", None]]


@pytest.mark.parametrize("length", [1, 4096, 4097, 10_000, 30_000])
def test_split_text_respects_the_limit_and_keeps_everything(length: int) -> None:
    text = ("kata " * (length // 5 + 1))[:length]
    parts = split_text(text, 4096)
    assert all(len(p) <= 4096 for p in parts)
    assert "".join(p.replace(" ", "") for p in parts) == text.replace(" ", "")


def test_photo_download_through_get_file() -> None:
    fake = FakeTelegram()

    async def fetch(base_url: str) -> bytes:
        transport = TelegramTransport(TOKEN, base_url)
        await transport.bot.initialize()
        try:
            return await transport.download("telegram:AgACphoto")
        finally:
            await transport.stop()

    with fake.serve() as server:
        data = asyncio.run(fetch(server.url))
    assert data.startswith(b"\xff\xd8")
    assert [c.method for c in fake.calls][-1] == "getFile"


def test_token_bucket_allows_a_burst_then_spaces_messages() -> None:
    bucket = TokenBucket(rate=1.0, burst=3)
    for _ in range(3):
        assert bucket.delay() == 0
        bucket.take()
    assert 0.9 < bucket.delay() <= 1.0
    bucket.pause(5)
    assert bucket.delay() > 4


def test_a_send_that_hangs_times_out_and_is_retried_later() -> None:
    fake = FakeTelegram(stall_seconds=3)

    async def send(base_url: str) -> list[str]:
        transport = TelegramTransport(TOKEN, base_url, read_timeout=0.5)
        await transport.bot.initialize()
        try:
            stalled = await transport.deliver("5001", {"type": "text", "text": "Halo"})
            fake.stall_seconds = 0
            answered = await transport.deliver("5001", {"type": "text", "text": "Halo lagi"})
            return [stalled.status, answered.status]
        finally:
            await transport.stop()

    with fake.serve() as server:
        assert asyncio.run(send(server.url)) == ["retry", "sent"]
    assert fake.texts("5001")[-1] == "Halo lagi"
