"""A failure inside a dashboard page (a bug, the database gone) is a page in the officer's language with a way back,
not a bare "Internal Server Error"; the webhooks keep their plain answer."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from bot.config import Settings
from webhook.admin import errors, login
from webhook.app import create_app


def _broken(*_args: object) -> str:
    raise RuntimeError("a bug")


@pytest.fixture
def client(sqlite_url: str, lite_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setattr(login, "new_login_token", _broken)
    settings = Settings(_env_file=None, database_url=sqlite_url, secret_key="e" * 40)  # type: ignore[call-arg]
    return TestClient(create_app(settings, lite_engine), raise_server_exceptions=False)  # no lifespan: no loops


@pytest.mark.parametrize(("language", "title"), [("id", "Ada yang tidak beres"), ("en", "Something went wrong")])
def test_a_failing_page_is_a_page_in_the_officers_language(client: TestClient, language: str, title: str) -> None:
    client.cookies.set("bahasa", language)
    response = client.get("/admin/login")
    assert response.status_code == 500 and response.headers["content-type"].startswith("text/html")
    assert f'<html lang="{language}">' in response.text and f"<h1>{title}</h1>" in response.text
    assert 'href="/admin/login"' in response.text  # a way back
    assert "RuntimeError" not in response.text and "a bug" not in response.text


def test_a_failure_outside_the_dashboard_keeps_the_plain_answer() -> None:
    request = Request({"type": "http", "method": "POST", "path": "/telegram/webhook", "headers": []})
    response = asyncio.run(errors._server_error(request, RuntimeError("a bug")))
    assert response.status_code == 500 and response.body == b"Internal Server Error"
