"""Facts an owner tells before they are asked: read from the message, confirmed once, then used as answers.

"Sri Wahyuni, hp 0812 3456 7890" to the name question answers the name at once; the phone number is shown back
("Dari pesan Bapak/Ibu, kami catat: Nomor HP: +62 812-3456-7890. Apakah sudah benar?") and, once confirmed,
answers the phone question when it comes, so it is never asked. A fact about something already passed (a
correction, or a detail the flow does not ask again) is stored right after the confirmation, by that question's
own handler.
"""

from __future__ import annotations

import re

from conversations.events import Choice, InboundKind
from conversations.flows.common import answer_current, yes_no
from conversations.flows.labels import need_label
from conversations.flows.permits import PERMIT_KINDS, applicable_permits, status_label
from conversations.flows.products import category_label, packaging_label
from conversations.flows.registration import REGISTRATION, commodity_label, stored_facts
from conversations.flows.registry import QUESTIONS, define
from conversations.i18n import N_
from conversations.turn import Answer, Invalid, Prompt, Question, Turn, make_id, parse_question_id
from conversations.understanding.facts import Fact, read_facts
from conversations.understanding.phones import format_phone
from conversations.understanding.places import Area
from conversations.understanding.trades import guess_commodity, read_needs

# Questions whose answer may carry other facts. Questions that read several facts themselves (the sentra
# question, "another product?", a permit's status) and every yes/no or menu question are left alone.
READS_FACTS = frozenset(
    {
        "owner.name",
        "owner.phone",
        "biz.name",
        "biz.area",
        "biz.commodity",
        "biz.commodity_other",
        "biz.workers",
        "biz.revenue",
        "biz.sentra_name",
        "product.name",
        "product.category",
        "product.packaging",
        "needs.pick",
        "permit.status",
        "permit.number",
        "permit.expected",
        "permit.expiry",
    }
)
CONFIRM = "confirm.facts"
_SOMETHING_WRONG = re.compile(
    r"^(?:ada\s+(?:yang|yg)\s+)?(?:salah|keliru)$|\b(?:tidak|tdk|gak|ga|gk|nggak|kurang|belum)\s+(?:benar|bener|betul|tepat|sesuai)\b",
    re.IGNORECASE,
)
# Facts stored at once after the confirmation when their question is not ahead (in this order).
_STORABLE_NOW = (
    "owner.name",
    "owner.phone",
    "biz.name",
    "biz.area|kecamatan",
    "biz.area|kelurahan",
    "biz.commodity",
    "biz.workers",
    "biz.revenue",
    "biz.sentra",
    "biz.sentra_name",
)
_LABELS = {
    "owner.name": N_("Name"),
    "owner.phone": N_("Mobile number"),
    "biz.name": N_("Business name"),
    "biz.area|kecamatan": N_("Kecamatan"),
    "biz.area|kelurahan": N_("Kelurahan/desa"),
    "biz.commodity": N_("Makes"),
    "biz.workers": N_("Workers"),
    "biz.revenue": N_("Turnover a month"),
    "biz.sentra": N_("Sentra or group"),
    "biz.sentra_name": N_("Sentra or group"),
    "product.name": N_("Product"),
    "needs.pick": N_("Needs"),
}


def take_facts(turn: Turn, question_id: str, text: str, use_rest: bool = True) -> str | None:
    """Keep the facts `text` tells besides the answer to `question_id`; the text left for that question.

    None when the message tells nothing else (it is an ordinary answer). The facts kept are confirmed by the
    question CONFIRM, which `ask_confirmation` puts in front once the open question has its answer.
    """
    name, args = parse_question_id(question_id)
    if name not in READS_FACTS and use_rest:
        return None
    business = turn.report.business
    found = read_facts(
        text,
        turn.ctx.regions,
        turn.ctx.now.astimezone(turn._.tz).date(),
        kecamatan=turn.ctx.regions.get(business.kecamatan_code if business else None),
        products={p.key: p.name or "" for p in turn.report.products if p.category in (None, "makanan", "minuman")},
        product_key=args[1] if name.startswith("permit.") and len(args) > 1 and args[1] else None,
    )
    if not found.facts:
        return None  # most answers: nothing else told, nothing more to work out
    places = [f.question for f in found.facts if f.question.startswith("biz.area|")]
    answered = question_id in places or (question_id == "biz.area|regency" and "biz.area|kecamatan" in places)
    if name == "biz.area" and len(places) == len(found.facts) and not answered:
        return None  # "desa Sukadana" asked the regency or kecamatan: the place question finds a village itself
    keys = _product_keys(turn, name, args)
    products = [f.text for f in found.facts if f.question.startswith("product.name|")]  # named in this message
    pending: list[list[str]] = []
    answer: str | None = None
    for fact in found.facts:
        target = _target(fact.question, keys)
        if target is None or _already_stored(turn, target, fact) or not _applies(turn, target):
            continue
        # A kecamatan named to the regency question answers it (the regency follows from the kecamatan).
        if (target == question_id or (answered and target == "biz.area|kecamatan")) and use_rest and answer is None:
            answer = fact.text
            continue
        pending.append([target, fact.text, _shown(turn, fact, keys, products)])
    if not pending:
        return None
    turn.session.data["noted"] = sorted(pending, key=lambda row: _ORDER.index(_order_key(row[0])))
    if answer is not None:
        return answer
    return found.rest if use_rest else ""


