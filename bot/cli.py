"""The `lapor-ikm` command line: run, chat, db upgrade, regions load, export."""

from __future__ import annotations

import logging
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.cli_officers import broadcast_app, officer_app, rekap_command
from bot.cli_trainings import app as trainings_app
from bot.config import Settings, SettingsError, get_settings
from bot.db import DATABASE_UNAVAILABLE, autovacuum_is_off, describe_error, is_sqlite, make_engine, open_pool, upgrade
from bot.logsetup import configure_logging
from bot.models import ChannelAccount
from bot.regions import RegionFileError, ensure_regions, load_region_files
from bot.service import ConversationService
from conversations import Inbound, Reply

app = typer.Typer(
    help="Lapor IKM: the chat channel between IKM/UMKM owners and their Dinas.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
log = logging.getLogger(__name__)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
regions_app = typer.Typer(help="The deployment's kecamatan and kelurahan/desa.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(regions_app, name="regions")
app.add_typer(trainings_app, name="training")
app.add_typer(officer_app, name="officer")
app.add_typer(broadcast_app, name="broadcast")
app.command("rekap")(rekap_command)


class ExportFormat(StrEnum):
    """Spreadsheet formats of `export`."""

    csv = "csv"
    xlsx = "xlsx"


def prepare_database(settings: Settings):  # type: ignore[no-untyped-def]
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


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Create or update the database schema (SQLite and PostgreSQL)."""
    settings = get_settings()
    upgrade(settings.database_url, revision)
    typer.echo("Database is up to date.")


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


@app.command()
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
    from bot.cli_trainings import segment_from_options
    from bot.export import write_export
    from bot.models import AuditLog, Officer

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


@app.command()
def chat(user: Annotated[str, typer.Option("--user", help="Simulated owner id")] = "1") -> None:
    """Talk to the bot as an owner in the terminal (one message a line)."""
    from bot.channels.console import render, run_console

    settings = get_settings()
    configure_logging(settings, logging.WARNING)
    engine = prepare_database(settings)
    service = ConversationService(engine, settings)
    interactive = sys.stdin.isatty()
    if interactive:
        typer.echo("Lapor IKM – console. Ketik pesan lalu Enter; Ctrl+D untuk keluar.\n")
    for reply in deliver_console_reminders(engine, service, user):  # what came while the owner was away
        sys.stdout.write(render(reply) + "\n\n")

    def handle(inbound: Inbound) -> list[Reply]:
        return service.handle("console", user, inbound) + deliver_console_reminders(engine, service, user)

    run_console(handle, sys.stdin, sys.stdout, "> " if interactive else "")


def _connection_advice(error: Exception, settings: Settings) -> str:
    """What to do about a database that refused `run` at start."""
    from bot.runtime import connections_needed

    message = str(getattr(error, "orig", None) or error)
    if any(words in message for words in ("too many clients", "too many connections", "slots are reserved")):
        needed = connections_needed(settings.inbox_concurrency)
        return (
            f" (this process keeps {needed} connections open: raise PostgreSQL's max_connections or the role's "
            "connection limit, or lower INBOX_CONCURRENCY)"
        )
    return " (is the database running, and is DATABASE_URL right?)"


@app.command()
def run() -> None:
    """Serve HTTP (health check, webhooks) on HOST:PORT."""
    import gc

    import uvicorn

    from webhook.app import create_app

    settings = get_settings()
    configure_logging(settings, logging.getLevelNamesMapping()[settings.log_level])
    try:
        settings.check_for_serving()
    except SettingsError as error:
        typer.echo(f"Cannot start: {error}", err=True)
        raise typer.Exit(2) from error
    try:
        engine = prepare_database(settings)
        if autovacuum_is_off(engine):
            # Every answer updates rows of the inbox and the outbox: unvacuumed, their indexes fill with dead entries
            # and, never analysed, the planner keeps plans made for empty tables.
            log.warning("PostgreSQL's autovacuum is off: the inbox and outbox will slow down over time; turn it on")
        open_pool(engine)
    except DATABASE_UNAVAILABLE as error:  # one line, no traceback: systemd or Docker starts the process again
        log.error("Cannot start: %s%s", describe_error(error), _connection_advice(error, settings))
        raise typer.Exit(1) from error
    app = create_app(settings, engine)
    # What is loaded by now lives as long as the process: keep it out of the collector's scans, and collect less
    # often (full collections over it paused answers by tens of milliseconds under load).
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 50)
    if settings.access_log:
        logging.getLogger("uvicorn.access").setLevel(logging.INFO)
    # uvicorn's own logging setup would bypass the root handlers, and with them the redaction of secrets.
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None, access_log=settings.access_log)


def deliver_console_reminders(engine: Engine, service: ConversationService, user: str) -> list[Reply]:
    """Reminders due for a console user: dispatched, processed and shown (the console has no sender)."""
    from bot.channels.console_adapter import ConsoleAdapter, take_console_messages
    from bot.inbox import InboxWorker
    from bot.reminders import dispatch_due
    from bot.sending_window import SendingWindow, parse_window

    settings = service.settings
    with Session(engine) as db:
        account = db.exec(
            select(ChannelAccount).where(ChannelAccount.platform == "console", ChannelAccount.external_id == user)
        ).first()
    if account is None:
        return []
    start, end = parse_window(settings.send_window)
    window = SendingWindow(start, end, skip_holidays=settings.skip_holidays)
    dispatch_due(engine, service.clock(), window, owner_id=account.owner_id)
    worker = InboxWorker(engine, service, {"console": ConsoleAdapter()}, service.clock)
    while worker.process_next("console", user) == "done":
        pass
    return take_console_messages(engine, user, service.clock())


def main() -> None:
    """Entry point of the `lapor-ikm` script."""
    app()
