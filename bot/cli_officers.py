"""`lapor-ikm officer`, `broadcast` and `rekap`: the officers' side from the command line."""

from __future__ import annotations

import getpass
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from sqlmodel import Session, select

from bot.broadcasts import cancel_broadcast, create_broadcast, preview, progress, resend_failed
from bot.cli_trainings import segment_from_options
from bot.clock import utcnow
from bot.config import get_settings
from bot.models import Broadcast, Officer
from bot.officer_service import rekap_text
from bot.officers import ROLES, OfficerError, create_officer, issue_link_code

officer_app = typer.Typer(help="Officer accounts.", no_args_is_help=True)
broadcast_app = typer.Typer(help="Announcements to segments of owners.", no_args_is_help=True)


def _engine():  # type: ignore[no-untyped-def]
    from bot.cli import prepare_database

    return prepare_database(get_settings())


@officer_app.command("add")
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
    engine = _engine()
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


@officer_app.command("link-code")
def officer_link_code(username: str) -> None:
    """A new one-time code for an officer to link a chat account."""
    engine = _engine()
    with Session(engine) as db:
        officer = db.exec(select(Officer).where(Officer.username == username)).first()
        if officer is None:
            raise typer.BadParameter(f"no officer {username!r}")
        code = issue_link_code(db, officer, utcnow())
        db.commit()
    typer.echo(f"PETUGAS {code}")


@officer_app.command("list")
def officer_list() -> None:
    """Officers with their role and scope."""
    engine = _engine()
    with Session(engine) as db:
        for officer in db.exec(select(Officer).order_by(Officer.id)).all():
            scope = ",".join(officer.kecamatan_scope) if officer.kecamatan_scope else "all"
            typer.echo(f"{officer.id}\t{officer.username}\t{officer.name}\t{officer.role}\t{scope}")


@broadcast_app.command("send")
def broadcast_send(
    text: Annotated[str, typer.Option(help="The announcement")],
    kecamatan: Annotated[list[str] | None, typer.Option(help="Kecamatan code (repeatable)")] = None,
    kelurahan: Annotated[list[str] | None, typer.Option(help="Kelurahan code (repeatable)")] = None,
    commodity: Annotated[list[str] | None, typer.Option(help="Commodity (repeatable)")] = None,
    permit: Annotated[list[str] | None, typer.Option(help="Permit status, e.g. nib:belum (repeatable)")] = None,
    need: Annotated[list[str] | None, typer.Option(help="Need kind (repeatable)")] = None,
    sentra: Annotated[str | None, typer.Option(help="Part of a sentra name")] = None,
    at: Annotated[str | None, typer.Option(help="Send later: 'YYYY-MM-DD HH:MM' local time")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Send without the preview question")] = False,
) -> None:
    """Preview the recipients of an announcement, then queue it."""
    settings = get_settings()
    segment = segment_from_options(kecamatan, kelurahan, commodity, permit, need, sentra)
    engine = _engine()
    now = utcnow()
    send_at = datetime.fromisoformat(at).replace(tzinfo=ZoneInfo(settings.default_timezone)) if at else now
    with Session(engine) as db:
        count, _sample = preview(db, segment, None)
        typer.echo(f"{count} owners will receive it.")
        if not yes and not typer.confirm("Send?"):
            raise typer.Exit(0)
        broadcast = create_broadcast(db, None, settings.office_name, text, segment, None, send_at, now)
        db.commit()
    typer.echo(f"Broadcast {broadcast.id} queued for {broadcast.recipients} owners.")


@broadcast_app.command("status")
def broadcast_status(broadcast_id: int) -> None:
    """Delivery progress of a broadcast."""
    engine = _engine()
    with Session(engine) as db:
        broadcast = db.get(Broadcast, broadcast_id)
        if broadcast is None:
            raise typer.BadParameter(f"no broadcast {broadcast_id}")
        counts = progress(db, broadcast_id)
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    typer.echo(f"Broadcast {broadcast_id} ({broadcast.status}), {broadcast.recipients} recipients: {summary}")


@broadcast_app.command("cancel")
def broadcast_cancel(broadcast_id: int) -> None:
    """Stop a broadcast: messages not sent yet are held back."""
    engine = _engine()
    with Session(engine) as db:
        held = cancel_broadcast(db, broadcast_id, "cli", utcnow())
        db.commit()
    typer.echo(f"Cancelled; {held} messages held back.")


@broadcast_app.command("resend-failed")
def broadcast_resend(broadcast_id: int) -> None:
    """Queue the failed messages of a broadcast again."""
    engine = _engine()
    with Session(engine) as db:
        count = resend_failed(db, broadcast_id, "cli", utcnow())
        db.commit()
    typer.echo(f"{count} messages queued again.")


def rekap_command(
    by: Annotated[str, typer.Option(help="kecamatan or commodity")] = "kecamatan",
) -> None:
    """Who has, is processing, or lacks each permit."""
    engine = _engine()
    with Session(engine) as db:
        typer.echo(rekap_text(db, by, None))
