"""Property tests over the real server, on SQLite and PostgreSQL: a signed WhatsApp body or a Telegram update with
any one field replaced by any JSON value (wrong types, 400-character strings, numbers past every column) never gets a
5xx, never leaves an inbox event failed, and never stops the server from answering the next owner."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fakes import updates as tg
from tests.fakes import whatsapp as wa
from tests.telegram_harness import TelegramClient, settle_without_failures
from tests.test_whatsapp import WhatsAppClient

ANY_VALUE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)  # JSON has neither: httpx refuses to send them
    | st.text(max_size=400)
    | st.sampled_from(["", "6281234567890", "__page:abc", "ID.abc", "x" * 300, "9" * 100]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
PROPERTY = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
WA_PATHS = [
    ("id",),
    ("from",),
    ("from_user_id",),
    ("type",),
    ("timestamp",),
    ("group_id",),
    ("text",),
    ("text", "body"),
    ("interactive",),
    ("interactive", "button_reply", "id"),
    ("image",),
    ("location",),
]
TG_PATHS = [
    ("update_id",),
    ("message",),
    ("message", "message_id"),
    ("message", "chat"),
    ("message", "chat", "id"),
    ("message", "chat", "type"),
    ("message", "from", "id"),
    ("message", "text"),
    ("message", "photo"),
    ("message", "location"),
    ("message", "message_thread_id"),
]


def replaced(document: dict[str, Any], path: tuple[str, ...], value: object) -> dict[str, Any]:
    """A copy of `document` with the field at `path` set to `value` (the parents made dicts where needed)."""
    result = copy.deepcopy(document)
    node = result
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[path[-1]] = value
    return result


def test_any_whatsapp_field_replaced_by_anything(whatsapp: WhatsAppClient, engine) -> None:
    @PROPERTY
    @given(st.sampled_from(WA_PATHS), ANY_VALUE)
    def one_body(path: tuple[str, ...], value: object) -> None:
        body = wa.text("6281234567890", "halo")
        message = body["entry"][0]["changes"][0]["value"]["messages"][0]
        body["entry"][0]["changes"][0]["value"]["messages"] = [replaced(message, path, value)]
        assert whatsapp.post(body).status_code < 500

    one_body()
    settle_without_failures(engine)
    assert "UU No. 27 Tahun 2022" in whatsapp.say("halo", "6281298760001")  # the server still answers


def test_any_telegram_field_replaced_by_anything(telegram: TelegramClient, engine) -> None:
    @PROPERTY
    @given(st.sampled_from(TG_PATHS), ANY_VALUE)
    def one_update(path: tuple[str, ...], value: object) -> None:
        assert telegram.post(replaced(tg.text_update(7401, "halo"), path, value)).status_code < 500

    one_update()
    settle_without_failures(engine)
    assert "UU No. 27 Tahun 2022" in telegram.exchange(tg.text_update(7402, "halo"), 7402)
