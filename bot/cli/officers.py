"""`lapor-ikm officer ...`: officer accounts and the codes that link their chat accounts."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer
from sqlmodel import Session, select

from bot.cli.common import settings_engine
from bot.clock import utcnow
from bot.officers.accounts import ROLES, OfficerError, create_officer, issue_link_code
from bot.storage.models import Officer

app = typer.Typer(help="Officer accounts.", no_args_is_help=True)


@app.command("add")
def officer_add(
    username: Annotated[str, typer.Option(help="Login name")],
    name: Annotated[str, typer.Option(help="Full name")],
    role: Annotated[str, typer.Option(help="admin, officer or viewer")] = "officer",
    kecamatan: Annotated[list[str] | None, typer.Option(help="Kecamatan code the officer covers (repeatable)")] = None,
    password: Annotated[bool, typer.Option(help="Ask for a password for the web pages")] = False,
) -> None:
    """Create an officer and print a code to link their Telegram or WhatsApp account."""
    if role not in ROLES:
        raise typer.BadParameter(f"role must be one of {', '.join(ROLES)}")
    secret = getpass.getpass("Password (at least 10 characters): ") if password else None
    engine = settings_engine()
    with Session(engine) as db:
        try:
            officer = create_officer(db, username, name, role, kecamatan, secret, "cli", utcnow())
        except OfficerError as error:
            typer.echo(f"Cannot create the officer: {error}", err=True)
            raise typer.Exit(1) from error
        code = issue_link_code(db, officer, utcnow())
        db.commit()
        typer.echo(f"Officer {officer.id} ({officer.role}) created.")
    typer.echo(f"To use the bot, the officer sends this message to it within 24 hours: PETUGAS {code}")


@app.command("link-code")
def officer_link_code(username: str) -> None:
    """A new one-time code for an officer to link a chat account."""
    engine = settings_engine()
    with Session(engine) as db:
        officer = db.exec(select(Officer).where(Officer.username == username)).first()
        if officer is None:
            raise typer.BadParameter(f"no officer {username!r}")
        code = issue_link_code(db, officer, utcnow())
        db.commit()
    typer.echo(f"PETUGAS {code}")


@app.command("list")
def officer_list() -> None:
    """Officers with their role and scope."""
    engine = settings_engine()
    with Session(engine) as db:
        for officer in db.exec(select(Officer).order_by(Officer.id)).all():
            scope = ",".join(officer.kecamatan_scope) if officer.kecamatan_scope else "all"
            typer.echo(f"{officer.id}\t{officer.username}\t{officer.name}\t{officer.role}\t{scope}")
