"""Officers: segments, rekap, follow-up lists, broadcasts, scopes, and the officer conversation in the bot."""

from __future__ import annotations

import re
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from bot.officers.accounts import authenticate, create_officer, issue_link_code, update_officer
from bot.officers.broadcasts import (
    cancel_broadcast,
    create_broadcast,
    current_status,
    preview,
    progress,
    resend_failed,
)
from bot.officers.rekap import lacking, rekap
from bot.officers.sessions import end_session, find_session, open_session
from bot.service import ConversationService
from bot.storage.models import (
    AuditLog,
    Broadcast,
    ChannelAccount,
    OfficerAccount,
    OfficerSession,
    OutboxMessage,
    Permit,
    Training,
)
from bot.storage.segments import Segment, segment_count
from conversations import Inbound
from tests.dialog import rendered
from tests.seed import NOW, seed_owner

METRO_PUSAT, METRO_BARAT, SELEBAR = "18.72.01", "18.72.03", "17.71.01"


@pytest.fixture
def seeded(engine):
    with Session(engine) as db:
        seed_owner(db, "Sri", METRO_PUSAT, nib="terbit", pirt="terbit", needs=("kemasan",), sentra="Sentra Keripik")
        seed_owner(db, "Budi", METRO_PUSAT, nib="belum", pirt="diurus", needs=("modal", "kemasan"))
        seed_owner(db, "Ani", METRO_PUSAT, nib=None, pirt=None, commodity="kerajinan")  # NIB never reported
        seed_owner(
            db, "Dewi", METRO_BARAT, nib="diurus", pirt="belum", platform="whatsapp", external_id="6281200000001"
        )
        seed_owner(db, "Eko", SELEBAR, nib="belum", commodity="batik_tenun", needs=("pemasaran",))
        db.commit()
    return engine


@pytest.mark.parametrize(
    ("segment", "expected"),
    [
        (Segment(), 5),
        (Segment(kecamatan=(METRO_PUSAT,)), 3),
        (Segment(kecamatan=(METRO_PUSAT, METRO_BARAT)), 4),
        (Segment(commodity=("makanan",)), 3),
        (Segment(permits=("nib:belum",)), 3),  # Budi, Eko, and Ani who never reported
        (Segment(permits=("nib:diurus",)), 1),
        (Segment(permits=("pirt:belum",)), 1),  # Dewi; Ani has no food product
        (Segment(permits=("pirt:terbit",)), 1),
        (Segment(needs=("kemasan",)), 2),
        (Segment(sentra="keripik"), 1),
        (Segment(kecamatan=(METRO_PUSAT,), permits=("nib:belum",), needs=("modal",)), 1),
    ],
)
def test_segment_counts(seeded, segment: Segment, expected: int) -> None:
    with Session(seeded) as db:
        assert segment_count(db, segment) == expected


def test_segment_of_p_irt_ending_this_year(seeded) -> None:
    from datetime import date

    with Session(seeded) as db:
        permit = db.exec(select(Permit).where(Permit.type == "pirt", Permit.status == "terbit")).one()
        assert segment_count(db, Segment(permits=("pirt:habis",))) == 0
        permit.expiry_year = date.today().year
        db.add(permit)
        db.commit()
        assert segment_count(db, Segment(permits=("pirt:habis",))) == 1


def test_rekap_per_kecamatan_and_scope(seeded) -> None:
    with Session(seeded) as db:
        table = rekap(db, "kecamatan")
        rows = {r.label: r for r in table.rows}
        assert rows["Metro Pusat"].businesses == 3
        assert rows["Metro Pusat"].permits["nib"] == {"have": 1, "processing": 0, "lack": 2, "not_needed": 0}
        # Ani makes kerajinan: she does not need a P-IRT, and is not counted as having one either.
        assert rows["Metro Pusat"].permits["pirt"] == {"have": 1, "processing": 1, "lack": 0, "not_needed": 1}
        assert rows["Metro Barat"].permits["pirt"] == {"have": 0, "processing": 0, "lack": 1, "not_needed": 0}
        assert table.total.businesses == 5 and table.needs == {"kemasan": 2, "modal": 1, "pemasaran": 1}
        scoped = rekap(db, "kecamatan", scope=(METRO_BARAT,))
        assert [r.label for r in scoped.rows] == ["Metro Barat"] and scoped.total.businesses == 1
        by_commodity = {r.key: r.businesses for r in rekap(db, "commodity").rows}
        assert by_commodity == {"batik_tenun": 1, "kerajinan": 1, "makanan": 3}


