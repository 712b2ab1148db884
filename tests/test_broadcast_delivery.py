"""A broadcast delivered through the fake Telegram and WhatsApp servers, with per-recipient statuses."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from bot.officers.broadcasts import create_broadcast, progress
from bot.storage.models import OutboxMessage
from bot.storage.segments import Segment
from tests.fakes import whatsapp as wa
from tests.fakes.telegram import FakeTelegram
from tests.seed import NOW, seed_owner
from tests.servers import wait_until
from tests.telegram_harness import running_app, settled
from tests.test_whatsapp import WhatsAppClient, both_channels


def test_broadcast_reaches_both_platforms_and_reports_statuses(lite_engine, sqlite_url: str, tmp_path: Path) -> None:
    with Session(lite_engine) as db:
        seed_owner(db, "Sri", "18.72.01", platform="telegram", external_id="5001")
        seed_owner(db, "Budi", "18.72.01", platform="telegram", external_id="5002")
        seed_owner(db, "Dewi", "18.72.01", platform="whatsapp", external_id="6281200000001")
        seed_owner(db, "Eko", "18.72.01", platform="whatsapp", external_id="6281200000002")
        db.commit()
    telegram = FakeTelegram()
    telegram.forbidden.add("5002")  # Budi blocked the bot
    cloud = wa.FakeCloudAPI()
    with telegram.serve() as tg_server, cloud.serve() as wa_server:
        cloud.url = wa_server.url
        settings = both_channels(cloud.url, tg_server.url, telegram.token, sqlite_url, tmp_path)
        with running_app(settings, lite_engine) as server:
            with Session(lite_engine) as db:
                # Eko wrote recently (the window is open); Dewi never did: no template configured, so she waits.
                from bot.storage.models import ChannelAccount

                eko = db.exec(select(ChannelAccount).where(ChannelAccount.external_id == "6281200000002")).one()
                eko.last_inbound_at = NOW.replace(year=2100)
                db.add(eko)
                broadcast = create_broadcast(
                    db, None, "Dinas Kota Metro", "Pelatihan halal gratis.", Segment(), None, NOW, NOW
                )
                broadcast_id = broadcast.id
                db.commit()
            client = WhatsAppClient(server.url, lite_engine, cloud)
            client.post(wa.status("wamid.none", "read", "6281200000002"))  # any event wakes the sender
            wait_until(lambda: settled(lite_engine), timeout=20, what="the broadcast to settle")
            with Session(lite_engine) as db:
                eko_message = db.exec(
                    select(OutboxMessage).where(
                        OutboxMessage.chat_id == "6281200000002", OutboxMessage.broadcast_id == broadcast_id
                    )
                ).one()
            client.post(wa.status(eko_message.platform_message_id, "delivered", "6281200000002"))
            wait_until(lambda: settled(lite_engine), what="the receipt")
            with Session(lite_engine) as db:
                counts = progress(db, broadcast_id)
    assert counts == {"sent": 1, "blocked": 1, "waiting": 1, "delivered": 1}
    assert any("Pelatihan halal gratis" in t for t in telegram.texts("5001"))
    assert any("Pelatihan halal gratis" in t for t in cloud.texts("6281200000002"))
    assert cloud.texts("6281200000001") == []


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_photo_broadcast_is_uploaded_once_per_platform(lite_engine, sqlite_url: str, tmp_path: Path) -> None:
    picture = tmp_path / "poster.png"
    picture.write_bytes(PNG)
    with Session(lite_engine) as db:
        seed_owner(db, "Sri", "18.72.01", platform="telegram", external_id="5001")
        seed_owner(db, "Tono", "18.72.01", platform="telegram", external_id="5002")
        for index in range(2):
            owner = seed_owner(db, f"W{index}", "18.72.01", platform="whatsapp", external_id=f"62812000000{index}")
            from bot.storage.models import ChannelAccount

            account = db.exec(select(ChannelAccount).where(ChannelAccount.owner_id == owner.id)).one()
            account.last_inbound_at = NOW.replace(year=2100)  # inside the 24-hour window
            db.add(account)
        db.commit()
    telegram = FakeTelegram()
    cloud = wa.FakeCloudAPI()
    with telegram.serve() as tg_server, cloud.serve() as wa_server:
        cloud.url = wa_server.url
        settings = both_channels(cloud.url, tg_server.url, telegram.token, sqlite_url, tmp_path)
        with running_app(settings, lite_engine) as server:
            with Session(lite_engine) as db:
                create_broadcast(
                    db, None, "Dinas", "Poster pameran UMKM.", Segment(), None, NOW, NOW, photo=f"file:{picture}"
                )
                db.commit()
            WhatsAppClient(server.url, lite_engine, cloud).post(wa.status("wamid.none", "read", "628120000000"))
            wait_until(lambda: settled(lite_engine), timeout=20, what="the photo broadcast")
    assert telegram.uploads == [PNG]  # uploaded once, then sent by file_id
    photos = sorted(str(c.params["photo"]) for c in telegram.calls if c.method == "sendPhoto")
    assert photos[0] == "AgACposter" and photos[1].startswith("upload:")
    assert cloud.uploads == [PNG]  # uploaded once, used for both WhatsApp recipients
    images = [b for b in cloud.delivered() if b["type"] == "image"]
    assert len(images) == 2 and {b["image"]["id"] for b in images} == {"media-1"}
    assert "Poster pameran UMKM" in images[0]["image"]["caption"]