# The order the confirmation lists facts in: the order the registration asks them.
_ORDER = (*_STORABLE_NOW, "product.", "permit.", "needs.", "")


def _order_key(target: str) -> str:
    return next(key for key in _ORDER if target == key or (key.endswith(".") and target.startswith(key)) or not key)


def ask_confirmation(turn: Turn) -> None:
    """Put the confirmation of the facts kept from the last message in front of the queue."""
    if turn.session.data.get("noted") and turn.session.current != CONFIRM:
        turn.session.queue.insert(0, CONFIRM)


def drop_pending(turn: Turn) -> None:
    """Forget facts kept from a message whose answer could not be used."""
    turn.session.data.pop("noted", None)


def _product_keys(turn: Turn, name: str, args: tuple[str, ...]) -> dict[str, str]:
    """Product numbers of a message ("#1", "#2", and "#0" for the product asked about) to product keys."""
    first = int(turn.report.next_product_key()[1:])
    keys = {f"#{n}": f"p{first + n - 1}" for n in range(1, 21)}
    if name.startswith("product.") and args and args[0] != "new":
        keys["#0"] = args[0]
    elif name == "product.name":
        keys["#0"] = f"p{first}"
    return keys


def _target(question: str, keys: dict[str, str]) -> str | None:
    """The question id a fact answers, with message product numbers turned into product keys."""
    name, args = parse_question_id(question)
    if name == "product.name":
        return make_id("product.name", "new") + "|" + args[0]  # several new products: kept in order
    resolved = []
    for arg in args:
        if arg.startswith("#"):
            if arg not in keys:
                return None
            arg = keys[arg]
        resolved.append(arg)
    return make_id(name, *resolved)


def _applies(turn: Turn, target: str) -> bool:
    """False for a permit of a stored product that does not need it (P-IRT of a non-food product)."""
    name, args = parse_question_id(target)
    if not name.startswith("permit.") or len(args) < 2 or not turn.report.product(args[1]):
        return True
    return (args[0], args[1]) in applicable_permits(turn.report)


def _already_stored(turn: Turn, target: str, fact: Fact) -> bool:
    """True when the fact is what is stored already (the owner repeats it)."""
    business = turn.report.business
    if target == "biz.commodity":  # "jualan keripik" from a food business: nothing new
        return business is not None and business.commodity == (guess_commodity(fact.text) or "lainnya")
    stored = stored_facts(turn.report)
    if target not in stored or stored[target] is None:
        return False
    value = fact.value.code if isinstance(fact.value, Area) else fact.value
    if isinstance(value, str) and isinstance(stored[target], str):
        return value.casefold() == str(stored[target]).casefold()
    return value == stored[target]


def _shown(turn: Turn, fact: Fact, keys: dict[str, str], told: list[str]) -> str:
    """One line of the confirmation: "Kecamatan: Selebar"."""
    _ = turn._
    name, args = parse_question_id(fact.question)
    value = fact.value
    if name == "permit.status":
        return f"{_permit_title(turn, fact, keys, told)}: {status_label(turn, str(value))}"
    if name in ("permit.number", "permit.expected", "permit.expiry"):
        label = {
            "permit.number": N_("{permit} number"),
            "permit.expected": N_("{permit} expected"),
            "permit.expiry": N_("{permit} valid until"),
        }[name]
        shown = _.date(value) if hasattr(value, "year") else str(value)  # type: ignore[arg-type]
        return f"{_(label, permit=_permit_title(turn, fact, keys, told))}: {shown}"
    if name == "product.category":
        return f"{_(N_('Category'))}: {category_label(turn, str(value))}"
    if name == "product.packaging":
        return f"{_(N_('Packaging'))}: {packaging_label(turn, str(value))}"
    label = _(_LABELS.get(fact.question, _LABELS.get(name, name)))
    if isinstance(value, Area):
        shown = value.name
    elif name == "owner.phone":
        shown = format_phone(str(value))
    elif name == "biz.revenue":
        shown = _.money(int(value))  # type: ignore[call-overload]
    elif name == "biz.workers":
        shown = _(N_("{count} people"), count=value)
    elif name == "biz.sentra":
        shown = _(N_("yes")) if value else _(N_("no"))
    elif name == "biz.commodity":
        key = guess_commodity(fact.text)
        shown = f"{fact.text} ({commodity_label(turn, key)})" if key else fact.text
    elif name == "needs.pick":
        kinds, note = read_needs(fact.text)
        labels = [note if kind == "lainnya" and note else need_label(turn, kind) for kind in kinds or value]  # type: ignore[union-attr]
        shown = ", ".join(labels) or need_label(turn, "tidak_ada")
    else:
        shown = str(value)
    return f"{label}: {shown}"


