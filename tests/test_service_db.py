"""A whole registration through the database-backed service, checked in the stored rows (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import date

from sqlmodel import Session, select

from bot.service import ConversationService
from bot.storage.db import make_engine
from bot.storage.models import (
    AuditLog,
    Business,
    ChannelAccount,
    ChatSession,
    ConsentRecord,
    Need,
    Owner,
    Permit,
    Product,
)
from bot.storage.regions import DEMO_REGION_FILES, load_region_files
from bot.store import link_account
from conversations import Inbound
from tests.dialog import ServiceChat
from tests.pg import lock_waits
from tests.servers import wait_until

REGISTRATION = [
    "halo",
    "1",  # setuju
    "sri wahyuni",
    "0812-3456-7890",
    "Keripik Pisang Bu Sri",
    "kec. metro pusat",
    "yosomulyo",
    "keripik",
    "tiga",
    "2,5 juta",
    "iya",
    "Sentra Keripik Yosomulyo",
    "Keripik pisang balado",  # a food business: the product is food, no category question
    "3",  # berlabel
    "gak",  # no other product
    "sdh",  # NIB
    "NIB : 0220 0098 61929",
    "sudah",  # P-IRT
    "P-IRT No. 2113.2120.10651-29",
    "lg diurus",  # halal
    "bulan depan",  # expected 25 December 2026
    "tidak perlu",  # BPOM
    "blm",  # merek
    "1,3",  # kemasan, modal
]


def register(service: ConversationService, user: str = "1") -> ServiceChat:
    """Run the standard registration for one console user."""
    chat = ServiceChat(service, user=user)
    for line in REGISTRATION:
        chat.send(line)
    return chat


def test_full_registration_is_stored(engine, settings, clock) -> None:
    service = ConversationService(engine, settings, clock=clock)
    register(service)
    with Session(engine) as db:
        owner = db.exec(select(Owner)).one()
        assert owner.name == "Sri Wahyuni"
        assert owner.phone == "+6281234567890"
        assert owner.consent_status == "given" and owner.consent_at is not None
        assert owner.registered_at is not None and owner.last_report_at is not None
        consent = db.exec(select(ConsentRecord)).one()
        assert consent.action == "given" and consent.text_version and len(consent.text_sha256) == 64
        business = db.exec(select(Business)).one()
        assert business.name == "Keripik Pisang Bu Sri"
        assert business.kecamatan_code == "18.72.01" and business.kelurahan_code == "18.72.01.1005"
        assert business.commodity == "makanan"
        assert business.workers == 3
        assert business.monthly_revenue == 2_500_000 and business.size == "mikro"
        assert business.in_sentra and business.sentra == "Sentra Keripik Yosomulyo"
        product = db.exec(select(Product)).one()
        assert (product.name, product.category, product.packaging) == ("Keripik pisang balado", "makanan", "berlabel")
        permits = {(p.type, p.product_key): p for p in db.exec(select(Permit)).all()}
        assert permits[("nib", "")].status == "terbit" and permits[("nib", "")].number == "0220009861929"
        pirt = permits[("pirt", product.key)]
        assert (pirt.status, pirt.number, pirt.expiry_year) == ("terbit", "2113212010651-29", 2029)
        halal = permits[("halal", product.key)]
        assert (halal.status, halal.expected_on) == ("diurus", date(2026, 12, 25))
        assert permits[("bpom", product.key)].status == "tidak_perlu"
        assert permits[("merek", "")].status == "belum"
        assert all(p.reported_via == "console" for p in permits.values())
        assert sorted(n.kind for n in db.exec(select(Need)).all()) == ["kemasan", "modal"]
        actions = [a.action for a in db.exec(select(AuditLog)).all()]
        assert "consent_given" in actions and "report_submitted" in actions


def test_state_survives_a_new_process(engine, settings, clock) -> None:
    first = ServiceChat(ConversationService(engine, settings, clock=clock))
    for line in REGISTRATION[:5]:
        first.send(line)
    # A new service object stands for a restarted process: only the database carries the state.
    clock.advance(minutes=5)
    second = ServiceChat(ConversationService(engine, settings, clock=clock))
    second.send("metro pusat")
    with Session(engine) as db:
        assert db.exec(select(Business)).one().kecamatan_code == "18.72.01"
        state = db.exec(select(ChatSession)).one().state
        assert state["queue"][0] == "biz.area|kelurahan"


def test_refusal_stores_only_the_refusal(engine, settings, clock) -> None:
    chat = ServiceChat(ConversationService(engine, settings, clock=clock))
    chat.send("halo")
    chat.send("2")  # tidak setuju
    chat.send("Nama saya Budi, HP 081234567890")
    with Session(engine) as db:
        owner = db.exec(select(Owner)).one()
        assert owner.consent_status == "refused"
        assert owner.name is None and owner.phone is None
        assert db.exec(select(Business)).first() is None
        assert [c.action for c in db.exec(select(ConsentRecord)).all()] == ["refused"]


def test_delete_keeps_anonymous_counts_only(engine, settings, clock) -> None:
    service = ConversationService(engine, settings, clock=clock)
    chat = register(service)
    chat.send("hapus")
    chat.send("1")  # ya, hapus
    with Session(engine) as db:
        owner = db.exec(select(Owner)).one()
        assert owner.name is None and owner.phone is None and owner.deleted_at is not None
        business = db.exec(select(Business)).one()
        assert business.name is None and business.sentra is None
        assert business.kecamatan_code == "18.72.01" and business.commodity == "makanan"
        assert all(p.number is None for p in db.exec(select(Permit)).all())
        assert {p.status for p in db.exec(select(Permit)).all()} >= {"terbit", "belum"}
        assert db.exec(select(ChannelAccount)).first() is None
        assert db.exec(select(ChatSession)).first() is None
        assert "data_deleted" in [a.action for a in db.exec(select(AuditLog)).all()]
    # Writing again starts from scratch, as a new person.
    reply = chat.send("halo")
    with Session(engine) as db:
        assert len(db.exec(select(Owner)).all()) == 2
    assert "UU" in reply or "27" in reply


def test_withdrawal_is_immediate(engine, settings, clock) -> None:
    chat = register(ConversationService(engine, settings, clock=clock))
    chat.send("berhenti")
    with Session(engine) as db:
        owner = db.exec(select(Owner)).one()
        assert owner.consent_status == "withdrawn" and owner.withdrawn_at is not None
        assert [c.action for c in db.exec(select(ConsentRecord)).all()] == ["given", "withdrawn"]
        assert owner.name == "Sri Wahyuni"  # withdrawal stops processing; deletion is a separate request
    chat.send("Keripik saya sudah punya halal")
    with Session(engine) as db:
        assert db.exec(select(Permit).where(Permit.type == "halal")).one().status == "diurus"


def test_a_step_waiting_for_the_owners_other_channel_sees_its_answer(pg_url, settings, clock) -> None:
    """Two channels of one owner answer at the same moment: the second step waits for the first and goes on from
    the state it stored (a step that read the state while waiting would ask the first question again)."""
    engine = make_engine(pg_url)
    with Session(engine) as db:
        load_region_files(db, DEMO_REGION_FILES)
    service = ConversationService(engine, settings, clock=clock)
    telegram = ServiceChat(service, user="1")
    for line in REGISTRATION[:2]:
        telegram.send(line)  # consent given: the bot asks for the name
    with Session(engine) as db:
        owner = db.exec(select(Owner)).one()
        link_account(db, "whatsapp", "6281234567890", owner)
        db.commit()
    whatsapp = ServiceChat(service, user="6281234567890", platform="whatsapp")
    replies: list[str] = []
    with Session(engine, expire_on_commit=False) as db:
        service.handle_in(db, "console", "1", Inbound.text_message("Sri Wahyuni", channel="console"))  # not committed
        second = threading.Thread(target=lambda: replies.append(whatsapp.send("0812-3456-7890")))
        second.start()
        wait_until(lambda: lock_waits(engine), what="the second step to wait for the first")
        db.commit()
    second.join(timeout=30)
    assert replies and "nama usaha" in replies[0].lower()
    with Session(engine) as db:
        owner = db.exec(select(Owner)).one()
        assert (owner.name, owner.phone) == ("Sri Wahyuni", "+6281234567890")
        assert db.exec(select(ChatSession)).one().state["queue"][0].startswith("biz.name")
    engine.dispose()
