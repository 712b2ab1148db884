"""Real-shaped Telegram updates (as the Bot API sends them) for tests."""

from __future__ import annotations

import itertools
from typing import Any

_ids = itertools.count(500_000)
_message_ids = itertools.count(1)


def user(user_id: int, first_name: str = "Sri") -> dict[str, Any]:
    """A Telegram user object."""
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "id"}


def private_chat(user_id: int) -> dict[str, Any]:
    """The private chat with a user."""
    return {"id": user_id, "first_name": "Sri", "type": "private"}


def message_update(user_id: int, update_id: int | None = None, **content: Any) -> dict[str, Any]:
    """An update carrying a private message with `content` (text=..., photo=..., sticker=...)."""
    return {
        "update_id": update_id if update_id is not None else next(_ids),
        "message": {
            "message_id": next(_message_ids),
            "from": user(user_id),
            "chat": private_chat(user_id),
            "date": 1764045000,
            **content,
        },
    }


def text_update(user_id: int, text: str, update_id: int | None = None) -> dict[str, Any]:
    """A typed private message."""
    content: dict[str, Any] = {"text": text}
    if text.startswith("/"):
        content["entities"] = [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]
    return message_update(user_id, update_id, **content)


def callback_update(user_id: int, data: str, message_id: int = 77, update_id: int | None = None) -> dict[str, Any]:
    """A pressed inline button."""
    return {
        "update_id": update_id if update_id is not None else next(_ids),
        "callback_query": {
            "id": f"cb{next(_ids)}",
            "from": user(user_id),
            "chat_instance": "-55",
            "data": data,
            "message": {
                "message_id": message_id,
                "from": {"id": 424242, "is_bot": True, "first_name": "Lapor IKM", "username": "LaporIkmTestBot"},
                "chat": private_chat(user_id),
                "date": 1764045000,
                "text": "…",
            },
        },
    }


def photo_update(user_id: int, file_id: str = "AgACAgQAAxkBAAIB", caption: str | None = None) -> dict[str, Any]:
    """A photo (Telegram sends several sizes)."""
    sizes = [
        {"file_id": f"{file_id}-s", "file_unique_id": "s1", "file_size": 1200, "width": 90, "height": 67},
        {"file_id": file_id, "file_unique_id": "l1", "file_size": 81234, "width": 1280, "height": 960},
        {"file_id": f"{file_id}-m", "file_unique_id": "m1", "file_size": 20100, "width": 320, "height": 240},
    ]
    content: dict[str, Any] = {"photo": sizes}
    if caption:
        content["caption"] = caption
    return message_update(user_id, **content)


def membership_update(user_id: int, status: str) -> dict[str, Any]:
    """The user blocked ("kicked") or unblocked ("member") the bot in their private chat."""
    return {
        "update_id": next(_ids),
        "my_chat_member": {
            "chat": private_chat(user_id),
            "from": user(user_id),
            "date": 1764045000,
            "old_chat_member": {"user": {"id": 424242, "is_bot": True, "first_name": "Lapor IKM"}, "status": "member"},
            "new_chat_member": {
                "user": {"id": 424242, "is_bot": True, "first_name": "Lapor IKM"},
                "status": status,
                **({"until_date": 0} if status == "kicked" else {}),
            },
        },
    }


def group_update(chat_id: int, user_id: int, text: str) -> dict[str, Any]:
    """A message in a group the bot is in."""
    return {
        "update_id": next(_ids),
        "message": {
            "message_id": next(_message_ids),
            "from": user(user_id),
            "chat": {"id": chat_id, "title": "Sentra Keripik", "type": "supergroup"},
            "date": 1764045000,
            "text": text,
        },
    }


def document_update(
    user_id: int,
    file_id: str,
    mime_type: str = "application/pdf",
    file_name: str = "dokumen.pdf",
    caption: str | None = None,
) -> dict[str, Any]:
    """A file sent as a document (a PDF print-out, or a photo sent "as a file")."""
    document = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": file_name, "mime_type": mime_type}
    content: dict[str, Any] = {"document": document}
    if caption:
        content["caption"] = caption
    return message_update(user_id, **content)