def test_follow_up_list_of_who_lacks_nib_respects_scope(seeded) -> None:
    with Session(seeded) as db:
        everyone = {row.owner_name for row in lacking(db, "nib", None)}
        assert everyone == {"Budi", "Ani", "Eko"}
        scoped = {row.owner_name for row in lacking(db, "nib", (METRO_PUSAT,))}
        assert scoped == {"Budi", "Ani"}


def test_broadcast_rows_cancel_and_resend(seeded) -> None:
    with Session(seeded) as db:
        audience = preview(db, Segment(permits=("nib:belum",)), None)
        count, sample = audience.reachable, audience.sample
        assert count == 3 and len(sample) == 3
        broadcast = create_broadcast(
            db,
            None,
            "Dinas Kota Metro",
            "Jemput bola NIB di kantor kecamatan Senin depan.",
            Segment(permits=("nib:belum",)),
            None,
            NOW,
            NOW,
        )
        db.commit()
        rows = db.exec(select(OutboxMessage).where(OutboxMessage.broadcast_id == broadcast.id)).all()
        assert broadcast.recipients == 3 and len(rows) == 3
        assert all("Jemput bola NIB" in r.payload["text"] and "BERHENTI" in r.payload["text"] for r in rows)
        assert all(r.kind == "broadcast" and r.payload["purpose"] == "broadcast" for r in rows)
        rows[0].status = "failed"
        db.add(rows[0])
        db.commit()
        assert resend_failed(db, broadcast.id, "test", NOW) == 1
        assert cancel_broadcast(db, broadcast.id, "test", NOW) == 3
        db.commit()
        assert progress(db, broadcast.id) == {"cancelled": 3}
        actions = [a.action for a in db.exec(select(AuditLog)).all()]
        assert {"broadcast_created", "broadcast_resent", "broadcast_cancelled"} <= set(actions)


def test_scoped_officer_broadcast_reaches_only_their_kecamatan(seeded) -> None:
    with Session(seeded) as db:
        broadcast = create_broadcast(db, None, "Dinas", "Info kemasan", Segment(), (METRO_BARAT,), NOW, NOW)
        db.commit()
        chats = [r.chat_id for r in db.exec(select(OutboxMessage).where(OutboxMessage.broadcast_id == broadcast.id))]
    assert chats == ["6281200000001"]


def test_password_login_and_lockout(engine) -> None:
    office, elsewhere = "10.0.0.5", "203.0.113.9"
    with Session(engine) as db:
        create_officer(db, "rina", "Rina Petugas", "officer", [METRO_PUSAT], "sandi-yang-panjang", "test", NOW)
        db.commit()
        assert authenticate(db, "rina", "sandi-yang-panjang", office, NOW) is not None
        for _ in range(5):
            assert authenticate(db, "rina", "salah", elsewhere, NOW) is None
        db.commit()
        # Locked for 15 minutes from the address that guessed; the officer's own office still gets in.
        assert authenticate(db, "rina", "sandi-yang-panjang", elsewhere, NOW) is None
        assert authenticate(db, "rina", "sandi-yang-panjang", office, NOW) is not None
        # Guesses while locked do not prolong the lock.
        assert authenticate(db, "rina", "salah", elsewhere, NOW + timedelta(minutes=10)) is None
        assert authenticate(db, "rina", "sandi-yang-panjang", elsewhere, NOW + timedelta(minutes=16)) is not None
        assert authenticate(db, "nobody", "x", office, NOW) is None


def test_one_address_guessing_many_usernames_is_locked_after_twenty(engine) -> None:
    with Session(engine) as db:
        create_officer(db, "rina", "Rina Petugas", "officer", [METRO_PUSAT], "sandi-yang-panjang", "test", NOW)
        db.commit()
        for n in range(20):
            assert authenticate(db, f"user{n}", "salah", "198.51.100.7", NOW) is None
        db.commit()
        assert authenticate(db, "rina", "sandi-yang-panjang", "198.51.100.7", NOW) is None
        assert authenticate(db, "rina", "sandi-yang-panjang", "198.51.100.8", NOW) is not None


class OfficerChat:
    def __init__(self, engine, settings, user: str) -> None:
        self.service = ConversationService(engine, settings, clock=lambda: NOW)
        self.user = user

    def send(self, text: str) -> str:
        return rendered(self.service.handle("telegram", self.user, Inbound.text_message(text, channel="telegram")))


