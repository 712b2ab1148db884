"""Table tests for conversations.parsing: the readers of informal Indonesian chat replies."""

import datetime

import pytest

from conversations.understanding.answers import Answer, classify_answer
from conversations.understanding.choices import parse_number_list
from conversations.understanding.dates import parse_date, parse_year
from conversations.understanding.numbers import parse_int, parse_money
from conversations.understanding.words import is_meaningless, normalize

D = datetime.date
TODAY = D(2024, 3, 20)  # a Wednesday

YES, NO, DONE, NOT_YET, IN_PROGRESS, SKIP = (
    Answer.YES,
    Answer.NO,
    Answer.DONE,
    Answer.NOT_YET,
    Answer.IN_PROGRESS,
    Answer.SKIP,
)


# ---------------------------------------------------------------------------------------------
# normalize
# ---------------------------------------------------------------------------------------------

NORMALIZE_CASES = [
    ("Sudah", "sudah"),
    ("  Sudahhh!!! ", "sudah"),
    ("YAAA", "ya"),
    ("Iya   pak 🙏", "iya pak"),
    ("ok.", "ok"),
    ("...belum", "belum"),
    ("👍 siap 👍", "siap"),
    ("halo\n\tdunia", "halo dunia"),
    ("aa", "aa"),  # only 3+ repeats are squeezed
    ("1000", "1000"),  # digits are never squeezed
    ("Rp1.500.000", "rp1.500.000"),
    ("", ""),
    ("🙏🙏", ""),
    ("Ｏｋｅ", "oke"),  # full-width letters
    ("jum'at", "jum'at"),
]


@pytest.mark.parametrize(("text", "expected"), NORMALIZE_CASES)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


# ---------------------------------------------------------------------------------------------
# classify_answer
# ---------------------------------------------------------------------------------------------

