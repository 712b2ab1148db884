"""Needs: what would help the business grow (several may be chosen)."""

from __future__ import annotations

from conversations import effects as fx
from conversations.events import Choice, InboundKind
from conversations.flows.labels import NEEDS, need_label
from conversations.flows.registry import define, flow
from conversations.i18n import N_
from conversations.turn import Answer, Invalid, Prompt, Question, Turn
from conversations.understanding.answers import Answer as Said
from conversations.understanding.answers import classify_answer
from conversations.understanding.choices import parse_number_list
from conversations.understanding.trades import need_kinds, read_needs

DONE = "selesai"


@flow("kebutuhan", N_("Business needs"))
def start_needs(turn: Turn) -> None:
    """Ask only about needs."""
    turn.start("kebutuhan", ["needs.pick"])


def _selected(turn: Turn) -> list[str]:
    value = turn.session.data.get("needs_selected")
    return list(value) if isinstance(value, list) else []


def _ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    selected = _selected(turn)
    choices = [Choice(key, ("✅ " if key in selected else "") + _(label)) for key, label in NEEDS]
    if selected:
        choices.append(Choice(DONE, _(N_("Done choosing"))))
        chosen = ", ".join(need_label(turn, k) for k in selected)
        text = _(N_("Chosen: {chosen}. Choose more, or choose Done."), chosen=chosen)
    else:
        text = _(
            N_(
                "What would help your business most now? You may choose several, e.g. type 1,3 for packaging "
                "and capital."
            )
        )
        if turn.report.needs:
            text += (
                "\n("
                + _(N_("Last report: {needs}"), needs=", ".join(need_label(turn, k) for k in turn.report.needs))
                + ")"
            )
    return Prompt(text, tuple(choices), multi=True)


def _from_text(turn: Turn, text: str) -> list[str] | None:
    numbers = parse_number_list(text)
    if numbers:
        if any(n < 1 or n > len(NEEDS) for n in numbers):
            return None
        return [NEEDS[n - 1][0] for n in numbers]
    if classify_answer(text) in (Said.NO, Said.NOT_YET):  # "blm ada bu", "gak ada dulu"
        return ["tidak_ada"]
    return need_kinds(text) or None


def _handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    _ = turn._
    pressed = answer.inbound.kind is InboundKind.CHOICE
    if answer.choice == DONE:
        _save(turn, _selected(turn))
        return
    if pressed and answer.choice and answer.choice not in ("tidak_ada",):
        selected = _selected(turn)
        if answer.choice in selected:
            selected.remove(answer.choice)
        else:
            selected.append(answer.choice)
        turn.set_data(needs_selected=selected)
        turn.toggled = True
        return
    kinds = [answer.choice] if answer.choice and not parse_number_list(answer.text) else _from_text(turn, answer.text)
    if not kinds:
        raise Invalid(_(N_("Please type the numbers of your choices, for example 1,3.")))
    typed, note = read_needs(answer.text) if answer.choice is None else ([], None)
    if note:  # "mesin sm tungku hemat kayu bakar": machines, and the rest as Other
        turn.session.data.pop("needs_selected", None)
        _store(turn, typed, note)
        return
    _save(turn, kinds)


def _save(turn: Turn, kinds: list[str]) -> None:
    kinds = list(dict.fromkeys(k for k in kinds if k))
    turn.session.data.pop("needs_selected", None)
    if "tidak_ada" in kinds:
        kinds = []
    if "lainnya" in kinds:
        turn.set_data(needs_pending=kinds)
        turn.advance("needs.other")
        return
    _store(turn, kinds)


def _store(turn: Turn, kinds: list[str], note: str | None = None) -> None:
    """Store the needs, close the question, and thank the owner unless a report goes on to its summary."""
    turn.save(fx.SetNeeds(tuple(kinds), note=note))
    turn.advance()
    if turn.session.current != "report.finish":  # a report goes on to its summary; alone, just confirm
        turn.note(turn._(N_("Thank you, your needs are saved.")))


define("needs.pick", Question(ask=_ask, handle=_handle, max_length=200, section=N_("Business needs")))


def _other_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    return Prompt(turn._(N_("What else do you need? Write it briefly. Example: stand at the regency exhibition")))


def _other_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    note = " ".join(answer.text.split())
    if sum(ch.isalpha() for ch in note) < 3:
        raise Invalid(turn._(N_("Please write what you need in a few words.")))
    _store(turn, turn.session.data.pop("needs_pending", None) or ["lainnya"], note)


define("needs.other", Question(ask=_other_ask, handle=_other_handle, max_length=500, section=N_("Business needs")))
