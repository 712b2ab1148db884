"""Permit numbers read from owners' photos and PDFs, end to end with the real OCR engine (RapidOCR in its worker).

The real app on a SQLite file, served on 127.0.0.1 with Telegram (webhook) and WhatsApp (signed webhook) pointed at
the fake Bot API and Cloud API, which serve generated certificate photos and PDFs (tests/documents/make_photos.py).
An owner sends the photo at a permit question; the bot reads it in the inbox, asks "Nomor NIB di foto: ... Benar?",
and a "ya" stores the number with the photo as proof.  The console's `/foto PATH` runs in a subprocess.

One served bot for both channels (one OCR worker, whose model loads once, on the first photo) and one console
subprocess (a second worker): three photos read by the engine, and quick reads of PDFs' text layers and a blank
photo; about a minute in all.  Skipped only when the engine is not installed, and then a failure under
LAPOR_REQUIRE_OCR=1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlmodel import Session, select, update
from starlette.requests import Request
from starlette.responses import Response

from bot.storage.db import make_engine, upgrade
from bot.storage.models import Business, ChannelAccount, InboxEvent, Permit
from bot.storage.regions import DEMO_REGION_FILES, load_region_files
from tests.documents.make_photos import Photo, make_pdf, make_set
from tests.fakes import updates as tg
from tests.fakes import whatsapp as wa
from tests.fakes.telegram import TOKEN, FakeTelegram
from tests.servers import wait_until
from tests.telegram_harness import SECRET, running_app, settled
from tests.test_whatsapp import both_channels

RAPIDOCR = "bot.documents.worker:rapidocr_engine"
READ_TIMEOUT = 60.0  # a photo's answer: the worker's first start loads the model (3-8 s), then a read takes 1-5 s
CONFIRM = "Benar?"


# --- the documents -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Documents:
    """Generated certificates (paths and the truth about them)."""

    folder: Path
    nib: Photo  # a phone photo of an NIB
    pirt: Photo  # a phone photo of an SPP-IRT
    nib_pdf: Photo  # an OSS NIB print-out with a text layer
    halal_pdf: Photo  # a halal certificate PDF with a text layer
    blank: Path  # a photo with nothing to read

    def bytes_of(self, photo: Photo | Path) -> bytes:
        return (photo if isinstance(photo, Path) else self.folder / photo.name).read_bytes()

    def path(self, photo: Photo) -> Path:
        return self.folder / photo.name


def _halal_pdf(folder: Path) -> Photo:
    """A BPJPH halal certificate as a PDF with a text layer; the decree (KH) number and the dates are distractors."""
    from fpdf import FPDF

    number = "ID35287035259679742"
    lines = [
        ("KEMENTERIAN AGAMA REPUBLIK INDONESIA", 13, True),
        ("BADAN PENYELENGGARA JAMINAN PRODUK HALAL", 13, True),
        ("SERTIFIKAT HALAL", 20, True),
        (f"Nomor: {number}", 15, True),
        ("Diberikan kepada:", 11, False),
        ("Nama Pelaku Usaha : KERIPIK GADING", 12, False),
        ("Alamat : Jl. Kenanga No. 12, Kota Metro", 12, False),
        ("Nama Produk : Keripik Singkong", 12, False),
        ("Nomor Ketetapan Halal : KH.123/05/2024", 12, False),
        ("Tanggal Terbit : 14 Mei 2024", 12, False),
        ("Jakarta, 14 Mei 2024", 11, False),
        ("Kepala Badan", 11, False),
    ]
    pdf = FPDF(format="A4")
    pdf.add_page()
    for text, size, bold in lines:
        pdf.set_font("Helvetica", "B" if bold else "", size)
        pdf.cell(0, size * 0.7, text, new_x="LMARGIN", new_y="NEXT", align="C" if bold else "L")
    name = "halal-bpjph.pdf"
    pdf.output(str(folder / name))
    return Photo(name, "halal", number, False, "halal-pdf")


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> Documents:
    pytest.importorskip("fpdf", reason="fpdf2 (a dev dependency) makes the PDFs")
    folder = tmp_path_factory.mktemp("certificates")
    nib, pirt = make_set(folder, normal=2, hard=0)  # the set's first two: an NIB, then an SPP-IRT
    assert (nib.permit, pirt.permit) == ("nib", "pirt")
    blank = folder / "blank.jpg"
    Image.effect_noise((640, 480), 12).convert("RGB").save(blank, "JPEG", quality=70)  # grey grain, no text
    return Documents(folder, nib, pirt, make_pdf(folder), _halal_pdf(folder), blank)


def grouped(nib: str) -> str:
    """An NIB as printed on the certificate and shown by the bot: 0220 0098 61929."""
    return f"{nib[:4]} {nib[4:8]} {nib[8:]}"


# --- the served bot ----------------------------------------------------------------------------------------------
class CountingCloud(wa.FakeCloudAPI):
    """The fake Cloud API, counting the requests for each media id (its URL, then its bytes)."""

    def __init__(self) -> None:
        super().__init__()
        self.lookups: dict[str, int] = {}
        self.downloads: dict[str, int] = {}

    async def _media(self, request: Request) -> Response:
        media_id = request.path_params["media_id"]
        with self.lock:
            self.lookups[media_id] = self.lookups.get(media_id, 0) + 1
        return await super()._media(request)

    async def _download(self, request: Request) -> Response:
        media_id = request.path_params["media_id"]
        with self.lock:
            self.downloads[media_id] = self.downloads.get(media_id, 0) + 1
        return await super()._download(request)


@dataclass
class Served:
    """The app and the fakes it talks to."""

    url: str
    engine: Any
    telegram: FakeTelegram
    cloud: CountingCloud
    media_dir: Path
    http: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.http = httpx.Client(base_url=self.url, timeout=10)

    def wait(self, timeout: float) -> None:
        wait_until(lambda: settled(self.engine), timeout=timeout, what="the inbox and the outbox to settle")

    def permit(self, permit: str, chat: str) -> Permit:
        """The owner's stored permit row (the owner is known by the chat's account)."""
        with Session(self.engine) as db:
            account = db.exec(select(ChannelAccount).where(ChannelAccount.external_id == chat)).one()
            business = db.exec(select(Business).where(Business.owner_id == account.owner_id)).one()
            return db.exec(select(Permit).where(Permit.business_id == business.id, Permit.type == permit)).one()


@pytest.fixture(scope="module")
def served(engine_present: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One bot for the module's Telegram and WhatsApp owners, reading photos with the real engine."""
    folder = tmp_path_factory.mktemp("served")
    url = f"sqlite:///{folder / 'lapor.db'}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as db:
        load_region_files(db, DEMO_REGION_FILES)
    telegram, cloud = FakeTelegram(), CountingCloud()
    with telegram.serve() as telegram_server, cloud.serve() as cloud_server:
        cloud.url = cloud_server.url
        settings = both_channels(
            cloud_server.url,
            telegram_server.url,
            TOKEN,
            url,
            folder,
            telegram_rate_per_chat=50.0,  # a human types slower than this; tests do not
            read_documents=True,
            document_engine=RAPIDOCR,
        )
        assert Path(settings.media_dir) == folder / "media"
        with running_app(settings, engine) as server:
            yield Served(server.url, engine, telegram, cloud, folder / "media")
    engine.dispose()