CLASSIFY_CASES = [
    # YES
    ("iya", YES),
    ("Ya", YES),
    ("y", YES),
    ("ok", YES),
    ("Oke", YES),
    ("okay", YES),
    ("siap", YES),
    ("Siap pak!", YES),
    ("sip", YES),
    ("betul", YES),
    ("benar", YES),
    ("bener", YES),
    ("boleh", YES),
    ("mau", YES),
    ("setuju", YES),
    ("yoi", YES),
    ("yup", YES),
    ("👍", YES),
    ("👍🏻", YES),
    ("Iyaaa", YES),
    ("Iya pak", YES),
    ("yaa kak", YES),
    ("okee", YES),
    ("sipp 👍", YES),
    ("ya, betul", YES),
    ("oke bu 🙏", YES),
    ("oh iya", YES),
    ("boleh dong", YES),
    ("gpp", YES),
    ("gak masalah", YES),
    ("nggak apa-apa", YES),
    ("nggih", YES),
    # NO
    ("tidak", NO),
    ("tdk", NO),
    ("gak", NO),
    ("ga", NO),
    ("gk", NO),
    ("nggak", NO),
    ("ngga", NO),
    ("enggak", NO),
    ("ndak", NO),
    ("nda", NO),
    ("no", NO),
    ("bukan", NO),
    ("tidak mau", NO),
    ("ogah", NO),
    ("Nggak!!", NO),
    ("gakk", NO),
    ("gak mau pak", NO),
    ("gamau", NO),
    ("tidak perlu", NO),
    ("gak usah", NO),
    ("nggak ya", NO),
    ("👎", NO),
    # DONE
    ("sudah", DONE),
    ("Sudah!!", DONE),
    ("Sudahhh", DONE),
    ("sdh", DONE),
    ("udh", DONE),
    ("udah", DONE),
    ("dah", DONE),
    ("sampun", DONE),
    ("sudah terbit", DONE),
    ("sdh ada", DONE),
    ("udah punya", DONE),
    ("ada", DONE),
    ("punya", DONE),
    ("terbit", DONE),
    ("sdh bu", DONE),
    ("udah mas", DONE),
    ("pak, sudah", DONE),
    ("sudah dong", DONE),
    ("oh sudah kok", DONE),
    ("iya sudah", DONE),
    ("ya udah punya", DONE),
    ("saya sudah punya", DONE),
    ("sudah, terima kasih", DONE),
    ("sudah diurus dan sudah terbit", DONE),
    ("tidak, sudah ada", DONE),
    # NOT_YET
    ("belum", NOT_YET),
    ("blm", NOT_YET),
    ("blom", NOT_YET),
    ("belom", NOT_YET),
    ("dereng", NOT_YET),
    ("belummm", NOT_YET),
    ("belum ada", NOT_YET),
    ("blm punya", NOT_YET),
    ("tidak punya", NOT_YET),
    ("gak ada", NOT_YET),
    ("gada", NOT_YET),
    ("tidak ada", NOT_YET),
    ("ga punya pak", NOT_YET),
    ("blm 🙏", NOT_YET),
    ("belum kak", NOT_YET),
    ("belum diurus", NOT_YET),
    ("Belum, tapi lagi diurus", NOT_YET),  # "belum" first beats everything
    ("belum tau", NOT_YET),
    ("belum, kenapa?", NOT_YET),
    ("ya belum", NOT_YET),
    ("nggak, belum", NOT_YET),
    ("saya belum", NOT_YET),
    # IN_PROGRESS
    ("lagi diurus", IN_PROGRESS),
    ("lg diurus", IN_PROGRESS),
    ("sedang diurus", IN_PROGRESS),
    ("sedang proses", IN_PROGRESS),
    ("masih proses", IN_PROGRESS),
    ("proses", IN_PROGRESS),
    ("on process", IN_PROGRESS),
    ("On Process kak", IN_PROGRESS),
    ("lagi ngurus", IN_PROGRESS),
    ("dalam proses", IN_PROGRESS),
    ("masih dalam proses", IN_PROGRESS),
    ("sdg diurus", IN_PROGRESS),
    ("diproses", IN_PROGRESS),
    ("sudah diurus", IN_PROGRESS),
    ("sudah diurus tapi belum terbit", IN_PROGRESS),
    ("sudah saya urus", IN_PROGRESS),
    ("sudah mengajukan", IN_PROGRESS),
    ("sudah dalam proses", IN_PROGRESS),
    ("sudah tapi belum terbit", IN_PROGRESS),
    ("udah daftar tapi blm keluar", IN_PROGRESS),
    ("iya lagi diurus", IN_PROGRESS),
    ("iya sudah diurus", IN_PROGRESS),
    # SKIP
    ("lewati", SKIP),
    ("lewat", SKIP),
    ("skip", SKIP),
    ("Skip dulu", SKIP),
    ("nanti", SKIP),
    ("nanti saja", SKIP),
    ("nanti aja", SKIP),
    ("ntar aja", SKIP),
    ("tidak tahu", SKIP),
    ("gatau", SKIP),
    ("ga tau", SKIP),
    ("tdk tahu", SKIP),
    ("gak tau pak", SKIP),
    ("kurang tahu", SKIP),
    ("lupa", SKIP),
    ("lupa, nanti saya cek", SKIP),
    ("ya gak tau", SKIP),
    # not an answer
    ("", None),
    ("   ", None),
    ("🙏", None),
    ("...", None),
    ("👍👎", None),
    ("apa itu NIB?", None),
    ("maksudnya?", None),
    ("terima kasih", None),
    ("halo", None),
    ("123", None),
    ("xyz", None),
    ("mau tanya", None),
    ("Saya mau tanya soal izin", None),
    ("ada apa?", None),
    ("sudah belum?", None),
    ("sudah atau belum?", None),
    ("sudah tidak ada", None),  # "no longer": ambiguous
    ("iya tidak", None),
    ("tidak paham", None),
    ("gak ngerti", None),
    ("kurang jelas", None),
    ("ya gimana ya", None),
    ("kalau NIB sudah", None),
    ("Usaha saya jualan kue di rumah sejak 2019", None),
    ("a" * 4000, None),
]


