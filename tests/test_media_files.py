"""Owners' photo copies in the media folder: gone when the owner deletes their data, swept when no row uses them."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, select, update

from bot.messaging.adapters import Interpretation, reply_payloads
from bot.messaging.inbox import InboxWorker, store_event
from bot.service import ConversationService
from bot.storage.media import KEEP_UNUSED, forget_media, keep_console_file, keep_media, sweep_media
from bot.storage.models import InboxEvent, OutboxMessage, Permit, Product
from conversations import Inbound, InboundKind, Reply
from conversations.events import PermitReading
from tests.test_service_db import register

JPEG = b"\xff\xd8\xff\xe0" + b"certificate" * 20
PDF = b"%PDF-1.4\n" + b"nib" * 20


class TypedLines:
    """A channel whose stored events are typed lines (the inbox's view of an adapter, without a platform)."""

    platform = "console"
    messaging_window = False

    def interpret(self, payload: dict[str, Any]) -> Interpretation:
        inbound = Inbound.text_message(payload["text"])
        return Interpretation(chat_id=payload["chat_id"], user_id=payload["chat_id"], inbound=inbound)

    def render(self, replies: list[Reply], interpretation: Interpretation) -> list[dict[str, Any]]:
        return reply_payloads(replies, 4096)


def _aged(path: Path, days: float) -> Path:
    """Make a file look `days` old."""
    stamp = path.stat().st_mtime - days * 86400
    os.utime(path, (stamp, stamp))
    return path


def test_deleting_ones_data_deletes_the_photos_kept_of_it(engine, settings, clock, tmp_path) -> None:
    media = Path(settings.media_dir)
    service = ConversationService(engine, settings, clock=clock)
    chat = register(service)
    source = tmp_path / "nib.jpg"
    source.write_bytes(JPEG)
    kept = keep_console_file(media, source)
    other = keep_media(media, "telegram", "AgACsomeoneElse", JPEG)  # another owner's photo stays
    chat.send("menu")
    reply = chat.send_inbound(
        Inbound(
            kind=InboundKind.PHOTO,
            media_ref=f"file:{kept.resolve()}",
            reading=PermitReading(read=True, page="nib", numbers=(("nib", "0220009861929"),)),
        )
    )
    assert "0220 0098 61929" in reply  # the same number as stored: kept as its proof at once
    with Session(engine) as db:
        assert db.exec(select(Permit).where(Permit.type == "nib")).one().evidence_photo == f"file:{kept.resolve()}"
    chat.send("hapus")
    chat.send("1")  # ya, hapus
    assert not kept.exists() and other.exists()
    with Session(engine) as db:
        assert db.exec(select(Permit).where(Permit.type == "nib")).one().evidence_photo is None


def test_the_inbox_deletes_the_copies_after_the_deletion_is_committed(engine, settings, clock) -> None:
    media = Path(settings.media_dir)
    service = ConversationService(engine, settings, clock=clock)
    register(service, user="77")
    photo = keep_media(media, "console", "photo-of-the-product", JPEG)
    with Session(engine) as db:
        product = db.exec(select(Product)).one()
        product.photo = "file:" + str(photo.resolve())
        db.add(product)
        db.commit()
    forgotten: list[tuple[str, ...]] = []

    def forget(refs: tuple[str, ...]) -> int:
        forgotten.append(refs)
        return forget_media(media, refs)

    worker = InboxWorker(engine, service, {"console": TypedLines()}, clock, media_forgetter=forget)
    for number, text in enumerate(["hapus", "1"]):
        payload = {"chat_id": "77", "text": text}
        assert store_event(engine, "console", f"e{number}", "77", payload, clock())
        assert worker.process_next("console", "77") == "done"
    assert forgotten == [(f"file:{photo.resolve()}",)] and not photo.exists()


def test_the_sweep_deletes_only_old_copies_no_row_uses(engine, settings, clock) -> None:
    media = Path(settings.media_dir)
    service = ConversationService(engine, settings, clock=clock)
    register(service)
    used = _aged(keep_media(media, "whatsapp", "1479537139650973", JPEG), 90)
    unused_old = _aged(keep_media(media, "telegram", "AgACnotKept", JPEG), KEEP_UNUSED.days + 1)
    unused_pdf = _aged(keep_media(media, "console", "a-pdf", PDF), KEEP_UNUSED.days + 1)
    unused_new = keep_media(media, "telegram", "AgACjustNow", JPEG)
    chart = _aged(keep_media(media, "charts", "rekap", JPEG), 90)  # not an owner's photo
    with Session(engine) as db:
        permit = db.exec(select(Permit).where(Permit.type == "nib")).one()
        permit.evidence_photo = "whatsapp:1479537139650973"
        db.add(permit)
        db.commit()
    assert sweep_media(engine, media) == 2
    assert used.exists() and unused_new.exists() and chart.exists()
    assert not unused_old.exists() and not unused_pdf.exists()
    later = datetime.now(UTC) + timedelta(days=KEEP_UNUSED.days + 1)
    assert sweep_media(engine, media, later) == 1  # now the young one too
    assert used.exists() and not unused_new.exists()


def test_a_console_photo_is_kept_once_by_its_content(settings, tmp_path) -> None:
    media = Path(settings.media_dir)
    source = tmp_path / "scan.pdf"
    source.write_bytes(PDF)
    first = keep_console_file(media, source)
    assert first.suffix == ".pdf" and first.parent == media / "console" and first.read_bytes() == PDF
    assert keep_console_file(media, source) == first and len(list((media / "console").iterdir())) == 1


def test_deleting_ones_data_empties_the_stored_messages_both_ways(engine, settings, clock) -> None:
    """The inbox keeps each message the owner sent and each one sent to them: after "hapus" their texts are gone (the
    rows stay, so a message the platform delivers again is still known), but the answer still on its way is sent."""
    service = ConversationService(engine, settings, clock=clock)
    register(service, user="77")
    worker = InboxWorker(engine, service, {"console": TypedLines()}, clock)

    def say(key: str, text: str) -> None:
        assert store_event(engine, "console", key, "77", {"chat_id": "77", "text": text}, clock())
        assert worker.process_next("console", "77") == "done"

    say("e0", "data saya")  # the answer repeats the owner's name
    with Session(engine) as db:
        db.exec(update(OutboxMessage).values(status="sent", sent_at=clock()))  # as the sender would
        db.commit()
        assert "Sri Wahyuni" in json.dumps([m.payload for m in db.exec(select(OutboxMessage)).all()])
    say("e1", "hapus")
    say("e2", "1")  # ya, hapus
    with Session(engine) as db:
        events = db.exec(select(InboxEvent).order_by(InboxEvent.id)).all()  # type: ignore[arg-type]
        assert [(e.event_key, e.payload) for e in events] == [("e0", {}), ("e1", {}), ("e2", {})]
        sent = db.exec(select(OutboxMessage).where(OutboxMessage.status == "sent")).all()
        assert sent and all(m.payload == {} for m in sent)
        on_its_way = db.exec(select(OutboxMessage).where(OutboxMessage.status == "queued")).all()
        assert on_its_way and all(m.payload for m in on_its_way)  # "your data is deleted" is still sent
    assert not store_event(engine, "console", "e0", "77", {"chat_id": "77", "text": "data saya"}, clock())
