"""Fuzz the HTTP surface with schemathesis: every operation in the OpenAPI spec, generated inputs, no 500, no crash.

The real app runs on a fresh SQLite database with both channels configured (Telegram webhook with its secret, WhatsApp
with its app secret). Without credentials nothing may be stored; with an admin session and valid webhook credentials
nothing may fail either. Bodies over MAX_REQUEST_BYTES are refused.
"""

from __future__ import annotations

import copy
import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from bot.clock import utcnow
from bot.officers.accounts import create_officer
from bot.officers.sessions import open_session
from bot.storage.models import AuditLog, InboxEvent, OfficerSession, OutboxMessage, Owner
from tests.fakes import updates as tg
from tests.fakes import whatsapp as wa
from tests.fakes.telegram import TOKEN
from tests.seed import NOW, seed_owner
from tests.servers import ServerThread, wait_until
from tests.telegram_harness import SECRET, running_app, settled
from tests.test_whatsapp import WA_ID, both_channels
from webhook.admin.auth import COOKIE, LOGIN_COOKIE

SECRET_KEY = "k" * 40
# What an inbound request could create: tables inboxevent, owner, outboxmessage, auditlog.
STORES = (InboxEvent, Owner, OutboxMessage, AuditLog)
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture
def server(lite_engine: Engine, sqlite_url: str, tmp_path, fake, cloud: wa.FakeCloudAPI) -> Iterator[ServerThread]:
    """The app as deployed (production settings, both channels, officers' pages) with two owners to find."""
    with Session(lite_engine) as db:
        seed_owner(db, "Sri", "18.72.01", pirt="terbit", phone="+6281234567890")
        seed_owner(db, "Dewi", "18.72.03", nib="belum")
        db.commit()
    config = both_channels(
        cloud.url,
        fake.url,
        TOKEN,
        sqlite_url,
        tmp_path,
        secret_key=SECRET_KEY,
        run_scheduler=False,
        telegram_rate_per_chat=50.0,  # the fuzzer writes faster than a person
    )
    with running_app(config, lite_engine) as running:
        yield running


def _json_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _header(name: str) -> dict[str, Any]:
    return {"name": name, "in": "header", "required": True, "schema": {"type": "string"}}


# The webhooks read the raw request themselves (the secret is checked before parsing, the signature covers the exact
# bytes), so FastAPI's spec shows no body or headers for them. Without these the fuzzer would only send empty requests.
WEBHOOKS: dict[tuple[str, str], dict[str, Any]] = {
    ("/telegram/webhook", "post"): {
        "parameters": [_header("X-Telegram-Bot-Api-Secret-Token")],
        "requestBody": _json_body(
            {"type": "object", "properties": {"update_id": {"type": "integer"}}, "required": ["update_id"]}
        ),
    },
    ("/whatsapp/webhook", "get"): {
        "parameters": [
            {"name": name, "in": "query", "schema": {"type": "string"}}
            for name in ("hub.mode", "hub.verify_token", "hub.challenge")
        ]
    },
    ("/whatsapp/webhook", "post"): {
        "parameters": [_header("X-Hub-Signature-256")],
        "requestBody": _json_body(
            {
                "type": "object",
                "properties": {"object": {"type": "string"}, "entry": {"type": "array", "items": {"type": "object"}}},
            }
        ),
    },
}


@pytest.fixture
def api(server: ServerThread) -> schemathesis.schemas.BaseSchema:
    """The running app's own OpenAPI spec (not served in production: taken from the app), with what the webhooks
    read spelled out."""
    spec = copy.deepcopy(server.app.openapi())  # type: ignore[attr-defined]
    for (path, method), extra in WEBHOOKS.items():
        spec["paths"][path][method].update(extra)
    schema = schemathesis.openapi.from_dict(spec)
    schema.config.update(base_url=server.url)
    return schema


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    """schemathesis 4.32 reads `Node._nodeid`, which pytest 9.2 replaced by `Node.id`: give it the attribute back."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


def stored(engine: Engine) -> dict[str, int]:
    """Rows in each table an inbound request could write to."""
    with Session(engine) as db:
        return {table.__name__: db.exec(select(func.count()).select_from(table)).one() for table in STORES}


def assert_alive(server: ServerThread) -> None:
    """The server thread and the runtime's background loops (inbox worker, sender) are still running."""
    assert server.thread.is_alive(), "the server thread died"
    runtime = server.server.config.app.state.runtime
    for task in runtime._tasks:
        assert not task.done(), f"the background task {task.get_name()} ended"


