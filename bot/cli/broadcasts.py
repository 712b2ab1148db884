"""`lapor-ikm broadcast ...`: announcements to segments of owners, their progress, cancel and resend."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from sqlmodel import Session

from bot.cli.common import fail, local_time, segment_from_options, settings_engine
from bot.clock import utcnow
from bot.config import get_settings
from bot.officers.broadcasts import (
    cancel_broadcast,
    create_broadcast,
    current_status,
    preview,
    progress,
    resend_failed,
)
from bot.storage.models import Broadcast

app = typer.Typer(help="Announcements to segments of owners.", no_args_is_help=True)


def _broadcast(db: Session, broadcast_id: int) -> Broadcast:
    """The broadcast with this id, or a refusal."""
    broadcast = db.get(Broadcast, broadcast_id)
    if broadcast is None:
        fail(f"No broadcast {broadcast_id}.")
    return broadcast


@app.command("send")
def broadcast_send(
    text: Annotated[str, typer.Option(help="The announcement")],
    kabupaten: Annotated[list[str] | None, typer.Option(help="Kabupaten/kota code or name (repeatable)")] = None,
    kecamatan: Annotated[list[str] | None, typer.Option(help="Kecamatan code or name (repeatable)")] = None,
    kelurahan: Annotated[list[str] | None, typer.Option(help="Kelurahan code or name (repeatable)")] = None,
    commodity: Annotated[list[str] | None, typer.Option(help="Commodity, e.g. makanan (repeatable)")] = None,
    permit: Annotated[list[str] | None, typer.Option(help="Permit status, e.g. nib:belum (repeatable)")] = None,
    need: Annotated[list[str] | None, typer.Option(help="Need kind, e.g. kemasan (repeatable)")] = None,
    sentra: Annotated[str | None, typer.Option(help="Part of a sentra name")] = None,
    at: Annotated[str | None, typer.Option(help="Send later: 'YYYY-MM-DD HH:MM' local time")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Send without the preview question")] = False,
) -> None:
    """Preview the recipients of an announcement, then queue it."""
    settings = get_settings()
    if not text.strip():
        fail("The announcement is empty: give it with --text.")
    now = utcnow()
    send_at = local_time(at, settings.default_timezone) if at else now
    engine = settings_engine()
    with Session(engine) as db:
        segment = segment_from_options(db, kecamatan, kelurahan, commodity, permit, need, sentra, None, kabupaten)
        audience = preview(db, segment, None)
        typer.echo(f"{audience.reachable} owners will receive it.")
        if audience.unreachable:
            typer.echo(
                f"{audience.unreachable} more in the segment cannot be reached: no Telegram or WhatsApp account "
                "(registered on the console) or they blocked the bot."
            )
        if not yes and not typer.confirm("Send?"):
            typer.echo("Nothing sent.")
            raise typer.Exit(0)
        broadcast = create_broadcast(db, None, settings.office_name, text, segment, None, send_at, now)
        broadcast_id, recipients = broadcast.id, broadcast.recipients  # read before the commit expires them
        db.commit()
    when = f", to go at {send_at.astimezone(ZoneInfo(settings.default_timezone)):%Y-%m-%d %H:%M}" if at else ""
    typer.echo(f"Broadcast {broadcast_id} queued for {recipients} owners{when}.")


@app.command("status")
def broadcast_status(broadcast_id: int) -> None:
    """Delivery progress of a broadcast."""
    engine = settings_engine()
    with Session(engine) as db:
        broadcast = _broadcast(db, broadcast_id)
        status, recipients = current_status(db, [broadcast], utcnow())[broadcast_id], broadcast.recipients
        counts = progress(db, broadcast_id)
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing queued"
    typer.echo(f"Broadcast {broadcast_id} ({status}), {recipients} recipients: {summary}")


@app.command("cancel")
def broadcast_cancel(broadcast_id: int) -> None:
    """Stop a broadcast: messages not sent yet are held back."""
    engine = settings_engine()
    with Session(engine) as db:
        if _broadcast(db, broadcast_id).status == "cancelled":
            fail(f"Broadcast {broadcast_id} is cancelled already.")
        held = cancel_broadcast(db, broadcast_id, "cli", utcnow())
        db.commit()
    typer.echo(f"Broadcast {broadcast_id} cancelled; {held} messages held back.")


@app.command("resend-failed")
def broadcast_resend(broadcast_id: int) -> None:
    """Queue the failed messages of a broadcast again."""
    engine = settings_engine()
    with Session(engine) as db:
        if _broadcast(db, broadcast_id).status == "cancelled":
            fail(f"Broadcast {broadcast_id} is cancelled: its messages are not sent again.")
        count = resend_failed(db, broadcast_id, "cli", utcnow())
        db.commit()
    typer.echo(f"{count} messages queued again.")
