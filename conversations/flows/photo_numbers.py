"""Permit numbers read from a photo or PDF the owner sent: one confirmation, then stored as if typed, with the photo.

The reading comes with the inbound event (`Inbound.reading`, made before the step by the OCR worker); every number in
it is judged again here by the typed path's rules. Where it is used:

* At a permit's status or number question, a photo of that permit's document answers it: "Nomor NIB di foto:
  0220 0098 61929. Benar?" replaces the question. "Ya" stores the number (source "photo", the photo as proof);
  "Bukan" asks the number typed, the photo kept as proof; a number typed at the confirmation is taken as typed.
* A photo that cannot be read there gets one line of advice, and the question is asked again.
* Anywhere else (the menu, another question, the photo asked after a typed number), a permit document with a
  number is confirmed first and the open question comes back after; a product permit asks which product when the
  owner has several food products. Two numbers of the permit on the page: the owner chooses.
"""

from __future__ import annotations

import re
from datetime import date

from conversations.events import Choice, InboundKind, PermitReading
from conversations.flows.common import yes_no
from conversations.flows.permits import (
    PERMIT_KINDS,
    after_number,
    keep_proof,
    number_problem_text,
    permit_name,
    permit_title,
    save_number,
)
from conversations.flows.products import PHOTO as PRODUCT_PHOTO
from conversations.flows.registry import QUESTIONS, define
from conversations.i18n import N_
from conversations.turn import Answer, Invalid, Prompt, Question, Turn, make_id, parse_question_id
from conversations.understanding.answers import Answer as Said
from conversations.understanding.answers import classify_answer
from conversations.understanding.permit_numbers import NumberError, PermitNumber, PermitType, parse_permit_number

READ = "permit.read"
ANY_PRODUCT = "?"  # the key of a product permit whose product the owner still has to choose
LATER = "later"  # the key of a photo kept until its permit's question comes (sent before consent or the product)
_ANSWERED_BY_PHOTO = ("permit.status", "permit.number", READ)  # questions a photo of their permit answers
_WRONG = re.compile(r"^\W*(?:salah|keliru|beda|lain|bkn|bukan)\b", re.IGNORECASE)
UNCLEAR = N_("The photo is not clear enough. Try again from closer, in bright light, or type the number.")


def take(turn: Turn, question_id: str, accepts_photo: bool) -> bool:
    """Use what was read on the photo sent at `question_id`; True when this step is answered here."""
    reading = turn.inbound.reading
    if reading is None:
        return False
    if turn.report.consent != "given":
        return keep_before_consent(turn)
    name, args = parse_question_id(question_id)
    if name in _ANSWERED_BY_PHOTO and len(args) == 2:
        permit, key = args
        numbers = numbers_of(reading, permit)
        if numbers:
            _confirm(turn, permit, key, numbers, replacing=True)
        elif not _offer_unasked(turn, reading):
            turn.note(turn._(UNCLEAR))  # nothing read: the question again, with the way to a better photo
        return True
    if accepts_photo:
        return False  # the question keeps its photo first (`after_answer` then offers what was read on it)
    return _offer_unasked(turn, reading)


def after_answer(turn: Turn, question_id: str) -> None:
    """After a photo question kept the photo, offer the permit number read on it (the photo asked for a permit)."""
    reading = turn.inbound.reading
    if reading is None or turn.report.consent != "given":
        return
    name, args = parse_question_id(question_id)
    numbers = numbers_of(reading, args[0]) if name == "permit.photo" and len(args) == 2 else []
    if numbers:
        permit, key = args
        stored = turn.report.permit(permit, key)
        if stored is not None and stored.number in numbers:
            _say_same(turn, permit, stored.number)
            return
        _confirm(turn, permit, key, numbers, replacing=False)
        return
    _offer_unasked(turn, reading, product_key=args[0] if name == PRODUCT_PHOTO and args else None)


def numbers_of(reading: PermitReading, permit: str) -> list[str]:
    """The numbers of `permit` read on the page that the typed rules accept, canonical, in the reading's order."""
    found = []
    for kind, number in reading.numbers:
        if kind == permit:
            parsed = parse_permit_number(PermitType(permit), number)
            if isinstance(parsed, PermitNumber) and parsed.value not in found:
                found.append(parsed.value)
    return found


