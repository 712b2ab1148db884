"""Trainings, reminders and follow-ups on a controllable clock, through the real service, inbox and dispatcher."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from bot.channels.console_adapter import ConsoleAdapter, take_console_messages
from bot.messaging.inbox import InboxWorker
from bot.messaging.sending_window import SendingWindow
from bot.runtime import Runtime
from bot.scheduling.reminders import dispatch_due, latest_fire_time, report_round, request_reports
from bot.scheduling.trainings import TrainingPlan, create_training
from bot.service import ConversationService
from bot.storage.db import make_engine, upgrade
from bot.storage.models import HelpRequest, InboxEvent, Invitation, Owner, Permit, Reminder
from bot.storage.segments import Segment
from tests.conftest import FakeClock
from tests.dialog import rendered
from tests.seed import seed_owner

WIB = "Asia/Jakarta"
WINDOW = SendingWindow()


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


class Town:
    """Owners on the console, the dispatcher and the inbox, all on one clock."""

    def __init__(self, engine, settings, clock: FakeClock) -> None:
        self.engine = engine
        self.clock = clock
        self.service = ConversationService(engine, settings, clock=clock)
        self.worker = InboxWorker(engine, self.service, {"console": ConsoleAdapter()}, clock)

    def say(self, user: str, text: str) -> str:
        from conversations import Inbound

        return rendered(self.service.handle("console", user, Inbound.text_message(text)))

    def register(
        self, user: str, name: str, permits: tuple[str, ...] = ("belum", "belum", "tidak perlu", "belum")
    ) -> None:
        """Register with an NIB and the other permits answered as `permits` (P-IRT, halal, BPOM, merek)."""
        opening = ["halo", "setuju", name, "lewati", f"Usaha {name}", "metro pusat", "yosomulyo", "makanan", "2"]
        products = ["lewati", "tidak", "Keripik", "berlabel", "tidak", "sudah", "0220 0098 61929"]
        for line in [*opening, *products, *permits, "8"]:
            self.say(user, line)

    def tick(self, user: str) -> str:
        """Run the dispatcher and the inbox, and return what the console user receives."""
        dispatch_due(self.engine, self.clock(), WINDOW)
        while self.worker.process_next("console", user) == "done":
            pass
        return rendered(take_console_messages(self.engine, user, self.clock()))

    def owner_id(self, name: str) -> int:
        with Session(self.engine) as db:
            return db.exec(select(Owner.id).where(Owner.name == name)).one()


@pytest.fixture
def town(engine, settings) -> Town:
    return Town(engine, settings, FakeClock(utc(2026, 11, 25, 3)))  # Wednesday 10:00 WIB


def make_training(town: Town, capacity: int | None = None) -> int:
    starts = datetime(2026, 12, 10, 9, 30).replace(tzinfo=__import__("zoneinfo").ZoneInfo(WIB))
    plan = TrainingPlan(
        title="Pelatihan Kemasan Modern",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        place="Aula Dinas Koperasi Kota Metro",
        capacity=capacity,
        description="Membuat kemasan berlabel yang menarik.",
        segment=Segment(kecamatan=("18.72.01",)),
    )
    with Session(town.engine) as db:
        training, invited = create_training(db, plan, "test", town.clock())
        db.commit()
        return training.id


def at(town: Town, moment: datetime) -> None:
    town.clock.offset = moment - datetime.now(UTC)


ALL_DONE = ("sudah", "lewati", "sudah", "lewati", "tidak perlu", "sudah", "lewati")  # no follow-ups pending


def test_training_timeline_invite_rsvp_reminders_attendance(town: Town) -> None:
    town.register("1", "Sri Wahyuni", ALL_DONE)
    training = make_training(town, capacity=30)
    invitation = town.tick("1")
    assert "Undangan pelatihan dari Dinas" in invitation and "Pelatihan Kemasan Modern" in invitation
    assert "Kamis, 10 Desember 2026, 09.30 WIB" in invitation and "Aula Dinas" in invitation
    assert "Ikut" in invitation
    assert "sudah terdaftar" in town.say("1", "1")
    at(town, utc(2026, 12, 7, 1, 30))  # Monday 08:30 WIB: the H-3 reminder (due 09:00) is not due yet
    assert town.tick("1") == ""
    at(town, utc(2026, 12, 7, 2, 5))
    h3 = town.tick("1")
    assert "tinggal beberapa hari lagi" in h3 and "Tetap ikut" in h3
    town.say("1", "tetap ikut")
    at(town, utc(2026, 12, 9, 2, 1))
    assert "Pengingat: pelatihan besok" in town.tick("1")
    town.say("1", "1")
    at(town, utc(2026, 12, 10, 0, 10))  # 07:10 WIB: the morning reminder waits for the window (08:00)
    assert town.tick("1") == ""
    at(town, utc(2026, 12, 10, 1, 1))
    assert "Pengingat: pelatihan hari ini" in town.tick("1")
    town.say("1", "ya")
    at(town, utc(2026, 12, 10, 6, 35))  # an hour after the end
    assert "hadir di pelatihan Pelatihan Kemasan Modern" in town.tick("1")
    assert "Dalam satu kalimat" in town.say("1", "ya")
    assert "Terima kasih atas masukannya" in town.say("1", "Materinya bagus, contoh kemasannya kurang banyak")
    with Session(town.engine) as db:
        invitation_row = db.exec(select(Invitation).where(Invitation.training_id == training)).one()
    assert invitation_row.status == "yes" and invitation_row.attended is True
    assert invitation_row.feedback == "Materinya bagus, contoh kemasannya kurang banyak"
    assert town.tick("1") == ""  # nothing twice


def test_waiting_list_moves_up_when_someone_cancels(town: Town) -> None:
    town.register("1", "Sri Wahyuni", ALL_DONE)
    town.register("2", "Budi Santoso", ALL_DONE)
    training = make_training(town, capacity=1)
    town.tick("1")
    town.tick("2")
    assert "sudah terdaftar" in town.say("1", "ikut")
    assert "daftar tunggu" in town.say("2", "ikut")
    at(town, utc(2026, 12, 7, 2, 5))
    town.tick("1")
    town.say("1", "batal ikut")  # Sri cancels at the H-3 reminder: Budi gets the seat
    promoted = town.tick("2")
    assert "Kabar baik: ada kursi kosong" in promoted
    with Session(town.engine) as db:
        statuses = dict(
            db.exec(select(Owner.name, Invitation.status).join(Invitation, Invitation.owner_id == Owner.id)).all()
        )
    assert statuses == {"Sri Wahyuni": "no", "Budi Santoso": "yes"}
    assert training


def test_permit_follow_up_until_issued_then_renewal_reminders(town: Town) -> None:
    town.register("1", "Sri Wahyuni")  # P-IRT reported "belum": followed up in 14 days
    at(town, utc(2026, 12, 9, 3))
    assert town.tick("1") == "" or "P-IRT" not in town.tick("1")
    at(town, utc(2026, 12, 9, 4))
    followups = town.tick("1")
    assert "Bagaimana kabar pengurusan P-IRT (Keripik)" in followups
    halal = town.say("1", "masih proses")  # P-IRT: asked again in 14 days; then the next one
    assert "Kami akan tanyakan lagi 14 hari lagi" in halal and "pengurusan sertifikat halal" in halal
    assert "pengurusan merek terdaftar" in town.say("1", "jangan ingatkan lagi")
    assert "Menu utama" in town.say("1", "4")
    with Session(town.engine) as db:
        pending = db.exec(
            select(Reminder).where(Reminder.kind == "permit_followup", Reminder.status == "pending")
        ).all()
    assert {r.ref for r in pending} >= {"pirt:p1"}
    at(town, utc(2026, 12, 24, 4))
    town.tick("1")
    assert "nomor P-IRT" in town.say("1", "sudah terbit")
    town.say("1", "P-IRT No. 2113212010651-29")
    with Session(town.engine) as db:
        pirt = db.exec(select(Permit).where(Permit.type == "pirt")).one()
        assert (pirt.status, pirt.number) == ("terbit", "2113212010651-29")
        reminders = db.exec(select(Reminder).where(Reminder.ref.startswith("pirt:p1"))).all()  # type: ignore[attr-defined]
    pending = sorted((r.kind, r.due_at.date().isoformat()) for r in reminders if r.status == "pending")
    assert pending == [("permit_renewal", "2028-07-01"), ("permit_renewal", "2028-12-01")]


def test_asking_for_help_creates_a_request_for_officers(town: Town) -> None:
    town.register("1", "Sri Wahyuni")
    at(town, utc(2026, 12, 9, 4))
    town.tick("1")
    reply = town.say("1", "butuh bantuan")
    assert "petugas Dinas akan menghubungi" in reply
    with Session(town.engine) as db:
        request = db.exec(select(HelpRequest)).first()
    assert request is not None and request.status == "open" and request.topic in ("nib", "pirt", "halal", "merek")


@pytest.mark.parametrize(
    ("due", "zone", "expected"),
    [
        (utc(2026, 11, 27, 4, 45), WIB, utc(2026, 11, 27, 6)),  # Friday 11:45 WIB: after Friday prayer, 13:00
        (utc(2026, 11, 25, 14), WIB, utc(2026, 11, 26, 1)),  # 21:00 WIB: the next morning 08:00
        (utc(2026, 12, 24, 14), WIB, utc(2026, 12, 26, 1)),  # the evening before Christmas: 26 December 08:00
        (utc(2026, 8, 17, 3), WIB, utc(2026, 8, 18, 1)),  # Independence Day
        (utc(2026, 11, 25, 23, 30), "Asia/Makassar", utc(2026, 11, 26, 0)),  # 07:30 WITA: 08:00 WITA
        (utc(2026, 11, 25, 23, 30), "Asia/Jayapura", utc(2026, 11, 25, 23, 30)),  # 08:30 WIT: open
    ],
)
def test_sending_window(due: datetime, zone: str, expected: datetime) -> None:
    assert WINDOW.next_opening(due, zone) == expected


def test_reminder_outside_the_window_waits_and_is_not_dropped(town: Town) -> None:
    town.register("1", "Sri Wahyuni")
    owner = town.owner_id("Sri Wahyuni")
    with Session(town.engine) as db:
        db.add(Reminder(owner_id=owner, kind="report_request", ref="2027-01", due_at=utc(2026, 11, 27, 4, 40)))
        db.commit()
    at(town, utc(2026, 11, 27, 4, 45))  # Friday 11:45 WIB
    assert "ada perubahan" not in town.tick("1")
    with Session(town.engine) as db:
        row = db.exec(select(Reminder).where(Reminder.kind == "report_request")).one()
    assert row.status == "pending" and row.due_at == utc(2026, 11, 27, 6)
    at(town, utc(2026, 11, 27, 6, 1))
    assert "ada perubahan" in town.tick("1")


def test_after_a_stop_what_fell_due_is_sent_once(town: Town, db_url: str, settings) -> None:
    town.register("1", "Sri Wahyuni")
    at(town, utc(2026, 12, 9, 4))  # follow-ups fell due while "the service was down"
    fresh = Town(make_engine(db_url), settings, town.clock)  # a new process on the same database
    first = fresh.tick("1")
    assert "Bagaimana kabar pengurusan" in first
    assert fresh.tick("1") == "" and town.tick("1") == ""


def test_withdrawn_owners_get_nothing(town: Town) -> None:
    town.register("1", "Sri Wahyuni")
    town.say("1", "berhenti")
    at(town, utc(2026, 12, 9, 4))
    assert town.tick("1") == ""
    with Session(town.engine) as db:
        statuses = {r.status for r in db.exec(select(Reminder)).all()}
    assert "queued" not in statuses and "skipped" in statuses


def test_report_request_with_no_change_counts_as_a_report(town: Town) -> None:
    town.register("1", "Sri Wahyuni", ALL_DONE)
    at(town, utc(2027, 1, 1, 2, 30))  # 1 January 09:30 WIB — a national holiday: the request waits
    fired = latest_fire_time("0 9 1 1,7 *", WIB, town.clock())
    assert fired == datetime(2027, 1, 1, 9, 0, tzinfo=__import__("zoneinfo").ZoneInfo(WIB))
    assert request_reports(town.engine, fired, town.clock()) == 1
    assert request_reports(town.engine, fired, town.clock()) == 0  # one round, once
    assert town.tick("1") == ""
    at(town, utc(2027, 1, 2, 1, 5))
    request = town.tick("1")
    assert "Apakah ada yang berubah sejak laporan terakhir" in request and "Tidak ada perubahan" in request
    assert "laporan Bapak/Ibu sudah diperbarui" in town.say("1", "tidak ada perubahan")
    with Session(town.engine) as db:
        owner = db.exec(select(Owner)).one()
    assert owner.last_report_at > utc(2027, 1, 2, 1)  # "no change" still counts as a fresh report


def test_two_dispatchers_never_queue_a_reminder_twice(pg_url: str) -> None:
    engine = make_engine(pg_url)
    now = utc(2026, 11, 25, 3)
    with Session(engine) as db:
        owner = Owner(consent_status="given", timezone=WIB)
        db.add(owner)
        db.flush()
        from bot.storage.models import ChannelAccount

        db.add(ChannelAccount(platform="telegram", external_id="77", owner_id=owner.id))
        db.add_all(Reminder(owner_id=owner.id, kind="report_request", ref=str(i), due_at=now) for i in range(3000))
        db.commit()
    results = []

    def run() -> None:
        results.append(dispatch_due(engine, now, WINDOW, batch=200))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with Session(engine) as db:
        events = db.exec(select(func.count()).select_from(InboxEvent)).one()
    assert sum(r.queued for r in results) == 3000 == events
    assert all(r.queued > 0 for r in results)  # both did work
    engine.dispose()


def test_follow_up_interval_per_permit_type(engine) -> None:
    from bot.config import Settings

    settings = Settings(_env_file=None, followup_days=14, followup_days_per_permit={"pirt": 21})  # type: ignore[call-arg]
    town = Town(engine, settings, FakeClock(utc(2026, 11, 25, 3)))
    town.register("1", "Sri Wahyuni")  # P-IRT, halal and merek reported "belum"
    with Session(town.engine) as db:
        due = {r.ref: r.due_at for r in db.exec(select(Reminder).where(Reminder.kind == "permit_followup")).all()}
    assert (due["pirt:p1"] - utc(2026, 11, 25, 3)).days == 21
    assert (due["halal:p1"] - utc(2026, 11, 25, 3)).days == 14


def test_a_report_round_due_while_the_database_is_down_is_created_once_it_is_back(tmp_path, settings) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    url = f"sqlite:///{folder / 'lapor.db'}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as db:
        seed_owner(db, "Sri Wahyuni", "18.72.01")
        db.commit()
    runtime = Runtime(settings, engine, clock=FakeClock(utc(2027, 1, 1, 3)))  # 10:00 WIB: the 09:00 round is due

    async def outage_then_dispatches() -> None:
        folder.rename(tmp_path / "gone")  # the database cannot be opened: as when its server is down
        engine.dispose()
        await runtime.request_reports()  # the round's time comes now: it cannot be written, and must not be lost
        (tmp_path / "gone").rename(folder)
        await runtime.dispatch_reminders()  # the next dispatch (every 30 s) writes it
        await runtime.dispatch_reminders()
        await runtime.stop()

    asyncio.run(outage_then_dispatches())
    with Session(engine) as db:
        asked = db.exec(select(Reminder).where(Reminder.kind == "report_request")).all()
    assert [reminder.ref for reminder in asked] == [report_round(utc(2027, 1, 1, 2))]
