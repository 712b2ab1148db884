"""Products: name, category, packaging and photo; adding, correcting and removing them."""

from __future__ import annotations

import re

from conversations import effects as fx
from conversations.events import Choice
from conversations.flows.common import answer_current, media_saved, photo_or_skip, typed_name, yes_no
from conversations.flows.permits import permit_questions
from conversations.flows.registration import current_value, with_current
from conversations.flows.registry import define, flow
from conversations.i18n import N_
from conversations.report import ProductInfo
from conversations.turn import Answer, Invalid, Prompt, Question, Turn, make_id
from conversations.understanding.answers import Answer as Said
from conversations.understanding.answers import classify_answer, says_no_more, split_leading_answer

MAX_PRODUCTS = 20
PHOTO = "product.photo"  # the question asking for a product's photo (a photo sent there is not read first)
NON_FOOD_COMMODITIES = {"batik_tenun", "konveksi", "kerajinan"}
FOOD_COMMODITIES = {"makanan", "minuman"}  # the business's commodity is also its products' category
CATEGORIES = (
    ("makanan", N_("Food")),
    ("minuman", N_("Drink")),
    ("nonpangan", N_("Not food or drink")),
)
PACKAGING = (
    ("belum", N_("Not packaged"), N_("sold loose, no packaging")),
    ("sederhana", N_("Simple packaging"), N_("plain plastic, no label")),
    ("berlabel", N_("Labelled packaging"), N_("with brand, label, ingredients")),
)


def category_label(turn: Turn, key: str | None) -> str:
    """Translated product category."""
    return next((turn._(label) for k, label in CATEGORIES if k == key), "-")


def packaging_label(turn: Turn, key: str | None) -> str:
    """Translated packaging level."""
    return next((turn._(label) for k, label, _d in PACKAGING if k == key), "-")


def is_food(product: ProductInfo) -> bool:
    """Food and drink products need P-IRT, halal and possibly BPOM."""
    return product.category in ("makanan", "minuman")


# --- the products menu ------------------------------------------------------------------------------
@flow("produk", N_("Products"))
def start_products(turn: Turn) -> None:
    """Let the owner add, correct or remove products."""
    turn.start("produk", ["product.menu"])


def _menu_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    choices = [Choice(p.key, p.name or "-") for p in turn.report.products]
    if len(turn.report.products) < MAX_PRODUCTS:
        choices.append(Choice("tambah", _(N_("Add a product"))))
    choices.append(Choice("selesai", _(N_("Done"))))
    if turn.report.products:
        text = _(N_("Your products are listed below. Choose one to correct or remove it, or add a new one."))
    else:
        text = _(N_("No products are stored yet. Add one?"))
    return Prompt(text, tuple(choices))


def _menu_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    if answer.choice == "tambah":
        turn.advance(make_id("product.name", "new"), "product.menu")
    elif answer.choice == "selesai":
        turn.advance()
    elif answer.choice and turn.report.product(answer.choice):
        turn.advance(make_id("product.action", answer.choice), "product.menu")
    else:
        raise Invalid(turn._(N_("Sorry, please pick one of the options below (type its number or tap it).")))


define("product.menu", Question(ask=_menu_ask, handle=_menu_handle, free_text=False, section=N_("Products")))


def _action_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    product = turn.report.product(args[0])
    return Prompt(
        _(N_("What do you want to do with {product}?"), product=product.name if product else "-"),
        (
            Choice("ubah", _(N_("Correct it"))),
            Choice("hapus", _(N_("Remove it"))),
            Choice("kembali", _(N_("Back"))),
        ),
    )


def _action_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    key = args[0]
    if turn.report.product(key) is None or answer.choice == "kembali":
        turn.advance()
    elif answer.choice == "ubah":
        turn.advance(*product_questions(turn, key, include_name=True))
    elif answer.choice == "hapus":
        turn.advance(make_id("product.delete", key))
    else:
        raise Invalid(turn._(N_("Sorry, please pick one of the options below (type its number or tap it).")))


