"""Registration: the owner and the business (name, phone, area, commodity, size, sentra)."""

from __future__ import annotations

import re

from conversations import effects as fx
from conversations.events import Choice
from conversations.flows.common import KEEP, answer_current, typed_name, yes_no
from conversations.flows.registry import define, define_macro, flow
from conversations.i18n import N_
from conversations.report import BusinessInfo, Report
from conversations.turn import Answer, Invalid, Prompt, Question, Turn, make_id
from conversations.understanding.answers import Answer as Said
from conversations.understanding.answers import classify_answer, split_leading_answer
from conversations.understanding.names import without_address
from conversations.understanding.numbers import parse_headcount, parse_money
from conversations.understanding.phones import format_phone, normalise_phone
from conversations.understanding.places import LEVELS, SURE_SCORE, Area, Match, MatchKind, in_indonesia, named_level
from conversations.understanding.trades import guess_commodity

REGISTRATION = [
    "owner.name",
    "owner.phone",
    "biz.name",
    "biz.regency_if_several",
    "biz.area|kecamatan",
    "biz.area|kelurahan",
    "biz.location_if_possible",
    "biz.commodity",
    "biz.workers",
    "biz.revenue",
    "biz.sentra",
    "product.name|new",
]

COMMODITIES = (
    ("makanan", N_("Food"), N_("chips, cakes, sambal, crackers")),
    ("minuman", N_("Drinks"), N_("coffee, herbal drinks, syrup")),
    ("batik_tenun", N_("Batik & weaving"), N_("batik, tenun, songket")),
    ("konveksi", N_("Clothing"), N_("tailoring, garments")),
    ("kerajinan", N_("Handicraft"), N_("rattan, bamboo, wood, woven goods")),
    ("lainnya", N_("Other"), None),
)
MAX_WORKERS = 10_000


def current_value(turn: Turn, value: object) -> str | None:
    """A "(now: X)" hint shown when an owner corrects data they gave before."""
    if value in (None, ""):
        return None
    return turn._(N_("Now stored: {value}"), value=value)


def with_current(text: str, hint: str | None) -> str:
    """Append the stored-value hint to a question."""
    return f"{text}\n({hint})" if hint else text


def stored_prompt(turn: Turn, text: str, stored: object, choices: tuple[Choice, ...] = (), **options: bool) -> Prompt:
    """A question about a fact given before: the stored value shown, and kept with one tap ("Tetap: X")."""
    if stored in (None, ""):
        return Prompt(text, choices, **options)
    keep = Choice(KEEP, turn._(N_("Keep: {value}"), value=stored))
    return Prompt(with_current(text, current_value(turn, stored)), (*choices, keep), **options)


@flow("daftar", N_("Registration"))
def start_registration(turn: Turn) -> None:
    """Ask everything about the owner, the business, its products, permits and needs, from the first fact missing.

    An owner who stopped half-way (BATAL, BERHENTI then MULAI, a menu detour, days of silence) goes on where the
    facts end instead of starting over; what they told before stays and can be corrected at the end.
    """
    questions = missing_registration(turn.report)
    turn.start("daftar", questions)
    paused = turn.session.data.get("paused")
    if isinstance(paused, dict) and (paused.get("data") or {}).get("flow") == "daftar":
        del turn.session.data["paused"]  # this registration takes the place of the one kept aside
    if questions != REGISTRATION:
        turn.note(turn._(N_("Let's continue your registration where it stopped.")))


def stored_facts(report: Report) -> dict[str, object]:
    """What is stored for each question of the owner and the business (None: not answered yet)."""
    business = report.business or BusinessInfo()
    return {
        "owner.name": report.name,
        "owner.phone": report.phone,
        "biz.name": business.name,
        "biz.regency_if_several": business.regency_code or business.kecamatan_code,
        "biz.area|regency": business.regency_code,
        "biz.area|kecamatan": business.kecamatan_code,
        "biz.area|kelurahan": business.kelurahan_code,
        "biz.commodity": business.commodity,
        "biz.workers": business.workers,
        "biz.revenue": business.monthly_revenue,
        "biz.sentra": business.in_sentra,
        "biz.sentra_name": business.sentra,
    }


