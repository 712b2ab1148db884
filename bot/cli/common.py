"""What the command groups share: an engine on an up-to-date schema, segments and times from options."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import typer
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.config import Settings, get_settings
from bot.storage.db import is_sqlite, make_engine, upgrade
from bot.storage.regions import ensure_regions
from bot.storage.segments import Segment


def prepare_database(settings: Settings) -> Engine:
    """An engine on an up-to-date schema: SQLite is migrated here, PostgreSQL must be migrated on purpose."""
    from bot.runtime import connections_needed

    engine = make_engine(settings.database_url, pool_size=connections_needed(settings.inbox_concurrency))
    if is_sqlite(engine):
        upgrade(settings.database_url)
    elif "alembic_version" not in inspect(engine).get_table_names():
        typer.echo("The database has no schema yet. Run: lapor-ikm db upgrade", err=True)
        raise typer.Exit(2)
    with Session(engine) as db:
        ensure_regions(db, [Path(settings.regions_file)] if settings.regions_file else None)
    return engine


def settings_engine() -> Engine:
    """The engine of the settings in the environment, for commands that only read and write rows."""
    return prepare_database(get_settings())


def local_time(text: str, zone: str) -> datetime:
    """A 'YYYY-MM-DD HH:MM' option read in the deployment's time zone."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError as error:
        raise typer.BadParameter(f"use YYYY-MM-DD HH:MM, got {text!r}") from error
    return value.replace(tzinfo=ZoneInfo(zone)) if value.tzinfo is None else value


def segment_from_options(
    kecamatan: list[str] | None,
    kelurahan: list[str] | None,
    commodity: list[str] | None,
    permit: list[str] | None,
    need: list[str] | None,
    sentra: str | None,
) -> Segment:
    """A segment from repeated command-line options."""
    return Segment(
        kecamatan=tuple(kecamatan or ()),
        kelurahan=tuple(kelurahan or ()),
        commodity=tuple(commodity or ()),
        permits=tuple(permit or ()),
        needs=tuple(need or ()),
        sentra=sentra,
    )
