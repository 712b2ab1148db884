"""Translations (Babel catalogs in `locales/`) and Indonesian-style formatting of dates and money."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
SUPPORTED_LOCALES = ("id", "en")
DEFAULT_LOCALE = "id"


def N_(message: str) -> str:  # noqa: N802  (the conventional gettext marker name)
    """Mark a string for extraction without translating it yet."""
    return message


@cache
def catalog(locale: str) -> dict[str, str]:
    """The translations of `locale`, read straight from its .po file (no compile step needed)."""
    path = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        po = read_po(handle, locale=locale)
    # A fuzzy entry is pybabel's guess from a similar message ("Rekap per kecamatan" for "Rekap by kabupaten/kota"):
    # wrong until a person checks it, so the English text is shown instead.
    return {str(m.id): str(m.string) for m in po if m.id and isinstance(m.id, str) and m.string and not m.fuzzy}


# Indonesia's three time zones by the names people use; West and Central Kalimantan keep WIB on Pontianak's clock.
_ZONE_NAMES = {"Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def zone_name(timezone: str) -> str:
    """WIB, WITA or WIT for an Indonesian IANA zone (another zone by its own name)."""
    if timezone in _ZONE_NAMES:
        return _ZONE_NAMES[timezone]
    return "WIB" if timezone in ("Asia/Jakarta", "Asia/Pontianak") else timezone


@cache
def translator(locale: str, timezone: str = "Asia/Jakarta") -> Translator:
    """The shared translator of a locale and zone (a step asks for it dozens of times)."""
    return Translator(locale, timezone)


class Translator:
    """Translate and format for one locale."""

    def __init__(self, locale: str, timezone: str = "Asia/Jakarta") -> None:
        self.locale = locale if locale in SUPPORTED_LOCALES else DEFAULT_LOCALE
        self.tz = ZoneInfo(timezone)
        self._messages = catalog(self.locale)

    def __call__(self, message: str, **values: object) -> str:
        """Translate `message` and fill its `{named}` placeholders."""
        text = self._messages.get(message) or message
        return text.format(**values) if values else text

    def date(self, value: date | datetime) -> str:
        """A date as people write it: "Senin, 25 Maret 2024"."""
        if isinstance(value, datetime):
            value = value.astimezone(self.tz).date()
        # CLDR's Indonesian "full" pads the day ("Selasa, 01 Desember 2026"); people write "Selasa, 1 Desember 2026".
        return babel_format_date(value, "EEEE, d MMMM y" if self.locale == "id" else "full", locale=self.locale)

    def moment(self, value: datetime) -> str:
        """A date and time in this translator's zone, the zone named: "Senin, 30 November 2026 14.05 WITA"."""
        local = value.astimezone(self.tz)
        clock = local.strftime("%H.%M" if self.locale == "id" else "%H:%M")
        return f"{self.date(local.date())} {clock} {zone_name(self.tz.key)}"

    def money(self, amount: int) -> str:
        """Whole rupiah: "Rp1.500.000"."""
        return format_currency(amount, "IDR", format="¤#,##0", currency_digits=False, locale=self.locale)

    def number(self, value: int) -> str:
        """A whole number with the locale's thousands separator."""
        return format_decimal(value, locale=self.locale)