def _offer_unasked(turn: Turn, reading: PermitReading, product_key: str | None = None) -> bool:
    """Confirm the number of a permit document sent unasked before the open question; False when none was read.

    `product_key`: the product the photo was sent for (a label with its P-IRT or BPOM number)."""
    permit = document_permit(reading)
    if permit is None:
        return False
    numbers = numbers_of(reading, permit)
    kind = PERMIT_KINDS[permit]
    if not kind.per_product:
        key = ""
    else:
        foods = [p.key for p in turn.report.products if p.category in ("makanan", "minuman")]
        if product_key in foods:
            foods = [product_key]
        if not foods and turn.session.data.get("flow") == "daftar":  # the product is asked in this registration
            _keep_for_later(turn, permit, numbers)
            turn.note(
                turn._(
                    N_("{permit} number on the photo: {number}. We will ask you about it once the product is noted."),
                    permit=permit_name(turn, permit),
                    number=_display(permit, numbers[0]),
                )
            )
            return True
        if not foods:
            turn.note(
                turn._(
                    N_(
                        "The photo shows a {permit} number: {number}. To keep it, first add the food or drink "
                        "product it is for (MENU > Products)."
                    ),
                    permit=permit_name(turn, permit),
                    number=_display(permit, numbers[0]),
                )
            )
            return True
        key = foods[0] if len(foods) == 1 else ANY_PRODUCT
    stored = turn.report.permit(permit, key) if key != ANY_PRODUCT else None
    if stored is not None and stored.number in numbers:
        _say_same(turn, permit, stored.number)
        if not stored.evidence_photo and turn.inbound.media_ref:
            keep_proof(turn, permit, key, turn.inbound.media_ref)
        return True
    _confirm(turn, permit, key, numbers, replacing=False)
    return True


def reading_awaited(question: str | None) -> bool:
    """Whether a photo sent at this open question waits for its reading: anywhere but at the question asking for a
    product's photo, where it is read only when a reader is free at once (else taken as the product's photo, unread),
    so that a crowd of product photos never keeps certificates waiting."""
    return question is None or parse_question_id(question)[0] != PRODUCT_PHOTO


def document_permit(reading: PermitReading) -> str | None:
    """The permit the page is a document of, when it carries a number of it (or numbers of one permit only)."""
    if reading.page and numbers_of(reading, reading.page):
        return reading.page
    kinds = {kind for kind, _number in reading.numbers if numbers_of(reading, kind)}
    return kinds.pop() if len(kinds) == 1 else None


def keep_before_consent(turn: Turn) -> bool:
    """A certificate photo sent before the owner agreed: kept in the session until the decision; True when kept.

    Used when the registration reaches that permit; deleted (reading and copy) if the owner does not agree."""
    reading = turn.inbound.reading
    if reading is None or turn.report.consent != "pending":
        return False
    permit = document_permit(reading)
    if permit is None:
        return False
    _keep_for_later(turn, permit, numbers_of(reading, permit))
    turn.note(
        turn._(
            N_(
                "We keep the photo of your {permit} for now: once you agree, we ask you about its number. "
                "If you do not agree, we delete it at once."
            ),
            permit=permit_name(turn, permit),
        )
    )
    return True


def _keep_for_later(turn: Turn, permit: str, numbers: list[str]) -> None:
    photos = turn.session.data.setdefault("photos", {})
    photos[f"{permit}|{LATER}"] = _pending_photo(turn, permit, numbers)


def _pending_photo(turn: Turn, permit: str, numbers: list[str]) -> dict[str, object]:
    """What a confirmation needs of the photo: its numbers, reference and (for its own permit) printed expiry."""
    inbound = turn.inbound
    reading = inbound.reading
    expires = reading.expires if reading is not None and reading.page == permit else None
    return {
        "numbers": numbers,
        "media": inbound.media_ref,
        "document": inbound.kind is InboundKind.DOCUMENT,
        "expires": expires,
    }


def use_waiting(turn: Turn) -> None:
    """When a permit's status question comes up and a photo of that permit waits, its confirmation comes instead."""
    name, args = parse_question_id(turn.session.current or "")
    photos = turn.session.data.get("photos")
    if name != "permit.status" or len(args) != 2 or not isinstance(photos, dict):
        return
    waiting = photos.pop(f"{args[0]}|{LATER}", None)
    if isinstance(waiting, dict):
        photos[f"{args[0]}|{args[1]}"] = waiting
        turn.session.queue[0] = make_id(READ, *args)