class TelegramOwner:
    """One Telegram user talking to the served bot through the webhook."""

    def __init__(self, served: Served, user: int) -> None:
        self.served, self.user = served, user

    def send(self, update: dict[str, Any], timeout: float = 15) -> str:
        """Post an update; the texts the bot sent back once everything settled."""
        before = len(self.served.telegram.texts(self.user))
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        response = self.served.http.post("/telegram/webhook", json=update, headers=headers)
        assert response.status_code == 200, response.text
        self.served.wait(timeout)
        return "\n\n".join(self.served.telegram.texts(self.user)[before:])

    def say(self, text: str) -> str:
        return self.send(tg.text_update(self.user, text))

    def press(self, data: str) -> str:
        return self.send(tg.callback_update(self.user, data))

    def buttons(self) -> list[tuple[str, str]]:
        """(id, label) of the inline buttons under the last message."""
        markup = self.served.telegram.sent(self.user)[-1].get("reply_markup") or {}
        return [(b["callback_data"], b["text"]) for row in markup.get("inline_keyboard", []) for b in row]

    def register_to_nib(self) -> str:
        """Register a food business (so P-IRT and halal follow) up to the NIB question; that question's text."""
        self.register_to_product_photo()
        self.press("lewati")  # no product photo
        question = self.press("no")  # no other product
        assert "sudah punya NIB" in question, question
        return question

    def register_to_product_photo(self) -> None:
        """Register a food business up to the question asking for its product's photo."""
        self.say("/start")
        self.press("setuju")
        self.say("Sri Wahyuni")
        self.say("lewati")  # no phone
        self.say("Keripik Bu Sri")
        self.press("18.72")  # Kota Metro
        self.press("18.72.01")  # Metro Pusat
        self.press("18.72.01.1005")  # Yosomulyo
        self.send(tg.message_update(self.user, location={"latitude": -5.1136, "longitude": 105.3067}))
        self.press("makanan")
        self.say("3")
        self.say("5 jt")
        self.press("no")  # no sentra
        self.say("Keripik pisang balado")
        assert "Kirim foto" in self.press("berlabel")


