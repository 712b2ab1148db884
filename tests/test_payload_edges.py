"""Bodies that do not fit: each bad message or update is logged and left out at the edge, the good ones beside it are
answered, and nothing fails later, on SQLite and on PostgreSQL alike (column limits are checked before the database)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlmodel import Session, func, select

from bot.storage.models import ChannelAccount, InboxEvent, OutboxMessage, Owner
from tests.fakes import updates as tg
from tests.fakes import whatsapp as wa
from tests.fakes.telegram import FakeTelegram
from tests.servers import wait_until
from tests.telegram_harness import TelegramClient, settle_without_failures, settled
from tests.test_whatsapp import WA_ID, WhatsAppClient

GOOD = "6281298765432"


def message_of(body: dict[str, Any]) -> dict[str, Any]:
    return body["entry"][0]["changes"][0]["value"]["messages"][0]


def with_messages(*messages: dict[str, Any]) -> dict[str, Any]:
    """One webhook body holding these messages."""
    return wa.envelope({"messages": list(messages)})


def count(engine, model: Any, *where: Any) -> int:
    with Session(engine) as db:
        return db.exec(select(func.count()).select_from(model).where(*where)).one()


BAD_WHATSAPP = {
    "a message id of 300 characters": lambda m: {**m, "id": "wamid." + "x" * 294},
    "a sender of 100 digits": lambda m: {**m, "from": "6" * 100, "from_user_id": None},
    "a text body that is a number": lambda m: {**m, "text": {"body": 123}},
    "a sender that is a word": lambda m: {**m, "from": "bla", "from_user_id": None},
    "a sender that is an object": lambda m: {**m, "from": {"a": 1}, "from_user_id": None},
    "a group message": lambda m: {**m, "group_id": "120363025246125486"},
}


@pytest.mark.parametrize("case", list(BAD_WHATSAPP))
def test_a_bad_whatsapp_message_is_left_out_and_the_good_one_beside_it_answered(
    whatsapp: WhatsAppClient, engine, case: str
) -> None:
    good = message_of(wa.text(GOOD, "halo"))
    bad = BAD_WHATSAPP[case](message_of(wa.text(WA_ID, "halo")))
    bad = {k: v for k, v in bad.items() if v is not None}
    assert whatsapp.post(with_messages(bad, good)).status_code == 200
    wait_until(lambda: settled(engine), timeout=15, what="the good message's answer")
    wait_until(lambda: whatsapp.cloud.texts(GOOD), timeout=15, what="the reply to the good message")
    assert "UU No. 27 Tahun 2022" in whatsapp.cloud.texts(GOOD)[0]
    assert count(engine, InboxEvent) == 1  # only the good message was stored
    assert count(engine, ChannelAccount) == 1 and count(engine, Owner) == 1
    assert whatsapp.cloud.texts(WA_ID) == []  # no one who did not write privately is written to
    settle_without_failures(engine)


def test_a_page_button_we_did_not_send_gets_a_polite_answer(whatsapp: WhatsAppClient, engine) -> None:
    assert "UU No. 27 Tahun 2022" in whatsapp.say("halo")
    answer = whatsapp.pick("__page:abc")
    assert answer  # the open question again, not a worker failure
    settle_without_failures(engine)


def test_a_status_with_an_oversized_id_is_ignored(whatsapp: WhatsAppClient, engine) -> None:
    assert whatsapp.post(wa.status("wamid." + "y" * 300, "delivered", WA_ID)).status_code == 200
    assert count(engine, InboxEvent) == 0


BAD_TELEGRAM = {
    "a chat id that is a word": lambda u: u["message"]["chat"].update(id="abc"),
    "a sender id that is a word": lambda u: u["message"]["from"].update(id="abc"),
    "a text that is a number": lambda u: u["message"].update(text=123),
    "a text of 5,000 characters": lambda u: u["message"].update(text="x" * 5000),
    "a chat id past 2**53": lambda u: u["message"]["chat"].update(id=2**60),
}


@pytest.mark.parametrize("case", list(BAD_TELEGRAM))
def test_a_bad_telegram_update_is_answered_200_and_stored_nowhere(telegram: TelegramClient, engine, case: str) -> None:
    update = copy.deepcopy(tg.text_update(7301, "halo"))
    BAD_TELEGRAM[case](update)
    assert telegram.post(update).status_code == 200
    assert count(engine, InboxEvent) == 0 and count(engine, Owner) == 0
    assert "UU No. 27 Tahun 2022" in telegram.exchange(tg.text_update(7302, "halo"), 7302)  # the next one works
    settle_without_failures(engine)


def test_an_update_id_of_true_is_refused(telegram: TelegramClient, engine) -> None:
    update = {**tg.text_update(7303, "halo"), "update_id": True}
    assert telegram.post(update).status_code == 400
    assert count(engine, InboxEvent) == 0


def test_a_command_in_a_forum_topic_is_answered_in_that_topic(telegram: TelegramClient, fake: FakeTelegram) -> None:
    update = tg.group_update(-1001234567890, 7304, "/start")
    update["message"].update(message_thread_id=42, is_topic_message=True)
    assert telegram.post(update).status_code == 200
    wait_until(lambda: fake.sent(-1001234567890), timeout=15, what="the notice in the group")
    notice = fake.sent(-1001234567890)[0]
    assert notice["message_thread_id"] == 42 and "chat pribadi" in notice["text"]
    assert count(telegram.engine, OutboxMessage, OutboxMessage.chat_id == "7304") == 0


def test_a_media_id_that_is_a_path_is_not_fetched(whatsapp: WhatsAppClient, engine) -> None:
    body = wa.inbound(GOOD, "image", {"id": "../me/phone_numbers", "mime_type": "image/jpeg"})
    assert whatsapp.post(body).status_code == 200
    assert count(engine, InboxEvent) == 0  # left out at the edge: never stored, so never fetched
