"""Data rights under UU PDP: see everything stored, withdraw consent, delete personal data."""

from __future__ import annotations

from conversations import effects as fx
from conversations.events import Choice
from conversations.flows.common import resume_paused, stop, yes_no
from conversations.flows.registry import define, flow
from conversations.flows.summary import summary_text
from conversations.i18n import N_
from conversations.turn import Answer, Invalid, Prompt, Question, Turn

CHANNEL_NAMES = {"telegram": "Telegram", "whatsapp": "WhatsApp", "console": "Console", "web": "Web"}


@flow("privasi", N_("My data & privacy"))
def start_privacy(turn: Turn) -> None:
    """Offer the owner's data rights."""
    turn.start("privasi", ["privacy.menu"])


def full_data_text(turn: Turn) -> str:
    """The summary plus the consent record and linked channels: all we hold about the owner."""
    _ = turn._
    lines = [summary_text(turn), "", _(N_("Consent record:"))]
    for item in turn.report.consent_history:
        action = {
            "given": _(N_("agreed")),
            "refused": _(N_("refused")),
            "withdrawn": _(N_("withdrew")),
        }.get(item.action, item.action)
        version = _(N_("text version {version}"), version=item.version)
        lines.append(f"• {turn._.date(item.at)}: {action} ({version})")
    channels = ", ".join(CHANNEL_NAMES.get(c, c) for c in turn.report.channels) or "-"
    lines.append(_(N_("Chat accounts: {channels}"), channels=channels))
    lines.append(_(N_("This data is held by {office}."), office=turn.ctx.office_name))
    return "\n".join(lines)


def _menu_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    return Prompt(
        _(N_("Your data and your rights. What would you like to do?")),
        (
            Choice("lihat", _(N_("See all my data"))),
            Choice("berhenti", _(N_("Stop (withdraw consent)"))),
            Choice("hapus", _(N_("Delete my data"))),
            Choice("menu", _(N_("Back to menu"))),
        ),
    )


def _menu_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    if answer.choice == "lihat":
        turn.save(fx.Audit("data_viewed", {"full": True}))
        turn.say(full_data_text(turn))
        turn.advance()
    elif answer.choice == "berhenti":
        turn.advance("privacy.stop_confirm")
    elif answer.choice == "hapus":
        turn.advance("privacy.delete_confirm")
    elif answer.choice == "menu":
        turn.advance()
    else:
        raise Invalid(turn._(N_("Sorry, please pick one of the options below (type its number or tap it).")))


define("privacy.menu", Question(ask=_menu_ask, handle=_menu_handle, free_text=False, section=N_("My data & privacy")))


def _stop_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    return Prompt(
        _(N_("If you stop, we send you no more messages and stop processing your data. Stop now?")),
        (Choice("yes", _(N_("Yes, stop"))), Choice("no", _(N_("No")))),
    )


def _stop_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    decision = yes_no(turn, answer)
    if decision is None:
        raise Invalid(turn._(N_("Please answer Yes or No.")))
    if decision == "yes":
        stop(turn)
    else:
        turn.advance()


define("privacy.stop_confirm", Question(ask=_stop_ask, handle=_stop_handle, section=N_("My data & privacy")))


def _delete_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    return Prompt(
        _(
            N_(
                "Delete your data? Your name, number, business name, products, permit numbers and photos will "
                "be erased for good; only anonymous counts stay (for example: one food business in this "
                "kecamatan). This cannot be undone."
            )
        ),
        (Choice("hapus", _(N_("Yes, delete everything"))), Choice("batal", _(N_("No, keep it")))),
    )


def _delete_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    _ = turn._
    decision = answer.choice or {"yes": "hapus", "no": "batal"}.get(yes_no(turn, answer) or "")
    if decision is None:
        raise Invalid(_(N_("Please answer 1 to delete or 2 to keep your data.")))
    if decision == "batal":
        turn.note(_(N_("Your data is kept.")))
        turn.advance()
        if turn.report.consent != "given":
            turn.session.queue.clear()
        elif not turn.session.queue and resume_paused(turn):  # back to what the owner was filling in
            turn.note(_(N_("Let's continue where we were.")))
        return
    turn.save(fx.Audit("data_deleted"))
    turn.save(fx.DeleteOwnerData())
    turn.session.queue.clear()
    turn.session.data = {}
    turn.note(
        _(N_("Your personal data has been deleted. Thank you for having used Lapor IKM. Type START to register again."))
    )


define(
    "privacy.delete_confirm",
    Question(ask=_delete_ask, handle=_delete_handle, section=N_("My data & privacy")),
)


@flow("hapus", N_("Delete my data"))
def start_delete(turn: Turn) -> None:
    """Ask for confirmation before deleting the owner's data."""
    turn.start("hapus", ["privacy.delete_confirm"])
