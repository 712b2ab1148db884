"""Officers can trust the dashboard: one access policy on every route, sessions that end, withdrawn owners out of
sight, a sandboxed simulator, browser hardening and a lockout that says nothing about who exists."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from fastapi.routing import APIRoute
from sqlalchemy import update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, func, select

from bot.clock import utcnow
from bot.config import Settings
from bot.officers import accounts
from bot.officers.accounts import authenticate, create_officer
from bot.officers.broadcasts import create_broadcast
from bot.officers.export import business_query
from bot.storage.models import Broadcast, Business, HelpRequest, Officer, OfficerSession, Owner
from bot.storage.segments import Segment
from tests.seed import NOW, seed_owner
from tests.telegram_harness import running_app
from webhook.admin.auth import COOKIE
from webhook.admin.businesses import search_text
from webhook.admin.policy import POLICY, PUBLIC, Rule

METRO_PUSAT, METRO_BARAT = "18.72.01", "18.72.03"
PASSWORD = "kata-sandi-rahasia-1"


@dataclass
class Objects:
    """Ids of one object of each kind in Metro Pusat (outside officer "barat"'s scope) and one in Metro Barat."""

    business: int
    business_barat: int
    broadcast: int
    broadcast_barat: int
    help: int
    help_barat: int
    officer: int


@pytest.fixture
def office(lite_engine, sqlite_url: str, tmp_path) -> Iterator[tuple[str, Objects]]:
    with Session(lite_engine) as db:
        sri = seed_owner(db, "Sri", METRO_PUSAT, nib="terbit", pirt="terbit", phone="+6281234567890")
        dewi = seed_owner(db, "Dewi", METRO_BARAT, nib="belum", pirt="belum", phone="+6281298765432")
        admin = create_officer(db, "admin", "Admin Dinas", "admin", None, PASSWORD, "test", NOW)
        create_officer(db, "barat", "Petugas Barat", "officer", [METRO_BARAT], PASSWORD, "test", NOW)
        create_officer(db, "lihat", "Pengamat", "viewer", None, PASSWORD, "test", NOW)
        to_pusat = create_broadcast(db, admin.id, "Dinas", "Untuk Metro Pusat", Segment((METRO_PUSAT,)), None, NOW, NOW)
        to_barat = create_broadcast(db, admin.id, "Dinas", "Untuk Metro Barat", Segment((METRO_BARAT,)), None, NOW, NOW)
        help_pusat, help_barat = HelpRequest(owner_id=sri.id, topic="pirt"), HelpRequest(owner_id=dewi.id, topic="nib")
        db.add_all([help_pusat, help_barat])
        db.flush()

        def business_of(owner: Owner) -> int:
            return db.exec(select(Business.id).where(Business.owner_id == owner.id)).one()

        objects = Objects(
            business_of(sri),
            business_of(dewi),
            to_pusat.id,
            to_barat.id,
            help_pusat.id,
            help_barat.id,
            admin.id,
        )
        db.commit()
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=sqlite_url,
        secret_key="x" * 40,
        office_name="Dinas Kota Metro",
        media_dir=str(tmp_path / "media"),
    )
    with running_app(settings, lite_engine) as server:
        yield server.url, objects


def login(base: str, username: str, password: str = PASSWORD) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=10)
    form = client.get("/admin/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    response = client.post("/admin/login", data={"username": username, "password": password, "csrf": token})
    assert response.status_code == 303, response.text
    return client


def csrf_of(client: httpx.Client) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/admin/usaha").text).group(1)


def open_help_shown(client: httpx.Client) -> int:
    shown = re.search(r'<a href="/admin/bantuan" id="open-help">(\d+)</a>', client.get("/admin").text)
    return int(shown[1])


def concrete(path: str, objects: Objects, inside: bool) -> str:
    """A real URL for a route path: the object outside officer "barat"'s scope, or the one inside."""
    values = {
        "business_id": objects.business_barat if inside else objects.business,
        "broadcast_id": objects.broadcast_barat if inside else objects.broadcast,
        "request_id": objects.help_barat if inside else objects.help,
        "officer_id": objects.officer,
        "action": "batal",
    }
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)


