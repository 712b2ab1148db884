"""Corrections from any point: "eh salah, nama usahanya X" changes that fact, and the open question stays open."""

from __future__ import annotations

from conversations.events import InboundKind
from conversations.flows.common import answer_current
from conversations.flows.noted import CONFIRM, store_now
from conversations.i18n import N_
from conversations.turn import Invalid, Turn, parse_question_id
from conversations.understanding.corrections import FIELDS, read_correction
from conversations.understanding.facts import read_facts

# Answers an owner may correct by naming them, or by "eh salah, ..." right after giving them.
CORRECTABLE = frozenset({question for question, _pattern in FIELDS} | {"biz.commodity"})
LAST_ANSWER = "last_answer"
_LABELS = {
    "owner.name": N_("your name"),
    "owner.phone": N_("your mobile number"),
    "biz.name": N_("the business name"),
    "biz.area|kecamatan": N_("the kecamatan"),
    "biz.area|kelurahan": N_("the kelurahan/desa"),
    "biz.commodity": N_("what you make"),
    "biz.workers": N_("the number of workers"),
    "biz.revenue": N_("the turnover"),
    "biz.sentra_name": N_("the sentra or group name"),
}


def remember_answer(turn: Turn, question_id: str) -> None:
    """Note the last fact answered, the one a bare "eh salah, ..." corrects."""
    name, args = parse_question_id(question_id)
    if name in ("biz.area_confirm", "biz.area_pick"):
        question_id = f"biz.area|{args[0]}"
    if question_id in CORRECTABLE:
        turn.session.data[LAST_ANSWER] = question_id


def correct(turn: Turn) -> bool:
    """Apply a correction typed at any point; False when the message is not one (it is an answer)."""
    current = turn.session.current
    if turn.inbound.kind is not InboundKind.TEXT or current in (None, "menu", CONFIRM, "confirm.name"):
        return False
    correction = read_correction(turn.inbound.text)
    if correction is None:
        return False
    # "salah, yg benar 0220..." to "Nomor NIB di foto: ... Benar?" is about the number shown, not the last answer.
    about_shown = current.startswith("permit.read|")
    if about_shown and not correction.text.strip():
        return False  # "salah" alone: the question's own "no"
    target = correction.question or (current if about_shown else turn.session.data.get(LAST_ANSWER))
    if not isinstance(target, str):
        return False
    _ = turn._
    if target == current:  # "maaf salah, nama usahanya X" to the business name question: its answer
        try:
            answer_current(turn, correction.text)
        except Invalid as problem:
            turn.note(problem.message)
        return True
    business = turn.report.business
    had_kelurahan = bool(business and business.kelurahan_code)
    if target == "biz.area|kelurahan" and not (business and business.kecamatan_code):
        if not _kecamatan_of_village(turn, correction.text):  # no kecamatan to look in: both are asked
            turn.session.queue[0:0] = ["biz.area|kecamatan", "biz.area|kelurahan"]
            return True
    problem = store_now(turn, target, correction.text)
    if problem is not None:
        turn.note(problem)
        if target.startswith("biz.area|"):  # "choose from the list below": the list comes next
            turn.session.queue.insert(0, target)
        return True
    turn.session.data[LAST_ANSWER] = target
    business = turn.report.business
    if had_kelurahan and business and not business.kelurahan_code:  # another kecamatan: its kelurahan is asked
        turn.session.queue.insert(0, "biz.area|kelurahan")
    turn.note(_(N_("Corrected: {what} is now {value}."), what=_(_LABELS[target]), value=correction.text))
    return True


def _kecamatan_of_village(turn: Turn, village: str) -> bool:
    """Store the kecamatan of the village `village` names, when the deployment has exactly one such village."""
    today = turn.ctx.now.astimezone(turn._.tz).date()
    kecamatan = read_facts(f"kel. {village}", turn.ctx.regions, today).get("biz.area|kecamatan")
    return kecamatan is not None and store_now(turn, "biz.area|kecamatan", kecamatan.text) is None