define("product.action", Question(ask=_action_ask, handle=_action_handle, free_text=False, section=N_("Products")))


def _delete_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    product = turn.report.product(args[0])
    return Prompt(
        _(N_("Remove {product} and its permit data?"), product=product.name if product else "-"),
        (Choice("yes", _(N_("Yes, remove"))), Choice("no", _(N_("No")))),
    )


def _delete_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    decision = yes_no(turn, answer)
    if decision is None:
        raise Invalid(turn._(N_("Please answer Yes or No.")))
    product = turn.report.product(args[0])
    if decision == "yes" and product is not None:
        turn.save(fx.DeleteProduct(args[0]))
        turn.note(turn._(N_("{product} has been removed."), product=product.name or "-"))
    turn.advance()


define("product.delete", Question(ask=_delete_ask, handle=_delete_handle, section=N_("Products")))


# --- one product ------------------------------------------------------------------------------------
def commodity_category(turn: Turn) -> str | None:
    """The product category the business's commodity already tells (food, drink, not food), or None to ask."""
    commodity = turn.report.business.commodity if turn.report.business else None
    if commodity in NON_FOOD_COMMODITIES:
        return "nonpangan"
    return commodity if commodity in FOOD_COMMODITIES else None


def product_questions(turn: Turn, key: str, include_name: bool) -> list[str]:
    """The questions that describe product `key`, skipping the category when the business's commodity tells it."""
    questions = [make_id("product.name", key)] if include_name else []
    if commodity_category(turn) is None:
        questions.append(make_id("product.category", key))
    questions.append(make_id("product.packaging", key))
    if turn.inbound.supports_photos:
        questions.append(make_id(PHOTO, key))
    return questions


def _name_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    if args[0] != "new":
        product = turn.report.product(args[0])
        text = _(N_("What is the product's name? Example: Keripik pisang balado"))
        return Prompt(with_current(text, current_value(turn, product.name if product else None)))
    if turn.report.products:
        return Prompt(_(N_("What is the name of the next product? Example: Keripik singkong pedas")))
    return Prompt(_(N_("Now your products. Write one main product first. Example: Keripik pisang balado")))


def _name_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    refusal = turn._(N_("Please write the product name. Example: Keripik pisang balado"))
    name = typed_name(turn, answer, N_("the product name"), refusal)
    if name is None:
        return
    if args[0] != "new":
        turn.save(fx.UpsertProduct(args[0], {"name": name}))
        turn.advance()
        return
    if len(turn.report.products) >= MAX_PRODUCTS:
        turn.note(turn._(N_("You already have {count} products, the most we can store."), count=MAX_PRODUCTS))
        turn.advance()
        return
    key = turn.report.next_product_key()
    turn.save(fx.UpsertProduct(key, {"name": name}))
    category = commodity_category(turn)
    if category is not None:
        turn.save(fx.UpsertProduct(key, {"category": category}))
    follow = product_questions(turn, key, include_name=False)
    if turn.session.data.get("flow") == "daftar":
        follow.append("product.more")
    else:
        follow.append(make_id("permits.for_product", key))
    turn.advance(*follow)


define("product.name", Question(ask=_name_ask, handle=_name_handle, max_length=120, section=N_("Products")))


def _category_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    product = turn.report.product(args[0])
    return Prompt(
        _(N_("Is {product} a food, a drink, or neither?"), product=product.name if product else "-"),
        tuple(Choice(k, _(label)) for k, label in CATEGORIES),
    )


def _category_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    words = answer.text.lower()
    choice = answer.choice or (
        "nonpangan"  # "bukan makanan" is neither, though it says "makanan"
        if _NEITHER.search(words)
        else "minuman"
        if "minum" in words
        else "makanan"
        if "makan" in words
        else None
    )
    if choice is None:
        raise Invalid(turn._(N_("Sorry, please pick one of the options below (type its number or tap it).")))
    turn.save(fx.UpsertProduct(args[0], {"category": choice}))
    turn.advance()