def _permit_title(turn: Turn, fact: Fact, keys: dict[str, str], told: list[str]) -> str:
    """ "P-IRT (Keripik pisang)": the permit, and the product a product permit is for."""
    _name, args = parse_question_id(fact.question)
    label = turn._(PERMIT_KINDS[args[0]].label)
    key = keys.get(args[1], args[1]) if len(args) > 1 and args[1] else ""
    product = turn.report.product(key) if key else None
    number = int(args[1][1:]) if len(args) > 1 and args[1].startswith("#") and args[1][1:].isdigit() else 0
    name = product.name if product else (told[number - 1] if 0 < number <= len(told) else None)
    return f"{label} ({name})" if name else label


# --- the confirmation ---------------------------------------------------------------------------------
def _confirm_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    lines = "\n".join(f"• {shown}" for _target, _text, shown in turn.session.data.get("noted") or [])
    return Prompt(
        _(N_("From your message I noted:\n{lines}\nIs this correct?"), lines=lines),
        (Choice("yes", _(N_("Yes, correct"))), Choice("no", _(N_("Something is wrong")))),
    )


def _confirm_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    _ = turn._
    decision = "no" if answer.choice is None and _SOMETHING_WRONG.search(answer.text) else yes_no(turn, answer)
    if decision is None and answer.inbound.kind is InboundKind.TEXT and _corrected(turn, answer.text):
        raise Invalid(_(N_("Changed.")))  # the list is shown again with the correction
    if decision is None:
        raise Invalid(_(N_("Please answer Yes or No.")))
    noted = turn.session.data.pop("noted", None) or []
    turn.advance()
    if decision == "no":
        turn.note(_(N_("All right, I will ask about them one by one.")))
        return
    _use(turn, noted)


def _corrected(turn: Turn, text: str) -> bool:
    """Replace the lines a typed correction ("hp nya 0813...") tells anew; True when it told something."""
    before = list(turn.session.data.pop("noted", None) or [])
    take_facts(turn, CONFIRM, text, use_rest=False)
    told = {row[0]: row for row in turn.session.data.pop("noted", None) or []}
    turn.session.data["noted"] = [told.pop(row[0], row) for row in before] + list(told.values())
    return bool(told) or turn.session.data["noted"] != before


def _use(turn: Turn, noted: list[list[str]]) -> None:
    """Confirmed facts: stored now when their question is behind, kept for their question when it is ahead."""
    ahead = turn.session.data.setdefault("ahead", {})
    coming = _questions_to_come(turn)
    later: list[tuple[str, str]] = []
    for target, text, _shown_line in noted:
        name, args = parse_question_id(target)
        if name == "product.name":
            ahead.setdefault("product.name|new", []).append(text)
            continue
        if target in coming or name not in QUESTIONS or target not in _STORABLE_NOW:
            ahead[target] = [text]
        else:
            later.append((target, text))
    products = len(ahead.get("product.name|new") or [])
    if products > 1:
        ahead["product.more"] = ["ya"] * (products - 1)  # "another product?" until the last one told
    for target, text in sorted(later, key=lambda item: _STORABLE_NOW.index(item[0])):
        store_now(turn, target, text)


def _questions_to_come(turn: Turn) -> set[str]:
    """Questions still ahead in this flow: the queue and, during registration, the rest of its questions."""
    coming = set(turn.session.queue)
    if turn.session.data.get("flow") == "daftar":
        current = turn.session.current
        order = list(REGISTRATION)
        position = order.index(current) if current in order else -1
        if position >= 0 or any(q in order for q in turn.session.queue):
            coming |= set(order[position + 1 :]) | set(turn.session.queue)
        coming |= {"biz.sentra_name"} if "biz.sentra" in coming else set()
    return coming


def store_now(turn: Turn, target: str, text: str) -> str | None:
    """Answer a question that is behind with `text` (its handler stores it and queues what follows).

    Returns the handler's explanation when the text cannot be used (nothing is stored then).
    """
    queue_before = list(turn.session.queue)
    turn.session.queue.insert(0, target)
    try:
        answer_current(turn, text)
    except Invalid as problem:
        turn.session.queue[:] = queue_before
        return problem.message
    if turn.session.queue and turn.session.queue[0] == target:
        turn.session.queue.pop(0)
    return None


define(
    CONFIRM, Question(ask=_confirm_ask, handle=_confirm_handle, max_length=4000, section=N_("Checking your answers"))
)