def missing_registration(report: Report) -> list[str]:
    """The registration questions whose facts are not stored yet (all of them for a new owner)."""
    business = report.business or BusinessInfo()
    stored = stored_facts(report)
    questions = [q for q in REGISTRATION if q not in stored or stored[q] is None]
    if business.in_sentra and not business.sentra:
        questions.insert(questions.index("product.name|new"), "biz.sentra_name")
    if report.products:
        questions.remove("product.name|new")
        questions.append("product.more")  # "another product?" leads on to the permits and needs
    if questions[0] == "biz.location_if_possible" and len(questions) <= 2:
        questions.pop(0)  # only the optional location left: not worth stopping for
    return questions


# --- owner ------------------------------------------------------------------------------------------
def _name_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    text = _(N_("What is your full name? Example: Sri Wahyuni"))
    return stored_prompt(turn, text, turn.report.name)


def _name_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    refusal = turn._(N_("Please write your name in letters. Example: Sri Wahyuni"))
    name = typed_name(turn, answer, N_("your name"), refusal, letters_only=True)
    if name is None:
        return
    if name.islower():
        name = name.title()
    turn.save(fx.UpdateOwner({"name": name}))
    turn.advance()
    turn.note(turn._(N_("Thank you, {name}."), name=name))


define("owner.name", Question(ask=_name_ask, handle=_name_handle, max_length=100, section=N_("Your name")))


def _phone_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    text = _(
        N_("What is your mobile (HP/WhatsApp) number? Example: 0812 3456 7890\nType SKIP if you prefer not to give it.")
    )
    stored = format_phone(turn.report.phone) if turn.report.phone else None
    sender = turn.inbound.sender_phone
    if sender:
        text = _(
            N_("Is {phone} (this WhatsApp number) your mobile number? Or type another one. Example: 0812 3456 7890"),
            phone=format_phone(sender),
        )
        choices = (Choice("pakai", _(N_("Yes, use this number"))), Choice("lewati", _(N_("Skip"))))
        return stored_prompt(turn, text, stored, choices)
    return stored_prompt(turn, text, stored, (Choice("lewati", _(N_("Skip"))),), ask_contact=True)


def _phone_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    _ = turn._
    # "gk ada hp", "belum punya": no number to give, as good as SKIP (it was asked again and again as "not a number").
    if answer.choice == "lewati" or classify_answer(answer.text) in (Said.SKIP, Said.NO, Said.NOT_YET):
        turn.advance()
        return
    sender = answer.inbound.sender_phone
    if sender and (answer.choice == "pakai" or classify_answer(answer.text) in (Said.YES, Said.DONE)):
        turn.save(fx.UpdateOwner({"phone": sender, "phone_verified": True}))
        turn.advance()
        return
    phone = normalise_phone(answer.text)
    if phone is None:
        raise Invalid(
            _(N_("That does not look like a mobile number. Write it with digits, for example 0812 3456 7890."))
        )
    # Only a number shared by the platform as the sender's own counts as verified (it links channels).
    verified = bool(answer.inbound.contact_phone and answer.inbound.contact_is_sender)
    turn.save(fx.UpdateOwner({"phone": phone, "phone_verified": verified}))
    turn.advance()


define(
    "owner.phone",
    Question(ask=_phone_ask, handle=_phone_handle, accepts_contact=True, max_length=40, section=N_("Phone number")),
)


# --- business ---------------------------------------------------------------------------------------
def _biz_name_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    stored = turn.report.business.name if turn.report.business else None
    text = _(N_("What is the name of your business? Example: Keripik Pisang Bu Sri"))
    return stored_prompt(turn, text, stored)


def _biz_name_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    refusal = turn._(N_("Please write the business name. Example: Keripik Pisang Bu Sri"))
    name = typed_name(turn, answer, N_("the business name"), refusal)
    if name is None:
        return
    turn.save(fx.UpdateBusiness({"name": name}))
    turn.advance()


define("biz.name", Question(ask=_biz_name_ask, handle=_biz_name_handle, max_length=120, section=N_("Business name")))


def _regency_if_several(turn: Turn, args: tuple[str, ...]) -> list[str]:
    """The regency question, where the deployment covers several regencies or cities (a province) and it is not
    known yet; always when correcting (`args` "edit")."""
    if not turn.ctx.regions.several_regencies():
        return []
    if args and args[0] == "edit":
        return ["biz.area|regency"]
    business = turn.report.business or BusinessInfo()
    ahead = turn.session.data.get("ahead") or {}
    # A village told ahead comes with its kecamatan when the area holds only one of that name; alone, it is looked
    # for once the kecamatan is known, and the regency question keeps that list short.
    told = "biz.area|kecamatan" in ahead
    return [] if business.regency_code or business.kecamatan_code or told else ["biz.area|regency"]