@pytest.mark.parametrize(("text", "expected"), CLASSIFY_CASES)
def test_classify_answer(text: str, expected: Answer | None) -> None:
    assert classify_answer(text) is expected


# ---------------------------------------------------------------------------------------------
# parse_int
# ---------------------------------------------------------------------------------------------

INT_CASES = [
    ("20", 20),
    ("20 orang", 20),
    ("5 org", 5),
    ("Lima.", 5),
    ("dua puluh", 20),
    ("dua puluh tiga", 23),
    ("seratus lima", 105),
    ("seratus sepuluh", 110),
    ("1.250", 1250),
    ("sepuluh", 10),
    ("sebelas", 11),
    ("dua belas", 12),
    ("tiga belas", 13),
    ("dua ratus lima puluh", 250),
    ("sembilan ratus sembilan puluh sembilan", 999),
    ("seratus", 100),
    ("seribu", 1000),
    ("2 ribu", 2000),
    ("dua ribu lima ratus", 2500),
    ("sejuta", 1_000_000),
    ("satu juta dua ratus ribu", 1_200_000),
    ("kurang lebih 5", 5),
    ("kurang-lebih 5 orang", 5),
    ("sekitar 10", 10),
    ("+- 7", 7),
    ("+-7 org", 7),
    ("±7", 7),
    ("kira-kira 15 karyawan", 15),
    ("5 pekerja", 5),
    ("3 buah", 3),
    ("12 pcs", 12),
    ("ada 4 orang pak", 4),
    ("karyawan kami 8", 8),
    ("10an orang", 10),
    ("20-an", 20),
    ("5 (lima) orang", 5),
    ("0", 0),
    ("nol", 0),
    # not a single whole number
    ("5-7 orang", None),
    ("5 - 7", None),
    ("5 sampai 7", None),
    ("5 atau 6", None),
    ("dua tiga orang", None),
    ("-5", None),
    ("minus 3", None),
    ("2,5", None),
    ("1.5", None),
    ("setengah", None),
    ("lebih dari 10", None),
    ("20 lebih", None),
    ("puluhan", None),
    ("ratusan orang", None),
    ("banyak", None),
    ("tidak ada", None),
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), INT_CASES)
def test_parse_int(text: str, expected: int | None) -> None:
    assert parse_int(text) == expected


# ---------------------------------------------------------------------------------------------
# parse_money
# ---------------------------------------------------------------------------------------------

MONEY_CASES = [
    ("Rp1.500.000", 1_500_000),
    ("rp. 2.000.000", 2_000_000),
    ("IDR 3.000.000", 3_000_000),
    ("Rp 1.500.000,00", 1_500_000),
    ("1.500.000,00", 1_500_000),
    ("Rp 500.000,-", 500_000),
    ("1,500,000", 1_500_000),
    ("1.500", 1500),
    ("500", 500),
    ("0", 0),
    ("1,5 jt", 1_500_000),
    ("1.5jt", 1_500_000),
    ("2 jt", 2_000_000),
    ("2,5 juta", 2_500_000),
    ("500rb", 500_000),
    ("50 rb", 50_000),
    ("750 ribu", 750_000),
    ("100k", 100_000),
    ("1 M", 1_000_000_000),
    ("1M", 1_000_000_000),
    ("1 m", 1_000_000_000),  # "m" is miliar, never million
    ("1,2 M", 1_200_000_000),
    ("2 miliar", 2_000_000_000),
    ("2 milyar", 2_000_000_000),
    ("1 triliun", 1_000_000_000_000),
    ("3 T", 3_000_000_000_000),
    ("dua juta", 2_000_000),
    ("seratus ribu", 100_000),
    ("lima puluh ribu", 50_000),
    ("dua juta lima ratus ribu", 2_500_000),
    ("dua juta setengah", 2_500_000),
    ("satu setengah juta", 1_500_000),
    ("setengah juta", 500_000),
    ("1 jt 500 rb", 1_500_000),
    ("2jt500", 2_500_000),  # chat short-hand
    ("Rp 1 juta 500", 1_500_000),
    ("2 rb 500", 2500),
    ("1.500 jt", 1_500_000_000),  # thousands dot
    ("1,500 jt", 1_500_000),  # decimal comma
    ("10 jutaan", 10_000_000),
    ("5 juta per bulan", 5_000_000),
    ("3jt/bulan", 3_000_000),
    ("sebulan 4 juta", 4_000_000),
    ("Rp 750.000 sebulan", 750_000),
    ("omzet sekitar 10 jt", 10_000_000),
    ("± 2 jt", 2_000_000),
    # no single amount
    ("", None),
    ("gratis", None),
    ("belum tahu", None),
    ("juta", None),
    ("ribuan", None),
    ("1-2 juta", None),
    ("500rb - 1jt", None),
    ("-500rb", None),
    ("2,5", None),
    ("lebih dari 1 M", None),
    ("gaji 2 jt, sewa 1 jt", None),
    ("1jt2", None),  # short-hand of unclear size
    ("2 jt 50", None),
]


