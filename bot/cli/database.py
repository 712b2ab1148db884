"""`lapor-ikm db upgrade` and `lapor-ikm regions load`: the schema and the deployment's region list."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session

from bot.cli.common import prepare_database
from bot.config import get_settings
from bot.storage.db import upgrade
from bot.storage.national import parse_codes, time_zone, use_regions
from bot.storage.regions import RegionFileError, load_region_files

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
regions_app = typer.Typer(help="The deployment's kecamatan and kelurahan/desa.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Create or update the database schema (SQLite and PostgreSQL)."""
    settings = get_settings()
    upgrade(settings.database_url, revision)
    typer.echo("Database is up to date.")


@regions_app.command("use")
def regions_use(
    codes: Annotated[list[str], typer.Argument(help="Kemendagri codes: province 52, regency or city 51.03, kecamatan")],
) -> None:
    """Replace the region list with every kecamatan and kelurahan/desa under CODES (the national list)."""
    engine = prepare_database(get_settings())
    try:
        with Session(engine) as db:
            result = use_regions(db, parse_codes(" ".join(codes)))
    except RegionFileError as error:
        typer.echo(f"Could not use these regions: {error}", err=True)
        raise typer.Exit(1) from error
    zones = sorted({time_zone(code) for code in parse_codes(" ".join(codes))})
    typer.echo(
        f"Using {result.kecamatan} kecamatan and {result.kelurahan} kelurahan/desa under {', '.join(codes)}"
        f" ({', '.join(zones)}). Set REGION_CODES={','.join(parse_codes(' '.join(codes)))} to keep it so."
    )


@regions_app.command("load")
def regions_load(
    files: Annotated[list[Path], typer.Argument(help="CSV files in the documented format")],
    append: Annotated[bool, typer.Option(help="Keep areas that are not in the files")] = False,
) -> None:
    """Replace the region list with the areas in FILES."""
    engine = prepare_database(get_settings())
    try:
        with Session(engine) as db:
            result = load_region_files(db, files, replace=not append)
    except (RegionFileError, OSError) as error:
        typer.echo(f"Could not load regions: {error}", err=True)
        raise typer.Exit(1) from error
    typer.echo(f"Loaded {result.kecamatan} kecamatan and {result.kelurahan} kelurahan/desa.")
