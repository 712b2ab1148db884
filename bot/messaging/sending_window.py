"""When messages may reach owners: local daytime, not during Friday prayers, not on national holidays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

FRIDAY = 4


@lru_cache(maxsize=32)
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("ID", years=year)


def is_holiday(day: date) -> bool:
    """True on an Indonesian national public holiday."""
    return day in _holidays(day.year)


@dataclass(frozen=True)
class SendingWindow:
    """The hours in which an owner may be messaged, in their own time zone."""

    start: time = time(8, 0)
    end: time = time(20, 0)
    friday_break: tuple[time, time] | None = (time(11, 30), time(13, 0))
    skip_holidays: bool = True

    def next_opening(self, moment: datetime, timezone: str) -> datetime:
        """`moment` itself when the window is open then, otherwise when it next opens (aware, UTC)."""
        zone = ZoneInfo(timezone)
        local = moment.astimezone(zone)
        for _ in range(400):  # a year of closed days at most; the loop always finds an opening far sooner
            day = local.date()
            if self.skip_holidays and is_holiday(day):
                local = _at(day + timedelta(days=1), self.start, zone)
                continue
            clock = local.time()
            if clock < self.start:
                local = _at(day, self.start, zone)
                continue
            if clock >= self.end:
                local = _at(day + timedelta(days=1), self.start, zone)
                continue
            if self.friday_break and local.weekday() == FRIDAY and self.friday_break[0] <= clock < self.friday_break[1]:
                local = _at(day, self.friday_break[1], zone)
                continue
            return local.astimezone(UTC)
        raise ValueError("no sending window within a year")


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone)


def parse_window(text: str) -> tuple[time, time]:
    """Read "08:00-20:00"."""
    start, _, end = text.partition("-")
    return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())
