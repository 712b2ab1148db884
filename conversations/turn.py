"""The working state of one step: what handlers read (context, answer) and write (replies, effects)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from conversations.effects import Effect
from conversations.events import Choice, Inbound, Reply
from conversations.i18n import Translator, translator
from conversations.report import Report
from conversations.session import Session
from conversations.understanding.places import RegionDirectory


@dataclass(frozen=True)
class Context:
    """Read-only facts the engine needs besides the session: the stored report, regions, settings."""

    now: datetime
    report: Report
    regions: RegionDirectory
    office_name: str = "Dinas Koperasi, UKM dan Perindustrian"
    office_contact: str = ""  # address, phone or hours of the office, when the deployment set them
    retention_years: int = 2
    resume_after: timedelta = timedelta(hours=12)
    timezone: str = "Asia/Jakarta"
    trainings: dict[int, TrainingInfo] = field(default_factory=dict)
    followup_days: int = 14  # days between permit follow-ups
    followup_days_per_permit: dict[str, int] = field(default_factory=dict)

    def followup_interval(self, permit: str) -> int:
        """Days until a permit in progress is asked about again."""
        return self.followup_days_per_permit.get(permit, self.followup_days)


@dataclass(frozen=True)
class TrainingInfo:
    """A training as the conversation sees it, with the owner's own answer."""

    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    place: str
    description: str | None
    capacity: int | None
    taken: int  # seats already confirmed
    my_status: str | None  # invited/yes/no/maybe/waitlist
    status: str = "scheduled"
    waitlist_position: int | None = None


@dataclass(frozen=True)
class Prompt:
    """A question as shown: its text, choices and an example used when re-asking."""

    text: str
    choices: tuple[Choice, ...] = ()
    multi: bool = False
    ask_contact: bool = False
    ask_location: bool = False

    def reply(self, before: str | None = None) -> Reply:
        """The question as one reply, optionally preceded by a short message."""
        text = f"{before}\n\n{self.text}" if before else self.text
        return Reply(
            text=text,
            choices=self.choices,
            multi=self.multi,
            ask_contact=self.ask_contact,
            ask_location=self.ask_location,
        )


class Invalid(Exception):
    """Raised by a handler when the answer cannot be used; the message says why, with an example."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Answer:
    """An owner's answer to the open question: the text and, when resolved, the chosen option id."""

    text: str
    choice: str | None
    inbound: Inbound


@dataclass(frozen=True)
class Question:
    """A question in a flow: how to ask it and how to handle the answer."""

    ask: Callable[[Turn, tuple[str, ...]], Prompt]
    handle: Callable[[Turn, tuple[str, ...], Answer], None]
    accepts_photo: bool = False
    accepts_location: bool = False
    accepts_contact: bool = False
    max_length: int = 200
    # When False, a typed answer that matches no choice is refused before the handler sees it.
    free_text: bool = True
    # Short name of the part of the conversation, shown when offering to resume.
    section: str = ""


@dataclass
class Turn:
    """Everything one step reads and writes."""

    session: Session
    inbound: Inbound
    ctx: Context
    report: Report
    replies: list[Reply] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # short texts merged into the next question
    asked: bool = False  # the open question has already been sent in this step
    toggled: bool = False  # the answer only switched a pressed option of the open multi-select question

    @property
    def _(self) -> Translator:
        """The translator of the owner's current language."""
        return translator(self.session.locale, self.ctx.timezone)

    def note(self, text: str) -> None:
        """Say something short that is sent together with the next question."""
        self.notes.append(text)

    def say(self, text: str, choices: Sequence[Choice] = ()) -> None:
        """Send a message on its own (flushes pending notes first)."""
        self.flush_notes()
        self.replies.append(Reply(text=text, choices=tuple(choices)))

    def flush_notes(self) -> None:
        """Send pending notes as their own message."""
        if self.notes:
            self.replies.append(Reply(text="\n\n".join(self.notes)))
            self.notes.clear()

    def save(self, effect: Effect) -> None:
        """Queue an effect and update the snapshot so later questions see it."""
        self.effects.append(effect)
        self.report = self.report.apply(effect, self.ctx.now, self.inbound.channel)

    # Queue operations -------------------------------------------------------------------------
    def advance(self, *then: str) -> None:
        """Close the open question and put `then` (if any) in front of the rest."""
        if self.session.queue:
            self.session.queue.pop(0)
        self.session.queue[0:0] = list(then)

    def start(self, flow: str, questions: Sequence[str]) -> None:
        """Replace the queue with a new flow's questions (a paused flow and answers given ahead stay available)."""
        kept = {k: v for k, v in self.session.data.items() if k in ("paused", "ahead") and v}
        waiting = {k: v for k, v in (self.session.data.get("photos") or {}).items() if k.endswith("|later")}
        if waiting:  # a certificate photo sent before its question could come (before consent, or the product)
            kept["photos"] = waiting
        self.session.queue = list(questions)
        self.session.data = {"flow": flow, **kept}

    def set_data(self, **values: object) -> None:
        """Remember values for later questions of this flow."""
        self.session.data.update(values)


def parse_question_id(question_id: str) -> tuple[str, tuple[str, ...]]:
    """Split ``name|arg1|arg2`` into its name and arguments."""
    name, *args = question_id.split("|")
    return name, tuple(args)


def make_id(name: str, *args: str) -> str:
    """Build a question id from a name and arguments."""
    return "|".join((name, *args))


__all__ = [
    "Answer",
    "Context",
    "Invalid",
    "Prompt",
    "Question",
    "Turn",
    "make_id",
    "parse_question_id",
]
