"""`lapor-ikm officer ...`: officer accounts and the codes that link their chat accounts."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer
from sqlmodel import Session, select

from bot.cli.common import fail, kecamatan_codes, officer_named, settings_engine, tell
from bot.clock import utcnow
from bot.officers.accounts import ROLES, OfficerError, create_officer, issue_link_code
from bot.storage.models import Officer
from bot.store import load_regions

app = typer.Typer(help="Officer accounts.", no_args_is_help=True)


@app.command("add")
def officer_add(
    username: Annotated[str, typer.Option(help="Login name")],
    name: Annotated[str, typer.Option(help="Full name")],
    role: Annotated[str, typer.Option(help="admin, officer or viewer")] = "officer",
    kecamatan: Annotated[
        list[str] | None, typer.Option(help="Kecamatan code or name the officer covers (repeatable)")
    ] = None,
    password: Annotated[bool, typer.Option(help="Ask for a password for the web pages")] = False,
) -> None:
    """Create an officer and print a code to link their Telegram or WhatsApp account."""
    if role not in ROLES:
        fail(f"Unknown role {role!r}; use one of: {', '.join(ROLES)}.")
    if role == "admin" and kecamatan:
        fail("An admin sees every kecamatan: leave out --kecamatan, or give another --role.")
    engine = settings_engine()
    with Session(engine) as db:
        notes: list[str] = []
        scope = list(kecamatan_codes(load_regions(db), kecamatan, notes)) or None
        if db.exec(select(Officer.id).where(Officer.username == username)).first() is not None:
            fail(f"Cannot create the officer: username {username!r} is taken.")  # before asking for a password
        tell(notes)
        secret = getpass.getpass("Password (at least 10 characters): ") if password else None
        try:
            officer = create_officer(db, username, name, role, scope, secret, "cli", utcnow())
        except OfficerError as error:
            fail(f"Cannot create the officer: {error}")
        code = issue_link_code(db, officer, utcnow())
        officer_id, covers = officer.id, ", ".join(officer.kecamatan_scope or ()) or "every kecamatan"
        db.commit()
    typer.echo(f"Officer {officer_id} ({role}) created, covering {covers}.")
    typer.echo(f"To use the bot, the officer sends this message to it within 24 hours: PETUGAS {code}")


@app.command("link-code")
def officer_link_code(username: str) -> None:
    """A new one-time code for an officer to link a chat account."""
    engine = settings_engine()
    with Session(engine) as db:
        officer = officer_named(db, username)
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
