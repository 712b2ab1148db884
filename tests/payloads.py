"""A corpus of platform bodies written from the platforms' documentation: every message and status type of the
WhatsApp Cloud API webhook and every update type of the Telegram Bot API, each with what the bot should do
("reply": the sender gets an answer; "none": nothing is sent to anyone)."""

from __future__ import annotations

from itertools import count
from typing import Any

from tests.fakes import whatsapp as wa

_ids = count(1)
WA_FROM = "6281277700000"
TG_USER = 7700


def _wa(kind: str, content: dict[str, Any] | None, **extra: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "from": WA_FROM,
        "id": f"wamid.CORPUS{next(_ids)}",
        "timestamp": "1764045000",
        "type": kind,
        **extra,
    }
    if content is not None:
        message[kind] = content
    return wa.envelope({"contacts": [{"profile": {"name": "Sri"}, "wa_id": WA_FROM}], "messages": [message]})


def _wa_status(status: str, **extra: Any) -> dict[str, Any]:
    item = {"id": f"wamid.OUT{next(_ids)}", "status": status, "timestamp": "1764045000", "recipient_id": WA_FROM}
    return wa.envelope({"statuses": [{**item, **extra}]})


MEDIA = {"id": "1479537139650973", "mime_type": "image/jpeg", "sha256": "abc"}

# (name, body, expected): the Cloud API's message types (messages webhook reference) and statuses.
WHATSAPP: list[tuple[str, dict[str, Any], str]] = [
    ("text", _wa("text", {"body": "halo"}), "reply"),
    ("text with a link preview", _wa("text", {"body": "halo https://example.com", "preview_url": True}), "reply"),
    ("text replying to an earlier message", _wa("text", {"body": "halo"}, context={"id": "wamid.X"}), "reply"),
    ("text from a click-to-WhatsApp ad", _wa("text", {"body": "halo"}, referral={"source_type": "ad"}), "reply"),
    ("image with caption", _wa("image", {**MEDIA, "caption": "keripik"}), "reply"),
    ("sticker", _wa("sticker", {**MEDIA, "mime_type": "image/webp", "animated": False}), "reply"),
    ("audio", _wa("audio", {**MEDIA, "mime_type": "audio/ogg"}), "reply"),
    ("voice note", _wa("audio", {**MEDIA, "mime_type": "audio/ogg; codecs=opus", "voice": True}), "reply"),
    ("video", _wa("video", {**MEDIA, "mime_type": "video/mp4", "caption": "produk"}), "reply"),
    ("document", _wa("document", {**MEDIA, "mime_type": "application/pdf", "filename": "NIB.pdf"}), "reply"),
    ("location", _wa("location", {"latitude": -5.1136, "longitude": 105.3067, "name": "Rumah"}), "reply"),
    (
        "contacts",
        _wa("contacts", [{"name": {"formatted_name": "Budi"}, "phones": [{"phone": "+62 812", "wa_id": "62812"}]}]),
        "reply",
    ),
    (
        "button reply",
        _wa("interactive", {"type": "button_reply", "button_reply": {"id": "setuju", "title": "Setuju"}}),
        "reply",
    ),
    ("list reply", _wa("interactive", {"type": "list_reply", "list_reply": {"id": "x", "title": "X"}}), "reply"),
    (
        "flow reply",
        _wa("interactive", {"type": "nfm_reply", "nfm_reply": {"response_json": "{}", "name": "flow"}}),
        "reply",
    ),
    ("template quick reply", _wa("button", {"text": "Ya", "payload": "ya"}), "reply"),
    ("reaction", _wa("reaction", {"message_id": "wamid.X", "emoji": "👍"}), "reply"),
    ("reaction taken back", _wa("reaction", {"message_id": "wamid.X"}), "none"),
    (
        "order",
        _wa("order", {"catalog_id": "1", "product_items": [{"product_retailer_id": "a", "quantity": 1}]}),
        "reply",
    ),
    (
        "system: number changed",
        _wa("system", {"body": "changed", "wa_id": "62899", "type": "user_changed_number"}),
        "none",
    ),
    ("unsupported", _wa("unsupported", None, errors=[{"code": 131051, "title": "Message type unknown"}]), "reply"),
    ("request_welcome", _wa("request_welcome", None), "reply"),
    ("status sent", _wa_status("sent"), "none"),
    ("status delivered", _wa_status("delivered"), "none"),
    ("status read", _wa_status("read"), "none"),
    (
        "status failed",
        _wa_status("failed", errors=[{"code": 131047, "title": "Re-engagement message"}]),
        "none",
    ),
    ("status deleted", _wa_status("deleted"), "none"),
    ("a group message", _wa("text", {"body": "halo"}, group_id="120363025246125486"), "none"),
    ("an error on the change", wa.envelope({"errors": [{"code": 130429, "title": "Rate limit hit"}]}), "none"),
]