define("product.category", Question(ask=_category_ask, handle=_category_handle, section=N_("Products")))


def _packaging_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    product = turn.report.product(args[0])
    text = _(N_("How is {product} packaged?"), product=product.name if product else "-")
    stored = packaging_label(turn, product.packaging) if product and product.packaging else None
    return Prompt(
        with_current(text, current_value(turn, stored)),
        tuple(Choice(k, _(label), _(desc)) for k, label, desc in PACKAGING),
    )


def _packaging_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    words = answer.text.lower()
    choice = answer.choice or (
        "berlabel"
        if re.search(r"label|merek|merk|stiker|sticker|brand|logo", words)
        else "belum"
        if classify_answer(words) in (Said.NOT_YET, Said.NO) or "curah" in words
        else "sederhana"
        if "plastik" in words or "sederhana" in words
        else None
    )
    if choice is None:
        raise Invalid(turn._(N_("Sorry, please pick one of the options below (type its number or tap it).")))
    turn.save(fx.UpsertProduct(args[0], {"packaging": choice}))
    turn.advance()


define("product.packaging", Question(ask=_packaging_ask, handle=_packaging_handle, section=N_("Products")))


def _photo_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    product = turn.report.product(args[0])
    return Prompt(
        _(N_("Send a photo of {product} (optional)."), product=product.name if product else "-"),
        (Choice("lewati", _(N_("Skip"))),),
    )


def _photo_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    photo = photo_or_skip(turn, answer)
    if photo is not None:
        turn.save(fx.UpsertProduct(args[0], {"photo": photo}))
        turn.note(media_saved(turn, answer))
    turn.advance()


define(
    PHOTO,
    Question(ask=_photo_ask, handle=_photo_handle, accepts_photo=True, section=N_("Products")),
)


def _more_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    return Prompt(
        _(N_("Do you make another product?")),
        (Choice("yes", _(N_("Yes, add another"))), Choice("no", _(N_("No, that's all")))),
    )


_NEITHER = re.compile(r"\b(?:bukan|bkn|non|tidak|gak)\b")
_MORE_WORDS = re.compile(r"\b(?:lagi|lg|masih|msh|juga|jg|bu|pak|nak|kak|ya|kok|sih|dong|produk(?:nya)?)\b", re.I)
_THERE_IS_MORE = re.compile(
    r"(?:masih\s+|msh\s+)?(?:ada|iya\s+ada|ya\s+ada)(?:\s+(?:lagi|lg))?(?:\s+(?:bu|pak|nak|kak))?"
)


def _more_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    said, rest = split_leading_answer(answer.text) if answer.choice is None else (None, "")
    rest = _MORE_WORDS.sub(" ", rest).strip(" ,.!")  # "ada lagi": "lagi" is no product
    if answer.choice is None and says_no_more(answer.text):  # "sudah itu saja" is "no more", not "yes, already"
        decision: str | None = "no"
    elif answer.choice is None and _THERE_IS_MORE.fullmatch(answer.text.strip(" .,!").lower()):
        decision, rest = "yes", ""
    elif said in (Said.YES, Said.DONE) and sum(ch.isalpha() for ch in rest) >= 2:
        decision = "yes"  # "iya, keripik singkong balado": the next product came with the yes
    else:
        decision = yes_no(turn, answer)
        rest = ""
    if decision is None:
        raise Invalid(turn._(N_("Please answer Yes or No.")))
    if decision == "yes" and len(turn.report.products) < MAX_PRODUCTS:
        turn.advance(make_id("product.name", "new"))  # the name's handler queues this question again
        if rest:
            answer_current(turn, rest)
        return
    # Permits whose number came already (a certificate photo sent during the registration) are not asked again.
    turn.advance(*permit_questions(turn.report, only_open=True), "needs.pick", "report.finish")
    turn.note(turn._(N_("Next: your permits.")))


define("product.more", Question(ask=_more_ask, handle=_more_handle, section=N_("Products")))
