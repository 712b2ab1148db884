"""Broadcasts, trainings, help requests and officers say what they store in words: a segment's filters (in the preview
too), the author by name, help topics ("pirt", "training:3"), an officer's area by kecamatan names; the training form
has a labelled capacity that may stay empty (no limit); the preview and an officer's change form fit a phone."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from conversations.i18n import translator
from tests.dashboard_site import METRO_BARAT, METRO_PUSAT, Site, login, seeded_dashboard
from tests.seed import NOW
from tests.test_dashboard_pages import leaks, visible_text

SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots" / "pages"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
METRO_TIMUR = "18.72.04"


class Extra:
    """Ids of what this module adds to the shared site."""

    broadcast: int = 0
    training: int = 0
    engine: object = None


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    from bot.officers.accounts import create_officer
    from bot.officers.broadcasts import create_broadcast
    from bot.storage.models import HelpRequest, Officer, Owner, Training
    from bot.storage.segments import Segment

    with seeded_dashboard(tmp_path_factory.mktemp("words")) as (running, engine):
        with Session(engine) as db:
            admin = db.exec(select(Officer).where(Officer.username == "admin")).one()
            training = db.exec(select(Training).where(Training.title == "Pelatihan Kemasan")).one()
            owner = db.exec(select(Owner).where(Owner.name == "Sri Wahyuni")).one()
            db.add(HelpRequest(owner_id=owner.id, topic=f"training:{training.id}", detail="Boleh bawa teman?"))
            db.add(HelpRequest(owner_id=owner.id, topic="renew:pirt", detail="P-IRT saya habis"))
            db.add(HelpRequest(owner_id=owner.id, topic="umum"))
            segment = Segment(
                kecamatan=(METRO_BARAT,),
                commodity=("batik_tenun",),
                permits=("nib:belum", "pirt:habis"),
                needs=("modal",),
                sentra="Yosomulyo",
                training_id=training.id,
            )
            later = NOW + timedelta(days=5)
            broadcast = create_broadcast(db, admin.id, "Dinas", "Semua filter sekaligus.", segment, None, later, NOW)
            create_officer(db, "dua", "Petugas Dua", "officer", [METRO_BARAT, METRO_TIMUR], None, "test", NOW)
            db.commit()
            Extra.broadcast, Extra.training, Extra.engine = broadcast.id, training.id, engine
        yield running


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def no_leaks(page: str, language: str) -> None:
    found = leaks(visible_text(page), language)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_preview_says_which_filters_were_chosen(site: Site, language: str) -> None:
    client = login(site.url, "admin", language)
    form = {
        "csrf": csrf_of(client.get("/admin/siaran").text),
        "text": "Jemput bola NIB hari Senin.",
        "kecamatan": METRO_BARAT,
        "commodity": "makanan",
        "izin": "nib:belum",
        "kebutuhan": "kemasan",
    }
    page = client.post("/admin/siaran/pratinjau", data=form).text
    filters = visible_text(page.split('id="filters"', 1)[1].split("</ul>", 1)[0])
    assert "Metro Barat" in filters and "NIB" in filters
    assert ("Makanan" if language == "id" else "Food") in filters
    assert ("Kemasan" if language == "id" else "Packaging") in filters
    assert re.search(r'id="recipients">[^<]*<strong>\d+</strong>', page)
    assert f'name="kecamatan" value="{METRO_BARAT}"' in page  # sent back unchanged with "Kirim"
    no_leaks(page, language)
    everyone = client.post("/admin/siaran/pratinjau", data={"csrf": form["csrf"], "text": "Untuk semua pemilik."})
    shown = visible_text(everyone.text.split('id="filters"', 1)[1].split("</ul>", 1)[0])
    assert translator(language)("All owners") in shown  # "Semua pemilik"


def test_the_new_broadcast_form_offers_words_and_labels(site: Site) -> None:
    page = login(site.url, "admin").get("/admin/siaran").text
    assert '<option value="batik_tenun">' in page
    assert "batik_tenun</option>" not in page
    for field in ("text", "kecamatan", "commodity", "izin", "kebutuhan", "pelatihan", "photo"):
        assert f'<label for="{field}">' in page, field
    assert "placeholder=" not in page


@pytest.mark.parametrize("language", ["id", "en"])
def test_a_broadcast_names_its_segment_author_times_and_progress(site: Site, language: str) -> None:
    page = login(site.url, "admin", language).get(f"/admin/siaran/{Extra.broadcast}").text
    segment = visible_text(page.split('id="segment"', 1)[1].split("</dd>", 1)[0])
    for word in ("Metro Barat", "NIB", "P-IRT", "Yosomulyo", "Pelatihan Kemasan"):
        assert word in segment, word
    assert ("Batik" in segment) and ("Modal" in segment if language == "id" else "Capital" in segment)
    assert "Admin Dinas" in page
    assert "WIB" in page
    progress = visible_text(page.split('id="progress"', 1)[1].split("</table>", 1)[0])
    assert "queued" not in progress and "cancelled" not in progress  # states in words (both languages)
    no_leaks(page, language)
    listing = login(site.url, "admin", language).get("/admin/siaran").text
    assert "Admin Dinas" in listing and "Metro Barat" in listing
    no_leaks(listing, language)


@pytest.mark.parametrize("language", ["id", "en"])
def test_help_topics_are_words(site: Site, language: str) -> None:
    page = login(site.url, "admin", language).get("/admin/bantuan").text
    text = visible_text(page)
    assert "Pelatihan Kemasan" in text  # training:N, by the training's title
    assert "P-IRT" in text
    assert "training:" not in text and "renew:" not in text
    assert not re.search(r"(?<!Pertanyaan )\bumum\b", text)  # the topic "umum" said as "Pertanyaan umum"
    no_leaks(page, language)


def test_an_officer_area_is_named_and_roles_are_words(site: Site) -> None:
    page = login(site.url, "admin").get("/admin/petugas").text
    row = page.split("Petugas Dua", 1)[1].split("</tr>", 1)[0]
    area = visible_text(row.split('class="scope">', 1)[1].split("</td>", 1)[0])
    assert area == "Metro Barat, Metro Timur"
    assert "18.72" not in visible_text(row)
    assert f'value="{METRO_PUSAT}"' in page  # the area is chosen by kecamatan, by name
    assert '<option value="viewer"' in page and ">viewer<" not in page
    no_leaks(page, "id")


def test_the_training_capacity_is_labelled_and_may_stay_empty(site: Site) -> None:
    from bot.storage.models import Training

    client = login(site.url, "admin")
    page = client.get("/admin/pelatihan").text
    assert '<label for="capacity">' in page and 'id="capacity-hint"' in page and 'value="0"' not in page
    start = (NOW + timedelta(days=20)).strftime("%Y-%m-%dT09:00")
    form = {"csrf": csrf_of(page), "title": "Klinik Merek", "start": start, "place": "Aula", "capacity": ""}
    assert client.post("/admin/pelatihan", data=form).status_code == 303
    form |= {"title": "Klinik Foto Produk", "capacity": "12"}
    assert client.post("/admin/pelatihan", data=form).status_code == 303
    with Session(Extra.engine) as db:  # type: ignore[arg-type]
        capacities = {t.title: t.capacity for t in db.exec(select(Training)).all()}
    assert capacities["Klinik Merek"] is None and capacities["Klinik Foto Produk"] == 12
    listing = visible_text(client.get("/admin/pelatihan").text)
    assert translator("id")("no limit") in listing  # "tanpa batas"
    assert translator("id")("{taken} of {capacity} taken", taken=0, capacity=12) in listing


def test_the_preview_and_an_officer_change_form_fit_a_phone(site: Site, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844})
    cookies = login(site.url, "admin").cookies
    context.add_cookies([{"name": k, "value": v, "url": site.url} for k, v in cookies.items()])
    page = context.new_page()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    too_wide = []
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 844})
        page.goto(site.url + "/admin/siaran")
        page.fill("textarea[name=text]", "Jemput bola NIB: Senin depan di kantor Kecamatan Metro Barat. " * 8)
        page.select_option("select[name=kecamatan]", METRO_BARAT)
        page.select_option("select[name=izin]", "nib:belum")
        page.click("#preview")
        page.wait_for_selector("#recipients")
        page.screenshot(path=str(SCREENSHOTS / f"admin-siaran-pratinjau-{width}.png"), full_page=True)
        if page.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
            too_wide.append(f"preview at {width}")
        page.goto(site.url + "/admin/petugas")
        page.click("#officers details summary >> nth=1")
        page.screenshot(path=str(SCREENSHOTS / f"admin-petugas-ubah-{width}.png"), full_page=True)
        if page.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
            too_wide.append(f"officer change form at {width}")
    context.close()
    assert not too_wide, too_wide


def test_an_officer_form_mistake_is_said_in_the_officers_language(site: Site) -> None:
    client = login(site.url, "admin")
    form = {"csrf": csrf_of(client.get("/admin/petugas").text), "username": "barat", "name": "Lagi", "role": "officer"}
    page = client.post("/admin/petugas", data=form).text
    assert translator("id")("That username is taken. Choose another one.") in page and "username 'barat'" not in page
    short = client.post("/admin/petugas", data={**form, "username": "baru", "password": "pendek"}).text
    assert translator("id")("A password needs at least 10 characters.") in short