def _tg_message(**content: Any) -> dict[str, Any]:
    return {
        "message_id": next(_ids),
        "from": {"id": TG_USER, "is_bot": False, "first_name": "Sri", "language_code": "id"},
        "chat": {"id": TG_USER, "first_name": "Sri", "type": "private"},
        "date": 1764045000,
        **content,
    }


def _tg(kind: str, item: Any) -> dict[str, Any]:
    return {"update_id": 800_000 + next(_ids), kind: item}


PHOTO = [{"file_id": "AgACsmall", "file_unique_id": "s", "width": 90, "height": 90, "file_size": 1200}]
GROUP = {"id": -1001234567890, "title": "Sentra Keripik", "type": "supergroup"}
CHANNEL = {"id": -1009876543210, "title": "Info UMKM", "type": "channel"}

# (name, update, expected): the Bot API's update types (Update object) and the message kinds owners send.
TELEGRAM: list[tuple[str, dict[str, Any], str]] = [
    ("text", _tg("message", _tg_message(text="halo")), "reply"),
    (
        "command",
        _tg("message", _tg_message(text="/start", entities=[{"type": "bot_command", "offset": 0, "length": 6}])),
        "reply",
    ),
    ("photo with caption", _tg("message", _tg_message(photo=PHOTO, caption="keripik")), "reply"),
    (
        "document",
        _tg(
            "message",
            _tg_message(
                document={
                    "file_id": "BQAC",
                    "file_unique_id": "d",
                    "file_name": "NIB.pdf",
                    "mime_type": "application/pdf",
                }
            ),
        ),
        "reply",
    ),
    ("voice", _tg("message", _tg_message(voice={"file_id": "AwAC", "file_unique_id": "v", "duration": 3})), "reply"),
    ("audio", _tg("message", _tg_message(audio={"file_id": "CQAC", "file_unique_id": "a", "duration": 3})), "reply"),
    (
        "video",
        _tg(
            "message",
            _tg_message(video={"file_id": "BAAC", "file_unique_id": "w", "width": 1, "height": 1, "duration": 1}),
        ),
        "reply",
    ),
    (
        "video note",
        _tg("message", _tg_message(video_note={"file_id": "DQAC", "file_unique_id": "n", "length": 1, "duration": 1})),
        "reply",
    ),
    (
        "animation",
        _tg(
            "message",
            _tg_message(animation={"file_id": "CgAC", "file_unique_id": "g", "width": 1, "height": 1, "duration": 1}),
        ),
        "reply",
    ),
    (
        "sticker",
        _tg(
            "message",
            _tg_message(
                sticker={
                    "file_id": "CAAC",
                    "file_unique_id": "k",
                    "type": "regular",
                    "width": 1,
                    "height": 1,
                    "is_animated": False,
                    "is_video": False,
                }
            ),
        ),
        "reply",
    ),
    ("location", _tg("message", _tg_message(location={"latitude": -5.1136, "longitude": 105.3067})), "reply"),
    (
        "venue",
        _tg(
            "message",
            _tg_message(
                location={"latitude": -5.1, "longitude": 105.3},
                venue={"location": {"latitude": -5.1, "longitude": 105.3}, "title": "Pasar", "address": "Jl. A"},
            ),
        ),
        "reply",
    ),
    (
        "contact",
        _tg("message", _tg_message(contact={"phone_number": "6281234567890", "first_name": "Sri", "user_id": TG_USER})),
        "reply",
    ),
    (
        "poll",
        _tg(
            "message",
            _tg_message(
                poll={
                    "id": "1",
                    "question": "?",
                    "options": [],
                    "total_voter_count": 0,
                    "is_closed": False,
                    "is_anonymous": True,
                    "type": "regular",
                    "allows_multiple_answers": False,
                }
            ),
        ),
        "reply",
    ),
    ("dice", _tg("message", _tg_message(dice={"emoji": "🎲", "value": 3})), "reply"),
    ("edited message", _tg("edited_message", _tg_message(text="halo lagi", edit_date=1764045100)), "reply"),
    (
        "callback query",
        _tg(
            "callback_query",
            {
                "id": "cb1",
                "from": {"id": TG_USER, "is_bot": False, "first_name": "Sri"},
                "chat_instance": "1",
                "data": "setuju",
                "message": _tg_message(text="Setuju?"),
            },
        ),
        "reply",
    ),
    (
        "callback from an inaccessible message",
        _tg(
            "callback_query",
            {
                "id": "cb2",
                "from": {"id": TG_USER, "is_bot": False, "first_name": "Sri"},
                "chat_instance": "1",
                "data": "x",
                "message": {"chat": {"id": TG_USER, "type": "private"}, "message_id": 5, "date": 0},
            },
        ),
        "reply",
    ),
    (
        "bot blocked",
        _tg(
            "my_chat_member",
            {
                "chat": {"id": TG_USER, "type": "private"},
                "from": {"id": TG_USER, "is_bot": False, "first_name": "Sri"},
                "date": 1,
                "old_chat_member": {"status": "member", "user": {"id": 1, "is_bot": True, "first_name": "B"}},
                "new_chat_member": {
                    "status": "kicked",
                    "user": {"id": 1, "is_bot": True, "first_name": "B"},
                    "until_date": 0,
                },
            },
        ),
        "none",
    ),
    ("group message without a command", _tg("message", {**_tg_message(text="halo semua"), "chat": GROUP}), "none"),
    ("channel post", _tg("channel_post", {"message_id": 1, "chat": CHANNEL, "date": 1, "text": "Info"}), "none"),
    (
        "edited channel post",
        _tg("edited_channel_post", {"message_id": 1, "chat": CHANNEL, "date": 1, "edit_date": 2, "text": "Info"}),
        "none",
    ),
    (
        "inline query",
        _tg(
            "inline_query",
            {
                "id": "iq",
                "from": {"id": TG_USER, "is_bot": False, "first_name": "Sri"},
                "query": "kerupuk",
                "offset": "",
            },
        ),
        "none",
    ),
    (
        "chosen inline result",
        _tg(
            "chosen_inline_result",
            {"result_id": "r", "from": {"id": TG_USER, "is_bot": False, "first_name": "Sri"}, "query": "k"},
        ),
        "none",
    ),
    (
        "poll state",
        _tg(
            "poll",
            {
                "id": "1",
                "question": "?",
                "options": [],
                "total_voter_count": 0,
                "is_closed": True,
                "is_anonymous": True,
                "type": "regular",
                "allows_multiple_answers": False,
            },
        ),
        "none",
    ),
    (
        "poll answer",
        _tg(
            "poll_answer",
            {"poll_id": "1", "user": {"id": TG_USER, "is_bot": False, "first_name": "Sri"}, "option_ids": [0]},
        ),
        "none",
    ),
    (
        "chat member",
        _tg(
            "chat_member",
            {
                "chat": GROUP,
                "from": {"id": TG_USER, "is_bot": False, "first_name": "Sri"},
                "date": 1,
                "old_chat_member": {"status": "left", "user": {"id": 5, "is_bot": False, "first_name": "X"}},
                "new_chat_member": {"status": "member", "user": {"id": 5, "is_bot": False, "first_name": "X"}},
            },
        ),
        "none",
    ),
    (
        "join request",
        _tg(
            "chat_join_request",
            {
                "chat": GROUP,
                "from": {"id": TG_USER, "is_bot": False, "first_name": "Sri"},
                "user_chat_id": TG_USER,
                "date": 1,
            },
        ),
        "none",
    ),
    (
        "message reaction",
        _tg(
            "message_reaction",
            {
                "chat": {"id": TG_USER, "type": "private"},
                "message_id": 3,
                "date": 1,
                "old_reaction": [],
                "new_reaction": [{"type": "emoji", "emoji": "👍"}],
                "user": {"id": TG_USER, "is_bot": False, "first_name": "Sri"},
            },
        ),
        "none",
    ),
    (
        "shipping query",
        _tg(
            "shipping_query",
            {
                "id": "s",
                "from": {"id": TG_USER, "is_bot": False, "first_name": "Sri"},
                "invoice_payload": "p",
                "shipping_address": {},
            },
        ),
        "none",
    ),
    (
        "pre-checkout query",
        _tg(
            "pre_checkout_query",
            {
                "id": "p",
                "from": {"id": TG_USER, "is_bot": False, "first_name": "Sri"},
                "currency": "IDR",
                "total_amount": 1,
                "invoice_payload": "p",
            },
        ),
        "none",
    ),
    ("business message", _tg("business_message", _tg_message(text="halo", business_connection_id="bc")), "none"),
]
