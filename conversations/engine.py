"""`step()`: one inbound event in, the new session, replies and effects out. No I/O happens here."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace

from conversations import effects as fx
from conversations import flows  # noqa: F401  (registers every flow and question)
from conversations.effects import Effect
from conversations.events import Inbound, InboundKind, Reply
from conversations.flows import common, corrections, faq, noted, photo_numbers, reminders
from conversations.flows.registration import OUTSIDE_INDONESIA
from conversations.flows.registry import FLOWS, MACROS, QUESTIONS
from conversations.i18n import N_
from conversations.session import Session
from conversations.turn import Answer, Context, Invalid, Prompt, Turn, parse_question_id
from conversations.understanding.places import in_indonesia
from conversations.understanding.words import is_meaningless

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = common.MAX_MESSAGE_CHARS
_COMMAND = re.compile(r"^/([a-z_]+)(?:@\w+)?(?:\s.*)?$", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class StepResult:
    """What the caller must do after a step: store `session` and `effects`, send `replies`."""

    session: Session
    replies: list[Reply]
    effects: list[Effect]


def step(session: Session, inbound: Inbound, ctx: Context) -> StepResult:
    """Handle one inbound event for one owner."""
    working = session.copy()
    turn = Turn(session=working, inbound=inbound, ctx=ctx, report=ctx.report)
    try:
        _run(turn)
    except Exception:  # a bug must never reach the owner as a traceback, nor lose saved data
        log.exception("conversation step failed at %s", session.current)
        failed = session.copy()
        failed.last_seen = ctx.now
        _ = Turn(session=failed, inbound=inbound, ctx=ctx, report=ctx.report)._
        text = _(N_("Sorry, something went wrong on our side. Your earlier answers are safe. Please try again."))
        return StepResult(failed, [Reply(text=text)], [])
    turn.session.last_seen = ctx.now
    return StepResult(turn.session, turn.replies, turn.effects)


def _run(turn: Turn) -> None:
    """Route the inbound event: global words first, then the consent gate, then the open question."""
    session, inbound = turn.session, turn.inbound
    if inbound.kind is InboundKind.TRIGGER:
        reminders.handle_trigger(turn)
        _finish(turn)
        return
    word = _global_word(inbound)
    returning = _is_returning(turn)

    resume_first = returning and word in (None, "greeting") and session.current not in (None, "menu")
    if word and not resume_first and common.handle_global_word(turn, word):
        _finish(turn)
        return
    if word is None and inbound.kind is InboundKind.TEXT and faq.answer_question_back(turn, inbound.text):
        _finish(turn)  # the answer, then the open question again
        return
    if turn.report.consent != "given" and session.current not in common.OPEN_WITHOUT_CONSENT:
        common.gate_without_consent(turn, word)
        photo_numbers.keep_before_consent(turn)  # after the gate started the consent flow, which clears the session
        _finish(turn)
        return
    if not session.queue:
        common.go_to_menu(turn, greet=True)
        _finish(turn)
        return
    if returning and session.current != "menu":
        common.offer_resume(turn)
        _finish(turn)
        return
    if corrections.correct(turn):  # "eh salah, nama usahanya X": that fact changes, the open question stays
        _finish(turn)
        return
    _answer_open_question(turn)
    _finish(turn)


def _is_returning(turn: Turn) -> bool:
    """True when the owner left mid-flow long ago and has not been offered to resume yet."""
    last = turn.session.last_seen
    if last is None or turn.session.resume_offered:
        return False
    if turn.inbound.kind is InboundKind.CHOICE:
        return False  # a button of the open question: the owner knows where they are
    if turn.inbound.reading is not None and turn.inbound.reading.numbers:
        return False  # back with the certificate the bot asked about: it answers, no "continue?" first
    return turn.ctx.now - last >= turn.ctx.resume_after


def _global_word(inbound: Inbound) -> str | None:
    """The global command word in a typed message, if the whole message is one."""
    if inbound.kind is not InboundKind.TEXT:
        return None
    text = inbound.text.strip()
    command = _COMMAND.match(text)
    if command:
        return "/" + command.group(1).lower()
    normal = re.sub(r"[^\w\s]", " ", text.lower())
    normal = " ".join(normal.split())
    if normal in common.GREETINGS:
        return "greeting"
    return common.GLOBAL_WORDS.get(normal)


def _answer_open_question(turn: Turn) -> None:
    """Resolve the inbound event against the open question and run its handler."""
    expand_macros(turn)
    question_id = turn.session.current
    if question_id is None:
        common.go_to_menu(turn, greet=False)
        return
    name, args = parse_question_id(question_id)
    question = QUESTIONS.get(name)
    if question is None:  # a question removed in a newer version: start over from the menu
        common.go_to_menu(turn, greet=False)
        return
    prompt = question.ask(turn, args)
    if turn.inbound.reading is not None and photo_numbers.take(turn, question_id, question.accepts_photo):
        return  # a permit document: its number is confirmed first
    told = None
    if turn.inbound.kind is InboundKind.TEXT and len(turn.inbound.text) <= MAX_MESSAGE_CHARS:
        told = noted.take_facts(turn, question_id, turn.inbound.text)  # other facts told with the answer
    if told is not None and not told.strip():  # the message only told other facts: confirm them first
        noted.ask_confirmation(turn)
        turn.session.resume_offered = False
        return
    if not _answer(turn, question, args, _resolve(turn, question, prompt, told), prompt):
        if told is not None:  # the facts came with an answer that could not be used: they are asked again
            noted.drop_pending(turn)
        return
    corrections.remember_answer(turn, question_id)
    if turn.inbound.reading is not None and question.accepts_photo:
        photo_numbers.after_answer(turn, question_id)
    noted.ask_confirmation(turn)
    turn.session.resume_offered = False


def _answer(turn: Turn, question, args: tuple[str, ...], answer: Answer | str, prompt: Prompt) -> bool:  # type: ignore[no-untyped-def]
    """Run the question's handler on the answer; False when the question was asked again with the problem."""
    if isinstance(answer, str):
        turn.replies.append(prompt.reply(before=answer))
        turn.asked = True
        return False
    if answer.choice == common.KEEP:  # "Tetap": the fact given before stays as it is
        turn.advance()
        return True
    try:
        question.handle(turn, args, answer)
    except Invalid as problem:
        turn.notes.clear()
        turn.replies.append(question.ask(turn, args).reply(before=problem.message))
        turn.asked = True
        return False
    return True


