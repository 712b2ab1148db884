"""A dashboard with something on every page: owners registered through the conversation (products, permits, needs,
history), trainings with every kind of answer, broadcasts in every state, help requests, audit entries, and officers of
every role. Shared by the page-by-page checks (words and layout)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.config import Settings
from bot.officers.accounts import create_officer
from bot.officers.broadcasts import cancel_broadcast, create_broadcast
from bot.scheduling.trainings import TrainingPlan, create_training
from bot.service import ConversationService
from bot.storage.db import make_engine, upgrade
from bot.storage.models import AuditLog, Broadcast, Business, HelpRequest, Invitation, Need, Owner, Permit
from bot.storage.regions import DEFAULT_REGION_FILES, load_region_files
from bot.storage.segments import Segment
from conversations import Inbound
from tests.seed import NOW, seed_owner
from tests.telegram_harness import running_app

PASSWORD = "kata-sandi-rahasia-1"
METRO_PUSAT, METRO_BARAT = "18.72.01", "18.72.03"
ROLES = {"admin": "admin", "officer": "barat", "viewer": "lihat"}  # role: username
# Two owners tell everything through the chat, as owners do; the rest are rows.
REGISTRATIONS = {
    "Sri Wahyuni": [
        "halo", "setuju", "Sri Wahyuni", "0812 3456 7890", "Keripik Pisang Bu Sri", "metro barat", "mulyojati",
        "makanan", "3", "5 jt", "ya", "Sentra Keripik Yosomulyo", "Keripik pisang", "berlabel", "ya",
        "Sambal roa", "kemasan plastik", "tidak", "sudah", "0220 0098 61929", "belum", "diurus", "lewati",
        "tidak perlu", "sedang diurus", "tidak perlu", "belum", "diurus", "lewati", "belum", "1, 3",
    ],
    "Wayan Batik": [
        "halo", "setuju", "Wayan Batik", "lewati", "Batik Tulis Wayan", "metro barat", "ganjar agung",
        "batik", "2", "lewati", "tidak", "Kain batik tulis", "tanpa kemasan", "tidak", "belum",
        "belum", "2",
    ],
}  # fmt: skip


@dataclass
class Site:
    """The running dashboard and the ids of what is on it."""

    url: str
    businesses: dict[str, int] = field(default_factory=dict)  # owner name: business id
    broadcasts: dict[str, int] = field(default_factory=dict)  # state: broadcast id


def _register(service: ConversationService, user: str, lines: list[str]) -> None:
    for line in lines:
        service.handle("console", user, Inbound.text_message(line, "console"))


def _seed(engine, settings: Settings) -> Site:  # type: ignore[no-untyped-def]
    service = ConversationService(engine, settings)
    for user, (_name, lines) in enumerate(REGISTRATIONS.items(), start=1):
        _register(service, f"web-{user}", lines)
    with Session(engine) as db:
        budi = seed_owner(db, "Budi Santoso", METRO_PUSAT, nib="belum", pirt="diurus", needs=("modal",))
        dewi = seed_owner(db, "Dewi Lestari", METRO_BARAT, commodity="kerajinan", nib="belum", pirt="belum")
        rina = seed_owner(db, "Rina Kusuma", METRO_PUSAT, commodity="minuman", nib="terbit", pirt="tidak_perlu")
        # Names as owners give them (the seed's "Usaha ..." would read as an Indonesian label on an English page).
        for owner, name in ((budi, "Keripik Budi"), (dewi, "Anyaman Dewi"), (rina, "Kopi Rina")):
            business = db.exec(select(Business).where(Business.owner_id == owner.id)).one()
            business.name = name
            db.add(business)
        # Budi: a permit expected soon, reported with a photo, and a need he no longer has.
        budi_business = db.exec(select(Business).where(Business.owner_id == budi.id)).one()
        for permit in db.exec(select(Permit).where(Permit.business_id == budi_business.id)).all():
            if permit.type == "pirt":
                permit.expected_on = (NOW + timedelta(days=40)).date()
                permit.reported_via = "whatsapp"
                db.add(permit)
        db.add(Need(business_id=budi_business.id, kind="kemasan", note="Label halal", status="closed"))
        admin = create_officer(db, "admin", "Admin Dinas", "admin", None, PASSWORD, "test", NOW)
        create_officer(db, "barat", "Petugas Barat", "officer", [METRO_BARAT], PASSWORD, "test", NOW)
        create_officer(db, "lihat", "Pengamat", "viewer", None, PASSWORD, "test", NOW)
        db.commit()
        zone = ZoneInfo("Asia/Jakarta")
        for capacity in (None, 1):
            starts = (NOW + timedelta(days=14)).astimezone(zone).replace(hour=9, minute=0)
            plan = TrainingPlan(
                title="Pelatihan Kemasan" if capacity else "Klinik Halal",
                starts_at=starts,
                ends_at=starts + timedelta(hours=3),
                place="Aula Dinas",
                capacity=capacity,
                description="Membuat kemasan berlabel.",
                segment=Segment(),
            )
            training, _invited = create_training(db, plan, f"officer:{admin.id}", NOW)
            db.commit()
        invitations = db.exec(select(Invitation).order_by(Invitation.id)).all()  # type: ignore[arg-type]
        # Klinik Halal (no seat limit, invited first) gets every plain answer; Pelatihan Kemasan (one seat) is full,
        # so its second "yes" waits on the list.
        answers = ("yes", "maybe", "no", "invited", "yes", "yes", "waitlist")
        for invitation, answer in zip(invitations, answers, strict=False):
            invitation.status = answer
            db.add(invitation)
        owners = db.exec(select(Owner).where(Owner.name.is_not(None))).all()  # type: ignore[union-attr]
        db.add(HelpRequest(owner_id=owners[0].id, topic="pirt", detail="Bagaimana cara mengurus P-IRT?"))
        db.add(HelpRequest(owner_id=owners[-1].id, topic="modal", status="closed", closed_at=NOW))
        db.commit()
        create_broadcast(db, admin.id, "Dinas", "Info NIB gratis.", Segment(), None, NOW, NOW)
        create_broadcast(
            db, admin.id, "Dinas", "Jemput bola P-IRT.", Segment((METRO_BARAT,)), None, NOW + timedelta(days=3), NOW
        )
        stopped = create_broadcast(
            db, admin.id, "Dinas", "Pameran batal.", Segment(), None, NOW + timedelta(days=2), NOW
        )
        db.commit()
        cancel_broadcast(db, stopped.id, f"officer:{admin.id}", NOW)
        # What else the audit log holds: an owner correcting and looking at their data, a chat linked, an officer's
        # download, a help request handled, an account changed, a training moved (by the command line).
        for action, detail in (
            ("channel_linked", {"platform": "whatsapp"}),
            ("data_corrected", {"section": "produk", "channel": "whatsapp"}),
            ("data_viewed", {"full": True, "channel": "telegram"}),
        ):
            db.add(
                AuditLog(
                    at=NOW,
                    actor=f"owner:{budi.id}",
                    action=action,
                    target_type="owner",
                    target_id=budi.id,
                    detail=detail,
                )
            )
        officer = f"officer:{admin.id}"
        db.add(
            AuditLog(
                at=NOW,
                actor=officer,
                action="export",
                target_type="business",
                detail={"rows": 2, "format": "xlsx", "kecamatan": [METRO_BARAT], "permits": ["nib:belum"]},
            )
        )
        db.add(AuditLog(at=NOW, actor=officer, action="help_closed", target_type="help", target_id=2))
        db.add(
            AuditLog(
                at=NOW,
                actor=officer,
                action="officer_changed",
                target_type="officer",
                target_id=2,
                detail={"scope": [METRO_BARAT], "password": "changed", "active": True},
            )
        )
        db.add(
            AuditLog(
                at=NOW,
                actor="cli",
                action="training_moved",
                target_type="training",
                target_id=1,
                detail={"starts_at": (NOW + timedelta(days=15)).isoformat()},
            )
        )
        db.add(AuditLog(at=NOW, actor="system", action="broadcast_resent", target_type="broadcast", target_id=1))
        db.commit()
        businesses = {
            owner.name: business.id
            for owner, business in db.exec(select(Owner, Business).where(Business.owner_id == Owner.id)).all()
        }
        ids = {b.text[:4]: b.id for b in db.exec(select(Broadcast)).all()}
    return Site("", businesses, {"sent": ids["Info"], "scheduled": ids["Jemp"], "stopped": ids["Pame"]})


@contextmanager
def dashboard(engine, sqlite_url: str, tmp_path: Path) -> Iterator[Site]:  # type: ignore[no-untyped-def]
    """The seeded dashboard, served on loopback."""
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=sqlite_url,
        secret_key="p" * 40,
        office_name="Dinas Kota Metro",
        media_dir=str(tmp_path / "media"),
    )
    site = _seed(engine, settings)
    with running_app(settings, engine) as server:
        site.url = server.url
        yield site


@contextmanager
def seeded_dashboard(folder: Path) -> Iterator[tuple[Site, Engine]]:
    """A fresh SQLite deployment (the Kota Metro demo list) in `folder`, seeded and served; with its engine."""
    url = f"sqlite:///{folder / 'dashboard.db'}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as db:
        load_region_files(db, DEFAULT_REGION_FILES)
    try:
        with dashboard(engine, url, folder) as running:
            yield running, engine
    finally:
        engine.dispose()


def login(base: str, username: str, language: str = "id") -> httpx.Client:
    """A logged-in client of `username`, reading the pages in `language`."""
    client = httpx.Client(base_url=base, timeout=20, cookies={"bahasa": language})
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/admin/login").text).group(1)  # type: ignore[union-attr]
    response = client.post("/admin/login", data={"username": username, "password": PASSWORD, "csrf": token})
    assert response.status_code == 303, response.text
    return client


def pages(site: Site, role: str) -> dict[str, str]:
    """Every page `role` may open, by a short name: the paths an officer reaches from the menu and the lists."""
    found = {
        "ringkasan": "/admin",
        "ringkasan-cetak": "/admin/cetak",
        "masuk": "/admin/login",
        "usaha": "/admin/usaha",
        "usaha-sri": f"/admin/usaha/{site.businesses['Sri Wahyuni']}",
        "usaha-wayan": f"/admin/usaha/{site.businesses['Wayan Batik']}",
        "siaran": "/admin/siaran",
        "pelatihan": "/admin/pelatihan",
        "bantuan": "/admin/bantuan",
        "tidak-ada": "/admin/usaha/999999",
    }
    if role != "officer":  # the scoped officer sees only Metro Barat, where these were not sent
        found |= {f"siaran-{state}": f"/admin/siaran/{bid}" for state, bid in site.broadcasts.items()}
        found |= {"usaha-budi": f"/admin/usaha/{site.businesses['Budi Santoso']}"}
    else:
        found |= {"siaran-scheduled": f"/admin/siaran/{site.broadcasts['scheduled']}"}
    if role in ("admin", "officer"):
        found["simulator"] = "/admin/simulator"
    if role == "admin":
        found |= {"petugas": "/admin/petugas", "audit": "/admin/audit"}
    else:
        found["terlarang"] = "/admin/petugas"  # 403, as a page
    return found
