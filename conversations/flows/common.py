"""What works in every state: global words, the main menu, help, language, resuming, the consent gate."""

from __future__ import annotations

import re
from collections.abc import Sequence

from conversations import effects as fx
from conversations.events import Choice, InboundKind
from conversations.flows.registry import FLOWS, define
from conversations.i18n import N_
from conversations.turn import Answer, Invalid, Prompt, Question, Turn, parse_question_id
from conversations.understanding.answers import Answer as Said
from conversations.understanding.answers import classify_answer
from conversations.understanding.facts import read_facts
from conversations.understanding.names import NameKind, read_name

# Whole messages that mean a global command, whatever question is open.
GLOBAL_WORDS: dict[str, str] = {
    **dict.fromkeys(["menu", "menu utama", "kembali ke menu", "main menu"], "menu"),
    **dict.fromkeys(["bantuan", "help", "tolong", "panduan", "bingung", "cara pakai"], "help"),
    **dict.fromkeys(["batal", "batalkan", "cancel", "gak jadi", "tidak jadi", "ga jadi"], "cancel"),
    **dict.fromkeys(["ulang", "ulangi", "ulang pertanyaan", "ulangi pertanyaannya", "apa tadi"], "repeat"),
    **dict.fromkeys(["mulai ulang", "ulang dari awal", "dari awal lagi", "restart"], "restart"),
    **dict.fromkeys(["berhenti", "stop", "unsubscribe", "jangan kirim lagi"], "stop"),
    **dict.fromkeys(["bahasa", "language", "ganti bahasa", "ubah bahasa", "change language"], "language"),
    **dict.fromkeys(["mulai", "daftar", "start", "gabung", "mulai lagi", "aktif lagi"], "start"),
    **dict.fromkeys(["lapor", "laporan baru", "perbarui laporan", "update laporan", "lapor izin"], "report"),
    **dict.fromkeys(["laporan saya", "data saya", "lihat data", "lihat laporan", "my report"], "myreport"),
    **dict.fromkeys(["hapus", "hapus data", "hapus data saya", "delete my data"], "delete"),
    **dict.fromkeys(["privasi", "privacy"], "privacy"),
}
COMMANDS: dict[str, str] = {
    "/start": "start",
    "/menu": "menu",
    "/lapor": "report",
    "/laporan": "myreport",
    "/data": "myreport",
    "/bantuan": "help",
    "/help": "help",
    "/berhenti": "stop",
    "/stop": "stop",
    "/hapus": "delete",
    "/bahasa": "language",
    "/language": "language",
    "/batal": "cancel",
    "/ulang": "repeat",
    "/privasi": "privacy",
}
# Whole messages that only greet: never taken as an answer (a business is not called "Halo").
GREETINGS = {
    "halo",
    "hallo",
    "helo",
    "hai",
    "hay",
    "hi",
    "hello",
    "hey",
    "pagi",
    "siang",
    "sore",
    "malam",
    "selamat pagi",
    "selamat siang",
    "selamat sore",
    "selamat malam",
    "assalamualaikum",
    "assalamu alaikum",
    "assalamualaikum wr wb",
    "salam",
    "permisi",
    "punten",
    "halo min",
    "halo kak",
    "halo pak",
    "halo bu",
    "pagi pak",
    "pagi bu",
    "p",
    "ping",
    "tes",
    "test",
}
# The choice that keeps a fact given before, offered when it is asked again ("Tetap: Sri Wahyuni").
KEEP = "tetap"
# Questions an owner may answer before giving consent (or after withdrawing it).
OPEN_WITHOUT_CONSENT = {"consent.ask", "language", "privacy.delete_confirm"}

_FLOW_WORDS = {"report": "lapor", "myreport": "laporan", "delete": "hapus", "privacy": "privasi"}


def canonical(word: str) -> str:
    """Map a slash command to its global word; other words pass through."""
    return COMMANDS.get(word, word)


