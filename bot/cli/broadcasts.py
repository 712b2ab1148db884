"""`lapor-ikm broadcast ...`: announcements to segments of owners, their progress, cancel and resend."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlmodel import Session

from bot.cli.common import local_time, segment_from_options, settings_engine
from bot.clock import utcnow
from bot.config import get_settings
from bot.officers.broadcasts import cancel_broadcast, create_broadcast, preview, progress, resend_failed
from bot.storage.models import Broadcast

app = typer.Typer(help="Announcements to segments of owners.", no_args_is_help=True)


@app.command("send")
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
    engine = settings_engine()
    now = utcnow()
    send_at = local_time(at, settings.default_timezone) if at else now
    with Session(engine) as db:
        count, _sample = preview(db, segment, None)
        typer.echo(f"{count} owners will receive it.")
        if not yes and not typer.confirm("Send?"):
            raise typer.Exit(0)
        broadcast = create_broadcast(db, None, settings.office_name, text, segment, None, send_at, now)
        db.commit()
    typer.echo(f"Broadcast {broadcast.id} queued for {broadcast.recipients} owners.")


@app.command("status")
def broadcast_status(broadcast_id: int) -> None:
    """Delivery progress of a broadcast."""
    engine = settings_engine()
    with Session(engine) as db:
        broadcast = db.get(Broadcast, broadcast_id)
        if broadcast is None:
            raise typer.BadParameter(f"no broadcast {broadcast_id}")
        counts = progress(db, broadcast_id)
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    typer.echo(f"Broadcast {broadcast_id} ({broadcast.status}), {broadcast.recipients} recipients: {summary}")


@app.command("cancel")
def broadcast_cancel(broadcast_id: int) -> None:
    """Stop a broadcast: messages not sent yet are held back."""
    engine = settings_engine()
    with Session(engine) as db:
        held = cancel_broadcast(db, broadcast_id, "cli", utcnow())
        db.commit()
    typer.echo(f"Cancelled; {held} messages held back.")


@app.command("resend-failed")
def broadcast_resend(broadcast_id: int) -> None:
    """Queue the failed messages of a broadcast again."""
    engine = settings_engine()
    with Session(engine) as db:
        count = resend_failed(db, broadcast_id, "cli", utcnow())
        db.commit()
    typer.echo(f"{count} messages queued again.")
