"""What the scheduler brings: training invitations and reminders, permit follow-ups and renewals, report requests."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from conversations import effects as fx
from conversations.events import Choice
from conversations.flows.common import pause_current, yes_no
from conversations.flows.permits import FOLLOWUP, RENEWAL, followup_due, permit_name, permit_title, status_label
from conversations.flows.registry import define, flow
from conversations.i18n import N_
from conversations.turn import Answer, Invalid, Prompt, Question, TrainingInfo, Turn, make_id
from conversations.understanding.answers import Answer as Said
from conversations.understanding.answers import classify_answer


def handle_trigger(turn: Turn) -> None:
    """Start the short conversation a due reminder stands for (the current flow is kept to continue later)."""
    kind = turn.inbound.trigger or ""
    ref = turn.inbound.text
    if turn.report.consent != "given":
        turn.asked = True  # nothing is sent to someone who has not (or no longer) consented
        return
    starts = {
        "training_invite": lambda: [make_id("training.rsvp", ref, "invite")],
        "training_h3": lambda: [make_id("training.rsvp", ref, "h3")],
        "training_h1": lambda: [make_id("training.rsvp", ref, "h1")],
        "training_morning": lambda: [make_id("training.rsvp", ref, "morning")],
        "training_promoted": lambda: [make_id("training.rsvp", ref, "promoted")],
        "training_moved": lambda: [make_id("training.rsvp", ref, "moved")],
        "training_attendance": lambda: [make_id("training.attended", ref)],
        FOLLOWUP: lambda: [make_id("followup.permit", *ref.split(":", 1))],
        RENEWAL: lambda: [make_id("renewal.permit", *ref.split(":", 2))],
        "report_request": lambda: ["report.changed"],
    }
    if kind == "training_cancelled":
        training = turn.ctx.trainings.get(_int(ref))
        if training is not None:
            turn.say(
                turn._(
                    N_("The training {title} on {when} is cancelled. We are sorry."),
                    title=training.title,
                    when=when(turn, training),
                )
            )
        turn.asked = True
        return
    start = starts.get(kind)
    if start is None:
        turn.asked = True
        return
    questions = start()
    if turn.session.current in questions:
        return  # the same question is already open: ask it again rather than twice
    chaining = turn.session.data.get("flow") == "pengingat" and turn.session.current not in (None, "menu")
    if chaining:
        # Several reminders at once: asked one after the other, not on top of each other.
        turn.session.queue.extend(q for q in questions if q not in turn.session.queue)
        turn.asked = True
        return
    pause_current(turn)
    turn.start("lapor" if kind == "report_request" else "pengingat", questions)


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return -1


@flow("pengingat", N_("Reminder"))
def start_reminders(turn: Turn) -> None:
    """Reminders are started by the scheduler; from the menu there is nothing to start."""
    turn.start("pengingat", ["menu"])


def when(turn: Turn, training: TrainingInfo) -> str:
    """ "Senin, 1 Desember 2026, 09.00 WIB": a training's start in the place's time zone."""
    zone = ZoneInfo(training.timezone)
    local = training.starts_at.astimezone(zone)
    return f"{turn._.date(local)}, {local.strftime('%H.%M')} {local.tzname()}"


def training_card(turn: Turn, training: TrainingInfo) -> str:
    """Title, time, place and description of a training."""
    _ = turn._
    lines = [
        training.title,
        _(N_("When: {when}"), when=when(turn, training)),
        _(N_("Where: {place}"), place=training.place),
    ]
    if training.description:
        lines.append(training.description)
    return "\n".join(lines)


# --- training invitation and reminders ---------------------------------------------------------------
_RSVP_INTRO = {
    "invite": N_("Invitation to a training from the office:"),
    "h3": N_("Reminder: the training is in a few days."),
    "h1": N_("Reminder: the training is tomorrow."),
    "morning": N_("Reminder: the training is today."),
    "promoted": N_("Good news: a seat became free, and you are now registered for this training."),
    "moved": N_("The training has a new schedule."),
}


def _rsvp_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    training = turn.ctx.trainings.get(_int(args[0]))
    if training is None:
        return Prompt(_(N_("This training is no longer available.")), (Choice("ok", _(N_("OK"))),))
    intro = _(_RSVP_INTRO.get(args[1], _RSVP_INTRO["invite"]))
    text = f"{intro}\n\n{training_card(turn, training)}"
    if args[1] == "invite":
        choices = (
            Choice("yes", _(N_("I will come"))),
            Choice("no", _(N_("I can't come"))),
            Choice("maybe", _(N_("Maybe"))),
        )
        return Prompt(text + "\n\n" + _(N_("Will you come?")), choices)
    choices = (Choice("yes", _(N_("Still coming"))), Choice("no", _(N_("Cancel my seat"))))
    return Prompt(text + "\n\n" + _(N_("Are you still coming?")), choices)


def _rsvp_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    _ = turn._
    training = turn.ctx.trainings.get(_int(args[0]))
    if training is None or training.status != "scheduled":
        turn.advance()
        return
    choice = answer.choice or yes_no(turn, answer)
    if choice is None and "mungkin" in answer.text.lower():
        choice = "maybe"
    if choice not in ("yes", "no", "maybe"):
        raise Invalid(_(N_("Please choose one of the buttons, or type YA or TIDAK.")))
    turn.save(fx.UpdateInvitation(training.id, status=choice))
    turn.advance()
    if choice == "yes":
        already = training.my_status in ("yes",)
        full = training.capacity is not None and training.taken >= training.capacity and not already
        if full:
            turn.note(
                _(
                    N_(
                        "The training is full, so you are on the waiting list. "
                        "We will tell you when a seat becomes free."
                    )
                )
            )
        else:
            turn.note(_(N_("Thank you, your seat is booked. We will remind you before the training.")))
    elif choice == "maybe":
        turn.note(_(N_("All right. We will ask you again before the training.")))
    else:
        turn.note(_(N_("All right, thank you for letting us know.")))


define("training.rsvp", Question(ask=_rsvp_ask, handle=_rsvp_handle, section=N_("Training")))


def _attended_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    training = turn.ctx.trainings.get(_int(args[0]))
    title = training.title if training else "-"
    return Prompt(
        _(N_("Did you attend the training {title}?"), title=title),
        (Choice("yes", _(N_("Yes, I attended"))), Choice("no", _(N_("No")))),
    )


def _attended_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    decision = yes_no(turn, answer)
    if decision is None:
        raise Invalid(turn._(N_("Please answer Yes or No.")))
    turn.save(fx.UpdateInvitation(_int(args[0]), attended=decision == "yes"))
    if decision == "yes":
        turn.advance(make_id("training.feedback", args[0]))
    else:
        turn.advance()
        turn.note(turn._(N_("Thank you. We hope to see you at the next training.")))


define("training.attended", Question(ask=_attended_ask, handle=_attended_handle, section=N_("Training")))


def _feedback_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    return Prompt(
        _(N_("In one sentence: what was useful, and what could be better? Type SKIP if you prefer not to say.")),
        (Choice("lewati", _(N_("Skip"))),),
    )


def _feedback_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    if answer.choice == "lewati" or classify_answer(answer.text) in (Said.SKIP, Said.NO):
        turn.advance()
        return
    text = " ".join(answer.text.split())
    if sum(ch.isalpha() for ch in text) < 3:
        raise Invalid(turn._(N_("Please write a few words, or type SKIP.")))
    turn.save(fx.UpdateInvitation(_int(args[0]), feedback=text))
    turn.advance()
    turn.note(turn._(N_("Thank you for your feedback!")))


define(
    "training.feedback",
    Question(ask=_feedback_ask, handle=_feedback_handle, max_length=500, section=N_("Training")),
)


# --- permit follow-ups and renewals --------------------------------------------------------------------
def _followup_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    permit, key = args[0], args[1] if len(args) > 1 else ""
    stored = turn.report.permit(permit, key)
    status = status_label(turn, stored.status) if stored else _(N_("not reported"))
    return Prompt(
        _(
            N_("How is your {permit} going? Last report: {status}. Has it been issued?"),
            permit=permit_title(turn, permit, key, in_sentence=True),
            status=status,
        ),
        (
            Choice("terbit", _(N_("Yes, it is issued"))),
            Choice("proses", _(N_("Still in progress"))),
            Choice("bantuan", _(N_("I need help"))),
            Choice("stop", _(N_("Stop reminding me"))),
        ),
    )


def _followup_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    _ = turn._
    permit, key = args[0], args[1] if len(args) > 1 else ""
    ref = f"{permit}:{key}"
    choice = answer.choice
    if choice is None:
        said = classify_answer(answer.text)
        choice = {Said.DONE: "terbit", Said.YES: "terbit", Said.IN_PROGRESS: "proses", Said.NOT_YET: "proses"}.get(
            said  # type: ignore[arg-type]
        )
        if "bantu" in answer.text.lower():
            choice = "bantuan"
    if choice == "terbit":
        turn.save(fx.UpsertPermit(permit, key, "terbit"))
        turn.save(fx.CancelReminders(FOLLOWUP, ref))
        turn.advance(make_id("permit.number", permit, key))
        return
    if choice == "proses":
        turn.save(fx.UpsertPermit(permit, key, "diurus", keep_details=True))
        turn.save(fx.ScheduleReminder(FOLLOWUP, ref, followup_due(turn, permit)))
        turn.advance()
        turn.note(
            _(N_("Thank you. We will ask again in {days} days. Good luck!"), days=turn.ctx.followup_interval(permit))
        )
        return
    if choice == "bantuan":
        turn.save(fx.CreateHelpRequest(permit, permit_title(turn, permit, key)))
        turn.save(fx.ScheduleReminder(FOLLOWUP, ref, followup_due(turn, permit)))
        turn.advance()
        turn.note(_(N_("Your request is passed on: an officer of the office will contact you.")))
        return
    if choice == "stop":
        turn.save(fx.CancelReminders(FOLLOWUP, ref))
        turn.advance()
        turn.note(
            _(
                N_(
                    "All right, we will not remind you about this permit any more. "
                    "You can update it any time with LAPOR."
                )
            )
        )
        return
    raise Invalid(_(N_("Sorry, please pick one of the options below (type its number or tap it).")))


define("followup.permit", Question(ask=_followup_ask, handle=_followup_handle, section=N_("Permits")))


def _renewal_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    permit, key = args[0], args[1] if len(args) > 1 else ""
    stored = turn.report.permit(permit, key)
    if stored is not None and stored.expires_on:
        until = turn._.date(stored.expires_on)
    elif stored is not None and stored.expiry_year:
        until = str(stored.expiry_year)
    else:
        until = "-"
    return Prompt(
        _(
            N_(
                "Your {permit} is valid until {until}. You can renew it now, so that it does not lapse. "
                "Have you renewed it?"
            ),
            permit=permit_title(turn, permit, key),
            until=until,
        ),
        (
            Choice("sudah", _(N_("Yes, renewed"))),
            Choice("bantuan", _(N_("I need help"))),
            Choice("nanti", _(N_("Later"))),
        ),
    )


def _renewal_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    _ = turn._
    permit, key = args[0], args[1] if len(args) > 1 else ""
    choice = answer.choice or {"yes": "sudah", "no": "nanti"}.get(yes_no(turn, answer) or "")
    if choice == "sudah":
        turn.advance(make_id("permit.number", permit, key))
        turn.note(_(N_("Good! Please send the number of the new {permit}."), permit=permit_name(turn, permit)))
        return
    if choice == "bantuan":
        turn.save(fx.CreateHelpRequest(f"renew:{permit}", permit_title(turn, permit, key)))
        turn.advance()
        turn.note(_(N_("Your request is passed on: an officer of the office will contact you.")))
        return
    if choice == "nanti":
        turn.advance()
        turn.note(_(N_("All right. We will remind you again before it expires.")))
        return
    raise Invalid(_(N_("Sorry, please pick one of the options below (type its number or tap it).")))


define("renewal.permit", Question(ask=_renewal_ask, handle=_renewal_handle, section=N_("Permits")))