def _confirm(turn: Turn, permit: str, key: str, numbers: list[str], replacing: bool) -> None:
    """Ask the confirmation of `numbers` for the permit, in place of the open question or before it.

    Photos sent one after another are confirmed one at a time, in the order they came."""
    photos = turn.session.data.setdefault("photos", {})
    photos[f"{permit}|{key}"] = _pending_photo(turn, permit, numbers)
    question = make_id(READ, permit, key)
    queue = turn.session.queue
    if replacing:
        turn.advance(question)
        return
    waiting = 0
    while waiting < len(queue) and queue[waiting].startswith(READ + "|"):
        waiting += 1
    if question in queue[:waiting]:
        return  # a second photo of a permit already being confirmed: its numbers replaced the first's
    queue.insert(waiting, question)
    if waiting:
        turn.note(
            turn._(
                N_("We got the photo of the {permit} too: we will ask about it next."), permit=permit_name(turn, permit)
            )
        )


def _say_same(turn: Turn, permit: str, number: str) -> None:
    turn.note(
        turn._(
            N_("The {permit} number on the photo ({number}) is the one stored already."),
            permit=permit_name(turn, permit),
            number=_display(permit, number),
        )
    )


def _display(permit: str, number: str) -> str:
    parsed = parse_permit_number(PermitType(permit), number)
    return parsed.display if isinstance(parsed, PermitNumber) else number


def _pending(turn: Turn, permit: str, key: str) -> dict[str, object] | None:
    """The photo waiting for this permit's confirmation (None when its reading was lost)."""
    photos = turn.session.data.get("photos")
    photo = photos.get(f"{permit}|{key}") if isinstance(photos, dict) else None
    return photo if isinstance(photo, dict) else None


def _drop_pending(turn: Turn, permit: str, key: str) -> None:
    photos = turn.session.data.get("photos")
    if isinstance(photos, dict):
        photos.pop(f"{permit}|{key}", None)


def _read_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    permit, key = args[0], args[1]
    photo = _pending(turn, permit, key)
    numbers = [str(n) for n in photo.get("numbers", [])] if photo else []  # type: ignore[union-attr]
    if not numbers:  # the photo's reading was lost (an older session): the number is asked as usual
        return QUESTIONS["permit.number"].ask(turn, _number_args(permit, key))
    if len(numbers) > 1:
        text = _(
            N_("The photo shows {count} {permit} numbers. Which one is yours?"),
            count=len(numbers),
            permit=permit_name(turn, permit),
        )
        choices = [Choice(f"n{i}", _display(permit, n)) for i, n in enumerate(numbers)]
        choices.append(Choice("bukan", _(N_("None of them"))))
        return Prompt(text, tuple(choices))
    shown = _display(permit, numbers[0])
    if key == ANY_PRODUCT:
        text = _(
            N_("{permit} number on the photo: {number}. Which product is it for?"),
            permit=permit_name(turn, permit),
            number=shown,
        )
        choices = [
            Choice(f"p:{p.key}", p.name or "-") for p in turn.report.products if p.category in ("makanan", "minuman")
        ]
        choices.append(Choice("bukan", _(N_("It is not a {permit} number"), permit=permit_name(turn, permit))))
        return Prompt(_capitalised(text), tuple(choices))
    expires = _expiry(photo) if photo else None
    if expires is not None:
        text = _(
            N_("{permit} number on the photo: {number}, valid until {date}. Is that right?"),
            permit=permit_title(turn, permit, key, in_sentence=True),
            number=shown,
            date=_.date(expires),
        )
    else:
        text = _(
            N_("{permit} number on the photo: {number}. Is that right?"),
            permit=permit_title(turn, permit, key, in_sentence=True),
            number=shown,
        )
    stored = turn.report.permit(permit, key)
    if stored is not None and stored.number and stored.number != numbers[0]:
        text += "\n(" + _(N_("Now stored: {value}"), value=_display(permit, stored.number)) + ")"
    text += "\n" + _(N_("If it is wrong, type the right number."))
    return Prompt(_capitalised(text), (Choice("ya", _(N_("Yes, right"))), Choice("bukan", _(N_("No, not this one")))))