def handle_global_word(turn: Turn, word: str) -> bool:
    """Act on a global word; False when the word does not apply here (the caller goes on)."""
    word = canonical(word)
    _ = turn._
    consent = turn.report.consent
    if word.startswith("/"):
        return False  # unknown command: the open question explains
    if word == "greeting":
        if consent != "given":
            return False  # the consent flow greets by itself
        if turn.session.current in (None, "menu"):
            go_to_menu(turn, greet=True)
            return True
        name = turn.report.name
        hello = _(N_("Hello {name}!"), name=name) if name else _(N_("Hello!"))
        turn.note(hello + " " + _(N_("Let's continue:")))
        return True
    if word == "help":
        turn.note(help_text(turn))
        if consent != "given" and not turn.session.queue:
            turn.note(_(N_("Type START to register.")))
        return True
    if word == "language":
        if turn.session.current != "language":
            turn.session.queue.insert(0, "language")
        return True
    if word == "stop":
        stop(turn)
        return True
    if word == "delete" and consent != "given":
        if consent == "withdrawn":
            turn.start("hapus", ["privacy.delete_confirm"])
        else:
            turn.note(_(N_("We hold no personal data of yours. Type START whenever you want to register.")))
            turn.session.queue.clear()
        return True
    if word == "myreport" and consent == "withdrawn":
        FLOWS["laporan"].start(turn)
        return True
    if consent != "given":
        return False
    if word in ("menu", "start"):
        go_to_menu(turn, greet=word == "start")
        return True
    if word == "cancel":
        if turn.session.current not in (None, "menu"):
            turn.note(_(N_("Cancelled. Answers you already sent are saved.")))
        turn.session.queue.clear()
        turn.session.data = {}
        turn.session.queue.append("menu")
        return True
    if word == "repeat":
        if turn.session.current not in (None, "menu"):
            turn.note(_(N_("Here is the question again:")))
        return True
    if word == "restart":
        flow_name = turn.session.data.get("flow")
        if flow_name == "daftar":  # from the first question, each fact given before offered to keep
            from conversations.flows.registration import REGISTRATION

            turn.note(_(N_("Let's start this part again.")))
            turn.start("daftar", REGISTRATION)
        elif isinstance(flow_name, str) and flow_name in FLOWS:
            turn.note(_(N_("Let's start this part again.")))
            FLOWS[flow_name].start(turn)
        else:
            go_to_menu(turn, greet=False)
        return True
    if word in _FLOW_WORDS:
        pause_current(turn)  # an unfinished registration waits: the menu offers to continue it
        FLOWS[_FLOW_WORDS[word]].start(turn)
        return True
    return False


def stop(turn: Turn) -> None:
    """Withdraw consent (or refuse it) at once and say how to come back."""
    _ = turn._
    consent = turn.report.consent
    turn.session.queue.clear()
    turn.session.data = {}
    if consent == "given":
        turn.save(fx.WithdrawConsent())
        turn.save(fx.Audit("consent_withdrawn"))
        turn.note(
            _(
                N_(
                    "Done. We have stopped: you will get no more messages from us and your data is no longer "
                    "processed.\n\nYour data is still stored. Type DELETE to erase it, or START to join again."
                )
            )
        )
    elif consent == "withdrawn":
        turn.note(_(N_("You have already stopped. Type START to join again or DELETE to erase your data.")))
    else:
        turn.note(_(N_("All right, we will not contact you. Type START whenever you want to register.")))


def gate_without_consent(turn: Turn, word: str | None) -> None:
    """Handle a message from someone who has not (or no longer) consented."""
    _ = turn._
    consent = turn.report.consent
    word = canonical(word) if word else None
    if consent == "pending" or word == "start":
        FLOWS["persetujuan"].start(turn)
        keep_until_consent(turn)
        return
    turn.session.queue.clear()
    if consent == "refused":
        turn.note(_(N_("You have not agreed to register yet, so we keep no data about you. Type START to register.")))
    else:
        turn.note(_(N_("You have stopped using Lapor IKM. Type START to join again, or DELETE to erase your data.")))


MAX_MESSAGE_CHARS = 4000  # longer typed input is refused before any reading
BEFORE_CONSENT = "before_consent"
MIN_FACTS_TO_KEEP = 2  # a message telling this many facts is a report worth keeping until consent


def keep_until_consent(turn: Turn) -> bool:
    """Hold a message that reports the business until the owner decides on consent; True when kept.

    It is used to fill in the registration once consent is given, and erased if it is refused.
    """
    if turn.inbound.kind is not InboundKind.TEXT:
        return False
    text = turn.inbound.text
    if len(text) > MAX_MESSAGE_CHARS:
        return False
    today = turn.ctx.now.astimezone(turn._.tz).date()
    if len(read_facts(text, turn.ctx.regions, today).facts) < MIN_FACTS_TO_KEEP:
        return False
    turn.session.data[BEFORE_CONSENT] = text
    turn.note(
        turn._(
            N_(
                "We keep your message for now: once you agree, we use it to fill in your data, so you need not "
                "type it again. If you do not agree, we delete it at once."
            )
        )
    )
    return True


def pause_current(turn: Turn) -> None:
    """Keep an unfinished flow aside (the menu offers to continue it) and clear the queue."""
    session = turn.session
    current = session.current
    if current and current not in ("menu", "resume", "language") and session.data.get("flow"):
        paused = {"queue": list(session.queue), "data": {k: v for k, v in session.data.items() if k != "paused"}}
        session.data = {"paused": paused}
    else:
        session.data = {k: v for k, v in session.data.items() if k == "paused"}
    session.queue = []


