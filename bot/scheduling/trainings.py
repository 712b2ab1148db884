"""Trainings: creating them, inviting a segment, answers with a waiting list, and their reminder rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, insert, update
from sqlmodel import Session, select

from bot.storage.models import AuditLog, Invitation, Reminder, Training
from bot.storage.segments import Segment, segment_owner_ids
from conversations.turn import TrainingInfo

TRAINING_REMINDERS = ("training_h3", "training_h1", "training_morning", "training_attendance")


@dataclass(frozen=True)
class TrainingPlan:
    """What an officer enters for a new training."""

    title: str
    starts_at: datetime  # aware
    ends_at: datetime
    place: str
    capacity: int | None
    description: str | None
    segment: Segment
    timezone: str = "Asia/Jakarta"
    reminder_days: int = 3


def reminder_times(training: Training) -> dict[str, datetime]:
    """When each reminder of a training is due: N days before and the day before at 09:00, the morning, after."""
    zone = ZoneInfo(training.timezone)
    start = training.starts_at.astimezone(zone)
    times = {
        "training_h3": datetime.combine(start.date() - timedelta(days=training.reminder_days), time(9, 0), zone),
        "training_h1": datetime.combine(start.date() - timedelta(days=1), time(9, 0), zone),
        "training_attendance": training.ends_at + timedelta(hours=1),
    }
    if start.time() >= time(9, 30):  # an early start leaves no useful morning reminder
        times["training_morning"] = datetime.combine(start.date(), time(7, 0), zone)
    if training.reminder_days <= 1:
        del times["training_h3"]
    return times


_REMINDERS = Reminder.__table__  # type: ignore[attr-defined]
# Core statements built once: owners' answers schedule and cancel reminders in many steps. The status is a parameter
# here, so a prepared statement goes by the owner's index (ix_reminder_target), never by the partial index of every
# pending reminder.
_CANCEL = (
    update(_REMINDERS)
    .where(
        _REMINDERS.c.kind == bindparam("of_kind"),
        _REMINDERS.c.ref == bindparam("of_ref"),
        _REMINDERS.c.status == "pending",
    )
    .values(status="cancelled")
)
_CANCEL_FOR_OWNER = _CANCEL.where(_REMINDERS.c.owner_id == bindparam("of_owner"))
_ADD = insert(_REMINDERS).values(status="pending")


def replace_reminder(db: Session, owner_id: int, kind: str, ref: str, due_at: datetime, now: datetime) -> None:
    """Cancel pending reminders of this kind and ref for the owner, and add one due at `due_at`."""
    cancel_reminders(db, owner_id, kind, ref)
    values = {"owner_id": owner_id, "kind": kind, "ref": ref, "due_at": due_at, "created_at": now}
    db.connection().execute(_ADD, values)


def cancel_reminders(db: Session, owner_id: int | None, kind: str, ref: str) -> None:
    """Cancel pending reminders (of one owner, or of everyone when `owner_id` is None)."""
    if owner_id is None:
        db.connection().execute(_CANCEL, {"of_kind": kind, "of_ref": ref})
    else:
        db.connection().execute(_CANCEL_FOR_OWNER, {"of_kind": kind, "of_ref": ref, "of_owner": owner_id})


def schedule_training_reminders(db: Session, training: Training, owner_id: int, status: str, now: datetime) -> None:
    """Reminders follow the answer: all of them for "yes", the day-before one for "maybe", none otherwise."""
    ref = str(training.id)
    wanted = reminder_times(training)
    if status == "maybe":
        wanted = {k: v for k, v in wanted.items() if k == "training_h1"}
    elif status != "yes":
        wanted = {}
    for kind in TRAINING_REMINDERS:
        due = wanted.get(kind)
        if due is not None and due > now:
            replace_reminder(db, owner_id, kind, ref, due, now)
        else:
            cancel_reminders(db, owner_id, kind, ref)


def create_training(db: Session, plan: TrainingPlan, actor: str, now: datetime) -> tuple[Training, int]:
    """Create a training and invite its segment; returns the training and how many were invited."""
    training = Training(
        title=plan.title,
        starts_at=plan.starts_at,
        ends_at=plan.ends_at,
        timezone=plan.timezone,
        place=plan.place,
        capacity=plan.capacity,
        description=plan.description,
        segment=plan.segment.to_json(),
        reminder_days=plan.reminder_days,
        created_by=actor,
        created_at=now,
    )
    db.add(training)
    db.flush()
    invited = invite(db, training, segment_owner_ids(db, plan.segment), now)
    db.add(
        AuditLog(
            at=now,
            actor=actor,
            action="training_created",
            target_type="training",
            target_id=training.id,
            detail={"title": plan.title, "invited": invited, "segment": plan.segment.to_json()},
        )
    )
    return training, invited


def invite(db: Session, training: Training, owner_ids: list[int], now: datetime) -> int:
    """Invite owners not invited yet: an invitation row and an invitation reminder due now."""
    assert training.id is not None
    known = set(db.exec(select(Invitation.owner_id).where(Invitation.training_id == training.id)).all())
    fresh = [owner_id for owner_id in owner_ids if owner_id not in known]
    for chunk in range(0, len(fresh), 1000):
        ids = fresh[chunk : chunk + 1000]
        db.add_all(Invitation(training_id=training.id, owner_id=i, created_at=now) for i in ids)
        db.add_all(
            Reminder(owner_id=i, kind="training_invite", ref=str(training.id), due_at=now, created_at=now) for i in ids
        )
        db.flush()
    return len(fresh)


def answer_invitation(db: Session, training_id: int, owner_id: int, status: str, now: datetime) -> str:
    """Record an answer; "yes" becomes "waitlist" when full; a freed seat goes to the first on the waiting list."""
    training = db.exec(select(Training).where(Training.id == training_id).with_for_update()).first()
    if training is None or training.status != "scheduled":
        return "gone"
    invitation = db.exec(
        select(Invitation).where(Invitation.training_id == training_id, Invitation.owner_id == owner_id)
    ).first()
    if invitation is None:  # someone outside the segment answering a forwarded invitation
        invitation = Invitation(training_id=training_id, owner_id=owner_id, created_at=now)
    previous = invitation.status
    if status == "yes" and previous not in ("yes", "waitlist") and training.capacity is not None:
        if seats_taken(db, training_id) >= training.capacity:
            status = "waitlist"
    if status == "yes" and previous == "waitlist":
        status = "waitlist"  # keeps its place in the queue
    invitation.status = status
    invitation.responded_at = invitation.responded_at if previous == status else now
    db.add(invitation)
    db.flush()
    schedule_training_reminders(db, training, owner_id, status, now)
    if previous == "yes" and status != "yes":
        promote_from_waitlist(db, training, now)
    return status


def seats_taken(db: Session, training_id: int) -> int:
    """Confirmed seats."""
    return int(
        db.exec(
            select(func.count())
            .select_from(Invitation)
            .where(Invitation.training_id == training_id, Invitation.status == "yes")
        ).one()
    )


def promote_from_waitlist(db: Session, training: Training, now: datetime) -> None:
    """Give free seats to the longest-waiting owners and tell them."""
    assert training.id is not None
    while training.capacity is None or seats_taken(db, training.id) < training.capacity:
        waiting = db.exec(
            select(Invitation)
            .where(Invitation.training_id == training.id, Invitation.status == "waitlist")
            .order_by(Invitation.responded_at, Invitation.id)
            .limit(1)
        ).first()
        if waiting is None:
            return
        waiting.status = "yes"
        waiting.responded_at = now
        db.add(waiting)
        db.flush()
        schedule_training_reminders(db, training, waiting.owner_id, "yes", now)
        replace_reminder(db, waiting.owner_id, "training_promoted", str(training.id), now, now)


def training_infos(db: Session, owner_id: int, now: datetime) -> dict[int, TrainingInfo]:
    """The trainings an owner is invited to that have not long passed, for the conversation."""
    rows = db.exec(
        select(Training, Invitation)
        .join(Invitation, Invitation.training_id == Training.id)
        .where(Invitation.owner_id == owner_id, Training.ends_at > now - timedelta(days=14))
    ).all()
    infos: dict[int, TrainingInfo] = {}
    for training, invitation in rows:
        assert training.id is not None
        infos[training.id] = TrainingInfo(
            id=training.id,
            title=training.title,
            starts_at=training.starts_at,
            ends_at=training.ends_at,
            timezone=training.timezone,
            place=training.place,
            description=training.description,
            capacity=training.capacity,
            taken=seats_taken(db, training.id),
            my_status=invitation.status,
            status=training.status,
        )
    return infos


def move_training(
    db: Session, training: Training, starts_at: datetime, ends_at: datetime, actor: str, now: datetime
) -> int:
    """Change the time: reminders are rescheduled and everyone who said yes or maybe is told."""
    training.starts_at, training.ends_at = starts_at, ends_at
    db.add(training)
    db.flush()
    invitations = db.exec(
        select(Invitation).where(Invitation.training_id == training.id, Invitation.status.in_(("yes", "maybe")))  # type: ignore[attr-defined]
    ).all()
    for invitation in invitations:
        schedule_training_reminders(db, training, invitation.owner_id, invitation.status, now)
        replace_reminder(db, invitation.owner_id, "training_moved", str(training.id), now, now)
    db.add(
        AuditLog(
            at=now,
            actor=actor,
            action="training_moved",
            target_type="training",
            target_id=training.id,
            detail={"starts_at": starts_at.isoformat()},
        )
    )
    return len(invitations)


def cancel_training(db: Session, training: Training, actor: str, now: datetime) -> int:
    """Cancel a training: its reminders stop and those who said yes or maybe are told."""
    training.status = "cancelled"
    db.add(training)
    ref = str(training.id)
    for kind in (*TRAINING_REMINDERS, "training_invite", "training_promoted", "training_moved"):
        cancel_reminders(db, None, kind, ref)
    owners = db.exec(
        select(Invitation.owner_id).where(
            Invitation.training_id == training.id, Invitation.status.in_(("yes", "maybe", "waitlist"))
        )  # type: ignore[attr-defined]
    ).all()
    for owner_id in owners:
        db.add(Reminder(owner_id=owner_id, kind="training_cancelled", ref=ref, due_at=now, created_at=now))
    db.add(
        AuditLog(
            at=now, actor=actor, action="training_cancelled", target_type="training", target_id=training.id, detail={}
        )
    )
    return len(owners)