def _resolve(turn: Turn, question, prompt: Prompt, told: str | None = None) -> Answer | str:  # type: ignore[no-untyped-def]
    """Turn the inbound event into an Answer, or return a polite explanation of why it can't be one.

    `told` is the part of a typed message left for this question once the other facts in it were taken.
    """
    _ = turn._
    inbound = turn.inbound
    kind = inbound.kind
    if kind is InboundKind.CHOICE:
        ids = {c.id: c for c in prompt.choices}
        if inbound.choice_id in ids:
            return Answer(text=ids[inbound.choice_id].label, choice=inbound.choice_id, inbound=inbound)
        return _(N_("That button is no longer active. Please choose again:"))
    if kind in (InboundKind.PHOTO, InboundKind.DOCUMENT):
        if question.accepts_photo:
            return Answer(text=inbound.text.strip(), choice=None, inbound=inbound)
        # An owner types a photo's caption; a document's is often its file name ("80skaraokesonglistartist"), so
        # only a photo's caption answers a text question.
        if kind is InboundKind.PHOTO and inbound.text.strip():
            return _resolve_text(turn, question, prompt, inbound.text)
        if kind is InboundKind.DOCUMENT:
            return _(N_("Thank you for the document. For this question we need a typed answer, please."))
        return _(N_("Thank you for the picture. For this question we need a typed answer, please."))
    if kind is InboundKind.LOCATION:
        if question.accepts_location:
            return Answer(text="", choice=None, inbound=inbound)
        if (
            inbound.latitude is not None
            and inbound.longitude is not None
            and not in_indonesia(inbound.latitude, inbound.longitude)
        ):
            return _(OUTSIDE_INDONESIA)
        if turn.report.consent == "given" and inbound.latitude is not None and inbound.longitude is not None:
            # A location sent at any time is the business location: keep it, then go on with the question.
            turn.save(fx.UpdateBusiness({"latitude": inbound.latitude, "longitude": inbound.longitude}))
            return _(N_("Thank you, your business location is saved."))
        return _(N_("Thank you for the location. For this question we need a typed answer, please."))
    if kind is InboundKind.CONTACT:
        if question.accepts_contact:
            return Answer(text=inbound.contact_phone or "", choice=None, inbound=inbound)
        return _(N_("Thank you for the contact. For this question we need a typed answer, please."))
    if kind is InboundKind.STICKER:
        return _(N_("Nice sticker! But we cannot read stickers. Please type your answer."))
    if kind is InboundKind.VOICE:
        return _(N_("Sorry, we cannot listen to voice messages yet. Please type your answer."))
    if kind is InboundKind.EDITED:
        return _(N_("We cannot take changes to a sent message. Please send your answer again as a new message."))
    if kind is InboundKind.OTHER:
        return _(N_("Sorry, we cannot read this kind of message. Please type your answer."))
    return _resolve_text(turn, question, prompt, inbound.text if told is None else told)


