"""`lapor-ikm training ...`: create, list, show, move and cancel trainings from the command line."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from sqlalchemy import func
from sqlmodel import Session, select

from bot.cli.common import fail, local_time, segment_from_options, settings_engine, time_zone
from bot.clock import utcnow
from bot.config import get_settings
from bot.scheduling.trainings import TrainingPlan, cancel_training, create_training, move_training
from bot.storage.models import Invitation, Owner, Training
from bot.storage.segments import segment_count

app = typer.Typer(help="Trainings and their invitations.", no_args_is_help=True)


@app.command("create")
def create(
    title: Annotated[str, typer.Option(help="Title owners see")],
    start: Annotated[str, typer.Option(help="Start, local time: 'YYYY-MM-DD HH:MM'")],
    place: Annotated[str, typer.Option(help="Where it takes place")],
    hours: Annotated[float, typer.Option(help="Duration in hours")] = 3.0,
    capacity: Annotated[int | None, typer.Option(help="Seats; a waiting list forms beyond")] = None,
    description: Annotated[str | None, typer.Option(help="A few lines about it")] = None,
    timezone: Annotated[str | None, typer.Option(help="Time zone of the place (default DEFAULT_TIMEZONE)")] = None,
    reminder_days: Annotated[int, typer.Option(help="Days before for the first reminder")] = 3,
    kabupaten: Annotated[list[str] | None, typer.Option(help="Kabupaten/kota code or name (repeatable)")] = None,
    kecamatan: Annotated[list[str] | None, typer.Option(help="Kecamatan code or name (repeatable)")] = None,
    kelurahan: Annotated[list[str] | None, typer.Option(help="Kelurahan code or name (repeatable)")] = None,
    commodity: Annotated[list[str] | None, typer.Option(help="makanan, minuman, batik_tenun, ... (repeatable)")] = None,
    permit: Annotated[list[str] | None, typer.Option(help="Permit status, e.g. nib:belum (repeatable)")] = None,
    need: Annotated[list[str] | None, typer.Option(help="Need kind, e.g. kemasan (repeatable)")] = None,
    sentra: Annotated[str | None, typer.Option(help="Part of a sentra/forum name")] = None,
    dry_run: Annotated[bool, typer.Option(help="Only count who would be invited")] = False,
) -> None:
    """Create a training and invite the owners of a segment (invitations go out in their sending window)."""
    settings = get_settings()
    zone = time_zone(timezone or settings.default_timezone)
    starts_at = local_time(start, zone)
    if not title.strip() or not place.strip():
        fail("A training needs a --title and a --place.")
    if hours <= 0:
        fail(f"--hours must be more than 0, got {hours}.")
    if capacity is not None and capacity < 1:
        fail(f"--capacity must be at least 1, got {capacity}.")
    engine = settings_engine()
    with Session(engine) as db:
        segment = segment_from_options(db, kecamatan, kelurahan, commodity, permit, need, sentra, None, kabupaten)
        if dry_run:
            typer.echo(f"{segment_count(db, segment)} owners would be invited.")
            return
        plan = TrainingPlan(
            title=title,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours),
            place=place,
            capacity=capacity,
            description=description,
            segment=segment,
            timezone=zone,
            reminder_days=reminder_days,
        )
        training, invited = create_training(db, plan, "cli", utcnow())
        training_id = training.id  # read before the commit expires it
        db.commit()
    typer.echo(f"Training {training_id} created; {invited} owners invited.")


def _training(db: Session, training_id: int, changing: bool = False) -> Training:
    """The training with this id, or a refusal (also for changing one that is cancelled)."""
    training = db.get(Training, training_id)
    if training is None:
        fail(f"No training {training_id}.")
    if changing and training.status == "cancelled":
        fail(f"Training {training_id} is cancelled.")
    return training


@app.command("list")
def list_trainings() -> None:
    """Trainings with their answers so far."""
    engine = settings_engine()
    with Session(engine) as db:
        for training in db.exec(select(Training).order_by(Training.starts_at)).all():
            counts = dict(
                db.exec(
                    select(Invitation.status, func.count())
                    .where(Invitation.training_id == training.id)
                    .group_by(Invitation.status)
                ).all()
            )
            local = training.starts_at.astimezone(ZoneInfo(training.timezone))
            seats = f"/{training.capacity}" if training.capacity else ""
            typer.echo(
                f"{training.id}\t{local:%Y-%m-%d %H:%M}\t{training.status}\t{training.title}\t"
                f"yes {counts.get('yes', 0)}{seats}, waitlist {counts.get('waitlist', 0)}, "
                f"maybe {counts.get('maybe', 0)}, no {counts.get('no', 0)}, no answer {counts.get('invited', 0)}"
            )


@app.command("show")
def show(training_id: int) -> None:
    """Invitees of a training, their answers and attendance."""
    engine = settings_engine()
    with Session(engine) as db:
        _training(db, training_id)
        rows = db.exec(
            select(Invitation, Owner)
            .join(Owner, Owner.id == Invitation.owner_id)
            .where(Invitation.training_id == training_id)
            .order_by(Invitation.status, Invitation.responded_at)
        ).all()
        hidden = 0
        for invitation, owner in rows:
            if owner.consent_status != "given" or owner.deleted_at is not None:
                hidden += 1  # withdrew consent or erased their data: counted, never named
                continue
            attended = {True: "attended", False: "absent", None: ""}[invitation.attended]
            columns = [owner.id, owner.name or "-", owner.phone or "-", invitation.status, attended]
            typer.echo("\t".join(str(c) for c in [*columns, invitation.feedback or ""]))
        if hidden:
            typer.echo(f"({hidden} more invitees withdrew their consent or erased their data: not shown.)")


@app.command("move")
def move(
    training_id: int,
    start: Annotated[str, typer.Option(help="New start, local time")],
    hours: Annotated[float, typer.Option(help="Duration in hours")] = 3.0,
) -> None:
    """Move a training: reminders follow and those coming are told."""
    if hours <= 0:
        fail(f"--hours must be more than 0, got {hours}.")
    engine = settings_engine()
    with Session(engine) as db:
        training = _training(db, training_id, changing=True)
        starts_at = local_time(start, training.timezone)
        told = move_training(db, training, starts_at, starts_at + timedelta(hours=hours), "cli", utcnow())
        db.commit()
    typer.echo(f"Training {training_id} moved; {told} owners will be told.")


@app.command("cancel")
def cancel(training_id: int) -> None:
    """Cancel a training: reminders stop and those coming are told."""
    engine = settings_engine()
    with Session(engine) as db:
        training = _training(db, training_id, changing=True)
        told = cancel_training(db, training, "cli", utcnow())
        db.commit()
    typer.echo(f"Training {training_id} cancelled; {told} owners will be told.")