def _officer(engine, role: str, scope: list[str] | None) -> str:
    with Session(engine) as db:
        officer = create_officer(db, f"u{role}", f"Petugas {role}", role, scope, None, "test", NOW)
        code = issue_link_code(db, officer, NOW)
        db.commit()
    return code


def test_officer_links_and_creates_a_training_from_the_bot(seeded, settings) -> None:
    code = _officer(seeded, "officer", [METRO_PUSAT])
    owner = OfficerChat(seeded, settings, "555")
    assert "tidak berlaku" in owner.send("PETUGAS WRONGCODE")
    chat = OfficerChat(seeded, settings, "777")
    assert "Tersambung" in chat.send(f"petugas {code}")
    assert "Menu petugas" in chat.send("menu")
    rekap_reply = chat.send("1")
    assert "REKAP per kecamatan" in rekap_reply and "Metro Pusat: 3 usaha" in rekap_reply
    chart = re.search(r"\[gambar: ([^\]]+\.png)\]", rekap_reply)
    assert chart and Path(chart.group(1)).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Metro Barat" not in rekap_reply  # outside this officer's scope
    chat.send("3")  # who lacks a permit
    chat.send("NIB")
    listing = chat.send("1")
    assert "Belum punya NIB: 2 usaha" in listing and "Budi" in listing and "Eko" not in listing
    chat.send("5")  # create a training
    for line in ["Pelatihan Kemasan Modern", "10 Desember 2026", "09.30", "Aula Dinas", "20"]:
        chat.send(line)
    chat.send("1")  # all my kecamatan
    confirm = chat.send("1")  # all commodities
    assert "3 pelaku usaha akan menerima" in confirm
    assert "undangan masuk antrean" in chat.send("1")
    with Session(seeded) as db:
        training = db.exec(select(Training)).one()
        assert training.title == "Pelatihan Kemasan Modern" and training.capacity == 20
        assert training.segment == {"kecamatan": [METRO_PUSAT]}
        assert db.exec(select(OfficerAccount)).one().external_id == "777"


def test_viewer_cannot_send(seeded, settings) -> None:
    code = _officer(seeded, "viewer", None)
    chat = OfficerChat(seeded, settings, "888")
    chat.send(f"PETUGAS {code}")
    menu = chat.send("menu")
    assert "Kirim pengumuman" not in menu and "Buat pelatihan" not in menu
    assert "pilih dari menu" in chat.send("kirim pengumuman")
    with Session(seeded) as db:
        assert db.exec(select(Broadcast)).first() is None


def test_officer_broadcast_from_the_bot(seeded, settings) -> None:
    code = _officer(seeded, "admin", None)
    chat = OfficerChat(seeded, settings, "999")
    chat.send(f"PETUGAS {code}")
    chat.send("menu")
    chat.send("4")
    chat.send("Pendaftaran sertifikat halal gratis dibuka sampai akhir bulan.")
    chat.send("1")  # all kecamatan
    chat.send("makanan")
    confirm = chat.send("Semua")
    assert "3 pelaku usaha akan menerima" in confirm
    assert "antrean" in chat.send("kirim sekarang")
    with Session(seeded) as db:
        broadcast = db.exec(select(Broadcast)).one()
        assert broadcast.recipients == 3 and broadcast.segment == {"commodity": ["makanan"]}


def test_change_over_time_counts_registrations_and_issued_permits_per_month(seeded) -> None:
    from datetime import timedelta

    from bot.officers.rekap import trend

    with Session(seeded) as db:
        months = trend(db, NOW + timedelta(days=40))  # early January 2027: December and November are shown
        by_month = {m.month: m for m in months}
        assert by_month["2026-11"].registered == 5
        assert by_month["2026-11"].issued["nib"] == 1 and by_month["2026-11"].issued["pirt"] == 1
        assert by_month["2027-01"].registered == 0 and len(months) == 6
        scoped = {m.month: m for m in trend(db, NOW, (METRO_BARAT,))}
        assert scoped["2026-11"].registered == 1 and scoped["2026-11"].issued["nib"] == 0