@pytest.mark.parametrize(("text", "expected"), MONEY_CASES)
def test_parse_money(text: str, expected: int | None) -> None:
    assert parse_money(text) == expected


# ---------------------------------------------------------------------------------------------
# parse_date (TODAY is Wednesday 20 March 2024 unless a case gives its own day)
# ---------------------------------------------------------------------------------------------

DATE_CASES = [
    # relative words
    ("hari ini", TODAY, D(2024, 3, 20)),
    ("sekarang", TODAY, D(2024, 3, 20)),
    ("besok", TODAY, D(2024, 3, 21)),
    ("Besok aja pak", TODAY, D(2024, 3, 21)),
    ("lusa", TODAY, D(2024, 3, 22)),
    ("kemarin", TODAY, D(2024, 3, 19)),
    ("kemarin lusa", TODAY, D(2024, 3, 18)),
    ("minggu depan", TODAY, D(2024, 3, 27)),
    ("pekan depan", TODAY, D(2024, 3, 27)),
    ("minggu lalu", TODAY, D(2024, 3, 13)),
    ("bulan depan", TODAY, D(2024, 4, 20)),
    ("bulan depan", D(2024, 1, 31), D(2024, 2, 29)),  # clamped to the month end
    ("bulan depan", D(2023, 1, 31), D(2023, 2, 28)),
    ("bulan lalu", TODAY, D(2024, 2, 20)),
    ("tahun depan", TODAY, D(2025, 3, 20)),
    ("tahun depan", D(2024, 2, 29), D(2025, 2, 28)),
    ("3 hari lagi", TODAY, D(2024, 3, 23)),
    ("tiga hari lagi", TODAY, D(2024, 3, 23)),
    ("2 minggu lagi", TODAY, D(2024, 4, 3)),
    ("dua minggu lagi", TODAY, D(2024, 4, 3)),
    ("seminggu lagi", TODAY, D(2024, 3, 27)),
    ("sebulan lagi", TODAY, D(2024, 4, 20)),
    ("2 bulan lagi", TODAY, D(2024, 5, 20)),
    ("setahun lagi", TODAY, D(2025, 3, 20)),
    ("dalam 5 hari", TODAY, D(2024, 3, 25)),
    ("dalam seminggu", TODAY, D(2024, 3, 27)),
    ("dua puluh hari lagi", TODAY, D(2024, 4, 9)),
    ("sebulan yang lalu", TODAY, D(2024, 2, 20)),
    ("3 hari yang lalu", TODAY, D(2024, 3, 17)),
    ("akhir bulan", TODAY, D(2024, 3, 31)),
    ("akhir bulan depan", TODAY, D(2024, 4, 30)),
    ("awal bulan depan", TODAY, D(2024, 4, 1)),
    ("akhir tahun", TODAY, D(2024, 12, 31)),
    # weekdays
    ("senin", TODAY, D(2024, 3, 25)),
    ("kamis", TODAY, D(2024, 3, 21)),
    ("jumat", TODAY, D(2024, 3, 22)),
    ("Jum'at", TODAY, D(2024, 3, 22)),
    ("Jum’at", TODAY, D(2024, 3, 22)),
    ("rabu", TODAY, D(2024, 3, 27)),  # bare weekday: strictly after today
    ("hari rabu", TODAY, D(2024, 3, 20)),  # "hari X": on or after today
    ("rabu ini", TODAY, D(2024, 3, 20)),
    ("minggu", TODAY, D(2024, 3, 24)),
    ("hari minggu", TODAY, D(2024, 3, 24)),
    ("minggu ini", TODAY, D(2024, 3, 24)),
    ("ahad", TODAY, D(2024, 3, 24)),
    ("senin depan", TODAY, D(2024, 3, 25)),  # Monday of next week
    ("jumat depan", TODAY, D(2024, 3, 29)),
    ("hari minggu depan", TODAY, D(2024, 3, 31)),
    ("senin depan", D(2024, 3, 18), D(2024, 3, 25)),
    ("sabtu lalu", TODAY, D(2024, 3, 16)),
    ("senin kemarin", TODAY, D(2024, 3, 18)),
    ("jumat pagi", TODAY, D(2024, 3, 22)),
    # absolute dates
    ("25 Maret 2024", TODAY, D(2024, 3, 25)),
    ("25 mar 24", TODAY, D(2024, 3, 25)),
    ("25/3/2024", TODAY, D(2024, 3, 25)),
    ("25/3/24", TODAY, D(2024, 3, 25)),
    ("25-03-2024", TODAY, D(2024, 3, 25)),
    ("25.03.2024", TODAY, D(2024, 3, 25)),
    ("2024-03-25", TODAY, D(2024, 3, 25)),
    ("5 Agt 2025", TODAY, D(2025, 8, 5)),
    ("1 Pebruari 2025", TODAY, D(2025, 2, 1)),
    ("17 agustus 45", TODAY, D(2045, 8, 17)),
    ("12 nop 2026", TODAY, D(2026, 11, 12)),
    ("1 okt 2020", TODAY, D(2020, 10, 1)),  # past dates are kept
    ("tgl 25 Desember 2024", TODAY, D(2024, 12, 25)),
    ("Rabu, 3 April 2024", TODAY, D(2024, 4, 3)),
    ("berlaku s/d 25-03-2029", TODAY, D(2029, 3, 25)),
    ("25 mei", TODAY, D(2024, 5, 25)),
    ("10 Januari", TODAY, D(2025, 1, 10)),  # no year and already past: next year
    ("25/12", TODAY, D(2024, 12, 25)),
    ("tgl 5", TODAY, D(2024, 4, 5)),  # past this month: next month
    ("tgl 25", TODAY, D(2024, 3, 25)),
    ("tanggal 20", TODAY, D(2024, 3, 20)),
    ("tgl 31", D(2024, 4, 10), D(2024, 5, 31)),  # April has no 31st
    ("tgl 5 bulan depan", TODAY, D(2024, 4, 5)),
    ("bulan depan tgl 10", TODAY, D(2024, 4, 10)),
    # month + year: last day of the month
    ("Maret 2028", TODAY, D(2028, 3, 31)),
    ("Feb 2028", TODAY, D(2028, 2, 29)),
    ("februari 2027", TODAY, D(2027, 2, 28)),
    ("des 2030", TODAY, D(2030, 12, 31)),
    ("03/2028", TODAY, D(2028, 3, 31)),
    ("Mar 28", TODAY, D(2028, 3, 31)),
    # not a date
    ("31 Februari 2024", TODAY, None),
    ("29 Feb 2023", TODAY, None),
    ("30/02/2024", TODAY, None),
    ("2024-13-01", TODAY, None),
    ("32/1/2024", TODAY, None),
    ("03/25/2024", TODAY, None),  # day-first only
    ("tgl 32", TODAY, None),
    ("3 hari", TODAY, None),
    ("2 minggu", TODAY, None),
    ("nanti", TODAY, None),
    ("entahlah", TODAY, None),
    ("", TODAY, None),
    ("dua " * 2000, TODAY, None),  # long input stays fast
    ("99999 tahun lagi", TODAY, None),  # beyond the calendar
    ("besok", D(9999, 12, 31), None),
]


