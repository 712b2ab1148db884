"""`lapor-ikm export` and `lapor-ikm rekap`: the registered businesses as a spreadsheet or a permit count."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session, select

from bot.cli.common import prepare_database, segment_from_options, settings_engine
from bot.config import get_settings
from bot.officers.chat import rekap_text
from bot.officers.export import write_export
from bot.storage.models import AuditLog, Officer


class ExportFormat(StrEnum):
    """Spreadsheet formats of `export`."""

    csv = "csv"
    xlsx = "xlsx"


def export(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write")],
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="csv or xlsx")] = ExportFormat.csv,
    kecamatan: Annotated[list[str] | None, typer.Option(help="Only these kecamatan codes (repeatable)")] = None,
    commodity: Annotated[list[str] | None, typer.Option(help="Only these commodities (repeatable)")] = None,
    permit: Annotated[list[str] | None, typer.Option(help="Permit status, e.g. nib:belum (repeatable)")] = None,
    need: Annotated[list[str] | None, typer.Option(help="Need kind (repeatable)")] = None,
    officer: Annotated[str | None, typer.Option(help="Limit to this officer's kecamatan scope")] = None,
) -> None:
    """Export the registered businesses, one row each (optionally filtered)."""
    settings = get_settings()
    engine = prepare_database(settings)
    segment = segment_from_options(kecamatan, None, commodity, permit, need, None)
    with Session(engine) as db:
        actor = "cli"
        if officer:
            row = db.exec(select(Officer).where(Officer.username == officer)).first()
            if row is None:
                raise typer.BadParameter(f"no officer {officer!r}")
            segment = segment.restricted_to(tuple(row.kecamatan_scope) if row.kecamatan_scope else None)
            actor = f"officer:{row.id}"
        count = write_export(db, output, fmt.value, settings.default_timezone, segment)
        db.add(
            AuditLog(actor=actor, action="export", target_type="business", detail={"rows": count, **segment.to_json()})
        )
        db.commit()
    typer.echo(f"Wrote {count} businesses to {output}.")


def rekap_command(
    by: Annotated[str, typer.Option(help="kecamatan or commodity")] = "kecamatan",
) -> None:
    """Who has, is processing, or lacks each permit."""
    engine = settings_engine()
    with Session(engine) as db:
        typer.echo(rekap_text(db, by, None))