class WhatsAppOwner:
    """One WhatsApp number talking to the served bot through signed webhooks."""

    def __init__(self, served: Served, wa_id: str) -> None:
        self.served, self.wa_id = served, wa_id

    def send(self, body: dict[str, Any], timeout: float = 15) -> str:
        before = len(self.served.cloud.texts(self.wa_id))
        raw = json.dumps(body).encode()
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": wa.sign(raw)}
        response = self.served.http.post("/whatsapp/webhook", content=raw, headers=headers)
        assert response.status_code == 200, response.text
        self.served.wait(timeout)
        return "\n\n".join(self.served.cloud.texts(self.wa_id)[before:])

    def say(self, text: str) -> str:
        return self.send(wa.text(self.wa_id, text))

    def press(self, choice: str) -> str:
        return self.send(wa.button_reply(self.wa_id, choice))

    def pick(self, choice: str) -> str:
        return self.send(wa.list_reply(self.wa_id, choice))

    def buttons(self) -> list[tuple[str, str]]:
        """(id, title) of the reply buttons of the last message."""
        interactive = self.served.cloud.delivered(self.wa_id)[-1].get("interactive") or {}
        return [(b["reply"]["id"], b["reply"]["title"]) for b in interactive.get("action", {}).get("buttons", [])]

    def register_to_pirt(self) -> str:
        """Register a food business up to its P-IRT question (no NIB yet); that question's text."""
        self.say("Halo")
        self.press("setuju")
        self.say("Sri Wahyuni")
        self.press("pakai")  # the WhatsApp number
        self.say("Keripik Bu Sri")
        self.press("18.72")
        self.pick("18.72.01")
        self.pick("18.72.01.1005")
        self.send(wa.inbound(self.wa_id, "location", {"latitude": -5.1136, "longitude": 105.3067}))
        self.pick("makanan")
        self.say("tiga")
        self.say("5 jt")
        self.press("no")
        self.say("Keripik pisang balado")
        assert "Kirim foto" in self.press("berlabel")
        self.press("lewati")
        assert "sudah punya NIB" in self.press("no")
        question = self.press("belum")  # NIB: not yet
        assert "sudah punya P-IRT" in question, question
        return question


# --- Telegram ----------------------------------------------------------------------------------------------------
def test_telegram_photo_of_the_nib_is_confirmed_stored_and_not_asked_again(
    served: Served, documents: Documents
) -> None:
    owner = TelegramOwner(served, 7301)
    owner.register_to_nib()
    file_id = "AgACAgQAAxkBnibPhoto7301"
    served.telegram.files[file_id] = documents.bytes_of(documents.nib)

    asked = owner.send(tg.photo_update(owner.user, file_id), timeout=READ_TIMEOUT)
    assert f"Nomor NIB di foto: {grouped(documents.nib.number)}. {CONFIRM}" in asked, asked
    assert owner.buttons() == [("ya", "Ya, benar"), ("bukan", "Bukan")]
    assert "sudah punya NIB" not in asked  # the confirmation takes the question's place

    after = owner.press("ya")
    assert f"Dicatat: {grouped(documents.nib.number)}." in after, after
    assert "Kirim foto" not in after  # the photo came already: not asked for
    assert "sudah punya P-IRT" in after  # the next permit

    rest = [owner.press(choice) for choice in ("belum", "diurus", "lewati", "tidak_perlu", "belum", "tidak_ada")]
    assert "Pendaftaran selesai" in rest[-1], rest[-1]
    assert not any("NIB" in text for text in rest[:-1]), rest  # never asked about the NIB again
    assert f"NIB: sudah terbit ({grouped(documents.nib.number)})" in rest[-1]

    nib = served.permit("nib", str(owner.user))
    assert (nib.status, nib.number, nib.number_source) == ("terbit", documents.nib.number, "photo")
    assert nib.evidence_photo == f"telegram:{file_id}"
    kept = served.media_dir / "telegram" / f"{file_id}.jpg"
    assert kept.read_bytes() == documents.bytes_of(documents.nib)  # the copy the officers' page shows


