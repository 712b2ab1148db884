"""Rekap counts: "tidak perlu" is counted apart from "punya", the four counts add up to the businesses, and a
business holding per-product permits is as far as its most advanced product that needs the permit; the same
numbers in the rekap, the bot's text, `lapor-ikm rekap`, the chart and the overview page."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from sqlmodel import Session

from bot.officers.chat import rekap_text
from bot.officers.rekap import PERMITS, STATES, lacking, rekap
from bot.storage.models import Business, Owner, Permit, Product
from tests.seed import NOW

METRO_PUSAT, METRO_BARAT = "18.72.01", "18.72.03"
ALL = ("terbit", "diurus", "belum", "kedaluwarsa", "tidak_perlu")
HAVE, PROC, LACK, NONE = "have", "processing", "lack", "not_needed"

# name: (kecamatan, commodity, business permits {type: status}, products [(name, category, {type: status})],
#        the expected state of (nib, pirt, halal, bpom, merek))
BUSINESSES = {
    "Terbit": (
        METRO_PUSAT,
        "makanan",
        {"nib": "terbit", "merek": "terbit"},
        [("Keripik", "makanan", {"pirt": "terbit", "halal": "terbit", "bpom": "terbit"})],
        (HAVE, HAVE, HAVE, HAVE, HAVE),
    ),
    "Diurus": (
        METRO_PUSAT,
        "makanan",
        {"nib": "diurus", "merek": "diurus"},
        [("Keripik", "makanan", {"pirt": "diurus", "halal": "diurus", "bpom": "diurus"})],
        (PROC, PROC, PROC, PROC, PROC),
    ),
    "Belum": (
        METRO_PUSAT,
        "makanan",
        {"nib": "belum", "merek": "belum"},
        [("Keripik", "makanan", {"pirt": "belum", "halal": "belum", "bpom": "belum"})],
        (LACK, LACK, LACK, LACK, LACK),
    ),
    "Lewat": (  # lapsed: no valid permit now
        METRO_PUSAT,
        "minuman",
        {"nib": "kedaluwarsa", "merek": "kedaluwarsa"},
        [("Jamu", "minuman", {"pirt": "kedaluwarsa", "halal": "kedaluwarsa", "bpom": "kedaluwarsa"})],
        (LACK, LACK, LACK, LACK, LACK),
    ),
    "TidakPerlu": (
        METRO_PUSAT,
        "makanan",
        {"nib": "tidak_perlu", "merek": "tidak_perlu"},
        [("Keripik", "makanan", {"pirt": "tidak_perlu", "halal": "tidak_perlu", "bpom": "tidak_perlu"})],
        (NONE, NONE, NONE, NONE, NONE),
    ),
    "Kosong": (  # a food product that reported nothing, and no NIB or merek reported
        METRO_BARAT,
        "makanan",
        {},
        [("Keripik", "makanan", {})],
        (LACK, LACK, LACK, LACK, LACK),
    ),
    "Rotan": (  # no food product: product permits are not needed
        METRO_BARAT,
        "kerajinan",
        {"nib": "terbit"},
        [("Tas rotan", "nonpangan", {})],
        (HAVE, NONE, NONE, NONE, LACK),
    ),
    "Sisa": (  # a permit left on a product that is not food counts for nothing
        METRO_BARAT,
        "lainnya",
        {"nib": "belum"},
        [("Anyaman", "nonpangan", {"pirt": "terbit", "bpom": "terbit"})],
        (LACK, NONE, NONE, NONE, LACK),
    ),
    "Junk": (  # a slip ("tidak") among the products: the real products decide where one of them needs the permit;
        # none of the real ones needs BPOM and the slip never said it does not: not yet (reported by no product)
        METRO_BARAT,
        "makanan",
        {"nib": "terbit"},
        [
            ("Keripik", "makanan", {"pirt": "diurus", "halal": "terbit", "bpom": "tidak_perlu"}),
            ("Rempeyek", "makanan", {"pirt": "diurus", "bpom": "tidak_perlu"}),
            ("tidak", "makanan", {"pirt": "belum"}),
        ],
        (HAVE, PROC, HAVE, LACK, LACK),
    ),
    "Campur": (  # one product needs BPOM and lacks it, the other does not need it
        METRO_BARAT,
        "makanan",
        {"nib": "diurus"},
        [
            ("Keripik", "makanan", {"pirt": "terbit", "bpom": "tidak_perlu"}),
            ("Susu kedelai", "minuman", {"pirt": "belum", "bpom": "belum"}),
        ],
        (PROC, HAVE, LACK, LACK, LACK),
    ),
    "BelumAdaProduk": (  # a food business whose products are not reported yet
        METRO_BARAT,
        "makanan",
        {"nib": "belum"},
        [],
        (LACK, LACK, LACK, LACK, LACK),
    ),
}


def seed(db: Session, businesses: dict = BUSINESSES) -> None:
    for name, (kecamatan, commodity, own, products, _states) in businesses.items():
        owner = Owner(
            name=name,
            phone="+6281200000000",
            consent_status="given",
            consent_at=NOW,
            registered_at=NOW,
            last_report_at=NOW,
        )
        db.add(owner)
        db.flush()
        business = Business(owner_id=owner.id, name=f"Usaha {name}", kecamatan_code=kecamatan, commodity=commodity)
        db.add(business)
        db.flush()
        for permit, status in own.items():
            db.add(Permit(business_id=business.id, product_key="", type=permit, status=status, reported_at=NOW))
        for index, (product, category, permits) in enumerate(products, start=1):
            key = f"p{index}"
            db.add(Product(business_id=business.id, key=key, name=product, category=category))
            for permit, status in permits.items():
                db.add(Permit(business_id=business.id, product_key=key, type=permit, status=status, reported_at=NOW))
    db.commit()


def expected(kecamatan: str | None = None) -> dict[str, dict[str, int]]:
    counts = {permit: dict.fromkeys(STATES, 0) for permit in PERMITS}
    for where, _commodity, _own, _products, states in BUSINESSES.values():
        if kecamatan in (None, where):
            for permit, state in zip(PERMITS, states, strict=True):
                counts[permit][state] += 1
    return counts


@pytest.fixture
def seeded(engine):
    with Session(engine) as db:
        seed(db)
    return engine


def test_not_needed_is_counted_apart_and_the_counts_add_up(seeded) -> None:
    with Session(seeded) as db:
        table = rekap(db, "kecamatan")
    rows = {row.key: row for row in table.rows}
    assert rows[METRO_PUSAT].permits == expected(METRO_PUSAT)
    assert rows[METRO_BARAT].permits == expected(METRO_BARAT)
    assert table.total.permits == expected()
    for row in [*table.rows, table.total]:
        for permit in PERMITS:
            assert sum(row.permits[permit].values()) == row.businesses, (row.label, permit)
    assert table.total.businesses == len(BUSINESSES)
    assert table.total.permits["bpom"] == {"have": 1, "processing": 1, "lack": 6, "not_needed": 3}


def test_the_same_by_commodity(seeded) -> None:
    with Session(seeded) as db:
        table = rekap(db, "commodity")
    assert table.total.permits == expected()
    for row in table.rows:
        for permit in PERMITS:
            assert sum(row.permits[permit].values()) == row.businesses


def test_who_lacks_a_permit_leaves_out_those_who_do_not_need_it(seeded) -> None:
    with Session(seeded) as db:
        for permit in PERMITS:
            index = PERMITS.index(permit)
            want = {name for name, spec in BUSINESSES.items() if spec[4][index] == LACK}
            assert {row.owner_name for row in lacking(db, permit, None)} == want, permit


def test_no_bpom_held_is_not_drawn_as_held(engine) -> None:
    """The audit's case: four owners who do not need BPOM and two who lack it hold no BPOM at all."""
    owners = {
        f"Owner{i}": (METRO_PUSAT, "makanan", {}, [("Keripik", "makanan", {"bpom": "tidak_perlu"})], ())
        for i in range(4)
    }
    owners |= {
        f"Lacks{i}": (METRO_PUSAT, "makanan", {}, [("Keripik", "makanan", {"bpom": "belum"})], ()) for i in range(2)
    }
    with Session(engine) as db:
        seed(db, owners)
        table = rekap(db, "kecamatan")
        text = rekap_text(db, "kecamatan", None)
    assert table.total.permits["bpom"] == {"have": 0, "processing": 0, "lack": 2, "not_needed": 4}
    assert "BPOM 0/0/2/4" in text


