"""Every dashboard page, for every role, in both languages: words an officer reads, never a code, an English status on
an Indonesian page or a UTC time; and in a real browser at 390 px (a phone) no page is wider than the screen.
Screenshots of every page at 390 and 1280 px are written to artifacts/screenshots/pages/ (not committed)."""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.dashboard_site import ROLES, Site, login, pages, seeded_dashboard

SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots" / "pages"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

# What a database code, a Python value or a raw time looks like when it leaks into a page.
LEAKS = {
    "a code (snake_case)": re.compile(r"\b[a-z]+_[a-z_]+\b"),
    "a Python value": re.compile(r"\{'|'\}|\bNone\b|\bTrue\b|\bFalse\b"),
    "an officer by id": re.compile(r"\bofficer:\d+"),
    "a product key": re.compile(r"\bp\d+\b"),
    "a raw date-time": re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d|\+00:00|\bUTC\b"),
    "an '(open)' mark": re.compile(r"\(open\)"),
}
ENGLISH_ON_INDONESIAN = re.compile(
    r"\b(scheduled|sending|done|cancelled|stopped|waitlist|maybe|invited|open|closed|queued|delivered|failed|blocked"
    r"|yes|read|sent|pending)\b"
)
INDONESIAN_ON_ENGLISH = re.compile(r"\b(belum|diurus|terbit|kedaluwarsa|tidak perlu|sedang diurus|Ringkasan|Usaha)\b")


def visible_text(page: str) -> str:
    """The words a browser shows: no style, no tags, entities decoded."""
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.DOTALL | re.IGNORECASE)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def leaks(text: str, language: str) -> list[str]:
    """Each leak found, with what it is and the words around it."""
    patterns = dict(LEAKS)
    patterns["English on an Indonesian page" if language == "id" else "Indonesian on an English page"] = (
        ENGLISH_ON_INDONESIAN if language == "id" else INDONESIAN_ON_ENGLISH
    )
    found = []
    for what, pattern in patterns.items():
        for match in pattern.finditer(text):
            around = " ".join(text[max(0, match.start() - 40) : match.end() + 40].split())
            found.append(f"{what}: {match.group(0)!r} in “{around}”")
    return found


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with seeded_dashboard(tmp_path_factory.mktemp("pages")) as (running, _engine):
        yield running


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_speaks_words_not_codes(site: Site, role: str, language: str) -> None:
    client = login(site.url, ROLES[role], language)
    problems = []
    for name, path in pages(site, role).items():
        response = client.get(path)
        expected = 404 if name == "tidak-ada" else 403 if name == "terlarang" else 200
        assert response.status_code == expected, f"{name} {path}: {response.status_code}"
        assert "text/html" in response.headers["content-type"], f"{name} is not a page"
        problems += [f"{name}: {leak}" for leak in leaks(visible_text(response.text), language)]
    assert not problems, f"{role}, {language}:\n" + "\n".join(problems)


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_fits_a_phone_and_screenshots_are_written(site: Site, browser, role: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844})
    cookies = login(site.url, ROLES[role]).cookies
    context.add_cookies([{"name": k, "value": v, "url": site.url} for k, v in cookies.items()])
    page = context.new_page()
    too_wide = []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in pages(site, role).items():
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 844})
            page.goto(site.url + path)
            page.screenshot(path=str(SCREENSHOTS / f"{role}-{name}-{width}.png"), full_page=True)
            if width == 390:
                scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
                if scroll > inner:
                    too_wide.append(f"{name} {path}: {scroll} px wide at {inner} px")
    context.close()
    assert not too_wide, f"{role}:\n" + "\n".join(too_wide)
