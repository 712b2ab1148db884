"""Permit numbers read from a photo on the business page: the officer sees which numbers the owner confirmed from a
photo, the photo beside them (a PDF as a link), and the photo route serves only the business's own kept files."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image
from sqlmodel import Session, select

from bot.channels.whatsapp import media_path
from bot.storage.media import kept_media_file, kept_media_type, media_type
from bot.storage.models import Business, Permit, Product
from conversations.i18n import translator
from tests.dashboard_site import METRO_BARAT, Site, login, seeded_dashboard
from tests.seed import NOW, seed_owner

CONFIRMED = "Read from the photo, confirmed by the owner"
NIB, HALAL, PIRT = "1234567890123", "ID13110000123450825", "2063572010123-30"
TELEGRAM_ID = "AgACAgUAAxkBAAIB-x/y+z"  # a file id with characters a file name may not have


def picture(kind: str, colour: str = "orange") -> bytes:
    """A real small picture (or a one-page PDF of it), as a phone or a scanner makes it."""
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, format=kind)
    return buffer.getvalue()


@dataclass
class Shop:
    """The served dashboard and the business with numbers read from photos, with its media."""

    site: Site
    business_id: int
    other_id: int  # another business, with a photo of its own
    refs: dict[str, str]  # what: stored reference
    files: dict[str, bytes]  # what: the bytes kept


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    folder = tmp_path_factory.mktemp("photo-numbers")
    with seeded_dashboard(folder) as (site, engine):
        media = folder / "media"  # the served dashboard's media folder (tests.dashboard_site)
        (media / "console").mkdir(parents=True)
        (media / "telegram").mkdir(parents=True)
        files = {
            "nib": picture("JPEG"),
            "halal": picture("PDF"),
            "telegram": picture("PNG", "green"),
            "outside": picture("JPEG", "red"),
            "other": picture("JPEG", "blue"),
        }
        places = {
            "nib": media / "console" / "nib.jpg",
            "halal": media / "console" / "sertifikat halal.pdf",
            "telegram": kept_telegram(media, TELEGRAM_ID, ".png"),
            "outside": folder / "outside.jpg",  # beside the media folder, not in it
            "other": media / "console" / "other.jpg",
        }
        for what, path in places.items():
            path.write_bytes(files[what])
        link = media / "console" / "link.jpg"  # inside the folder, pointing out of it
        link.symlink_to(places["outside"])
        refs = {what: f"file:{path}" for what, path in places.items()}
        refs["telegram"] = f"telegram:{TELEGRAM_ID}"
        refs["link"] = f"file:{link}"
        with Session(engine) as db:
            owner = seed_owner(db, "Ani Rahayu", METRO_BARAT, nib=None, pirt="terbit")
            business = db.exec(select(Business).where(Business.owner_id == owner.id)).one()
            business.name = "Dodol Ani"
            db.add(Product(business_id=business.id, key="p2", name="Dodol", category="makanan", packaging="berlabel"))
            pirt = db.exec(select(Permit).where(Permit.business_id == business.id)).one()
            pirt.number = PIRT  # an older row: how the number came is not known
            db.add(pirt)
            for kind, product, number, source, ref in (
                ("nib", "", NIB, "photo", refs["nib"]),
                ("halal", "p1", HALAL, "typed", refs["halal"]),
                ("bpom", "p1", None, None, refs["outside"]),  # stored for the business, but outside the folder
                ("bpom", "p2", None, None, refs["link"]),
                ("merek", "", None, None, refs["telegram"]),
            ):
                db.add(
                    Permit(
                        business_id=business.id,
                        product_key=product,
                        type=kind,
                        status="terbit",
                        number=number,
                        number_source=source,
                        evidence_photo=ref,
                        reported_via="telegram",
                        reported_at=NOW,
                    )
                )
            other = seed_owner(db, "Eko Prasetyo", METRO_BARAT, nib="terbit")
            other_business = db.exec(select(Business).where(Business.owner_id == other.id)).one()
            other_permit = db.exec(select(Permit).where(Permit.business_id == other_business.id)).one()
            other_permit.evidence_photo = refs["other"]
            db.add(other_permit)
            db.commit()
            business_id, other_id = business.id, other_business.id
        assert business_id is not None and other_id is not None
        yield Shop(site, business_id, other_id, refs, files)


def kept_telegram(media: Path, file_id: str, suffix: str) -> Path:
    """Where a Telegram copy is kept: the WhatsApp rule of names, in the telegram folder."""
    return media / "telegram" / media_path(media, file_id, suffix).name


def permit_rows(page: str) -> list[str]:
    """The rows of the permits table."""
    table = re.search(r'<table[^>]*id="permits".*?</table>', page, flags=re.DOTALL)
    assert table is not None, "no permits table"
    return re.findall(r"<tr>(.*?)</tr>", table.group(0).split("<tbody>")[1], flags=re.DOTALL)


def cell(row: str, label: str) -> str:
    found = re.search(rf'<td data-label="{label}"[^>]*>(.*?)</td>', row, flags=re.DOTALL)
    assert found is not None, f"no {label} cell in {row}"
    return found.group(1)


def ref_of(url: str) -> str:
    return parse_qs(urlsplit(html.unescape(url)).query)["ref"][0]


def test_the_number_read_from_a_photo_is_marked_and_its_photo_shown(shop: Shop) -> None:
    client = login(shop.site.url, "admin", "en")
    response = client.get(f"/admin/usaha/{shop.business_id}")
    assert response.status_code == 200
    page = response.text
    assert page.count(CONFIRMED) == 1
    rows = {
        re.sub(r"<[^>]+>", "", cell(row, "Number")).replace(CONFIRMED, "").strip(): row for row in permit_rows(page)
    }
    assert CONFIRMED in cell(rows[NIB], "Number")
    assert CONFIRMED not in cell(rows[HALAL], "Number") and CONFIRMED not in cell(rows[PIRT], "Number")
    # The photo itself, linking to the full photo, through the business's photo route.
    evidence = cell(rows[NIB], "Evidence")
    image = re.search(r'<a href="([^"]+)"><img class="thumb" src="([^"]+)"', evidence)
    assert image is not None, evidence
    prefix = f"/admin/usaha/{shop.business_id}/foto?ref="
    assert image.group(1) == image.group(2) and image.group(1).startswith(prefix)
    assert ref_of(image.group(1)) == shop.refs["nib"]
    # The PDF as a link to the document, no picture.
    document = cell(rows[HALAL], "Evidence")
    link = re.search(r'<a href="([^"]+)">Document \(PDF\)</a>', document)
    assert link is not None and "<img" not in document, document
    assert link.group(1).startswith(prefix) and ref_of(link.group(1)) == shop.refs["halal"]
    # Without evidence: no picture, the cell left out on a phone.
    assert "<img" not in cell(rows[PIRT], "Evidence") and 'class="empty"' in rows[PIRT].split("Evidence")[1]
    # Console files the photo route will not serve are said to be gone, not shown as broken pictures; every picture
    # on the page loads.
    gone = [row for row in permit_rows(page) if "The photo is not available any more." in cell(row, "Evidence")]
    assert len(gone) == 2 and all("<img" not in row for row in gone)
    pictures = re.findall(r'<img class="thumb" src="([^"]+)"', page)
    assert {ref_of(src) for src in pictures} >= {shop.refs["nib"], shop.refs["telegram"]}
    for src in pictures:
        assert client.get(html.unescape(src)).status_code == 200, ref_of(src)


def test_the_indonesian_page_shows_the_same_rows(shop: Shop) -> None:
    client = login(shop.site.url, "admin", "id")
    page = client.get(f"/admin/usaha/{shop.business_id}").text
    rows = permit_rows(page)
    assert len(rows) == 6
    photo_row = next(row for row in rows if NIB in row)
    assert re.search(r'<img class="thumb" src="/admin/usaha/\d+/foto\?ref=', photo_row)
    assert "(PDF)" in next(row for row in rows if HALAL in row)
    # The line in the catalog's Indonesian (whatever its words), once, and never the English.
    line = translator("id")(CONFIRMED)
    assert line != CONFIRMED and CONFIRMED not in page
    assert page.count(html.escape(line)) == 1 and html.escape(line) in cell(photo_row, "Nomor")


def test_the_photo_route_serves_the_kept_files_with_their_type(shop: Shop) -> None:
    client = login(shop.site.url, "admin")
    route = f"/admin/usaha/{shop.business_id}/foto"
    photo = client.get(route, params={"ref": shop.refs["nib"]})
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    assert photo.content == shop.files["nib"]
    document = client.get(route, params={"ref": shop.refs["halal"]})
    assert document.status_code == 200 and document.headers["content-type"] == "application/pdf"
    assert document.headers["content-disposition"] == "inline" and document.content == shop.files["halal"]
    assert "object-src 'self'" in document.headers["content-security-policy"]  # Chrome's viewer may show it
    # A Telegram photo from the copy kept in the media folder (no Telegram here to download it from).
    copy = client.get(route, params={"ref": shop.refs["telegram"]})
    assert copy.status_code == 200 and copy.headers["content-type"] == "image/png"
    assert copy.content == shop.files["telegram"]


def test_the_photo_route_serves_nothing_else(shop: Shop) -> None:
    client = login(shop.site.url, "admin")
    route = f"/admin/usaha/{shop.business_id}/foto"
    # Another business's photo, asked through this business: not this business's.
    assert client.get(route, params={"ref": shop.refs["other"]}).status_code == 404
    assert client.get(f"/admin/usaha/{shop.other_id}/foto", params={"ref": shop.refs["other"]}).status_code == 200
    # Stored for this business, but outside the media folder: directly, or by a link inside it.
    assert client.get(route, params={"ref": shop.refs["outside"]}).status_code == 404
    assert client.get(route, params={"ref": shop.refs["link"]}).status_code == 404
    # A path that climbs out of the media folder, and a file never stored.
    climbing = f"file:{Path(shop.refs['nib'].removeprefix('file:')).parent}/../../outside.jpg"
    assert client.get(route, params={"ref": climbing}).status_code == 404
    assert client.get(route, params={"ref": "file:/etc/passwd"}).status_code == 404


def test_kept_files_are_found_by_the_platforms_names_and_told_by_their_bytes(tmp_path: Path) -> None:
    media = tmp_path / "media"
    odd = "wamid.HBg-LM/2+1=="
    kept = media_path(media, odd, ".pdf")  # as WhatsApp keeps what it fetched
    kept.parent.mkdir(parents=True)
    kept.write_bytes(picture("PDF"))
    media_path(media, odd + "x", ".jpg").write_bytes(picture("JPEG"))  # a longer id sharing the name's start
    assert kept_media_file(media, f"whatsapp:{odd}") == kept.resolve()
    assert kept_media_type(kept) == "application/pdf"
    assert kept_media_type(kept_media_file(media, f"whatsapp:{odd}x")) == "image/jpeg"  # type: ignore[arg-type]
    media_path(media, "voice-1", ".bin").write_bytes(b"OggS")  # a type the Cloud API gave that has no name of ours
    assert kept_media_file(media, "whatsapp:voice-1") == media_path(media, "voice-1", ".bin").resolve()
    assert kept_media_file(media, "whatsapp:unknown") is None and kept_media_file(media, "telegram:never") is None
    assert kept_media_file(media, "whatsapp:..") is None and kept_media_file(media, "file:relative/nib.jpg") is None
    assert media_type(picture("PNG")[:12]) == "image/png" and media_type(picture("JPEG")[:12]) == "image/jpeg"
    assert media_type(picture("WEBP")[:12]) == "image/webp" and media_type(b"%PDF-1.7") == "application/pdf"


def test_the_page_fits_a_phone_with_the_photo_shown(shop: Shop, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844})
    cookies = login(shop.site.url, "admin", "en").cookies
    context.add_cookies([{"name": k, "value": v, "url": shop.site.url} for k, v in cookies.items()])
    page = context.new_page()
    page.goto(f"{shop.site.url}/admin/usaha/{shop.business_id}")
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    loaded = page.evaluate(
        "Array.from(document.querySelectorAll('#permits img')).map(i => [i.complete && i.naturalWidth > 0, i.src])"
    )
    context.close()
    assert scroll <= inner, f"{scroll} px wide at {inner} px"
    assert len(loaded) == 2 and all(ok for ok, _src in loaded), loaded  # the NIB photo and the Telegram copy