def _text_counts(text: str) -> list[tuple[int, dict[str, tuple[int, ...]]]]:
    """(businesses, {permit name: counts}) per group of a rekap text."""
    groups = []
    lines = text.splitlines()
    for line, following in zip(lines, lines[1:], strict=False):
        if match := re.search(r": (\d+) usaha$", line):
            counts = {
                name: tuple(int(n) for n in numbers.split("/"))
                for name, numbers in re.findall(r"(NIB|P-IRT|Halal|BPOM|Merek) ([\d/]+)", following)
            }
            groups.append((int(match.group(1)), counts))
    return groups


def test_the_bot_rekap_text_shows_four_numbers_that_add_up(seeded) -> None:
    with Session(seeded) as db:
        text = rekap_text(db, "kecamatan", None)
    groups = _text_counts(text)
    assert len(groups) == 3  # two kecamatan and the total
    for businesses, counts in groups:
        assert set(counts) == {"NIB", "P-IRT", "Halal", "BPOM", "Merek"}
        assert all(len(numbers) == 4 and sum(numbers) == businesses for numbers in counts.values()), counts
    total = expected()
    assert groups[-1] == (
        len(BUSINESSES),
        {
            name: tuple(total[permit][state] for state in STATES)
            for name, permit in zip(("NIB", "P-IRT", "Halal", "BPOM", "Merek"), PERMITS, strict=True)
        },
    )
    assert "TOTAL: 11 usaha" in text