def _expiry(photo: dict[str, object]) -> date | None:
    """The expiry date printed on the photographed certificate, if it was read."""
    try:
        return date.fromisoformat(str(photo["expires"])) if photo.get("expires") else None
    except ValueError:
        return None


def _capitalised(text: str) -> str:
    """ "nomor izin BPOM ..." from a label in mid-sentence form at the start: first letter up."""
    return text[:1].upper() + text[1:]


def _number_args(permit: str, key: str) -> tuple[str, str]:
    return permit, "" if key == ANY_PRODUCT else key


def _read_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    _ = turn._
    permit, key = args[0], args[1]
    photo = _pending(turn, permit, key)
    numbers = [str(n) for n in photo.get("numbers", [])] if photo else []  # type: ignore[union-attr]
    if photo is None or not numbers:  # asked as the number question (see `_read_ask`): answered as one
        QUESTIONS["permit.number"].handle(turn, _number_args(permit, key), answer)
        return
    choice = answer.choice or ""
    if choice.startswith("n") and choice[1:].isdigit() and int(choice[1:]) < len(numbers):
        photo["numbers"] = [numbers[int(choice[1:])]]
        if key == ANY_PRODUCT:
            turn.advance(make_id(READ, permit, key))  # which product, next
            return
        _store(turn, permit, key, numbers[int(choice[1:])], photo, "photo")
        return
    if choice.startswith("p:") and key == ANY_PRODUCT and turn.report.product(choice[2:]) is not None:
        _drop_pending(turn, permit, key)
        _store(turn, permit, choice[2:], numbers[0], photo, "photo")
        return
    typed = parse_permit_number(PermitType(permit), answer.text) if not answer.choice else None
    if isinstance(typed, PermitNumber) and key != ANY_PRODUCT:
        _store(turn, permit, key, typed.value, photo, "photo" if typed.value in numbers else "typed")
        return
    said = "bukan" if choice == "bukan" or _WRONG.match(answer.text) else yes_no(turn, answer, yes="ya", no="bukan")
    if said == "ya" and len(numbers) == 1 and key != ANY_PRODUCT:
        _store(turn, permit, key, numbers[0], photo, "photo")
        return
    if said == "bukan" or classify_answer(answer.text) is Said.SKIP:
        if key == ANY_PRODUCT:
            _drop_pending(turn, permit, key)
            turn.note(_(N_("All right, we do not keep that number.")))
            turn.advance()
            return
        # The photo stays with the session: the number typed next is stored with it as proof.
        turn.advance(make_id("permit.number", permit, key))
        return
    if isinstance(typed, NumberError) and any(ch.isdigit() for ch in answer.text):
        raise Invalid(number_problem_text(turn, typed))
    if len(numbers) > 1 or key == ANY_PRODUCT:
        raise Invalid(_(N_("Sorry, please pick one of the options below (type its number or tap it).")))
    raise Invalid(_(N_("Please answer Yes if the number is right; if not, type the right number.")))


def _store(turn: Turn, permit: str, key: str, number: str, photo: dict[str, object], source: str) -> None:
    """Store the confirmed number with the photo as its proof (and the expiry printed beside it, when the number
    was confirmed as read), then the questions that follow a number."""
    parsed = parse_permit_number(PermitType(permit), number)
    assert isinstance(parsed, PermitNumber)  # judged when it was read and when it was typed
    media = str(photo["media"]) if photo.get("media") else None
    expires = _expiry(photo) if source == "photo" else None
    _drop_pending(turn, permit, key)
    save_number(turn, permit, key, parsed, evidence=media, source=source, expires=expires)
    turn.advance(*after_number(turn, permit, key, photo_given=media is not None, expiry_given=expires is not None))
    # Told by the photo: the permit's own questions further on in the flow are not asked again.
    answered = {make_id(name, permit, key) for name in ("permit.status", "permit.number", "permit.photo")}
    turn.session.queue[:] = [question for question in turn.session.queue if question not in answered]


define(READ, Question(ask=_read_ask, handle=_read_handle, max_length=200, section=N_("Permits")))