define_macro("biz.regency_if_several", _regency_if_several)


def _area_options(turn: Turn, level: str) -> list[Area]:
    regions = turn.ctx.regions
    business = turn.report.business or BusinessInfo()
    if level == "regency":
        return regions.regencies()
    if level == "kecamatan":
        return regions.kecamatan(business.regency_code) or regions.kecamatan()
    return regions.kelurahan(business.kecamatan_code) if business.kecamatan_code else []


def _shown(turn: Turn, area: Area) -> str:
    """An area's name, with its kecamatan or regency where the owner has not told it (two villages may share a name)."""
    business = turn.report.business or BusinessInfo()
    if area.level == "regency":
        return area.name
    if area.level == "kelurahan" and area.parent_code == business.kecamatan_code:
        return area.name
    if area.level == "kecamatan" and (
        area.regency_code == business.regency_code or not turn.ctx.regions.several_regencies()
    ):
        return area.name
    return turn.ctx.regions.label(area)


def _area_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    level = args[0]
    options = _area_options(turn, level)
    business = turn.report.business or BusinessInfo()
    stored = turn.ctx.regions.get(getattr(business, f"{level}_code"))
    regency = turn.ctx.regions.get(business.regency_code)
    if level == "regency":
        text = _(N_("In which regency or city (kabupaten/kota) is your business? Choose a number or type the name."))
    elif level == "kecamatan" and regency is not None and turn.ctx.regions.several_regencies():
        text = _(
            N_("In which kecamatan (sub-district) in {regency} is your business? Choose a number or type the name."),
            regency=regency.name,
        )
    elif level == "kecamatan":
        text = _(N_("In which kecamatan (sub-district) is your business? Choose a number or type the name."))
    else:
        kecamatan = turn.ctx.regions.get(business.kecamatan_code)
        text = _(
            N_("In which kelurahan or desa (village) in {kecamatan}? Choose a number or type the name."),
            kecamatan=kecamatan.name if kecamatan else "",
        )
    choices = tuple(Choice(a.code, _shown(turn, a)) for a in options)
    return stored_prompt(turn, text, stored.name if stored else None, choices)


def _save_area(turn: Turn, area: Area) -> None:
    """Store an area and the wider ones it lies in; narrower ones stored before stay only if they lie within it."""
    business = turn.report.business or BusinessInfo()
    if area.level == "kelurahan":
        fields: dict[str, object] = {"kelurahan_code": area.code, "kecamatan_code": area.parent_code}
    elif area.level == "kecamatan":
        fields = {"kecamatan_code": area.code}
        if business.kelurahan_code and not business.kelurahan_code.startswith(area.code + "."):
            fields["kelurahan_code"] = None
    else:
        fields = {}
        if business.kecamatan_code and not business.kecamatan_code.startswith(area.code + "."):
            fields = {"kecamatan_code": None, "kelurahan_code": None}
    fields["regency_code"] = area.regency_code or None
    turn.save(fx.UpdateBusiness(fields))
    turn.save(fx.UpdateOwner({"timezone": area.timezone}))


def _take_area(turn: Turn, area: Area) -> None:
    """Store the area and close the questions it answers: a village named at the regency question answers three."""
    _save_area(turn, area)
    turn.advance()
    queue = turn.session.queue
    while (
        queue and queue[0].startswith("biz.area|") and LEVELS.index(queue[0].split("|")[1]) <= LEVELS.index(area.level)
    ):
        queue.pop(0)