def test_lapor_ikm_rekap_prints_the_same(lite_engine, sqlite_url: str) -> None:
    with Session(lite_engine) as db:
        seed(db)
        text = rekap_text(db, "commodity", None)
    env = {**os.environ, "DATABASE_URL": sqlite_url}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "rekap", "--by", "commodity"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == text.strip()
    assert "BPOM 1/1/6/3" in result.stdout


def test_the_chart_draws_the_four_states(seeded) -> None:
    from bot.officers.charts import rekap_chart

    labels = {"have": "punya", "processing": "diurus", "lack": "belum", "not_needed": "tidak perlu"}
    with Session(seeded) as db:
        image = rekap_chart(rekap(db, "kecamatan"), "bpom", "BPOM", labels)
    assert image[:8] == b"\x89PNG\r\n\x1a\n" and len(image) > 2000


def test_the_overview_page_shows_not_needed_apart(seeded) -> None:
    from webhook.admin.rendering import templates

    with Session(seeded) as db:
        kec, com = rekap(db, "kecamatan"), rekap(db, "commodity")
    html = templates.get_template("admin/overview.html").render(
        me=None, kec=kec, com=com, permits=PERMITS, open_help=0, months=[]
    )
    bpom = expected()["bpom"]
    numbers = " / ".join(str(bpom[state]) for state in STATES)
    assert numbers == "1 / 1 / 6 / 3" and f'<span class="counts">{numbers}</span>' in html
    # The cell says it in words too; "tidak perlu" is counted apart, never as "sudah punya".
    title = "sudah punya 1 · sedang diurus 1 · belum 6 · tidak perlu 3"
    # The total's BPOM bar: green for the one who has it, blue at the end for the three who do not need it.
    cell = html[html.index(f'title="{title}"') :]
    green = re.search(r'<span style="width: ([\d.]+)%">', cell).group(1)
    blue = re.search(r'<span class="unneeded" style="left: ([\d.]+)%; width: ([\d.]+)%">', cell)
    assert float(green) == pytest.approx(100 / 11)
    assert float(blue.group(2)) == pytest.approx(300 / 11) and float(blue.group(1)) == pytest.approx(800 / 11)