def resume_paused(turn: Turn, flow_name: str | None = None) -> bool:
    """Go back to the flow kept aside by `pause_current` (only if it is `flow_name`, when given)."""
    paused = turn.session.data.get("paused")
    if not isinstance(paused, dict) or not paused.get("queue"):
        return False
    if flow_name is not None and (paused.get("data") or {}).get("flow") != flow_name:
        return False
    turn.session.queue = list(paused["queue"])
    turn.session.data = dict(paused.get("data") or {})
    return True


def go_to_menu(turn: Turn, greet: bool) -> None:
    """Show the main menu, keeping an unfinished flow so it can be continued."""
    session = turn.session
    pause_current(turn)
    session.queue = ["menu"]
    if greet:
        _ = turn._
        name = turn.report.name
        turn.note(_(N_("Hello {name}!"), name=name) if name else _(N_("Hello!")))


def offer_resume(turn: Turn) -> None:
    """Ask a returning owner whether to continue where they stopped."""
    turn.session.resume_offered = True
    turn.session.queue.insert(0, "resume")


def help_text(turn: Turn) -> str:
    """The short guide to the words that work everywhere."""
    _ = turn._
    return _(
        N_(
            "Lapor IKM helps you report your business to {office}. You can type these words at any time:\n"
            "MENU – main menu\n"
            "BATAL – cancel what you are filling in\n"
            "ULANG – repeat the question\n"
            "LAPOR – update your report\n"
            "DATA SAYA – see your data\n"
            "HAPUS – delete your data\n"
            "BERHENTI – stop all messages\n"
            "BAHASA – change language"
        ),
        office=turn.ctx.office_name,
    )


def normalise(text: str) -> str:
    """Lower-case text without punctuation or emoji, for comparing with labels."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def match_choice(text: str, choices: Sequence[Choice]) -> str | None:
    """The choice a typed answer names: its number, its id or its label (a unique prefix is enough)."""
    if not choices:
        return None
    clean = normalise(text)
    if clean.isdigit():
        index = int(clean)
        return choices[index - 1].id if 1 <= index <= len(choices) else None
    for choice in choices:
        if clean in (normalise(choice.label), choice.id.lower()):
            return choice.id
    if len(clean) >= 3:
        starts = [c.id for c in choices if normalise(c.label).startswith(clean)]
        if len(starts) == 1:
            return starts[0]
    return None


def yes_no(turn: Turn, answer: Answer, yes: str = "yes", no: str = "no") -> str | None:
    """Read a yes/no answer from a button or informal text ("iya", "gak", "sdh", "blm")."""
    if answer.choice in (yes, no):
        return answer.choice
    said = classify_answer(answer.text)
    if said in (Said.YES, Said.DONE):
        return yes
    if said in (Said.NO, Said.NOT_YET):
        return no
    return None


def photo_or_skip(turn: Turn, answer: Answer) -> str | None:
    """The media reference of a sent photo, None when the owner skips; anything else is asked again."""
    if answer.inbound.media_ref:
        return answer.inbound.media_ref
    if answer.choice == "lewati" or classify_answer(answer.text) in (Said.SKIP, Said.NO, Said.NOT_YET):
        return None
    raise Invalid(turn._(N_("Please send a photo, or type SKIP.")))


def media_saved(turn: Turn, answer: Answer) -> str:
    """The thanks for a kept photo or document (a PDF is not a picture)."""
    if answer.inbound.kind is InboundKind.DOCUMENT:
        return turn._(N_("Document saved."))
    return turn._(N_("Photo saved."))


# --- the main menu --------------------------------------------------------------------------------
MENU_ENTRIES = (
    ("lapor", N_("Update my report")),
    ("laporan", N_("My report")),
    ("ubah", N_("Correct my data")),
    ("produk", N_("Products")),
    ("kebutuhan", N_("Business needs")),
    ("privasi", N_("My data & privacy")),
    ("bahasa", N_("Bahasa / Language")),
    ("bantuan", N_("Help")),
)


def _menu_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    choices: list[Choice] = []
    paused = turn.session.data.get("paused")
    if isinstance(paused, dict):
        flow = FLOWS.get(str(paused.get("data", {}).get("flow")))
        if flow is not None:
            choices.append(Choice("lanjut", _(N_("Continue: {what}"), what=_(flow.label))))
    if turn.report.registered_at is None and not choices:
        choices.append(Choice("daftar", _(N_("Fill in my business data"))))
    choices += [Choice(key, _(label)) for key, label in MENU_ENTRIES]
    return Prompt(_(N_("Main menu. What would you like to do? Choose a number:")), tuple(choices))


def _menu_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    choice = answer.choice
    if choice == "lanjut":
        if not resume_paused(turn):
            turn.session.queue = ["menu"]
        return
    if choice == "bantuan":
        turn.note(help_text(turn))
        return
    if choice == "bahasa":
        turn.session.queue.insert(0, "language")
        return
    if choice in FLOWS:
        FLOWS[choice].start(turn)
        return
    raise Invalid(turn._(N_("Sorry, please pick one of the options below (type its number or tap it).")))


define("menu", Question(ask=_menu_ask, handle=_menu_handle, free_text=False, section=N_("Main menu")))


# --- language ---------------------------------------------------------------------------------------
def _language_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    return Prompt(
        turn._(N_("Choose a language / Pilih bahasa:")),
        (Choice("id", "Bahasa Indonesia"), Choice("en", "English")),
    )


def _language_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    choice = answer.choice or {"indonesia": "id", "inggris": "en", "ind": "id", "eng": "en"}.get(normalise(answer.text))
    if choice not in ("id", "en"):
        raise Invalid(turn._(N_("Type 1 for Bahasa Indonesia / Type 2 for English.")))
    turn.session.locale = choice
    turn.save(fx.UpdateOwner({"locale": choice}))
    turn.advance()
    turn.note(turn._(N_("Language changed to English.")))


define(
    "language",
    Question(ask=_language_ask, handle=_language_handle, free_text=True, section=N_("Language")),
)


# --- resuming after a long pause ---------------------------------------------------------------------
def _resume_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    from conversations.flows.registry import QUESTIONS

    _ = turn._
    following = turn.session.queue[1] if len(turn.session.queue) > 1 else "menu"
    section = QUESTIONS[parse_question_id(following)[0]].section
    return Prompt(
        _(N_("Welcome back! Last time we stopped at: {section}. Shall we continue?"), section=_(section)),
        (Choice("lanjut", _(N_("Continue"))), Choice("menu", _(N_("Main menu")))),
    )


def _resume_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    decision = yes_no(turn, answer, yes="lanjut", no="menu")
    if decision == "lanjut":
        turn.advance()
        return
    if decision == "menu":
        turn.advance()
        go_to_menu(turn, greet=False)
        return
    raise Invalid(turn._(N_("Please choose 1 to continue or 2 for the main menu.")))


define("resume", Question(ask=_resume_ask, handle=_resume_handle, section=N_("Main menu")))


# --- names typed among other words ------------------------------------------------------------------
def answer_current(turn: Turn, text: str) -> None:
    """Run the open question's handler on `text`, as if the owner had typed it now (an answer that came ahead)."""
    from conversations.flows.registry import QUESTIONS

    name, args = parse_question_id(turn.session.current or "")
    question = QUESTIONS[name]
    choice = match_choice(text, question.ask(turn, args).choices)  # "tidak_ada", "2": a choice as if tapped
    question.handle(turn, args, Answer(text=text, choice=choice, inbound=turn.inbound))