def _find_typed(turn: Turn, level: str, text: str, options: list[Area]) -> Match:
    """The area typed at the question about `level`: one of that level, or a narrower one named instead (an owner
    asked the kecamatan who types "desa Sukamaju"); an exact name wins over a typo, the level asked over another."""
    regions = turn.ctx.regions
    business = turn.report.business or BusinessInfo()
    if level == "kelurahan":
        match = regions.match(text, options)
        if match.score == 100:
            return match
        # Named exactly, but in another kecamatan (the owner chose the wrong one, or the desa lies on the border):
        # asked as a question ("Maksudnya Kembang Kerang (Aikmel)?"), never moved silently.
        elsewhere = regions.find(text, "kelurahan", business.regency_code)
        if elsewhere.kind is MatchKind.EXACT:
            return Match(MatchKind.CLOSE, elsewhere.areas, elsewhere.score)
        return match
    levels = list(LEVELS[LEVELS.index(level) :])
    named = named_level(text)
    if named in levels:
        levels.remove(named)
        levels.insert(0, named)
    within = business.regency_code if level == "kecamatan" else None
    best = Match(MatchKind.NONE)
    for searched in levels:
        match = regions.find(text, searched, None if searched == "regency" else within)
        if match.score == 100:  # the exact name (of one area, or of several sharing it)
            return match
        usable = searched in (level, named) or match.score >= SURE_SCORE
        if best.kind is MatchKind.NONE and match.kind is not MatchKind.NONE and usable:
            best = match
    return best


def _area_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    _ = turn._
    level = args[0]
    options = _area_options(turn, level)
    if not options:  # no list for this level (kelurahan list missing): nothing to choose
        turn.advance()
        return
    chosen = turn.ctx.regions.get(answer.choice)
    if chosen is not None:
        _take_area(turn, chosen)
        return
    if answer.choice is None and classify_answer(answer.text) is Said.SKIP:
        turn.advance()
        while turn.session.current and turn.session.current.startswith("biz.area|"):
            turn.advance()  # no regency or kecamatan, no list of the places in it
        turn.note(_(N_("All right, skipped. You can add it later in MENU > Correct my data.")))
        return
    match = _find_typed(turn, level, answer.text, options)
    if match.kind is MatchKind.EXACT:
        _take_area(turn, match.areas[0])
    elif match.kind is MatchKind.CLOSE:
        turn.advance(make_id("biz.area_confirm", level, match.areas[0].code))
    elif match.kind is MatchKind.SEVERAL:
        turn.advance(make_id("biz.area_pick", level, ",".join(a.code for a in match.areas)))
    else:
        raise Invalid(
            _(
                N_('We could not find "{text}" in the list. Please choose a number from the list below.'),
                text=answer.text[:60],
            )
        )


define(
    "biz.area",
    Question(ask=_area_ask, handle=_area_handle, max_length=100, section=N_("Business location")),
)


def _area_confirm_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    area = turn.ctx.regions.get(args[1])
    name = _shown(turn, area) if area else args[1]
    return Prompt(
        _(N_("Did you mean {name}?"), name=name),
        (Choice("yes", _(N_("Yes"))), Choice("no", _(N_("No")))),
    )


def _area_confirm_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    decision = yes_no(turn, answer)
    area = turn.ctx.regions.get(args[1])
    if decision == "yes" and area is not None:
        _take_area(turn, area)
    elif decision == "no" or area is None:
        turn.advance(make_id("biz.area", args[0]))
        turn.note(turn._(N_("All right. Please choose from the list or type the name again.")))
    else:
        raise Invalid(turn._(N_("Please answer Yes or No.")))


define(
    "biz.area_confirm",
    Question(ask=_area_confirm_ask, handle=_area_confirm_handle, section=N_("Business location")),
)


def _area_pick_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    areas = [a for code in args[1].split(",") if (a := turn.ctx.regions.get(code))]
    choices = [Choice(a.code, _shown(turn, a)) for a in areas]
    choices.append(Choice("none", _(N_("None of these"))))
    return Prompt(_(N_("Which one do you mean?")), tuple(choices))


def _area_pick_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    area = turn.ctx.regions.get(answer.choice)
    if area is not None:
        _take_area(turn, area)
    elif answer.choice == "none":
        turn.advance(make_id("biz.area", args[0]))
    else:
        raise Invalid(turn._(N_("Sorry, please pick one of the options below (type its number or tap it).")))


define(
    "biz.area_pick",
    Question(ask=_area_pick_ask, handle=_area_pick_handle, free_text=False, section=N_("Business location")),
)


def _location_if_possible(turn: Turn, args: tuple[str, ...]) -> list[str]:
    business = turn.report.business
    known = business is not None and business.latitude is not None
    return ["biz.location"] if turn.inbound.supports_location and not known else []


