"""`lapor-ikm officer ...`: officer accounts and the codes that link their chat accounts."""

from __future__ import annotations

import getpass
from types import EllipsisType
from typing import Annotated

import typer
from sqlmodel import Session, select

from bot.cli.common import fail, kabupaten_codes, kecamatan_codes, officer_named, settings_engine, tell
from bot.clock import utcnow
from bot.officers.accounts import ROLES, OfficerError, create_officer, issue_link_code, update_officer
from bot.officers.areas import kecamatan_of, officer_regions, scope_parts
from bot.storage.models import Officer
from bot.store import load_regions
from conversations.understanding.places import RegionDirectory

WHOLE_REGENCY = "{name} ({count} kecamatan)"
KABUPATEN_HELP = "kabupaten/kota (code or name): the officer covers every kecamatan of it (repeatable)"


def scope_codes(
    regions: RegionDirectory, kecamatan: list[str] | None, kabupaten: list[str] | None, notes: list[str]
) -> list[str]:
    """The kecamatan codes an officer covers: those named, and every kecamatan of the regencies named."""
    regencies = kabupaten_codes(regions, kabupaten, notes)
    return list(dict.fromkeys([*kecamatan_of(regions, regencies), *kecamatan_codes(regions, kecamatan, notes)]))


def covering(regions: RegionDirectory, scope: list[str] | None, separator: str = ", ") -> str:
    """An officer's scope as read: whole regencies by name ("Kab. Lombok Timur (21 kecamatan)"), other kecamatan
    by code, or "every kecamatan"."""
    if not scope:
        return "every kecamatan"
    return separator.join(scope_parts(regions, scope, WHOLE_REGENCY))


app = typer.Typer(help="Officer accounts.", no_args_is_help=True)


@app.command("add")
def officer_add(
    username: Annotated[str, typer.Option(help="Login name")],
    name: Annotated[str, typer.Option(help="Full name")],
    role: Annotated[str, typer.Option(help="admin, officer or viewer")] = "officer",
    kecamatan: Annotated[
        list[str] | None, typer.Option(help="Kecamatan code or name the officer covers (repeatable)")
    ] = None,
    kabupaten: Annotated[list[str] | None, typer.Option(help="A " + KABUPATEN_HELP)] = None,
    password: Annotated[bool, typer.Option(help="Ask for a password for the web pages")] = False,
) -> None:
    """Create an officer and print a code to link their Telegram or WhatsApp account."""
    if role not in ROLES:
        fail(f"Unknown role {role!r}; use one of: {', '.join(ROLES)}.")
    if role == "admin" and (kecamatan or kabupaten):
        fail("An admin sees every kecamatan: leave out --kecamatan and --kabupaten, or give another --role.")
    engine = settings_engine()
    with Session(engine) as db:
        notes: list[str] = []
        regions = load_regions(db)
        scope = scope_codes(regions, kecamatan, kabupaten, notes) or None
        if db.exec(select(Officer.id).where(Officer.username == username)).first() is not None:
            fail(f"Cannot create the officer: username {username!r} is taken.")  # before asking for a password
        tell(notes)
        secret = getpass.getpass("Password (at least 10 characters): ") if password else None
        try:
            officer = create_officer(db, username, name, role, scope, secret, "cli", utcnow())
        except OfficerError as error:
            fail(f"Cannot create the officer: {error}")
        code = issue_link_code(db, officer, utcnow())
        officer_id, covers = officer.id, covering(regions, officer.kecamatan_scope)
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
        regions = officer_regions(db)
        for officer in db.exec(select(Officer).order_by(Officer.id)).all():
            scope = covering(regions, officer.kecamatan_scope, ",") if officer.kecamatan_scope else "all"
            typer.echo(f"{officer.id}\t{officer.username}\t{officer.name}\t{officer.role}\t{scope}")


@app.command("change")
def officer_change(
    username: str,
    role: Annotated[str | None, typer.Option(help="New role: admin, officer or viewer")] = None,
    kecamatan: Annotated[
        list[str] | None, typer.Option(help="New kecamatan code or name the officer covers (repeatable)")
    ] = None,
    kabupaten: Annotated[list[str] | None, typer.Option(help="New " + KABUPATEN_HELP)] = None,
    all_kecamatan: Annotated[bool, typer.Option("--all-kecamatan", help="Cover every kecamatan")] = False,
    password: Annotated[bool, typer.Option(help="Ask for a new password for the web pages")] = False,
    active: Annotated[bool | None, typer.Option("--active/--inactive", help="Switch the account on or off")] = None,
) -> None:
    """Change an officer's role, kecamatan, password or activity; their dashboard sessions end at once."""
    if role is not None and role not in ROLES:
        fail(f"Unknown role {role!r}; use one of: {', '.join(ROLES)}.")
    if (kecamatan or kabupaten) and all_kecamatan:
        fail("Give --kecamatan or --kabupaten, or --all-kecamatan, not both.")
    if role is None and not (kecamatan or kabupaten or all_kecamatan or password) and active is None:
        fail(
            "Nothing to change: give --role, --kecamatan, --kabupaten, --all-kecamatan, --password or "
            "--active/--inactive."
        )
    engine = settings_engine()
    with Session(engine) as db:
        officer = officer_named(db, username)
        notes: list[str] = []
        regions = load_regions(db)
        scope: list[str] | None | EllipsisType = ...
        if kecamatan or kabupaten:
            scope = scope_codes(regions, kecamatan, kabupaten, notes)
        elif all_kecamatan:
            scope = None
        if (role or officer.role) == "admin" and (kecamatan or kabupaten):
            fail("An admin sees every kecamatan: leave out --kecamatan and --kabupaten, or give another --role.")
        tell(notes)
        secret = getpass.getpass("New password (at least 10 characters): ") if password else None
        try:
            ended = update_officer(
                db, officer, "cli", utcnow(), role=role, kecamatan_scope=scope, password=secret, active=active
            )
        except OfficerError as error:
            fail(f"Cannot change the officer: {error}")
        summary = f"{officer.role}, covering {covering(regions, officer.kecamatan_scope)}"
        state = "active" if officer.active else "switched off"
        db.commit()
    typer.echo(f"Officer {username} changed: {summary}, {state}; {ended} open dashboard sessions ended.")
