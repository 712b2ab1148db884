"""Dates and years as owners type them ("besok", "minggu depan", "25 mar 24", "Maret 2029", "thn 29").

Pure: `parse_date` takes `today`. Numeric dates are day-first (so "03/25/2024" is None). A day+month without a year,
and "tgl N", are the next such day on or after `today`. "minggu depan" is today + 7 days; a bare weekday is the next
such day *after* today, "hari X" / "X ini" the next one *on or after* today, "X depan" that day in next
(Monday-based) week, "X lalu" the last one before today. "Maret 2028" and "Mar 28" (a two-digit year) are the last
day of that month. "3 hari" without "lagi"/"lalu" is None. An impossible date ("31 Februari 2024") is None.
`parse_year`: two-digit years are always 20yy, as asked ("thn 98" is 2098).
"""

from __future__ import annotations

import calendar
import datetime
import re
import unicodedata
from collections.abc import Iterable

from conversations.understanding.numbers import NUMERIC_RE, parse_int
from conversations.understanding.words import SPACE_RE

_MONTHS = {
    "januari": 1,
    "jan": 1,
    "februari": 2,
    "pebruari": 2,
    "feb": 2,
    "peb": 2,
    "maret": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "mei": 5,
    "may": 5,
    "juni": 6,
    "jun": 6,
    "juli": 7,
    "jul": 7,
    "agustus": 8,
    "agust": 8,
    "agu": 8,
    "agt": 8,
    "ags": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "oktober": 10,
    "okt": 10,
    "oct": 10,
    "november": 11,
    "nopember": 11,
    "nov": 11,
    "nop": 11,
    "desember": 12,
    "des": 12,
    "dec": 12,
}
_WEEKDAYS = {
    "senin": 0,
    "senen": 0,
    "selasa": 1,
    "rabu": 2,
    "kamis": 3,
    "jumat": 4,
    "jum'at": 4,
    "jumaat": 4,
    "sabtu": 5,
    "minggu": 6,
    "ahad": 6,
}
_DAY_OFFSETS = {
    "kemarin lusa": -2,
    "kemaren lusa": -2,
    "hari ini": 0,
    "hr ini": 0,
    "saat ini": 0,
    "sekarang": 0,
    "skrg": 0,
    "skrang": 0,
    "tadi": 0,
    "besok": 1,
    "besuk": 1,
    "bsk": 1,
    "esok": 1,
    "lusa": 2,
    "kemarin": -1,
    "kemaren": -1,
    "kmrn": -1,
    "kmarin": -1,
    "kmren": -1,
}
_UNITS = {
    "hari": "day",
    "hr": "day",
    "minggu": "week",
    "mgg": "week",
    "pekan": "week",
    "bulan": "month",
    "bln": "month",
    "tahun": "year",
    "thn": "year",
    "th": "year",
}
_BACKWARD = frozenset(("lalu", "kemarin", "kemaren", "kmrn"))
_NUMBER_WORDS = "satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|sebelas|seratus|belas|puluh|ratus"


def _alternation(words: Iterable[str]) -> str:
    """Build a regex alternation of words, longest first."""
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_MONTH_ALT = _alternation(_MONTHS)
_UNIT_ALT = _alternation(_UNITS)
_FORWARD_ALT = r"lagi|lg|ke\s*depan|mendatang|kemudian"
_BACKWARD_ALT = r"(?:yang|yg)\s+lalu|lalu|sebelumnya"