def test_telegram_pdf_of_the_nib_sent_as_a_document_is_confirmed_and_stored(
    served: Served, documents: Documents
) -> None:
    owner = TelegramOwner(served, 7302)
    owner.register_to_nib()
    file_id = "BQACAgQAAxkBnibPdf7302"
    served.telegram.files[file_id] = documents.bytes_of(documents.nib_pdf)

    asked = owner.send(tg.document_update(owner.user, file_id, "application/pdf", "NIB.pdf"), timeout=READ_TIMEOUT)
    assert f"Nomor NIB di foto: {grouped(documents.nib_pdf.number)}. {CONFIRM}" in asked, asked

    after = owner.say("ya")  # typed instead of pressed
    assert f"Dicatat: {grouped(documents.nib_pdf.number)}." in after, after
    assert "Kirim foto" not in after and "sudah punya P-IRT" in after

    nib = served.permit("nib", str(owner.user))
    assert (nib.number, nib.number_source, nib.evidence_photo) == (
        documents.nib_pdf.number,
        "photo",
        f"telegram:{file_id}",
    )
    assert (served.media_dir / "telegram" / f"{file_id}.pdf").read_bytes() == documents.bytes_of(documents.nib_pdf)


def test_telegram_unreadable_photo_gets_advice_and_the_question_again_then_a_typed_number(
    served: Served, documents: Documents
) -> None:
    owner = TelegramOwner(served, 7303)
    owner.register_to_nib()
    file_id = "AgACAgQAAxkBblurry7303"
    served.telegram.files[file_id] = documents.bytes_of(documents.blank)

    answer = owner.send(tg.photo_update(owner.user, file_id), timeout=READ_TIMEOUT)
    assert "Fotonya kurang jelas. Coba foto lagi dari dekat, dengan cahaya terang, atau ketik nomornya." in answer
    assert "sudah punya NIB" in answer  # the question again
    assert "di foto:" not in answer

    typed = owner.say("0220 0098 61929")
    assert "Dicatat: 0220 0098 61929." in typed, typed
    nib = served.permit("nib", str(owner.user))
    assert (nib.status, nib.number, nib.number_source) == ("terbit", "0220009861929", "typed")


def test_the_inbox_keeps_the_reading_so_a_retried_event_is_not_read_again(served: Served, documents: Documents) -> None:
    owner = TelegramOwner(served, 7304)
    owner.register_to_nib()
    file_id = "BQACAgQAAxkBretried7304"
    served.telegram.files[file_id] = documents.bytes_of(documents.nib_pdf)
    sent = tg.document_update(owner.user, file_id, "application/pdf", "NIB.pdf")
    shown = f"Nomor NIB di foto: {grouped(documents.nib_pdf.number)}. {CONFIRM}"
    assert shown in owner.send(sent, timeout=READ_TIMEOUT)

    key = {"platform": "telegram", "event_key": str(sent["update_id"])}
    with Session(served.engine) as db:
        event = db.exec(select(InboxEvent).filter_by(**key)).one()
    assert event.status == "done"
    assert event.payload["_reading"] == {"read": True, "page": "nib", "numbers": [["nib", documents.nib_pdf.number]]}

    # The event comes back (as after a failed step): were the file read again, it would now be unreadable.
    served.telegram.files[file_id] = documents.bytes_of(documents.blank)
    (served.media_dir / "telegram" / f"{file_id}.pdf").unlink()
    downloads = served.telegram.methods().count("getFile")
    before = len(served.telegram.texts(owner.user))
    with Session(served.engine) as db:
        db.exec(update(InboxEvent).filter_by(**key).values(status="pending"))
        db.commit()
    served.wait(READ_TIMEOUT)
    again = "\n\n".join(served.telegram.texts(owner.user)[before:])
    assert shown in again and "kurang jelas" not in again, again
    assert served.telegram.methods().count("getFile") == downloads  # not fetched again to be read

    assert "Dicatat:" in owner.press("ya")
    nib = served.permit("nib", str(owner.user))
    assert (nib.number, nib.number_source) == (documents.nib_pdf.number, "photo")


