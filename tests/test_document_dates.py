"""The expiry date printed on a permit document, read from OCR rows (no engine needed)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.documents.reader import judge
from conversations.understanding.document_dates import printed_expiry
from conversations.understanding.document_numbers import as_permit_reading

TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (["Berlaku sampai : 12 Maret 2029"], date(2029, 3, 12)),
        (["BERLAKU HINGGA 5 AGUSTUS 2031"], date(2031, 8, 5)),
        (["Berlaku sampal: 24 Januari 2026"], date(2026, 1, 24)),  # OCR read the i as l (a hard photo)
        (["Masa Berlaku", "31-03-2030"], date(2030, 3, 31)),  # the date alone on the next row
        (["berlaku s.d. 2029-01-05"], date(2029, 1, 5)),
        (["Berlaku sampai dengan tanggal 1 Juli 2028"], date(2028, 7, 1)),
        (["Berlaku sampai : 12 Maret 2O29"], None),  # an unrepaired letter in the year: not guessed
        (["Sertifikat ini berlaku 5 (lima) tahun", "Jakarta, 1 Januari 2025"], None),  # a span, then the issue date
        (["Tanggal Terbit : 3 Mei 2024"], None),
        (["NIB ini berlaku di seluruh wilayah Republik Indonesia selama", "menjalankan kegiatan usaha"], None),
        (["Berlaku sampai : Maret"], None),  # no year
        (["Masa berlaku", "KBLI 10794", "12 Maret 2029"], None),  # the row after the label is not a date
    ],
)
def test_only_a_date_after_a_validity_label_is_an_expiry(rows: list[str], expected: date | None) -> None:
    assert printed_expiry(rows, TODAY) == expected


def test_the_reader_hands_the_printed_expiry_with_the_number() -> None:
    lines = [
        ("BADAN PENGAWAS OBAT DAN MAKANAN", (0.0, 0.0, 600.0, 30.0), 0.98),
        ("Nomor Izin Edar : BPOM RI MD 224510107115", (0.0, 60.0, 600.0, 90.0), 0.97),
        ("Berlaku sampai", (0.0, 120.0, 200.0, 150.0), 0.96),
        (": 12 Maret 2029", (220.0, 121.0, 420.0, 151.0), 0.95),  # a box of its own on the label's row
        ("Jakarta, 3 Mei 2024", (0.0, 180.0, 300.0, 210.0), 0.95),
    ]
    result = judge([("photo", [(t, b, s) for t, b, s in lines], "")])
    assert result.expires == date(2029, 3, 12) and result.reading.number.value == "MD224510107115"
    reading = as_permit_reading(result.reading, expires=result.expires)
    assert reading.expires == "2029-03-12" and reading.page == "bpom"