def api_routes(routes: list) -> Iterator[APIRoute]:
    """Every APIRoute of the application, through included routers (FastAPI keeps those as routers of their own)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            assert not route.include_context.prefix, "the policy keys on the route's own path"
            yield from api_routes(route.original_router.routes)


def admin_routes() -> list[tuple[str, str]]:
    from webhook.app import create_app

    app = create_app(Settings(_env_file=None), None)  # type: ignore[arg-type,call-arg]
    found = [
        (method, route.path)
        for route in api_routes(app.routes)
        if route.path == "/admin" or route.path.startswith("/admin/")
        for method in sorted(route.methods)
        if method != "HEAD"
    ]
    assert len(found) > 20  # the walk reached the dashboard's routes
    return found


def test_every_dashboard_route_has_an_entry_in_the_access_policy() -> None:
    routes = admin_routes()
    assert set(routes) == set(POLICY), (
        f"routes without a policy entry: {sorted(set(routes) - set(POLICY))}; "
        f"policy entries without a route: {sorted(set(POLICY) - set(routes))}"
    )


ROLES = {"admin": "admin", "barat": "officer", "lihat": "viewer"}


def expected(rule: Rule, who: str, inside: bool) -> str:
    """What the policy table says a client should get."""
    if rule is PUBLIC:
        return "allowed"
    if who == "anonymous":
        return "login"
    if ROLES[who] not in (rule.roles or ()):
        return "403"
    if rule.check is not None and ROLES[who] == "officer" and not inside:
        return "404"
    return "allowed"


def outcome_of(response: httpx.Response) -> str:
    if response.status_code == 303 and response.headers["location"] == "/admin/login":
        return "login"
    return str(response.status_code) if response.status_code in (403, 404) else "allowed"


def test_each_route_keeps_each_role_to_what_it_may_do(office) -> None:
    """Every route, as anonymous, viewer, scoped officer (object outside and inside scope) and admin."""
    base, objects = office
    clients = {name: login(base, name) for name in ROLES}
    clients["anonymous"] = httpx.Client(base_url=base, timeout=10)
    tokens = {name: csrf_of(client) for name, client in clients.items() if name != "anonymous"}
    checked = 0
    for method, path in admin_routes():
        if path in ("/admin/logout", "/admin/login") and method == "POST":
            continue  # logging out would end the client's session; logging in has tests of its own
        rule = POLICY[(method, path)]
        for who, client in clients.items():
            for inside in (False, True) if rule.check else (False,):
                data = {"csrf": tokens.get(who, "")} if method == "POST" else None
                response = client.request(method, concrete(path, objects, inside), data=data)
                assert outcome_of(response) == expected(rule, who, inside), (method, path, who, inside)
                checked += 1
    assert checked > 80


def test_a_scoped_officer_cannot_act_on_what_lies_outside_their_kecamatan(office, lite_engine) -> None:
    base, objects = office
    officer = login(base, "barat")
    token = csrf_of(officer)
    assert officer.post(f"/admin/siaran/{objects.broadcast}/batal", data={"csrf": token}).status_code == 404
    assert officer.post(f"/admin/siaran/{objects.broadcast}/ulang", data={"csrf": token}).status_code == 404
    assert officer.post(f"/admin/bantuan/{objects.help}/selesai", data={"csrf": token}).status_code == 404
    assert officer.post("/admin/bantuan/999999/selesai", data={"csrf": token}).status_code == 404
    assert officer.get(f"/admin/siaran/{objects.broadcast}").status_code == 404
    with Session(lite_engine) as db:
        assert db.get(Broadcast, objects.broadcast).status != "cancelled"
        assert db.get(HelpRequest, objects.help).status == "open"
    listed = officer.get("/admin/siaran").text
    assert "Untuk Metro Barat" in listed and "Untuk Metro Pusat" not in listed
    assert open_help_shown(officer) == 1  # their own kecamatan's, as their help list shows
    assert open_help_shown(login(base, "admin")) == 2
    # Inside their scope the same actions work.
    assert officer.post(f"/admin/bantuan/{objects.help_barat}/selesai", data={"csrf": token}).status_code == 303
    with Session(lite_engine) as db:
        assert db.get(HelpRequest, objects.help_barat).status == "closed"


def test_logout_ends_the_session_even_for_a_copied_cookie(office) -> None:
    base, _objects = office
    client = login(base, "admin")
    copied = httpx.Client(base_url=base, timeout=10, cookies={COOKIE: client.cookies[COOKIE]})
    assert copied.get("/admin/usaha").status_code == 200
    assert client.post("/admin/logout", data={"csrf": csrf_of(client)}).status_code == 303
    for path in ("/admin/usaha", "/admin/ekspor?format=csv"):
        response = copied.get(path)
        assert response.status_code == 303 and response.headers["location"] == "/admin/login"


def test_changing_an_officers_access_ends_their_sessions_at_once(office, lite_engine) -> None:
    base, _objects = office
    admin = login(base, "admin")
    with Session(lite_engine) as db:
        barat_id = db.exec(select(Officer.id).where(Officer.username == "barat")).one()
    rounds = [  # (password to log in with, the admin's change): a role, a password, then the account switched off
        (PASSWORD, {"role": "viewer", "active": "1"}),
        (PASSWORD, {"role": "officer", "active": "1", "password": "sandi-baru-panjang"}),
        ("sandi-baru-panjang", {"role": "officer"}),  # "active" left out: the box is unticked
    ]
    for password, change in rounds:
        officer = login(base, "barat", password)
        assert officer.get("/admin/usaha").status_code == 200
        form = {"csrf": csrf_of(admin), "kecamatan": [METRO_BARAT], **change}
        assert admin.post(f"/admin/petugas/{barat_id}", data=form).status_code == 200
        response = officer.get("/admin/usaha")
        assert response.status_code == 303 and response.headers["location"] == "/admin/login", change
    with Session(lite_engine) as db:
        barat = db.exec(select(Officer).where(Officer.username == "barat")).one()
        assert not barat.active and barat.role == "officer"
        assert db.exec(select(OfficerSession).where(OfficerSession.officer_id == barat.id)).all() == []
    form = httpx.Client(base_url=base).get("/admin/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    refused = httpx.post(
        f"{base}/admin/login",
        data={"username": "barat", "password": "sandi-baru-panjang", "csrf": token},
        cookies=form.cookies,
    )
    assert refused.status_code == 401


def test_sessions_end_when_idle_or_too_old_and_a_new_login_gets_a_new_token(office, lite_engine) -> None:
    base, _objects = office
    first = login(base, "lihat")
    old_token = first.cookies[COOKIE]
    again = first.post("/admin/login")  # a login form posted again in the same browser is refused (no token)...
    assert again.status_code in (403, 422)
    second = login(base, "lihat")
    assert second.cookies[COOKIE] != old_token
    with Session(lite_engine) as db:
        db.execute(update(OfficerSession).values(last_seen_at=utcnow() - timedelta(hours=2, minutes=1)))
        db.commit()
    for client in (first, second):
        response = client.get("/admin")
        assert response.status_code == 303 and response.headers["location"] == "/admin/login"
    third = login(base, "lihat")
    with Session(lite_engine) as db:
        db.execute(update(OfficerSession).values(created_at=utcnow() - timedelta(hours=12, minutes=1)))
        db.commit()
    assert third.get("/admin").status_code == 303


def test_owners_who_withdrew_are_nowhere_an_officer_looks(office, lite_engine) -> None:
    base, objects = office
    admin = login(base, "admin")
    assert "Sri" in admin.get("/admin/bantuan").text and open_help_shown(admin) == 2
    with Session(lite_engine) as db:
        sri = db.exec(select(Owner).where(Owner.name == "Sri")).one()
        sri.consent_status, sri.withdrawn_at = "withdrawn", utcnow()
        db.add(sri)
        db.commit()
    help_page = admin.get("/admin/bantuan").text
    assert "Sri" not in help_page and "+6281234567890" not in help_page and "Dewi" in help_page
    assert open_help_shown(admin) == 1
    token = csrf_of(admin)
    assert admin.get(f"/admin/usaha/{objects.business}").status_code == 404
    assert admin.post(f"/admin/bantuan/{objects.help}/selesai", data={"csrf": token}).status_code == 404
    assert "Sri" not in admin.get("/admin/usaha").text
    assert "Sri" not in admin.get("/admin/ekspor?format=csv").text


def test_the_simulator_is_a_sandbox_and_not_for_viewers(office, lite_engine) -> None:
    base, _objects = office
    with Session(lite_engine) as db:
        owners_before = db.exec(select(func.count()).select_from(Owner)).one()
    officer = login(base, "barat")
    token = csrf_of(officer)
    for message in ("halo", "setuju", "Bu Simulasi"):
        reply = officer.post("/admin/simulator", data={"csrf": token, "message": message})
        assert reply.status_code == 200
    assert "Simulasi" in reply.text  # the conversation went on: the name was taken
    with Session(lite_engine) as db:
        assert db.exec(select(func.count()).select_from(Owner)).one() == owners_before
    assert "Simulasi" not in login(base, "admin").get("/admin/usaha").text
    viewer = login(base, "lihat")
    assert viewer.post("/admin/simulator", data={"csrf": csrf_of(viewer), "message": "halo"}).status_code == 403
    assert 'href="/admin/simulator"' not in viewer.get("/admin").text


def test_pages_carry_security_headers_and_cross_site_forms_are_refused(office, lite_engine) -> None:
    base, objects = office
    for path in ("/admin/login", "/healthz"):
        headers = httpx.get(base + path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "script-src 'none'" in headers["content-security-policy"]
        assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in headers  # development: plain HTTP on a laptop
    admin = login(base, "admin")
    token = csrf_of(admin)
    host = base.removeprefix("http://")
    for origin in ("http://evil.example", "null"):
        refused = admin.post(
            f"/admin/siaran/{objects.broadcast}/batal", data={"csrf": token}, headers={"Origin": origin}
        )
        assert refused.status_code == 403 and "tidak dikirim dari halaman Lapor IKM" in refused.text
    refused = admin.post(
        f"/admin/siaran/{objects.broadcast}/batal", data={"csrf": token}, headers={"Referer": "http://evil.example/x"}
    )
    assert refused.status_code == 403
    with Session(lite_engine) as db:
        assert db.get(Broadcast, objects.broadcast).status != "cancelled"
    same = admin.post(
        f"/admin/siaran/{objects.broadcast}/batal", data={"csrf": token}, headers={"Origin": f"http://{host}"}
    )
    assert same.status_code == 303
    with Session(lite_engine) as db:
        assert db.get(Broadcast, objects.broadcast).status == "cancelled"


def test_production_adds_hsts_and_secure_cookies(lite_engine, sqlite_url: str, tmp_path) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=sqlite_url,
        secret_key="y" * 40,
        environment="production",
        whatsapp_app_secret="s" * 32,
        media_dir=str(tmp_path / "media"),
    )
    with running_app(settings, lite_engine) as server:
        response = httpx.get(server.url + "/admin/login")
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")
    login_cookie = response.headers["set-cookie"]
    assert "lapor_masuk=" in login_cookie and "Secure" in login_cookie and "HttpOnly" in login_cookie


def test_every_login_attempt_costs_one_password_verification(lite_engine, monkeypatch) -> None:
    """Unknown username, wrong password, locked account, right password: the same argon2 work each time."""
    calls: list[str] = []
    real = accounts._hasher

    class Counting:
        def verify(self, stored: str, password: str) -> bool:
            calls.append("verify")
            return real.verify(stored, password)

        def hash(self, password: str) -> str:
            calls.append("hash")
            return real.hash(password)

    monkeypatch.setattr(accounts, "_hasher", Counting())
    with Session(lite_engine) as db:
        db.add(Officer(username="rina", name="Rina", role="officer", password_hash=accounts._DUMMY_HASH))
        db.commit()
        attempts = [("nobody", "x"), ("rina", "salah")] + [("rina", "salah")] * 5 + [("rina", "x")]
        for username, password in attempts:
            calls.clear()
            authenticate(db, username, password, "192.0.2.1", utcnow())
            assert calls == ["verify"], (username, password)
        assert accounts.is_locked_out(db, "rina", "192.0.2.1", utcnow())


def test_errors_are_indonesian_pages_with_a_way_back(office) -> None:
    base, objects = office
    officer = login(base, "barat")
    token = csrf_of(officer)
    cases = [
        (officer.get(f"/admin/usaha/{objects.business}"), 404, "berada di luar wilayah tugas Anda"),
        (officer.get("/admin/audit"), 403, "Peran Anda tidak mengizinkan ini"),
        (officer.post("/admin/siaran", data={"csrf": token, "text": "x"}), 422, "Formulir belum lengkap"),
        (officer.post("/admin/siaran", data={"csrf": "lama", "text": "Halo semua"}), 403, "sudah kedaluwarsa"),
    ]
    for response, status, text in cases:
        assert response.status_code == status and response.headers["content-type"].startswith("text/html")
        assert text in response.text and 'href="/admin">Kembali ke ringkasan' in response.text
        assert '{"detail"' not in response.text and "Field required" not in response.text
    anonymous = httpx.get(f"{base}/admin/tidak-ada")
    assert anonymous.status_code == 404 and 'href="/admin/login"' in anonymous.text


def test_a_huge_search_and_a_broadcast_for_the_year_9999_are_answered_politely(office, lite_engine) -> None:
    base, _objects = office
    admin = login(base, "admin")
    assert admin.get("/admin/usaha", params={"q": "a" * 10_000}).status_code == 200
    assert admin.get("/admin/ekspor", params={"format": "csv", "q": "%" * 5_000}).status_code == 200
    # Past SQLite's 50,000-byte LIKE pattern limit (the HTTP server refuses such a URL before: checked here).
    with Session(lite_engine) as db:
        with pytest.raises(OperationalError):
            db.exec(business_query(None, "%" * 60_000)).all()
        assert db.exec(business_query(None, search_text("%" * 60_000))).all()
    form = {"csrf": csrf_of(admin), "text": "Pengumuman jauh sekali", "when": "9999-12-31T10:00"}
    response = admin.post("/admin/siaran", data=form)
    assert response.status_code == 400 and "Pilih waktu dalam satu tahun ke depan" in response.text
    with Session(lite_engine) as db:
        assert db.exec(select(func.count()).select_from(Broadcast)).one() == 2  # the two of the fixture


def test_the_broadcast_preview_counts_apart_owners_no_message_can_reach(office, lite_engine) -> None:
    base, _objects = office
    with Session(lite_engine) as db:
        seed_owner(db, "Rudi", METRO_BARAT, platform="console", external_id="konsol-7")
        db.commit()
    officer = login(base, "barat")
    form = {"csrf": csrf_of(officer), "text": "Pelatihan kemasan minggu depan"}
    page = officer.post("/admin/siaran/pratinjau", data=form).text
    assert re.search(r'id="recipients">Penerima: <strong>1</strong>', page)
    assert "1 lainnya tidak bisa dihubungi: belum punya akun Telegram/WhatsApp" in page
    sent = officer.post("/admin/siaran", data={**form, "photo": ""}, follow_redirects=True)
    assert "Penerima: 1" in sent.text


@pytest.mark.parametrize(
    ("host", "source", "same"),
    [
        ("lapor.example.id", {"origin": "https://lapor.example.id:8443"}, True),  # nginx's $host drops the port
        ("127.0.0.1:8000", {"origin": "http://127.0.0.1:8000"}, True),
        ("[::1]:8000", {"referer": "http://[::1]:8000/admin/usaha"}, True),
        ("127.0.0.1:8000", {"origin": "http://evil.example"}, False),
        ("lapor.example.id", {"origin": "https://lapor.example.id.evil.example"}, False),
        ("lapor.example.id", {"origin": "null"}, False),
        ("lapor.example.id", {}, True),  # a program, not a page: the CSRF token still decides
    ],
)
def test_the_origin_rule(host: str, source: dict[str, str], same: bool) -> None:
    from starlette.datastructures import Headers

    from webhook.hardening import same_origin

    assert same_origin(Headers(headers={"host": host, **source})) is same
