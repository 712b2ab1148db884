"""The dashboard driven in a real headless Chromium (Debian's, through playwright): what an officer clicks."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.config import Settings
from bot.officers.accounts import create_officer
from bot.storage.models import Broadcast
from tests.seed import NOW, seed_owner
from tests.telegram_harness import running_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
PASSWORD = "kata-sandi-rahasia-1"


@pytest.fixture
def browser_page() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("LAPOR_REQUIRE_BROWSER"):
            pytest.fail("Chromium is required (LAPOR_REQUIRE_BROWSER) but /usr/bin/chromium is missing")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
        yield context.new_page()
        context.close()
        browser.close()


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_officer_journey_in_a_real_browser(browser_page, lite_engine, sqlite_url: str, tmp_path: Path) -> None:
    page = browser_page
    with Session(lite_engine) as db:
        seed_owner(db, "Sri Wahyuni", "18.72.01", nib="terbit", pirt="terbit", phone="+6281234567890")
        seed_owner(db, "Budi Santoso", "18.72.01", nib="belum", pirt="diurus")
        seed_owner(db, "Dewi Lestari", "18.72.03", nib="belum", pirt="belum")
        create_officer(db, "admin", "Admin Dinas", "admin", None, PASSWORD, "test", NOW)
        db.commit()
    settings = Settings(_env_file=None, database_url=sqlite_url, secret_key="y" * 40)  # type: ignore[call-arg]
    with running_app(settings, lite_engine) as server:
        page.goto(f"{server.url}/admin/login")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("button:has-text('Masuk')")
        page.wait_for_selector("h1:has-text('Ringkasan')")
        assert "Metro Pusat" in page.content()
        shot(page, "01-ringkasan")

        page.click("header a:has-text('Usaha')")
        page.select_option("select[name=izin]", "nib:belum")
        page.click("#filters button")
        page.wait_for_selector("#businesses")
        rows = page.locator("#businesses tr").all_inner_texts()
        assert any("Budi Santoso" in r for r in rows) and not any("Sri Wahyuni" in r for r in rows)
        shot(page, "02-usaha-belum-nib")

        with page.expect_download() as download_info:
            page.click("#export-csv")
        download = download_info.value
        target = tmp_path / download.suggested_filename
        download.save_as(str(target))
        content = target.read_text(encoding="utf-8-sig")
        assert "Budi Santoso" in content and "Sri Wahyuni" not in content

        page.click("#businesses a:has-text('Usaha Budi Santoso')")
        page.wait_for_selector("h1:has-text('Usaha Budi Santoso')")
        assert "P-IRT" in page.content()
        shot(page, "03-detail-usaha")

        page.click("header a:has-text('Pengumuman')")
        page.fill("textarea[name=text]", "Jemput bola NIB: Senin depan di kantor Kecamatan Metro Barat.")
        page.select_option("select[name=kecamatan]", "18.72.03")
        page.click("#preview")
        page.wait_for_selector("#recipients")
        assert "1" in page.inner_text("#recipients")
        shot(page, "04-pratinjau-pengumuman")
        page.click("#send")
        page.wait_for_selector("#progress")
        shot(page, "05-kemajuan-pengumuman")

        page.set_viewport_size({"width": 390, "height": 844})  # a phone screen
        page.goto(f"{server.url}/admin")
        shot(page, "06-ringkasan-hp")
    with Session(lite_engine) as db:
        broadcast = db.exec(select(Broadcast)).one()
    assert broadcast.recipients == 1
    assert (SCREENSHOTS / "05-kemajuan-pengumuman.png").stat().st_size > 5000
