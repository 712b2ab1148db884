"""The `lapor-ikm` command line: every command group, assembled."""

from __future__ import annotations

import typer

from bot.cli import broadcasts, console, database, officers, reports, server, trainings

app = typer.Typer(
    help="Lapor IKM: the chat channel between IKM/UMKM owners and their Dinas.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command()(server.run)
app.command()(console.chat)
app.command()(reports.export)
app.command("rekap")(reports.rekap_command)
app.add_typer(database.db_app, name="db")
app.add_typer(database.regions_app, name="regions")
app.add_typer(trainings.app, name="training")
app.add_typer(officers.app, name="officer")
app.add_typer(broadcasts.app, name="broadcast")


def main() -> None:
    """Entry point of the `lapor-ikm` script."""
    app()
