"""Time helper: every timestamp in Lapor IKM is an aware UTC datetime (SQLModel stores them as UTC)."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Current time, aware, in UTC."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """A stored time as aware UTC (SQLite gives it back without a zone; PostgreSQL with one)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