@pytest.mark.parametrize(("text", "today", "expected"), DATE_CASES)
def test_parse_date(text: str, today: datetime.date, expected: datetime.date | None) -> None:
    assert parse_date(text, today) == expected


# ---------------------------------------------------------------------------------------------
# parse_year
# ---------------------------------------------------------------------------------------------

YEAR_CASES = [
    ("2029", 2029),
    ("thn 29", 2029),
    ("th. 05", 2005),
    ("'29", 2029),
    ("98", 2098),  # two digits are always 20yy
    ("tahun 2019", 2019),
    ("berdiri sejak 2015", 2015),
    ("25 Maret 2024", 2024),
    ("2024-03-25", 2024),
    ("1950", 1950),
    ("2100", 2100),
    ("dua ribu dua puluh", 2020),
    ("1949", None),
    ("2101", None),
    ("2019 atau 2020", None),
    ("12345", None),
    ("5", None),
    ("Rp 1.500.000", None),
    ("abc", None),
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), YEAR_CASES)
def test_parse_year(text: str, expected: int | None) -> None:
    assert parse_year(text) == expected


# ---------------------------------------------------------------------------------------------
# parse_number_list
# ---------------------------------------------------------------------------------------------

NUMBER_LIST_CASES = [
    ("1,3,5", [1, 3, 5]),
    ("1 3 5", [1, 3, 5]),
    ("1, 3 dan 5", [1, 3, 5]),
    ("1-3", [1, 2, 3]),
    ("1 - 3, 5", [1, 2, 3, 5]),
    ("1 s/d 3", [1, 2, 3]),
    ("2 sampai 4", [2, 3, 4]),
    ("2 & 4", [2, 4]),
    ("2+4", [2, 4]),
    ("1;2", [1, 2]),
    ("2", [2]),
    ("13", [13]),
    ("1, 2, 3.", [1, 2, 3]),
    ("3,1", [3, 1]),  # order kept
    ("1,1,2", [1, 2]),  # repeats dropped
    ("satu dan tiga", [1, 3]),
    ("nomor 2 dan 4", [2, 4]),
    ("1️⃣ 3️⃣", [1, 3]),
    ("", None),
    ("semua", None),
    ("1 dan semuanya", None),
    ("1,3 kecuali 2", None),
    ("3-1", None),
    ("1-", None),
    ("-1", None),
    ("1-3-5", None),
    ("1-500", None),
    ("ya", None),
]


@pytest.mark.parametrize(("text", "expected"), NUMBER_LIST_CASES)
def test_parse_number_list(text: str, expected: list[int] | None) -> None:
    assert parse_number_list(text) == expected


# ---------------------------------------------------------------------------------------------
# is_meaningless
# ---------------------------------------------------------------------------------------------

MEANINGLESS_CASES = [
    ("", True),
    ("   ", True),
    ("\n\t", True),
    ("🙏", True),
    ("👍👍", True),
    ("😀😃", True),
    ("...!!!", True),
    ("?", True),
    ("-", True),
    ("a", False),
    ("1", False),
    ("ok", False),
    (" 🙏 ok", False),
]


@pytest.mark.parametrize(("text", "expected"), MEANINGLESS_CASES)
def test_is_meaningless(text: str, expected: bool) -> None:
    assert is_meaningless(text) is expected


def test_answer_values() -> None:
    assert [answer.value for answer in Answer] == ["yes", "no", "done", "not_yet", "in_progress", "skip"]