def _resolve_text(turn: Turn, question, prompt: Prompt, raw: str) -> Answer | str:  # type: ignore[no-untyped-def]
    """Resolve a typed answer: numbers and labels pick choices; the rest goes to the handler."""
    _ = turn._
    text = raw.strip()
    if len(text) > MAX_MESSAGE_CHARS:
        return _(
            N_("Your message is too long ({length} characters). Please answer in at most {limit} characters."),
            length=turn._.number(len(text)),
            limit=turn._.number(MAX_MESSAGE_CHARS),
        )
    if len(text) > question.max_length:  # a long message was read for facts; none of it answers this question
        return _(
            N_("We could not find the answer to this question in your message. Please write just the answer."),
        )
    if is_meaningless(text):
        return _(N_("Sorry, we did not get an answer (the message is empty or only has emoji)."))
    if _COMMAND.match(text):
        return _(N_("Sorry, that command is unknown. Type MENU to see what you can do."))
    choice = common.match_choice(text, prompt.choices)
    if choice is None and prompt.choices and not question.free_text:
        return _(N_("Sorry, please pick one of the options below (type its number or tap it)."))
    return Answer(text=text, choice=choice, inbound=turn.inbound)


def _finish(turn: Turn) -> None:
    """Ask the open question (or show the menu) unless a reply already re-asked it."""
    session = turn.session
    if turn.asked:
        return
    if turn.report.consent == "pending" and not session.queue:
        FLOWS["persetujuan"].start(turn)
    if turn.report.consent != "given" and not session.queue:
        turn.flush_notes()
        return
    _use_answers_ahead(turn)
    if turn.asked:
        return
    photo_numbers.use_waiting(turn)
    if not session.queue:  # the flow is over: back to the menu (a paused flow stays available)
        session.queue = ["menu"]
        session.data = {k: v for k, v in session.data.items() if k == "paused"}
    name, args = parse_question_id(session.current or "menu")
    question = QUESTIONS[name]
    before = "\n\n".join(turn.notes) if turn.notes else None
    turn.notes.clear()
    reply = question.ask(turn, args).reply(before=before)
    if turn.toggled and reply.multi and not turn.replies:
        reply = replace(reply, replaces_pressed=True)
    turn.replies.append(reply)


def _use_answers_ahead(turn: Turn) -> None:
    """Answer queued questions with what the owner already said in an earlier message ("nib udh ada, pirt blm")."""
    for _attempt in range(len(QUESTIONS)):
        expand_macros(turn)
        ahead = turn.session.data.get("ahead")
        question_id = turn.session.current
        if not ahead or question_id not in ahead:
            return
        said = ahead.pop(question_id)
        # Confirmed with the owner already ("Dari pesan Bapak/Ibu, kami catat: ... Benar?"); a plain string is an
        # answer kept unconfirmed by a version before 2026-11-30, still in stored sessions: shown when used.
        confirmed = isinstance(said, list)
        text = said.pop(0) if confirmed else said
        if confirmed and said:
            ahead[question_id] = said  # the next product's name, the next "yes, another one"
        try:
            common.answer_current(turn, text)
        except Invalid:
            return  # not usable after all: the question is asked as usual
        if not confirmed:
            turn.note(turn._(N_("Noted from your message: “{text}”."), text=text))


def expand_macros(turn: Turn) -> None:
    """Replace placeholders at the front of the queue by the questions they stand for."""
    queue = turn.session.queue
    while queue:
        name, args = parse_question_id(queue[0])
        expand = MACROS.get(name)
        if expand is None:
            return
        queue[0:1] = expand(turn, args)