define_macro("biz.location_if_possible", _location_if_possible)


def _location_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    return Prompt(
        _(
            N_(
                "If you are at your place of business now, send its location so officers can find it: "
                "press the button below (optional)."
            )
        ),
        (Choice("lewati", _(N_("Skip"))),),
        ask_location=True,
    )


OUTSIDE_INDONESIA = N_(
    "That location is outside Indonesia, so it is not kept. If you are at your business now, send the location "
    "again, or type SKIP."
)


def _location_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    inbound = answer.inbound
    if inbound.latitude is not None and inbound.longitude is not None:
        if not in_indonesia(inbound.latitude, inbound.longitude):
            raise Invalid(turn._(OUTSIDE_INDONESIA))
        turn.save(fx.UpdateBusiness({"latitude": inbound.latitude, "longitude": inbound.longitude}))
        turn.note(turn._(N_("Thank you, your business location is saved.")))
        turn.advance()
        return
    if answer.choice == "lewati" or classify_answer(answer.text) in (Said.SKIP, Said.NO, Said.NOT_YET):
        turn.advance()
        return
    raise Invalid(turn._(N_("Please press the location button, or type SKIP.")))


define(
    "biz.location",
    Question(ask=_location_ask, handle=_location_handle, accepts_location=True, section=N_("Business location")),
)


def commodity_label(turn: Turn, key: str | None, other: str | None = None) -> str:
    """The translated name of a commodity key."""
    if key == "lainnya" and other:
        return other
    for ckey, label, _example in COMMODITIES:
        if ckey == key:
            return turn._(label)
    return "-"


def _commodity_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    business = turn.report.business
    stored = commodity_label(turn, business.commodity, business.commodity_other) if business else None
    choices = tuple(Choice(key, _(label), _(example) if example else None) for key, label, example in COMMODITIES)
    text = _(N_("What does your business make? Choose a number, or type it (for example: keripik)."))
    return stored_prompt(turn, text, stored if business and business.commodity else None, choices)


def _commodity_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    choice = answer.choice or guess_commodity(answer.text)
    if choice == "lainnya" and answer.choice == "lainnya":
        turn.advance("biz.commodity_other")
        return
    if choice is None:
        if sum(ch.isalpha() for ch in answer.text) < 3:
            raise Invalid(turn._(N_("Please choose a number from the list, or type what you make.")))
        other = without_address(" ".join(answer.text.split()))  # "sabun herbal bu"
        turn.save(fx.UpdateBusiness({"commodity": "lainnya", "commodity_other": other}))
    else:
        turn.save(fx.UpdateBusiness({"commodity": choice, "commodity_other": None}))
    turn.advance()


define(
    "biz.commodity",
    Question(ask=_commodity_ask, handle=_commodity_handle, max_length=100, section=N_("Type of business")),
)


def _commodity_other_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    return Prompt(turn._(N_("What do you make? Example: sabun herbal")))


def _commodity_other_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    text = without_address(" ".join(answer.text.split()))
    if sum(ch.isalpha() for ch in text) < 3:
        raise Invalid(turn._(N_("Please write what you make. Example: sabun herbal")))
    turn.save(fx.UpdateBusiness({"commodity": "lainnya", "commodity_other": text}))
    turn.advance()


define(
    "biz.commodity_other",
    Question(ask=_commodity_other_ask, handle=_commodity_other_handle, max_length=100, section=N_("Type of business")),
)


def _workers_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    business = turn.report.business
    text = _(N_("How many people work in the business, including yourself? Example: 3"))
    stored = business.workers if business else None
    return Prompt(with_current(text, current_value(turn, stored)))  # no "Tetap" choice: "1" is one worker


def _workers_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    _ = turn._
    count = parse_headcount(answer.text)
    if count is None:
        raise Invalid(_(N_("Please write the number of people as a number. Example: 3 or tiga")))
    if count < 1:
        raise Invalid(_(N_("Count yourself too, so the number is at least 1. Example: 1")))
    if count > MAX_WORKERS:
        raise Invalid(_(N_("{count} people seems too many. Please check the number. Example: 12"), count=count))
    turn.save(fx.UpdateBusiness({"workers": count}))
    turn.advance()


define("biz.workers", Question(ask=_workers_ask, handle=_workers_handle, max_length=60, section=N_("Workers")))