schema = schemathesis.pytest.from_fixture("api")


@schema.parametrize()
@FUZZ
def test_without_credentials_nothing_fails_and_nothing_is_stored(
    case, server: ServerThread, lite_engine: Engine
) -> None:
    """No Telegram secret, no valid WhatsApp signature, no session cookie: never a 5xx, and not one row written."""
    before = stored(lite_engine)
    case.call_and_validate(checks=[not_a_server_error], timeout=20, allow_redirects=False)
    assert stored(lite_engine) == before, f"{case.method} {case.formatted_path} without credentials stored something"
    assert_alive(server)


def _sign_whatsapp(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """Sign webhook bodies with the app secret, as Meta does."""
    if request.method == "POST" and request.path_url.startswith("/whatsapp/webhook"):
        body = request.body or b""
        request.headers["X-Hub-Signature-256"] = wa.sign(body.encode() if isinstance(body, str) else body)
    return request


@dataclass
class Admin:
    """A logged-in admin: the session cookie (plus the login form's cookie) and the CSRF token their forms carry."""

    cookies: dict[str, str]
    csrf: str


@pytest.fixture
def admin(server: ServerThread, lite_engine: Engine) -> Iterator[Admin]:
    """An admin session; afterwards every accepted webhook event has been processed without failing."""
    with Session(lite_engine) as db:
        officer_id = create_officer(db, "admin", "Admin Dinas", "admin", None, None, "test", NOW).id
        assert officer_id is not None
        cookie = open_session(db, officer_id, utcnow())
        db.commit()
        csrf = db.exec(select(OfficerSession.csrf)).one()
    yield Admin({COOKIE: cookie, LOGIN_COOKIE: csrf}, csrf)
    wait_until(lambda: settled(lite_engine), timeout=15, what="the fuzzed webhook events to be processed")
    with Session(lite_engine) as db:
        failed = db.exec(select(InboxEvent).where(InboxEvent.status != "done")).all()
    assert not failed, [(event.payload, event.error) for event in failed]
    assert_alive(server)


@schema.parametrize()
@FUZZ
def test_with_credentials_nothing_fails(case, server: ServerThread, admin: Admin) -> None:
    """An admin's forms (with the right CSRF token), signed WhatsApp bodies, Telegram's secret: never a 5xx."""
    if case.media_type in FORMS and isinstance(case.body, dict):
        case.body["csrf"] = admin.csrf
    if case.path == "/telegram/webhook":
        case.headers = {**(case.headers or {}), "X-Telegram-Bot-Api-Secret-Token": SECRET}
    # Cookies per call, not a keep-alive session: on one connection each request waited ~40 ms for a delayed ACK.
    case.call_and_validate(
        checks=[not_a_server_error], cookies=admin.cookies, auth=_sign_whatsapp, timeout=20, allow_redirects=False
    )
    assert_alive(server)


BIG = 2**63  # past SQLite's INTEGER (and far past PostgreSQL's)
TRAINING = {"title": "Pelatihan", "place": "Balai"}
EDGES = [  # (method, path, form, status)
    ("GET", f"/admin/usaha/{BIG}", None, 404),
    ("GET", f"/admin/usaha/{2**31}/foto?ref=telegram:x", None, 404),
    ("GET", f"/admin/usaha?p={BIG}", None, 422),
    ("GET", f"/admin/siaran/{BIG}", None, 404),
    ("POST", f"/admin/siaran/{BIG}/batal", {}, 404),
    ("POST", f"/admin/bantuan/{BIG}/selesai", {}, 404),
    ("POST", "/admin/pelatihan", {**TRAINING, "start": "2026-12-01T09:00", "capacity": BIG}, 422),
    ("POST", "/admin/pelatihan", {**TRAINING, "start": "9999-12-31T23:00"}, 400),
    ("POST", "/admin/pelatihan", {**TRAINING, "start": "0001-01-01T00:00"}, 400),
    # A broadcast to a training's invitees: a value that is no training id is refused, not sent to everyone.
    ("POST", "/admin/siaran/pratinjau", {"text": "Halo semua", "pelatihan": "\u00b2"}, 404),
    ("POST", "/admin/siaran", {"text": "Halo semua", "pelatihan": str(BIG)}, 404),
    ("POST", "/admin/siaran", {"text": "Halo semua", "pelatihan": "semua"}, 404),
]


def test_numbers_and_dates_the_generator_rarely_reaches_are_refused_not_failed(
    server: ServerThread, admin: Admin
) -> None:
    """Ids past the database's integers, dates at the calendar's ends, odd digits: 4xx, where they used to be 500s."""
    answered = []
    for method, path, form, _status in EDGES:
        data = None if form is None else {**form, "csrf": admin.csrf}
        answered.append(
            httpx.request(method, server.url + path, data=data, cookies=admin.cookies, timeout=20).status_code
        )
    assert answered == [status for *_request, status in EDGES]


def signed(body: bytes) -> dict[str, str]:
    """Headers of a WhatsApp webhook request with a valid signature."""
    return {"Content-Type": "application/json", "X-Hub-Signature-256": wa.sign(body)}


def test_bodies_over_the_size_limit_are_refused_and_stored_nowhere(server: ServerThread, lite_engine: Engine) -> None:
    before = stored(lite_engine)
    http = httpx.Client(base_url=server.url, timeout=20)
    telegram = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    big_update = tg.text_update(4242, "x" * 1_100_000)  # over MAX_REQUEST_BYTES (1 MB)
    big_body = json.dumps(wa.text(WA_ID, "x" * 1_100_000)).encode()
    assert http.post("/telegram/webhook", json=big_update, headers=telegram).status_code == 413
    assert http.post("/telegram/webhook", json=big_update).status_code == 403  # no secret: refused before reading
    assert http.post("/whatsapp/webhook", content=big_body, headers=signed(big_body)).status_code == 413
    assert http.post("/whatsapp/webhook", content=big_body).status_code == 413
    assert stored(lite_engine) == before
    # The same requests within the limit are stored, so the refusals above are not an accident of the setup.
    assert http.post("/telegram/webhook", json=tg.text_update(4242, "halo"), headers=telegram).status_code == 200
    small_body = json.dumps(wa.text(WA_ID, "halo")).encode()
    assert http.post("/whatsapp/webhook", content=small_body, headers=signed(small_body)).status_code == 200
    with Session(lite_engine) as db:
        assert db.exec(select(func.count()).select_from(InboxEvent)).one() == 2
    assert_alive(server)


def answer_to_headers_alone(server: ServerThread, path: str, declared: int) -> bytes:
    """Send only a request's headers, announcing a body of `declared` bytes, and read what the server answers."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"X-Telegram-Bot-Api-Secret-Token: {SECRET}\r\nContent-Length: {declared}\r\n\r\n"
        )
        connection.sendall(head.encode())
        return connection.recv(1024)  # times out (an error) if the server waits for the announced body


@pytest.mark.parametrize("path", ["/telegram/webhook", "/whatsapp/webhook"])
def test_a_body_announced_over_the_limit_is_refused_before_it_arrives(server: ServerThread, path: str) -> None:
    assert answer_to_headers_alone(server, path, 50_000_000).startswith(b"HTTP/1.1 413")


def test_a_chunked_body_over_the_limit_is_refused(server: ServerThread, lite_engine: Engine) -> None:
    before = stored(lite_engine)

    def chunks() -> Iterator[bytes]:  # no Content-Length: the size is known only while reading
        for _ in range(11):  # just over the limit (1 MB), so the client is done sending when the refusal comes
            yield b" " * 100_000

    answer = httpx.post(server.url + "/whatsapp/webhook", content=chunks(), timeout=20)
    assert answer.status_code == 413
    assert stored(lite_engine) == before
    assert_alive(server)
