"""Permits: status, number (validated), certificate photo and expiry, for the business and each food product."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from conversations import effects as fx
from conversations.events import Choice
from conversations.flows.common import media_saved, photo_or_skip
from conversations.flows.registry import define, define_macro, flow
from conversations.i18n import N_
from conversations.report import Report
from conversations.turn import Answer, Invalid, Prompt, Question, Turn, make_id
from conversations.understanding.answers import Answer as Said
from conversations.understanding.answers import classify_answer
from conversations.understanding.dates import parse_date
from conversations.understanding.permit_mentions import STATUS_OF_ANSWER, read_permit_statuses, without_permit_name
from conversations.understanding.permit_numbers import (
    NumberError,
    NumberProblem,
    PermitNumber,
    PermitType,
    example_number,
    parse_permit_number,
)


@dataclass(frozen=True)
class PermitKind:
    """How a permit is named, explained and asked about."""

    key: str
    label: str  # short name
    explained: str  # name with a few words of explanation, for the question
    per_product: bool
    food_only: bool
    can_be_unneeded: bool = False
    asks_expiry: bool = False
    explained_drink: str | None = None  # the explanation for a drink, where it differs from food's


PERMIT_KINDS: dict[str, PermitKind] = {
    k.key: k
    for k in (
        PermitKind("nib", N_("NIB"), N_("an NIB (Nomor Induk Berusaha, the business ID from OSS)"), False, False),
        PermitKind("pirt", N_("P-IRT"), N_("a P-IRT (home food industry permit, from the regency)"), True, True),
        PermitKind("halal", N_("Halal certificate"), N_("a halal certificate (from BPJPH, Kemenag)"), True, True),
        PermitKind(
            "bpom",
            N_("BPOM permit"),
            N_(
                "a BPOM permit (number MD ..., only for higher-risk food not covered by P-IRT, "
                "e.g. canned food, frozen meat)"
            ),
            True,
            True,
            can_be_unneeded=True,
            asks_expiry=True,
            explained_drink=N_(
                "a BPOM permit (number MD ..., only for higher-risk drinks not covered by P-IRT, "
                "e.g. milk drinks, bottled water)"
            ),
        ),
        PermitKind("merek", N_("Registered brand"), N_("a registered brand (merek, at DJKI)"), False, False),
    )
}
FOLLOWUP = "permit_followup"
RENEWAL = "permit_renewal"
STATUS_LABELS = {
    "terbit": N_("issued"),
    "diurus": N_("in progress"),
    "belum": N_("not yet"),
    "kedaluwarsa": N_("expired"),
    "tidak_perlu": N_("not needed"),
}
_PROBLEM_TEXT = {
    NumberProblem.EMPTY: N_("We found no number in that message."),
    NumberProblem.TOO_SHORT: N_("The number is too short: it has {digits} digits."),
    NumberProblem.TOO_LONG: N_("The number is too long: it has {digits} digits."),
    NumberProblem.NOT_DIGITS: N_("The number should contain digits only."),
    NumberProblem.MISSING_YEAR: N_(
        "A P-IRT number ends with a dash and 2 digits for the year it expires, like -29. Please write it in full."
    ),
    NumberProblem.MISSING_PREFIX: N_("A BPOM number starts with MD or ML."),
    NumberProblem.FATWA_NUMBER: N_(
        "That is the halal decree (KH) number from the fatwa committee, not the certificate number. "
        "A halal certificate number starts with ID."
    ),
    NumberProblem.WRONG_PERMIT: N_("That looks like a {other} number, not a {permit} number."),
}


def applicable_permits(report: Report) -> list[tuple[str, str]]:
    """(permit, product_key) pairs that apply to this owner, in the order they are asked."""
    pairs: list[tuple[str, str]] = [("nib", "")]
    for product in report.products:
        if product.category in ("makanan", "minuman"):
            pairs += [("pirt", product.key), ("halal", product.key), ("bpom", product.key)]
    pairs.append(("merek", ""))
    return pairs


def permit_questions(report: Report, only_open: bool = False, product_key: str | None = None) -> list[str]:
    """Status questions for every applicable permit (optionally only those not issued, or one product's)."""
    questions = []
    for permit, key in applicable_permits(report):
        if product_key is not None and key != product_key:
            continue
        stored = report.permit(permit, key)
        if only_open and stored is not None and stored.status in ("terbit", "tidak_perlu") and stored.number:
            continue
        questions.append(make_id("permit.status", permit, key))
    return questions


def mid_sentence(label: str) -> str:
    """A label as it reads inside a sentence: "merek terdaftar", "izin BPOM"; acronyms (NIB, P-IRT) stay."""
    first, _space, _rest = label.partition(" ")
    if not first or first.upper() == first:
        return label
    return label[0].lower() + label[1:]


def permit_name(turn: Turn, permit: str) -> str:
    """The translated permit label for use inside a sentence ("Kira-kira kapan merek terdaftar terbit?")."""
    return mid_sentence(turn._(PERMIT_KINDS[permit].label))


def permit_title(turn: Turn, permit: str, product_key: str, in_sentence: bool = False) -> str:
    """ "P-IRT (Keripik pisang)" or "NIB": the permit and, for product permits, the product."""
    label = permit_name(turn, permit) if in_sentence else turn._(PERMIT_KINDS[permit].label)
    product = turn.report.product(product_key) if product_key else None
    return f"{label} ({product.name})" if product and product.name else label


def status_label(turn: Turn, status: str) -> str:
    """Translated permit status."""
    return turn._(STATUS_LABELS.get(status, status))


# --- flows ------------------------------------------------------------------------------------------
@flow("izin", N_("Permits"))
def start_permits(turn: Turn) -> None:
    """Let the owner pick a permit to update."""
    turn.start("izin", ["permit.pick"])


def _expand_for_product(turn: Turn, args: tuple[str, ...]) -> list[str]:
    return permit_questions(turn.report, product_key=args[0])


define_macro("permits.for_product", _expand_for_product)


def _pick_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    choices = []
    for permit, key in applicable_permits(turn.report):
        stored = turn.report.permit(permit, key)
        status = status_label(turn, stored.status) if stored else _(N_("not reported"))
        choices.append(Choice(f"{permit}:{key}", f"{permit_title(turn, permit, key)}: {status}"))
    choices.append(Choice("selesai", _(N_("Done"))))
    return Prompt(_(N_("Which permit do you want to update?")), tuple(choices))


def _pick_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    if answer.choice == "selesai":
        turn.advance()
        return
    if answer.choice and ":" in answer.choice:
        permit, key = answer.choice.split(":", 1)
        if permit in PERMIT_KINDS:
            turn.advance(make_id("permit.status", permit, key), "permit.pick")
            return
    raise Invalid(turn._(N_("Sorry, please pick one of the options below (type its number or tap it).")))


define("permit.pick", Question(ask=_pick_ask, handle=_pick_handle, free_text=False, section=N_("Permits")))


# --- status -----------------------------------------------------------------------------------------
def _status_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    permit, key = args[0], args[1]
    kind = PERMIT_KINDS[permit]
    product = turn.report.product(key) if key else None
    explained = kind.explained_drink if kind.explained_drink and product and product.category == "minuman" else None
    explained = _(explained or kind.explained)
    if product is not None:
        text = _(N_("Product {product}: does it have {permit}?"), product=product.name, permit=explained)
    else:
        text = _(N_("Does your business have {permit}?"), permit=explained)
    stored = turn.report.permit(permit, key)
    if stored is not None:
        text += "\n(" + _(N_("Last report: {status}"), status=status_label(turn, stored.status)) + ")"
    choices = [
        Choice("terbit", _(N_("Yes, I have it"))),
        Choice("diurus", _(N_("Being processed"))),
        Choice("belum", _(N_("Not yet"))),
    ]
    if kind.can_be_unneeded:
        choices.append(Choice("tidak_perlu", _(N_("Not needed"))))
    return Prompt(text, tuple(choices))


_NOT_NEEDED = re.compile(r"\b(?:tidak|tdk|gak|ga|gk|nggak|ngga|ndak)\s+(?:perlu|butuh|wajib)\b", re.IGNORECASE)


def followup_due(turn: Turn, permit: str) -> datetime:
    """When to ask again about a permit still in progress."""
    return turn.ctx.now + timedelta(days=turn.ctx.followup_interval(permit))


def _status_text(text: str, permit: str) -> str:
    """The words about this permit ("nib udh ada" -> "udh ada"); other permits in the text were taken as facts."""
    mentions = read_permit_statuses(text)
    return mentions[permit][1] if permit in mentions else without_permit_name(text, permit)


def _status_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    _ = turn._
    permit, key = args[0], args[1]
    ref = f"{permit}:{key}"
    status = answer.choice
    if status is None:
        parsed = parse_permit_number(PermitType(permit), answer.text)
        if isinstance(parsed, PermitNumber):  # "sudah, 0220 0098 61929": the number came with the status
            save_number(turn, permit, key, parsed)
            turn.advance(*after_number(turn, permit, key))
            return
        text = _status_text(answer.text, permit)
        said = classify_answer(text)
        if PERMIT_KINDS[permit].can_be_unneeded and _NOT_NEEDED.search(text):
            status = "tidak_perlu"
        elif said is Said.SKIP:  # "gk tau": nothing is recorded, and the question comes back later
            turn.save(fx.ScheduleReminder(FOLLOWUP, ref, followup_due(turn, permit)))
            turn.note(
                _(N_("That's all right. We will ask again later; an officer of the Dinas can also help you check."))
            )
            turn.advance()
            return
        else:
            status = STATUS_OF_ANSWER.get(said)  # type: ignore[arg-type]
    if status is None:
        raise Invalid(_(N_("Please choose: 1 if you have it, 2 if it is being processed, 3 if not yet.")))
    stored = turn.report.permit(permit, key)
    if status == "terbit":
        turn.save(fx.UpsertPermit(permit, key, "terbit", keep_details=stored is not None and bool(stored.number)))
        turn.save(fx.CancelReminders(FOLLOWUP, ref))
        turn.advance(make_id("permit.number", permit, key))
        return
    turn.save(fx.UpsertPermit(permit, key, status))
    if status in ("belum", "diurus"):
        # Followed up "sampai punya izin": asked again until the owner reports it issued (or stops it).
        turn.save(fx.ScheduleReminder(FOLLOWUP, ref, followup_due(turn, permit)))
    else:
        turn.save(fx.CancelReminders(FOLLOWUP, ref))
    if status == "diurus":
        turn.advance(make_id("permit.expected", permit, key))
    else:
        turn.advance()


define("permit.status", Question(ask=_status_ask, handle=_status_handle, max_length=300, section=N_("Permits")))


# --- number -----------------------------------------------------------------------------------------
def _number_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    permit, key = args[0], args[1]
    text = _(
        N_("What is the {permit} number? Example: {example}\nType SKIP if you don't remember it now."),
        permit=permit_name(turn, permit),
        example=example_number(PermitType(permit)),
    )
    choices = [Choice("lewati", _(N_("Skip")))]
    stored = turn.report.permit(permit, key)
    if stored is not None and stored.number:
        text += "\n(" + _(N_("Now stored: {value}"), value=stored.number) + ")"
        choices.insert(0, Choice("sama", _(N_("Same as stored"))))
    return Prompt(text, tuple(choices))


def _number_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    _ = turn._
    permit, key = args[0], args[1]
    if answer.choice == "sama":
        turn.advance(*after_number(turn, permit, key))
        return
    if answer.choice == "lewati" or classify_answer(answer.text) is Said.SKIP:
        turn.note(_(N_("All right. You can add the number later from MENU > Correct my data > Permits.")))
        turn.advance(*after_number(turn, permit, key))
        return
    parsed = parse_permit_number(PermitType(permit), answer.text)
    if isinstance(parsed, NumberError):
        raise Invalid(number_problem_text(turn, parsed))
    photo = kept_photo(turn, permit, key)  # the certificate photo whose reading the owner said was wrong
    save_number(turn, permit, key, parsed, evidence=photo)
    turn.advance(*after_number(turn, permit, key, photo_given=photo is not None))


def number_problem_text(turn: Turn, error: NumberError) -> str:
    """Explain what is wrong with a typed permit number, with an example."""
    _ = turn._
    other = permit_name(turn, error.looks_like.value) if error.looks_like else ""
    problem = _(
        _PROBLEM_TEXT[error.problem],
        digits=error.digits_found,
        other=other,
        permit=permit_name(turn, error.permit.value),
    )
    example = _(N_("Example: {example}"), example=example_number(error.permit))
    return f"{problem} {example}"


def save_number(
    turn: Turn,
    permit: str,
    key: str,
    parsed: PermitNumber,
    evidence: str | None = None,
    source: str = "typed",
    expires: date | None = None,
) -> None:
    """Store a permit number the owner gave (typed, or read from `evidence` and confirmed): issued or expired.

    `expires`: the expiry date printed on the certificate the number was read from."""
    _ = turn._
    today = turn.ctx.now.astimezone(turn._.tz).date()
    status = "terbit"
    if expires is not None:
        status = "kedaluwarsa" if expires < today else "terbit"
        noted = _(N_("Noted: {number}, valid until {date}."), number=parsed.display, date=turn._.date(expires))
        turn.note(
            noted
            if status == "terbit"
            else _(
                N_("This permit expired on {date}. We note it as expired; the office can help you renew it."),
                date=turn._.date(expires),
            )
        )
    elif parsed.expiry_year is not None and parsed.expiry_year < today.year:
        status = "kedaluwarsa"
        turn.note(
            _(
                N_("This permit expired in {year}. We note it as expired; the office can help you renew it."),
                year=parsed.expiry_year,
            )
        )
    elif parsed.expiry_year is not None:
        turn.note(_(N_("Noted: {number}, valid until {year}."), number=parsed.display, year=parsed.expiry_year))
    else:
        turn.note(_(N_("Noted: {number}."), number=parsed.display))
    stored = turn.report.permit(permit, key)
    turn.save(
        fx.UpsertPermit(
            permit,
            key,
            status,
            number=parsed.value,
            number_kind=parsed.kind,
            expiry_year=expires.year if expires else parsed.expiry_year,
            expires_on=expires,
            # A photo kept before stays the proof of a number typed again.
            evidence_photo=evidence or (stored.evidence_photo if stored else None),
            number_source=source,
        )
    )
    turn.save(fx.CancelReminders(FOLLOWUP, f"{permit}:{key}"))  # followed up until issued: it is
    if expires is not None and status == "terbit":
        schedule_renewals(turn, permit, key, expires)
    elif parsed.expiry_year is not None and status == "terbit":
        # A P-IRT number tells only the year it ends: remind from mid-year before, and a month before it.
        schedule_renewals(turn, permit, key, date(parsed.expiry_year, 1, 1))


def kept_photo(turn: Turn, permit: str, key: str) -> str | None:
    """The photo of this permit the owner sent and whose reading they refused, taken out of the session."""
    photos = turn.session.data.get("photos")
    photo = photos.pop(f"{permit}|{key}", None) if isinstance(photos, dict) else None
    return str(photo["media"]) if isinstance(photo, dict) and photo.get("media") else None


def after_number(turn: Turn, permit: str, key: str, photo_given: bool = False, expiry_given: bool = False) -> list[str]:
    """The questions after a permit's number: its expiry (BPOM) unless known, and a photo unless one came."""
    follow = []
    if PERMIT_KINDS[permit].asks_expiry and not expiry_given:
        follow.append(make_id("permit.expiry", permit, key))
    if turn.inbound.supports_photos and not photo_given:
        follow.append(make_id("permit.photo", permit, key))
    return follow


define("permit.number", Question(ask=_number_ask, handle=_number_handle, max_length=200, section=N_("Permits")))


# --- expected date, expiry and photo ---
def _expected_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    return Prompt(
        _(
            N_(
                "When do you expect the {permit} to be issued? Example: minggu depan, bulan depan, 15 Januari 2027.\n"
                "Type SKIP if you don't know yet."
            ),
            permit=permit_name(turn, args[0]),
        ),
        (Choice("lewati", _(N_("Skip"))),),
    )


def _expected_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    _ = turn._
    permit, key = args[0], args[1]
    if answer.choice == "lewati" or classify_answer(answer.text) in (Said.SKIP, Said.NOT_YET, Said.NO):
        turn.advance()
        return
    today = turn.ctx.now.astimezone(turn._.tz).date()
    expected = parse_date(answer.text, today)
    if expected is None:
        raise Invalid(_(N_("Please write a date. Example: minggu depan, bulan depan or 15 Januari 2027.")))
    if expected < today:
        raise Invalid(_(N_("That date has already passed. Please write a date from today on, or type SKIP.")))
    if expected > date(today.year + 5, 12, 31):
        raise Invalid(_(N_("That date is very far away. Please check it, or type SKIP.")))
    turn.save(fx.UpsertPermit(permit, key, "diurus", expected_on=expected))
    nine = datetime.combine(expected, time(9, 0), tzinfo=turn._.tz)
    turn.save(fx.ScheduleReminder(FOLLOWUP, f"{permit}:{key}", nine))
    turn.note(_(N_("Noted: expected on {date}."), date=turn._.date(expected)))
    turn.advance()


define(
    "permit.expected",
    Question(ask=_expected_ask, handle=_expected_handle, max_length=60, section=N_("Permits")),
)


# --- expiry and photo -------------------------------------------------------------------------------
def _expiry_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    return Prompt(
        _(
            N_("Until when is the {permit} valid? Example: Maret 2029 or 12-03-2029.\nType SKIP if you don't know."),
            permit=permit_name(turn, args[0]),
        ),
        (Choice("lewati", _(N_("Skip"))),),
    )


def _expiry_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    _ = turn._
    permit, key = args[0], args[1]
    if answer.choice == "lewati" or classify_answer(answer.text) is Said.SKIP:
        turn.advance()
        return
    today = turn.ctx.now.astimezone(turn._.tz).date()
    expires = parse_date(answer.text, today)
    if expires is None or not date(2000, 1, 1) <= expires <= date(today.year + 30, 12, 31):
        raise Invalid(_(N_("Please write a date. Example: Maret 2029 or 12-03-2029.")))
    stored = turn.report.permit(permit, key)
    status = "kedaluwarsa" if expires < today else "terbit"
    turn.save(
        fx.UpsertPermit(
            permit,
            key,
            status,
            number=stored.number if stored else None,
            number_kind=stored.number_kind if stored else None,
            expiry_year=expires.year,
            expires_on=expires,
            evidence_photo=stored.evidence_photo if stored else None,
            number_source=stored.number_source if stored else None,
        )
    )
    if status == "terbit":
        schedule_renewals(turn, permit, key, expires)
    turn.note(_(N_("Noted: valid until {date}."), date=turn._.date(expires)))
    turn.advance()


define("permit.expiry", Question(ask=_expiry_ask, handle=_expiry_handle, max_length=60, section=N_("Permits")))


def _photo_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    return Prompt(
        _(N_("Send a photo of your {permit} document (optional)."), permit=permit_name(turn, args[0])),
        (Choice("lewati", _(N_("Skip"))),),
    )


def _photo_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    permit, key = args[0], args[1]
    photo = photo_or_skip(turn, answer)
    if photo is not None and keep_proof(turn, permit, key, photo):
        turn.note(media_saved(turn, answer))
    turn.advance()


define(
    "permit.photo",
    Question(ask=_photo_ask, handle=_photo_handle, accepts_photo=True, section=N_("Permits")),
)


def keep_proof(turn: Turn, permit: str, key: str, photo: str) -> bool:
    """Keep `photo` as the proof of the permit as reported (its number and dates stay); False when none is."""
    stored = turn.report.permit(permit, key)
    if stored is None:
        return False
    turn.save(
        fx.UpsertPermit(
            permit,
            key,
            stored.status,
            number=stored.number,
            number_kind=stored.number_kind,
            expiry_year=stored.expiry_year,
            expires_on=stored.expires_on,
            expected_on=stored.expected_on,
            evidence_photo=photo,
            number_source=stored.number_source,
        )
    )
    return True


def display_number(permit: str, number: str) -> str:
    """A stored permit number as printed on the certificate ("0220 0098 61929")."""
    parsed = parse_permit_number(PermitType(permit), number)
    return parsed.display if isinstance(parsed, PermitNumber) else number


def schedule_renewals(turn: Turn, permit: str, key: str, expires: date) -> None:
    """Remind the owner six months and one month before a permit ends (only reminders still ahead)."""
    for months, label in ((6, "6"), (1, "1")):
        year, month = expires.year, expires.month - months
        while month < 1:
            year, month = year - 1, month + 12
        day = min(expires.day, 28)
        due = datetime.combine(date(year, month, day), time(9, 0), tzinfo=turn._.tz)
        if due > turn.ctx.now:
            turn.save(fx.ScheduleReminder(RENEWAL, f"{permit}:{key}:{label}", due))