def business_size(monthly_revenue: int) -> str:
    """Size class by annual sales under PP 7/2021: mikro <= 2 M, kecil <= 15 M, menengah <= 50 M."""
    yearly = monthly_revenue * 12
    if yearly <= 2_000_000_000:
        return "mikro"
    if yearly <= 15_000_000_000:
        return "kecil"
    if yearly <= 50_000_000_000:
        return "menengah"
    return "besar"


def _revenue_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    business = turn.report.business
    stored = turn._.money(business.monthly_revenue) if business and business.monthly_revenue is not None else None
    text = _(
        N_(
            "About how much do you sell in a month (omzet)? Example: 5 juta or 750rb.\n"
            "Type SKIP if you prefer not to say."
        )
    )
    # No "Tetap" choice: a typed "2" must not pick it (the hint shows what is stored; typing it again keeps it).
    return Prompt(with_current(text, current_value(turn, stored)), (Choice("lewati", _(N_("Skip"))),))


def _revenue_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    _ = turn._
    if answer.choice == "lewati" or classify_answer(answer.text) in (Said.SKIP, Said.NO):  # "tidak": rather not say
        turn.advance()
        return
    amount = parse_money(answer.text)
    if amount is None:
        raise Invalid(_(N_("Please write an amount of money. Example: 5 juta, 750rb or 1.500.000")))
    if 0 < amount < 1000:
        raise Invalid(
            _(N_("Did you mean Rp{amount}? Please write it in full, for example 5 juta or 5.000.000."), amount=amount)
        )
    turn.save(fx.UpdateBusiness({"monthly_revenue": amount, "size": business_size(amount)}))
    turn.advance()


define("biz.revenue", Question(ask=_revenue_ask, handle=_revenue_handle, max_length=60, section=N_("Turnover")))


def _sentra_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    return Prompt(
        _(N_("Is your business part of a sentra (cluster), a group, or a business forum/community?")),
        (Choice("yes", _(N_("Yes"))), Choice("no", _(N_("No")))),
    )


_GROUP_WORDS = re.compile(r"\b(?:sentra|kelompok|komunitas|paguyuban|forum|koperasi|kub|ukm)\b", re.IGNORECASE)
_JOINING = re.compile(r"^(?:(?:sdh|sudah|udah|udh|ikut|gabung|join|masuk|jadi|anggota|di|ke|dalam)\b[\s,.]*)+", re.I)


def _sentra_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    decision = yes_no(turn, answer)
    said, rest = split_leading_answer(answer.text) if answer.choice is None else (None, "")
    rest = _JOINING.sub("", rest)
    if decision is None and said in (Said.YES, Said.DONE) and rest:  # "iya, ikut sentra keripik X"
        decision = "yes"
    elif decision is None and said is None and "?" not in answer.text and _GROUP_WORDS.search(answer.text):
        decision, rest = "yes", _JOINING.sub("", answer.text.strip())
    if decision is None:
        raise Invalid(turn._(N_("Please answer Yes or No.")))
    if decision == "no":
        turn.save(fx.UpdateBusiness({"in_sentra": False, "sentra": None}))
        turn.advance()
        return
    turn.save(fx.UpdateBusiness({"in_sentra": True}))
    turn.advance("biz.sentra_name")
    if sum(ch.isalpha() for ch in rest) >= 2 and not _GROUP_WORDS.fullmatch(rest.strip(" .,!")):
        answer_current(turn, rest)  # "iya, ikut Sentra Keripik X" (a bare "kelompok" names nothing)


define("biz.sentra", Question(ask=_sentra_ask, handle=_sentra_handle, section=N_("Sentra or forum")))


def _sentra_name_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    business = turn.report.business
    text = _(N_("What is the name of the sentra, group or forum? Example: Sentra Keripik Yosomulyo"))
    return stored_prompt(turn, text, business.sentra if business else None)


def _sentra_name_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    refusal = turn._(N_("Please write the name. Example: Sentra Keripik Yosomulyo"))
    name = typed_name(turn, answer, N_("the sentra or group name"), refusal)
    if name is None:
        return
    turn.save(fx.UpdateBusiness({"sentra": name}))
    turn.advance()


define(
    "biz.sentra_name",
    Question(ask=_sentra_name_ask, handle=_sentra_name_handle, max_length=120, section=N_("Sentra or forum")),
)