MIN_NAME_CHARS = 2


def typed_name(turn: Turn, answer: Answer, what: str, refusal: str, letters_only: bool = False) -> str | None:
    """The name in a typed answer; chatter is refused with `refusal`, a name inside a sentence is confirmed first.

    Fewer than two letters (or, unless `letters_only`, digits) are refused too. None means a confirmation question
    ("Maksudnya nama usahanya: X?") now comes first and the handler stops.
    """
    if sum(ch.isalpha() if letters_only else ch.isalnum() for ch in answer.text) < MIN_NAME_CHARS:
        raise Invalid(refusal)
    confirmed = turn.session.data.pop("confirmed_name", None)
    if confirmed is not None and confirmed == answer.text:
        return confirmed
    read = read_name(answer.text)
    if read.kind == NameKind.NAME and read.name:
        return read.name
    if read.kind == NameKind.CHATTER or not read.name:
        raise Invalid(turn._(N_("Sorry, that does not look like a name.")) + " " + refusal)
    turn.set_data(candidate={"value": read.name, "what": what})
    turn.session.queue.insert(0, "confirm.name")
    return None


def _confirm_name_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    candidate = turn.session.data.get("candidate") or {}
    return Prompt(
        _(N_("Do you mean {what}: {value}?"), what=_(candidate.get("what", "")), value=candidate.get("value", "")),
        (Choice("yes", _(N_("Yes, correct"))), Choice("no", _(N_("No")))),
    )


def _confirm_name_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    candidate = turn.session.data.pop("candidate", None) or {}
    turn.advance()  # back to the question the name answers
    decision = yes_no(turn, answer)
    if decision == "yes" and candidate.get("value"):
        turn.session.data["confirmed_name"] = candidate["value"]
        answer_current(turn, candidate["value"])
    elif decision == "no":
        turn.note(turn._(N_("All right. Please write just the name.")))
    else:  # the owner typed the right name instead of answering
        answer_current(turn, answer.text)


define(
    "confirm.name",
    Question(ask=_confirm_name_ask, handle=_confirm_name_handle, max_length=120, section=N_("Checking a name")),
)
