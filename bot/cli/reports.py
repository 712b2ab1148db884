"""`lapor-ikm export` and `lapor-ikm rekap`: the registered businesses as a spreadsheet or a permit count."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session

from bot.cli.common import fail, officer_named, prepare_database, segment_from_options, settings_engine
from bot.config import get_settings
from bot.officers.chat import rekap_text
from bot.officers.export import write_export
from bot.officers.rekap import GROUPS
from bot.storage.models import AuditLog

REKAP_BY = GROUPS  # kecamatan, kabupaten (regency or city), commodity
KABUPATEN = "Only these kabupaten/kota, codes or names (repeatable)"


class ExportFormat(StrEnum):
    """Spreadsheet formats of `export`."""

    csv = "csv"
    xlsx = "xlsx"


def export(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write")],
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="csv or xlsx")] = ExportFormat.csv,
    kecamatan: Annotated[
        list[str] | None, typer.Option(help="Only these kecamatan, codes or names (repeatable)")
    ] = None,
    commodity: Annotated[
        list[str] | None, typer.Option(help="Only these commodities, e.g. makanan (repeatable)")
    ] = None,
    permit: Annotated[list[str] | None, typer.Option(help="Permit status, e.g. nib:belum (repeatable)")] = None,
    need: Annotated[list[str] | None, typer.Option(help="Need kind, e.g. kemasan (repeatable)")] = None,
    officer: Annotated[str | None, typer.Option(help="Limit to this officer's kecamatan scope")] = None,
    kabupaten: Annotated[list[str] | None, typer.Option(help=KABUPATEN)] = None,
) -> None:
    """Export the registered businesses, one row each (optionally filtered)."""
    settings = get_settings()
    engine = prepare_database(settings)
    with Session(engine) as db:
        actor, scope = "cli", None
        if officer:
            row = officer_named(db, officer)
            actor, scope = f"officer:{row.id}", tuple(row.kecamatan_scope) if row.kecamatan_scope else None
        chosen = segment_from_options(db, kecamatan, None, commodity, permit, need, None, scope, kabupaten)
        segment = chosen.restricted_to(scope)
        try:
            count = write_export(db, output, fmt.value, settings.default_timezone, segment)
        except OSError as error:
            fail(f"Cannot write {output}: {error.strerror or error}.")
        db.add(
            AuditLog(actor=actor, action="export", target_type="business", detail={"rows": count, **segment.to_json()})
        )
        db.commit()
    typer.echo(f"Wrote {count} {'business' if count == 1 else 'businesses'} to {output}.")


def rekap_command(
    by: Annotated[str, typer.Option(help="kecamatan, kabupaten (regency or city) or commodity")] = "kecamatan",
) -> None:
    """Who has, is processing, lacks, or does not need each permit."""
    if by not in REKAP_BY:
        fail(f"Unknown --by {by!r}; use one of: {', '.join(REKAP_BY)}.")
    engine = settings_engine()
    with Session(engine) as db:
        typer.echo(rekap_text(db, by, None))