def test_a_broadcast_goes_to_each_owners_most_recent_open_account(engine) -> None:
    from datetime import timedelta

    from bot.storage.models import ChannelAccount

    with Session(engine) as db:
        both = seed_owner(db, "Dua Akun", "18.72.01", platform="telegram", external_id="7001")
        db.add(ChannelAccount(platform="whatsapp", external_id="628127000001", owner_id=both.id, last_inbound_at=NOW))
        moved = seed_owner(db, "Pindah", "18.72.01", platform="telegram", external_id="7002")
        db.add(ChannelAccount(platform="whatsapp", external_id="628127000002", owner_id=moved.id))
        telegram = db.exec(select(ChannelAccount).where(ChannelAccount.external_id == "7002")).one()
        telegram.blocked, telegram.last_inbound_at = True, NOW + timedelta(days=1)  # blocked us: not this one
        gone = seed_owner(db, "Blokir", "18.72.01", platform="telegram", external_id="7003")
        db.exec(select(ChannelAccount).where(ChannelAccount.owner_id == gone.id)).one().blocked = True
        db.commit()
        broadcast = create_broadcast(db, None, "Dinas", "Info", Segment(), None, NOW, NOW)
        db.commit()
        chats = sorted(
            (m.platform, m.chat_id)
            for m in db.exec(select(OutboxMessage).where(OutboxMessage.broadcast_id == broadcast.id)).all()
        )
    assert chats == [("whatsapp", "628127000001"), ("whatsapp", "628127000002")]
    assert broadcast.recipients == 2


def test_preview_counts_what_is_delivered_and_an_unreachable_audience_ends_done(seeded) -> None:
    with Session(seeded) as db:
        seed_owner(db, "Rudi", SELEBAR, nib="belum", platform="console", external_id="konsol-1")
        blocked = seed_owner(db, "Tini", SELEBAR, nib="belum", external_id="7700")
        account = db.exec(select(ChannelAccount).where(ChannelAccount.owner_id == blocked.id)).one()
        account.blocked = True
        db.add(account)
        db.commit()
        audience = preview(db, Segment(kecamatan=(SELEBAR,)), None)
        assert (audience.owners, audience.reachable, audience.unreachable) == (3, 1, 2)
        broadcast = create_broadcast(db, None, "Dinas", "Info Selebar", Segment((SELEBAR,)), None, NOW, NOW)
        assert broadcast.recipients == audience.reachable == 1
        assert current_status(db, [broadcast], NOW)[broadcast.id] == "sending"
        db.execute(update(OutboxMessage).where(OutboxMessage.broadcast_id == broadcast.id).values(status="sent"))
        assert current_status(db, [broadcast], NOW)[broadcast.id] == "done"
        nobody = Segment(kecamatan=(SELEBAR,), sentra="tidak ada sentra seperti ini")
        empty = create_broadcast(db, None, "Dinas", "Info kosong", nobody, None, NOW, NOW)
        unreachable_only = create_broadcast(
            db, None, "Dinas", "Info konsol", Segment((SELEBAR,), commodity=("makanan",)), None, NOW, NOW
        )
        later = create_broadcast(
            db, None, "Dinas", "Info nanti", Segment((METRO_BARAT,)), None, NOW + timedelta(days=1), NOW
        )
        db.commit()
        states = current_status(db, [empty, unreachable_only, later], NOW)
        assert [states[b.id] for b in (empty, unreachable_only, later)] == ["done", "done", "scheduled"]
        row = db.exec(select(OutboxMessage).where(OutboxMessage.broadcast_id == later.id)).one()
        assert row.not_before.replace(tzinfo=UTC) == NOW + timedelta(days=1)  # stored as UTC on both databases


def test_sessions_are_rows_that_end_on_logout_idle_age_and_access_changes(engine) -> None:
    with Session(engine) as db:
        officer = create_officer(
            db, "rina", "Rina Petugas", "officer", [METRO_PUSAT], "sandi-yang-panjang", "test", NOW
        )
        first, second = open_session(db, officer.id, NOW), open_session(db, officer.id, NOW)
        db.commit()
        assert find_session(db, first, NOW + timedelta(minutes=90)) is not None  # and it is touched
        db.commit()
        assert find_session(db, first, NOW + timedelta(minutes=90 + 119)) is not None  # idle 119 minutes
        assert find_session(db, second, NOW + timedelta(minutes=121)) is None  # idle 121 minutes: ended
        db.commit()
        assert find_session(db, first, NOW + timedelta(hours=12, minutes=1)) is None  # too old, however busy
        third = open_session(db, officer.id, NOW)
        end_session(db, third)
        assert find_session(db, third, NOW) is None
        fourth = open_session(db, officer.id, NOW)
        db.commit()
        assert update_officer(db, officer, "test", NOW, active=False) == 1
        db.commit()
        assert find_session(db, fourth, NOW) is None
        assert db.exec(select(OfficerSession)).all() == []
