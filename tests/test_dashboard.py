"""The officers' web pages over real HTTP: login, CSRF, lockout, scope, lists, export, broadcasts, audit."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import httpx
import pytest
from sqlmodel import Session, select

from bot.clock import utcnow
from bot.config import Settings
from bot.officers.accounts import create_officer
from bot.storage.models import AuditLog, Broadcast, OutboxMessage
from tests.seed import NOW, seed_owner
from tests.telegram_harness import running_app

METRO_PUSAT, METRO_BARAT = "18.72.01", "18.72.03"
PASSWORD = "kata-sandi-rahasia-1"


@pytest.fixture
def site(lite_engine, sqlite_url: str, tmp_path) -> Iterator[str]:
    with Session(lite_engine) as db:
        seed_owner(db, "Sri", METRO_PUSAT, nib="terbit", pirt="terbit", phone="+6281234567890")
        seed_owner(db, "Budi", METRO_PUSAT, nib="belum", pirt="diurus")
        seed_owner(db, "Dewi", METRO_BARAT, nib="belum", pirt="belum")
        create_officer(db, "admin", "Admin Dinas", "admin", None, PASSWORD, "test", NOW)
        create_officer(db, "barat", "Petugas Barat", "officer", [METRO_BARAT], PASSWORD, "test", NOW)
        create_officer(db, "lihat", "Pengamat", "viewer", None, PASSWORD, "test", NOW)
        db.commit()
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=sqlite_url,
        secret_key="x" * 40,
        office_name="Dinas Kota Metro",
        media_dir=str(tmp_path / "media"),
    )
    with running_app(settings, lite_engine) as server:
        yield server.url


def login(base: str, username: str, password: str = PASSWORD) -> tuple[httpx.Client, httpx.Response]:
    client = httpx.Client(base_url=base, timeout=10)
    form = client.get("/admin/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    response = client.post("/admin/login", data={"username": username, "password": password, "csrf": token})
    return client, response


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def test_pages_need_a_login(site: str) -> None:
    response = httpx.get(f"{site}/admin/usaha", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/admin/login"


def test_login_then_overview_shows_the_rekap(site: str) -> None:
    client, response = login(site, "admin")
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    page = client.get("/admin").text
    assert "Ringkasan" in page and "Metro Pusat" in page and "Metro Barat" in page


def test_login_form_without_its_csrf_token_is_refused(site: str) -> None:
    response = httpx.post(f"{site}/admin/login", data={"username": "admin", "password": PASSWORD, "csrf": "x"})
    assert response.status_code == 403


def test_wrong_password_and_lockout(site: str) -> None:
    for _ in range(5):
        _client, response = login(site, "admin", "salah-sekali")
        assert response.status_code == 401 and "kata sandi salah" in response.text
    _client, response = login(site, "admin")  # right password, but locked now
    assert response.status_code == 401


def test_scoped_officer_sees_only_their_kecamatan(site: str) -> None:
    client, _ = login(site, "barat")
    listing = client.get("/admin/usaha").text
    assert "Usaha Dewi" in listing and "Usaha Sri" not in listing
    ids = {name: int(i) for i, name in re.findall(r'/admin/usaha/(\d+)">Usaha (\w+)', client.get("/admin/usaha").text)}
    assert client.get(f"/admin/usaha/{ids['Dewi']}").status_code == 200
    assert client.get("/admin/usaha/1").status_code == 404  # Sri's business, outside the scope
    exported = client.get("/admin/ekspor?format=csv").content.decode("utf-8-sig")
    names = [row["owner_name"] for row in csv.DictReader(io.StringIO(exported))]
    assert names == ["Dewi"]


def test_filters_search_and_export_as_on_screen(site: str) -> None:
    client, _ = login(site, "admin")
    page = client.get("/admin/usaha", params={"izin": "nib:belum"}).text
    assert "Usaha Budi" in page and "Usaha Dewi" in page and "Usaha Sri" not in page
    page = client.get("/admin/usaha", params={"q": "0812345"}).text
    assert "Usaha Sri" in page and "Usaha Budi" not in page
    exported = client.get("/admin/ekspor", params={"format": "csv", "kecamatan": METRO_PUSAT, "izin": "nib:belum"})
    assert exported.headers["content-disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [r["owner_name"] for r in rows] == ["Budi"] and rows[0]["nib_status"] == "belum"
    xlsx = client.get("/admin/ekspor", params={"format": "xlsx"})
    assert xlsx.content[:2] == b"PK"


def test_broadcast_preview_send_and_progress(site: str, lite_engine) -> None:
    client, _ = login(site, "admin")
    page = client.get("/admin/siaran").text
    preview = client.post(
        "/admin/siaran/pratinjau",
        data={"csrf": csrf_of(page), "text": "Jemput bola NIB hari Senin di kantor kecamatan.", "izin": "nib:belum"},
    )
    assert "Penerima: <strong>2</strong>" in preview.text
    sent = client.post(
        "/admin/siaran",
        data={
            "csrf": csrf_of(preview.text),
            "text": "Jemput bola NIB hari Senin di kantor kecamatan.",
            "izin": "nib:belum",
        },
        follow_redirects=True,
    )
    assert "Pengumuman #" in sent.text
    with Session(lite_engine) as db:
        broadcast = db.exec(select(Broadcast)).one()
        assert broadcast.recipients == 2 and broadcast.officer_id is not None
        assert len(db.exec(select(OutboxMessage).where(OutboxMessage.broadcast_id == broadcast.id)).all()) == 2
        assert "broadcast_created" in [a.action for a in db.exec(select(AuditLog)).all()]


def test_forms_without_csrf_are_refused(site: str) -> None:
    client, _ = login(site, "admin")
    response = client.post("/admin/siaran/pratinjau", data={"csrf": "wrong", "text": "Halo semua pelaku usaha"})
    assert response.status_code == 403


def test_viewer_cannot_send_and_officer_cannot_read_the_audit_log(site: str) -> None:
    viewer, _ = login(site, "lihat")
    page = viewer.get("/admin/siaran").text
    assert "Pengumuman baru" not in page
    response = viewer.post("/admin/siaran/pratinjau", data={"csrf": csrf_of(page), "text": "Halo semua pelaku usaha"})
    assert response.status_code == 403
    officer, _ = login(site, "barat")
    assert officer.get("/admin/audit").status_code == 403
    admin, _ = login(site, "admin")
    audit = admin.get("/admin/audit").text
    assert "Admin Dinas" in audit and "Petugas Barat" in audit  # people by name, actions in words
    assert "officer_created" not in audit and "officer:" not in audit


def test_admin_adds_an_officer_and_gets_a_link_code(site: str) -> None:
    client, _ = login(site, "admin")
    page = client.get("/admin/petugas").text
    added = client.post(
        "/admin/petugas",
        data={
            "csrf": csrf_of(page),
            "username": "timur",
            "name": "Petugas Timur",
            "role": "officer",
            "kecamatan": ["18.72.04"],
        },
    )
    assert re.search(r"PETUGAS [A-Z0-9]{8}", added.text)
    assert "Petugas Timur" in added.text


def test_simulator_runs_the_owner_conversation(site: str) -> None:
    client, _ = login(site, "admin")
    page = client.get("/admin/simulator").text
    reply = client.post("/admin/simulator", data={"csrf": csrf_of(page), "message": "halo"}).text
    assert "UU No. 27 Tahun 2022" in reply


def test_session_cookie_is_secure_outside_development_and_carries_only_a_random_token(lite_engine) -> None:
    from fastapi import FastAPI, Request, Response

    from bot.officers.sessions import find_session
    from webhook.admin.auth import COOKIE, start_session

    app = FastAPI()
    app.state.engine = lite_engine
    app.state.settings = Settings(_env_file=None, environment="production")  # type: ignore[call-arg]
    with Session(lite_engine) as db:
        officer_id = create_officer(db, "admin", "Admin Dinas", "admin", None, PASSWORD, "test", NOW).id
        db.commit()
    tokens = []
    for _login in range(2):
        response = Response()
        start_session(Request({"type": "http", "app": app, "headers": []}), response, officer_id)
        header = response.headers["set-cookie"]
        assert "Secure" in header and "HttpOnly" in header and "SameSite=strict" in header
        tokens.append(re.search(COOKIE + r"=([^;]+);", header).group(1))
    token = tokens[1]
    assert len(token) >= 40 and tokens[0] != token
    with Session(lite_engine) as db:
        assert find_session(db, token, utcnow()) is not None
        assert find_session(db, token[:-1] + ("A" if token[-1] != "A" else "B"), utcnow()) is None


def test_business_detail_shows_the_owners_photo_only_to_those_in_scope(lite_engine, sqlite_url: str, tmp_path) -> None:
    media = tmp_path / "media"
    (media / "whatsapp").mkdir(parents=True)
    (media / "whatsapp" / "1479537139650973.jpg").write_bytes(b"\xff\xd8fake-photo")
    with Session(lite_engine) as db:
        owner = seed_owner(db, "Sri", METRO_PUSAT, pirt="terbit")
        from bot.storage.models import Business, Product

        business = db.exec(select(Business).where(Business.owner_id == owner.id)).one()
        product = db.exec(select(Product).where(Product.business_id == business.id)).one()
        product.photo = "whatsapp:1479537139650973"
        db.add(product)
        create_officer(db, "admin", "Admin Dinas", "admin", None, PASSWORD, "test", NOW)
        create_officer(db, "barat", "Petugas Barat", "officer", [METRO_BARAT], PASSWORD, "test", NOW)
        db.commit()
        business_id = business.id
    settings = Settings(_env_file=None, database_url=sqlite_url, secret_key="x" * 40, media_dir=str(media))  # type: ignore[call-arg]
    with running_app(settings, lite_engine) as server:
        admin, _ = login(server.url, "admin")
        detail = admin.get(f"/admin/usaha/{business_id}").text
        assert "/foto?ref=whatsapp%3A1479537139650973" in detail
        photo = admin.get(f"/admin/usaha/{business_id}/foto", params={"ref": "whatsapp:1479537139650973"})
        assert photo.status_code == 200 and photo.content == b"\xff\xd8fake-photo"
        assert admin.get(f"/admin/usaha/{business_id}/foto", params={"ref": "whatsapp:999"}).status_code == 404
        outsider, _ = login(server.url, "barat")
        assert (
            outsider.get(f"/admin/usaha/{business_id}/foto", params={"ref": "whatsapp:1479537139650973"}).status_code
            == 404
        )


def test_broadcast_with_an_uploaded_photo(site: str, lite_engine) -> None:
    from tests.test_broadcast_delivery import PNG

    client, _ = login(site, "admin")
    page = client.get("/admin/siaran").text
    preview = client.post(
        "/admin/siaran/pratinjau",
        data={"csrf": csrf_of(page), "text": "Poster pameran UMKM di alun-alun."},
        files={"photo": ("poster.png", PNG, "image/png")},
    )
    assert "Dengan foto" in preview.text
    name = re.search(r'name="photo" value="([0-9a-f]{32}\.png)"', preview.text).group(1)
    client.post(
        "/admin/siaran",
        data={"csrf": csrf_of(preview.text), "text": "Poster pameran UMKM di alun-alun.", "photo": name},
    )
    with Session(lite_engine) as db:
        broadcast = db.exec(select(Broadcast)).one()
        rows = db.exec(select(OutboxMessage).where(OutboxMessage.broadcast_id == broadcast.id)).all()
    assert broadcast.photo.endswith(name) and rows and all(r.payload["type"] == "photo" for r in rows)
    bad = client.post(
        "/admin/siaran", data={"csrf": csrf_of(preview.text), "text": "Halo semua", "photo": "../../etc/passwd"}
    )
    assert bad.status_code == 400
    not_image = client.post(
        "/admin/siaran/pratinjau",
        data={"csrf": csrf_of(page), "text": "Poster pameran UMKM"},
        files={"photo": ("x.png", b"<script>", "image/png")},
    )
    assert not_image.status_code == 400


def test_broadcast_to_owners_with_a_need_or_invited_to_a_training(site: str, lite_engine) -> None:
    from bot.scheduling.trainings import TrainingPlan, create_training
    from bot.storage.models import Training
    from bot.storage.segments import Segment

    with Session(lite_engine) as db:
        from datetime import timedelta

        plan = TrainingPlan(
            "Pelatihan Halal",
            NOW + timedelta(days=10),
            NOW + timedelta(days=10, hours=3),
            "Aula",
            None,
            None,
            Segment(kecamatan=(METRO_BARAT,)),
        )
        create_training(db, plan, "test", NOW)
        db.commit()
        training_id = db.exec(select(Training)).one().id
    client, _ = login(site, "admin")
    page = client.get("/admin/siaran").text
    assert "Diundang ke: Pelatihan Halal" in page
    invited = client.post(
        "/admin/siaran/pratinjau",
        data={"csrf": csrf_of(page), "text": "Ingat pelatihannya ya", "pelatihan": str(training_id)},
    )
    assert "Penerima: <strong>1</strong>" in invited.text and "Dewi" in invited.text
    needs = client.post(
        "/admin/siaran/pratinjau", data={"csrf": csrf_of(page), "text": "Bantuan modal KUR", "kebutuhan": "modal"}
    )
    assert "Penerima: <strong>0</strong>" in needs.text


def test_a_whatsapp_photo_not_copied_yet_is_fetched_when_an_officer_opens_it(
    lite_engine, sqlite_url: str, tmp_path
) -> None:
    from tests.fakes import whatsapp as wa
    from tests.test_whatsapp import wa_settings

    fake = wa.FakeCloudAPI()
    with Session(lite_engine) as db:
        owner = seed_owner(db, "Sri", METRO_PUSAT, pirt="terbit")
        from bot.storage.models import Business, Product

        business = db.exec(select(Business).where(Business.owner_id == owner.id)).one()
        product = db.exec(select(Product).where(Product.business_id == business.id)).one()
        product.photo = "whatsapp:2479537139650975"  # stored by a step; the process died before copying it
        db.add(product)
        create_officer(db, "admin", "Admin Dinas", "admin", None, PASSWORD, "test", NOW)
        db.commit()
        business_id = business.id
    with fake.serve() as cloud:
        fake.url = cloud.url
        settings = wa_settings(cloud.url, sqlite_url, tmp_path, environment="development")
        with running_app(settings, lite_engine) as server:
            admin, _ = login(server.url, "admin")
            photo = admin.get(f"/admin/usaha/{business_id}/foto", params={"ref": "whatsapp:2479537139650975"})
    assert photo.status_code == 200 and photo.content == wa.IMAGE_BYTES
    assert (tmp_path / "media" / "whatsapp" / "2479537139650975.jpg").read_bytes() == wa.IMAGE_BYTES


def test_an_officer_switches_the_dashboard_to_english_and_back(site: str) -> None:
    client, _response = login(site, "admin")
    assert "Ringkasan" in client.get("/admin").text
    switched = client.get("/admin/bahasa", params={"ke": "en", "kembali": "/admin/usaha?page=1"})
    assert switched.status_code == 303 and switched.headers["location"] == "/admin/usaha?page=1"
    page = client.get("/admin").text
    assert "Overview" in page and "Ringkasan" not in page and 'lang="en"' in page
    assert "Bahasa Indonesia" in page  # the way back
    elsewhere = client.get("/admin/bahasa", params={"ke": "id", "kembali": "//evil.example/admin"})
    assert elsewhere.headers["location"] == "/admin"  # never sent off the dashboard
    assert "Ringkasan" in client.get("/admin").text
    assert "Masuk" in httpx.get(f"{site}/admin/login").text  # a new visitor reads Indonesian