_ISO_DATE_RE = re.compile(r"(?<![\d.,])(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?!\d)")
_NUMERIC_DATE_RE = re.compile(r"(?<![\d.,])(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})(?![\d.:])")
_TEXT_DATE_RE = re.compile(
    rf"(?<![\d.,])(\d{{1,2}})\s*[-/.]?\s*({_MONTH_ALT})(?![a-z])\.?"
    rf"(?:\s*[-/.,]?\s*'?(\d{{4}}|\d{{2}})(?![\d.:]))?"
)
_MONTH_YEAR_RE = re.compile(rf"(?<![a-z])({_MONTH_ALT})(?![a-z])\.?\s*[-/.,]?\s*'?(\d{{4}}|\d{{2}})(?![\d.:/])")
_NUMERIC_MONTH_YEAR_RE = re.compile(r"(?<![\d/.-])(\d{1,2})[/-](\d{4})(?![\d/.-])")
_DAY_MONTH_RE = re.compile(r"(?<![\d/.,-])(\d{1,2})/(\d{1,2})(?![\d/])")
# A unit of time ("hari", "seminggu") and its direction; the count is read from the few characters before.
_UNIT_RE = re.compile(rf"(?<![a-z])(se)?({_UNIT_ALT})(?![a-z])(?:\s+({_FORWARD_ALT}|{_BACKWARD_ALT})(?![a-z]))?")
_COUNT_BEFORE_RE = re.compile(
    rf"(?:(?<![a-z])(dalam)\s+)?(?<![\w.,])(\d+|(?:{_NUMBER_WORDS})(?:\s+(?:{_NUMBER_WORDS}))*)\s*$"
)
_WITHIN_BEFORE_RE = re.compile(r"(?<![a-z])dalam\s*$")
_LOOK_BEHIND = 60  # characters searched for a count before a unit; keeps long input linear
_DAY_OF_MONTH_RE = re.compile(
    r"(?<![a-z])(?:(?:bulan|bln)\s+(depan|dpn|ini)\s+)?(?:tanggal|tgl|tg)\.?\s*(\d{1,2})(?!\d)"
    r"(?:\s+(?:bulan|bln)\s+(depan|dpn|ini)(?![a-z]))?"
)
_PERIOD_EDGE_RE = re.compile(r"(?<![a-z])(akhir|awal)\s+(bulan|bln|tahun|thn)(?:\s+(ini|depan|dpn)(?![a-z]))?")
_PERIOD_RE = re.compile(
    r"(?<![a-z])(?<!hari )(?<!hr )(minggu|mgg|pekan|bulan|bln|tahun|thn)\s+"
    r"(depan|dpn|mendatang|besok|lalu|kemarin|kemaren|kmrn)(?![a-z])"
)
_DAY_OFFSET_RE = re.compile(rf"(?<![a-z])({_alternation(_DAY_OFFSETS)})(?![a-z])")
_WEEKDAY_RE = re.compile(
    rf"(?<![\w'])(hari\s+|hr\s+)?({_alternation(_WEEKDAYS)})(?![a-z])"
    r"(?:\s+(depan|dpn|ini|lalu|kemarin|kemaren)(?![a-z]))?"
)
_COUNTED_BEFORE_RE = re.compile(rf"(?:\d|\b(?:{_NUMBER_WORDS}))\s*$")
_APOSTROPHES_RE = re.compile(r"[’‘`´]")


def _full_year(text: str) -> int:
    """Turn "24" into 2024; leave four-digit years alone."""
    return 2000 + int(text) if len(text) == 2 else int(text)


