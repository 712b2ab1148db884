"""Property tests: whatever arrives, parsers and adapters never crash and the engine always answers."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels.telegram import chat_key as telegram_chat_key
from bot.channels.telegram import interpret as telegram_interpret
from bot.channels.whatsapp import interpret as whatsapp_interpret
from bot.channels.whatsapp import split_webhook
from bot.storage.regions import DEMO_REGION_FILES, read_region_rows
from conversations import Inbound
from conversations.understanding.answers import classify_answer
from conversations.understanding.choices import parse_number_list
from conversations.understanding.dates import parse_date, parse_year
from conversations.understanding.numbers import parse_int, parse_money
from conversations.understanding.permit_numbers import PermitType, parse_permit_number
from conversations.understanding.places import Area, RegionDirectory
from conversations.understanding.words import is_meaningless
from tests.dialog import EngineChat

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=20,
)


@FAST
@given(st.text(max_size=300))
def test_informal_parsers_never_raise(text: str) -> None:
    classify_answer(text)
    is_meaningless(text)
    parse_int(text)
    parse_money(text)
    parse_year(text)
    parse_number_list(text)
    parse_date(text, date(2026, 11, 25))


@FAST
@given(st.sampled_from(list(PermitType)), st.text(max_size=200))
def test_permit_number_parser_never_raises(permit: PermitType, text: str) -> None:
    parse_permit_number(permit, text)


@FAST
@given(
    st.dictionaries(
        st.sampled_from(["update_id", "message", "callback_query", "my_chat_member", "edited_message", "channel_post"]),
        json_values,
        max_size=4,
    )
)
def test_telegram_adapter_takes_any_update_shape(update: dict) -> None:
    try:
        telegram_interpret(update, "Bot")
        telegram_chat_key(update)
    except (AttributeError, TypeError) as error:  # a crash here would block an inbox row: not allowed
        raise AssertionError(f"adapter crashed on {update!r}") from error


@FAST
@given(json_values)
def test_whatsapp_adapter_takes_any_body_shape(body: object) -> None:
    payload = body if isinstance(body, dict) else {"entry": body}
    try:
        for _key, _chat, event in split_webhook(payload, None):
            whatsapp_interpret(event)
    except (AttributeError, TypeError) as error:
        raise AssertionError(f"adapter crashed on {payload!r}") from error


_AREAS = [
    Area(r.code, r.name, r.level, r.parent_code, r.kind, r.timezone, r.regency_name)
    for path in DEMO_REGION_FILES
    for r in read_region_rows(path)
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(max_size=80), min_size=1, max_size=8))
def test_the_engine_always_answers(messages: list[str]) -> None:
    chat = EngineChat(regions=RegionDirectory.from_areas(_AREAS))
    chat.send("halo")
    chat.send("setuju")
    for message in messages:
        reply = chat.send_inbound(Inbound.text_message(message))
        assert reply.strip(), f"no answer to {message!r}"
        assert "Traceback" not in reply and "something went wrong" not in reply.lower()


@FAST
@given(
    st.sampled_from(
        [
            "text",
            "interactive",
            "button",
            "image",
            "document",
            "location",
            "contacts",
            "sticker",
            "audio",
            "reaction",
            "unsupported",
            "video",
        ]
    ),
    json_values,
)
def test_whatsapp_messages_of_any_type_and_content(kind: str, content: object) -> None:
    payload = {"message": {"from": "6281234567890", "id": "wamid.X", "type": kind, kind: content}, "contact": {}}
    try:
        whatsapp_interpret(payload)
    except (AttributeError, TypeError) as error:
        raise AssertionError(f"adapter crashed on {payload!r}") from error