# --- WhatsApp ----------------------------------------------------------------------------------------------------
def test_whatsapp_photo_of_the_pirt_is_confirmed_stored_and_fetched_once(served: Served, documents: Documents) -> None:
    owner = WhatsAppOwner(served, "6281300007401")
    owner.register_to_pirt()
    media_id = "1479537139657401"
    jpeg = documents.bytes_of(documents.pirt)
    served.cloud.media[media_id] = (jpeg, "image/jpeg")

    asked = owner.send(wa.image(owner.wa_id, media_id), timeout=READ_TIMEOUT)
    shown = f"Nomor P-IRT (Keripik pisang balado) di foto: P-IRT No. {documents.pirt.number}. {CONFIRM}"
    assert shown in asked, asked
    assert "NIB" not in asked  # the NIB number also on the page is not offered at the P-IRT question
    assert owner.buttons() == [("ya", "Ya, benar"), ("bukan", "Bukan")]

    after = owner.press("ya")
    assert "Dicatat:" in after and documents.pirt.number in after, after
    assert "Kirim foto" not in after and "sertifikat halal" in after  # no photo asked: the next permit

    pirt = served.permit("pirt", owner.wa_id)
    assert (pirt.status, pirt.number, pirt.number_source) == ("terbit", documents.pirt.number, "photo")
    assert pirt.evidence_photo == f"whatsapp:{media_id}"
    assert (served.media_dir / "whatsapp" / f"{media_id}.jpg").read_bytes() == jpeg
    # Fetched once to be read; the copy kept after the step is that one.
    assert (served.cloud.lookups.get(media_id), served.cloud.downloads.get(media_id)) == (1, 1)


def test_whatsapp_pdf_of_the_halal_certificate_is_confirmed_and_stored(served: Served, documents: Documents) -> None:
    owner = WhatsAppOwner(served, "6281300007402")
    owner.register_to_pirt()
    assert "sertifikat halal" in owner.press("belum")  # P-IRT: not yet; the halal question
    media_id = "2480537139657402"
    pdf = documents.bytes_of(documents.halal_pdf)
    served.cloud.media[media_id] = (pdf, "application/pdf")

    asked = owner.send(wa.document(owner.wa_id, media_id, filename="Sertifikat Halal.pdf"), timeout=READ_TIMEOUT)
    shown = f"Nomor sertifikat halal (Keripik pisang balado) di foto: {documents.halal_pdf.number}. {CONFIRM}"
    assert shown in asked, asked
    assert "KH" not in asked  # the decree number is not offered

    after = owner.say("ya")
    assert "Dicatat:" in after and documents.halal_pdf.number in after, after
    assert "Kirim foto" not in after and "BPOM" in after

    halal = served.permit("halal", owner.wa_id)
    assert (halal.status, halal.number, halal.number_source) == ("terbit", documents.halal_pdf.number, "photo")
    assert halal.evidence_photo == f"whatsapp:{media_id}"
    assert (served.media_dir / "whatsapp" / f"{media_id}.pdf").read_bytes() == pdf
    assert (served.cloud.lookups.get(media_id), served.cloud.downloads.get(media_id)) == (1, 1)


# --- the console ---------------------------------------------------------------------------------------------------
def test_console_foto_path_reads_the_nib_and_keeps_the_photo_in_the_media_folder(
    engine_present: None, documents: Documents, tmp_path: Path
) -> None:
    from tests.test_service_db import REGISTRATION

    url = f"sqlite:///{tmp_path / 'console.db'}"
    media_dir = tmp_path / "media"
    at_nib = REGISTRATION[: REGISTRATION.index("sdh")]  # up to the NIB question
    lines = [*at_nib, f"/foto {documents.path(documents.nib)}", "ya"]
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "MEDIA_DIR": str(media_dir),
        "READ_DOCUMENTS": "true",
        "DOCUMENT_ENGINE": RAPIDOCR,
        "OFFICE_NAME": "Dinas Koperasi dan UKM Kota Metro",
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--user", "31"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Traceback" not in out + result.stderr
    assert "(membaca foto...)" in out
    assert f"Nomor NIB di foto: {grouped(documents.nib.number)}. {CONFIRM}" in out, out[-2000:]
    assert f"Dicatat: {grouped(documents.nib.number)}." in out, out[-2000:]

    engine = make_engine(url)
    try:
        with Session(engine) as db:
            nib = db.exec(select(Permit).where(Permit.type == "nib")).one()
    finally:
        engine.dispose()
    assert (nib.status, nib.number, nib.number_source) == ("terbit", documents.nib.number, "photo")
    assert nib.evidence_photo is not None and nib.evidence_photo.startswith("file:")
    kept = Path(nib.evidence_photo.removeprefix("file:"))
    assert kept.is_relative_to(media_dir.resolve()), kept  # the copy in the media folder, not the owner's file
    assert kept.read_bytes() == documents.bytes_of(documents.nib)