def _make_date(year: int, month: int, day: int) -> datetime.date | None:
    """Build a date, or None when it does not exist."""
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _month_end(year: int, month: int) -> datetime.date | None:
    """Return the last day of a month, or None for an impossible month."""
    if not 1 <= month <= 12 or not 1 <= year <= 9999:
        return None
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: datetime.date, months: int) -> datetime.date:
    """Move by whole months, clamping the day to the end of the target month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return datetime.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _next_day_month(day: int, month: int, today: datetime.date) -> datetime.date | None:
    """Return the first day/month on or after today (looking a few years ahead for 29 February)."""
    for year in range(today.year, today.year + 5):
        candidate = _make_date(year, month, day)
        if candidate is not None and candidate >= today:
            return candidate
    return None


def _next_day_of_month(day: int, today: datetime.date) -> datetime.date | None:
    """Return the next "tanggal N" on or after today, skipping months that are too short."""
    for months in range(13):
        first = _add_months(today.replace(day=1), months)
        candidate = _make_date(first.year, first.month, day)
        if candidate is not None and candidate >= today:
            return candidate
    return None


def _shift(today: datetime.date, unit: str, amount: int) -> datetime.date:
    """Move today by an amount of days, weeks, months or years."""
    if unit == "day":
        return today + datetime.timedelta(days=amount)
    if unit == "week":
        return today + datetime.timedelta(weeks=amount)
    return _add_months(today, amount * (12 if unit == "year" else 1))


def _absolute_date(text: str, today: datetime.date) -> tuple[bool, datetime.date | None]:
    """Read a written-out date: (found, date), the date being None when it does not exist."""
    if match := _ISO_DATE_RE.search(text):
        return True, _make_date(int(match[1]), int(match[3]), int(match[4]))
    if match := _NUMERIC_DATE_RE.search(text):
        return True, _make_date(_full_year(match[4]), int(match[3]), int(match[1]))
    if match := _TEXT_DATE_RE.search(text):
        day, month = int(match[1]), _MONTHS[match[2]]
        if match[3]:
            return True, _make_date(_full_year(match[3]), month, day)
        return True, _next_day_month(day, month, today)
    if match := _MONTH_YEAR_RE.search(text):
        return True, _month_end(_full_year(match[2]), _MONTHS[match[1]])
    if match := _NUMERIC_MONTH_YEAR_RE.search(text):
        return True, _month_end(int(match[2]), int(match[1]))
    if match := _DAY_MONTH_RE.search(text):
        return True, _next_day_month(int(match[1]), int(match[2]), today)
    return False, None


def _relative_amount(text: str, today: datetime.date) -> datetime.date | None:
    """Read "3 hari lagi", "dua minggu lagi", "sebulan lagi", "dalam 5 hari", "2 hari yang lalu"."""
    for match in _UNIT_RE.finditer(text):
        start, direction = match.start(), match[3]
        window = max(0, start - _LOOK_BEHIND)
        amount: int | None
        if match[1]:  # "seminggu"
            amount, within = 1, bool(_WITHIN_BEFORE_RE.search(text, window, start))
        elif counted := _COUNT_BEFORE_RE.search(text, window, start):
            amount, within = parse_int(counted[2]), bool(counted[1])
        else:
            continue
        if amount is None or not (within or direction):
            continue  # "3 hari" alone has no direction
        sign = -1 if direction and re.fullmatch(_BACKWARD_ALT, direction) else 1
        return _shift(today, _UNITS[match[2]], sign * amount)
    return None


def _day_of_month(text: str, today: datetime.date) -> tuple[bool, datetime.date | None]:
    """Read "tgl 5", "tanggal 5 bulan depan": (found, date), the date being None when it does not exist."""
    match = _DAY_OF_MONTH_RE.search(text)
    if match is None:
        return False, None
    day, which = int(match[2]), match[1] or match[3]
    if which is None:
        return True, _next_day_of_month(day, today)
    month = _add_months(today.replace(day=1), 0 if which == "ini" else 1)
    return True, _make_date(month.year, month.month, day)


def _period_edge(match: re.Match[str], today: datetime.date) -> datetime.date:
    """Read "akhir bulan", "awal bulan depan", "akhir tahun"."""
    edge, unit, which = match[1], match[2], match[3]
    ahead = 1 if which in ("depan", "dpn") else 0
    if unit in ("tahun", "thn"):
        year = today.year + ahead
        return datetime.date(year, 12, 31) if edge == "akhir" else datetime.date(year, 1, 1)
    first = _add_months(today.replace(day=1), ahead)
    return _add_months(first, 1) - datetime.timedelta(days=1) if edge == "akhir" else first


def _weekday(text: str, today: datetime.date, *, modified_only: bool = False) -> datetime.date | None:
    """Read "senin", "hari minggu", "jumat ini", "senin depan", "sabtu lalu" (or only the last two)."""
    for match in _WEEKDAY_RE.finditer(text):
        if modified_only and not match[3]:
            continue
        if _COUNTED_BEFORE_RE.search(text, max(0, match.start() - _LOOK_BEHIND), match.start()):
            continue  # "2 minggu" is a number of weeks
        has_hari, target, modifier = bool(match[1]), _WEEKDAYS[match[2]], match[3]
        ahead = (target - today.weekday()) % 7
        if modifier in ("depan", "dpn"):
            return today + datetime.timedelta(days=7 - today.weekday() + target)
        if modifier in ("lalu", "kemarin", "kemaren"):
            return today - datetime.timedelta(days=(today.weekday() - target) % 7 or 7)
        if modifier == "ini" or has_hari:
            return today + datetime.timedelta(days=ahead)
        return today + datetime.timedelta(days=ahead or 7)
    return None


def _read_date(text: str, today: datetime.date) -> datetime.date | None:
    """Try the date readers from the most to the least explicit; see parse_date."""
    text = SPACE_RE.sub(" ", _APOSTROPHES_RE.sub("'", unicodedata.normalize("NFKC", text).lower())).strip()
    text = text.replace("jum at", "jumat")
    found, day = _absolute_date(text, today)
    if found:
        return day
    if day := _relative_amount(text, today):
        return day
    found, day = _day_of_month(text, today)
    if found:
        return day
    if match := _PERIOD_EDGE_RE.search(text):
        return _period_edge(match, today)
    if match := _PERIOD_RE.search(text):
        sign = -1 if match[2] in _BACKWARD else 1
        return _shift(today, _UNITS[match[1]], sign)
    if day := _weekday(text, today, modified_only=True):  # "senin kemarin" is not "kemarin"
        return day
    if match := _DAY_OFFSET_RE.search(text):
        return today + datetime.timedelta(days=_DAY_OFFSETS[match[1]])
    return _weekday(text, today)


def parse_date(text: str, today: datetime.date) -> datetime.date | None:
    """Read a date: relative words (hari ini, besok, lusa, kemarin, minggu depan, bulan depan, tahun depan, "3 hari lagi", "2 minggu lagi") or absolute ("25 Maret 2024", "25 mar 24", "25/3/2024", "25-03-2024", "2024-03-25", "tgl 5" = the 5th of this month, or next month if past)."""  # noqa: E501
    try:
        return _read_date(text, today)
    except (OverflowError, ValueError):
        return None  # beyond the calendar: "99999 tahun lagi"


_MIN_YEAR, _MAX_YEAR = 1950, 2100


def parse_year(text: str) -> int | None:
    """Read a 4-digit year 1950-2100, or a 2-digit year as 20yy ("2029", "thn 29")."""
    tokens = NUMERIC_RE.findall(unicodedata.normalize("NFKC", text))
    if not tokens:
        year = parse_int(text)
        return year if year is not None and _MIN_YEAR <= year <= _MAX_YEAR else None
    four = {int(token) for token in tokens if token.isdigit() and len(token) == 4}
    if four:
        year = four.pop()
        return year if not four and _MIN_YEAR <= year <= _MAX_YEAR else None
    if len(tokens) == 1 and tokens[0].isdigit() and len(tokens[0]) == 2:
        return 2000 + int(tokens[0])
    return None
