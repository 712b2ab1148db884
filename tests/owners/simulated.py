"""The simulated owner and the runner that measures how well the bot understands whole conversations.

The owner never reads the bot's text to decide: it looks at the open question id (`session.queue[0]`, e.g.
``permit.status|pirt|p1``) and the choice ids of the last reply, finds the fact that question asks for in its
profile, and types it in its style. The same profile can therefore be replayed in any style, and a plain replay
gives the message count every other style is compared with.

What a run records (`RunResult`):

* completed: the registration reached its end (the report was stamped as registered);
* fields: every fact of the profile against what the bot stored, field by field;
* chatter: stored text that is not the profile's fact (a name with "nak" in it, a product called "sudah itu saja",
  a sentra name when the owner is in none) and stored products the owner does not make;
* repeats: question ids the bot opened again after they had been answered correctly;
* already_told: questions about facts the owner had already volunteered (answering ahead, a long first message);
* questions_back: the owner's questions ("nib itu apa?") and whether the reply explained the thing asked about;
* messages: how many messages the owner sent, and the plain replay's count as the baseline;
* after_end: the question the bot opens after its closing summary, when that is not the main menu.

A run ends when the registration is stamped as registered (the bot shows its summary); what the bot asks after
that is recorded as `after_end`, outside the targets, so that the plain replay stays a clean baseline.

Once the bot asks the same question again after a styled answer (it did not understand), the owner answers it
the plain way, as the bot suggests: a run shows the cost of a misunderstanding instead of an endless loop.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from conversations.report import ProductInfo, Report
from conversations.turn import parse_question_id
from conversations.understanding.answers import classify_answer
from conversations.understanding.corrections import read_correction
from conversations.understanding.permit_mentions import STATUS_OF_ANSWER
from conversations.understanding.permit_numbers import PermitNumber, PermitType, parse_permit_number
from conversations.understanding.places import RegionDirectory
from tests.dialog import EngineChat
from tests.owners.profiles import Permit, Product, Profile

Topic = tuple[str | int, ...]

MAX_RATIO = 1.5  # target: at most this many messages per message of a plain owner
MIN_FIELDS_CORRECT = 0.95  # target share of facts stored correctly, per style
MAX_MESSAGES = 150  # a run stops here (it is stuck)
MAX_SAME_QUESTION = 4  # the same question open this many times in a row: the run is stuck
MAX_OPENED = 10  # the same question opened this many times in all (a loop across questions): the run is stuck

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
PRODUCT_PERMITS = ("pirt", "halal", "bpom")
PERMIT_LABELS = {"nib": "nib", "pirt": "pirt", "halal": "halal", "bpom": "bpom", "merek": "merek"}
NEED_WORDS = {
    "kemasan": "kemasan",
    "pemasaran": "promosi",
    "modal": "modal",
    "peralatan": "mesin",
    "pelatihan": "pelatihan",
    "izin": "bantuan urus izin",
}
CATEGORY_WORDS = {"makanan": "makanan", "minuman": "minuman", "nonpangan": "bukan makanan"}
PACKAGING_WORDS = {"berlabel": "kemasan berlabel", "sederhana": "plastik biasa tanpa label", "belum": "belum dikemas"}
# Questions back an owner asks, and words an answer explaining the thing would contain (domain.md, "What owners
# ask back"); none of them is in the question's own text.
ASKS_BACK: dict[str, tuple[str, tuple[str, ...]]] = {
    "nib": ("nib itu apa ya?", ("gratis", "oss.go.id", "nik", "dpmptsp", "mal pelayanan")),
    "pirt": ("p-irt itu apa, bu?", ("5 tahun", "keamanan pangan", "pkp", "dinas kesehatan", "dpmptsp")),
    "halal": ("sertifikat halal itu ngurusnya di mana?", ("sihalal", "self-declare", "self declare", "sehati", "p3h")),
    "bpom": ("bpom itu wajib gak buat produk saya?", ("izin edar", "cppob", "tahan lama", "impor")),
    "merek": ("merek terdaftar maksudnya gimana?", ("10 tahun", "500.000", "rp500", "kemenkumham")),
    "sentra": ("sentra itu apa, bu?", ("satu tempat", "satu lokasi", "produk yang sama", "sejenis")),
}
CLOSURES = ("sudah itu saja", "itu aja bu", "cukup", "udah semua", "sudah, itu saja")
CORRECTIONS = (
    "eh salah, {name}",
    "eh salah ketik, maksudnya {name}",
    "bukan, maksudnya {name}",
    "maaf salah, nama usahanya {name}",
)
# Question ids asked once per product (or per "anything else?"): asking them again is not a repeat.
_ASKED_PER_PRODUCT = ("product.name|new", "product.more")
_TEXT_FIELDS = ("owner.name", "business.name", "business.sentra", "business.commodity_other", "needs.note")


class Style(StrEnum):
    """How an owner types."""

    PLAIN = "plain"  # answers exactly as the bot suggests: numbers for choices, values as asked
    MESSY = "messy"  # informal words, typos, "nak/bu/pak", numbers in words, "1,5 jt"
    AHEAD = "ahead"  # several facts in one message, the content instead of "ya"
    ASKS_BACK = "asks_back"  # asks "nib itu apa?" once before answering
    CORRECTS = "corrects"  # gives a wrong business name, then "eh salah, ..."
    CLOSURE = "closure"  # "sudah itu saja" to "another product?"
    LONG_FIRST = "long_first"  # one long first message with everything


STYLES: tuple[Style, ...] = tuple(Style)


def load_regions() -> RegionDirectory:
    """The demo kecamatan and kelurahan of both CSVs (Kota Bengkulu and Kota Metro): a two-city deployment, which
    asks the city first, as the running bot loads it."""
    from bot.storage.regions import DEMO_REGION_FILES, area_of, read_region_rows  # the one import from `bot`

    return RegionDirectory.from_areas([area_of(r) for path in DEMO_REGION_FILES for r in read_region_rows(path)])


# --- facts --------------------------------------------------------------------------------------------------
def norm_text(value: object) -> str:
    """Text compared without case, spacing or punctuation at its ends ("Sri  wahyuni." == "sri wahyuni")."""
    text = " ".join(str(value).casefold().split())
    return text.strip(" .,;:!?-")


def e164(phone: str | None) -> str | None:
    """The stored form of an Indonesian mobile number as owners write it ("0812 3456 7890" -> "+6281234567890")."""
    if phone is None:
        return None
    digits = "".join(ch for ch in phone if ch.isdigit())
    return "+62" + digits[1:] if digits.startswith("0") else "+" + digits


def canonical_number(kind: str, printed: str | None) -> str | None:
    """A permit number as the bot stores it (the printed form is part of the profile)."""
    if printed is None:
        return None
    parsed = parse_permit_number(PermitType(kind), printed)
    if not isinstance(parsed, PermitNumber):
        raise ValueError(f"profile number {printed!r} is not a valid {kind} number: {parsed}")
    return parsed.value


def area_code(regions: RegionDirectory, name: str, level: str, parent: str | None = None) -> str:
    """The code of the kecamatan (or the kelurahan under `parent`) called `name` in the demo regions."""
    areas = regions.kecamatan() if level == "kecamatan" else regions.kelurahan(parent or "")
    for area in areas:
        if area.name == name:
            return area.code
    raise ValueError(f"no {level} {name!r} in the demo regions")


def match_products(profile: Profile, report: Report) -> dict[int, ProductInfo]:
    """Which stored product is which profile product: same name, then a name containing it, then by order."""
    matched: dict[int, ProductInfo] = {}
    free = list(report.products)
    for rule in ("same", "contains"):
        for index, product in enumerate(profile.products):
            if index in matched:
                continue
            wanted = norm_text(product.name)
            for stored in free:
                name = norm_text(stored.name or "")
                if name == wanted or (rule == "contains" and wanted in name):
                    matched[index] = stored
                    free.remove(stored)
                    break
    for index in range(len(profile.products)):
        if index not in matched and free:
            matched[index] = free.pop(0)
    return matched


def next_product(profile: Profile, report: Report) -> int | None:
    """The first profile product the bot has not stored under its name yet (None: all are stored)."""
    named = set()
    for stored in report.products:
        name = norm_text(stored.name or "")
        for index, product in enumerate(profile.products):
            wanted = norm_text(product.name)
            if index not in named and (name == wanted or wanted in name):
                named.add(index)
                break
    return next((i for i in range(len(profile.products)) if i not in named), None)


def product_index(profile: Profile, report: Report, key: str) -> int | None:
    """The profile product that stored product `key` stands for; None for a product the owner does not make."""
    for index, stored in match_products(profile, report).items():
        if stored.key == key:
            return index
    return None


@dataclass(frozen=True)
class FieldCheck:
    """One fact of the profile against what the bot stored."""

    field: str
    topic: Topic
    expected: object
    stored: object
    text: bool = False  # free text typed by the owner: a wrong value is a stored fragment of chatter

    @property
    def ok(self) -> bool:
        """The stored value is the fact."""
        if self.text:
            stored = None if self.stored in (None, "") else norm_text(self.stored)
            expected = None if self.expected is None else norm_text(self.expected)
            return stored == expected
        return self.stored == self.expected


def compare(profile: Profile, report: Report, regions: RegionDirectory) -> list[FieldCheck]:
    """Every fact of `profile` checked against `report`."""
    business = report.business
    kecamatan = area_code(regions, profile.kecamatan, "kecamatan")
    checks = [
        FieldCheck("owner.name", ("owner.name",), profile.name, report.name, text=True),
        FieldCheck("owner.phone", ("owner.phone",), e164(profile.phone), report.phone),
        FieldCheck("business.name", ("biz.name",), profile.business, business and business.name, text=True),
        FieldCheck("business.kecamatan", ("biz.kecamatan",), kecamatan, business and business.kecamatan_code),
        FieldCheck(
            "business.kelurahan",
            ("biz.kelurahan",),
            area_code(regions, profile.kelurahan, "kelurahan", kecamatan),
            business and business.kelurahan_code,
        ),
        FieldCheck("business.commodity", ("biz.commodity",), profile.commodity, business and business.commodity),
        FieldCheck("business.workers", ("biz.workers",), profile.workers, business and business.workers),
        FieldCheck("business.revenue", ("biz.revenue",), profile.revenue, business and business.monthly_revenue),
        FieldCheck("business.in_sentra", ("biz.sentra",), profile.sentra is not None, business and business.in_sentra),
        FieldCheck("business.sentra", ("biz.sentra_name",), profile.sentra, business and business.sentra, text=True),
    ]
    stored_other = business.commodity_other if business else None
    if profile.commodity == "lainnya" or stored_other:
        checks.append(
            FieldCheck("business.commodity_other", ("biz.commodity",), profile.commodity_other, stored_other, text=True)
        )
    matched = match_products(profile, report)
    for index, product in enumerate(profile.products):
        stored = matched.get(index)
        label = f"product[{index + 1}]"
        checks += [
            FieldCheck(f"{label}.name", ("product.name", index), product.name, stored and stored.name, text=True),
            FieldCheck(f"{label}.category", ("product.category", index), product.category, stored and stored.category),
            FieldCheck(
                f"{label}.packaging", ("product.packaging", index), product.packaging, stored and stored.packaging
            ),
        ]
        if product.is_food:
            for kind in PRODUCT_PERMITS:
                key = stored.key if stored else "?"
                checks += _permit_checks(report, kind, key, product.permit(kind), f"{label}.{kind}", (kind, index))
    checks += _permit_checks(report, "nib", "", profile.nib, "nib", ("nib",))
    checks += _permit_checks(report, "merek", "", profile.merek, "merek", ("merek",))
    checks.append(FieldCheck("needs", ("needs",), tuple(sorted(profile.needs)), tuple(sorted(report.needs))))
    if profile.needs_note or report.needs_note:
        checks.append(FieldCheck("needs.note", ("needs.note",), profile.needs_note, report.needs_note, text=True))
    return checks


def _permit_checks(
    report: Report, kind: str, key: str, permit: Permit, label: str, about: tuple[str | int, ...]
) -> list[FieldCheck]:
    stored = report.permit(kind, key)
    checks = [FieldCheck(f"{label}.status", ("permit.status", *about), permit.status, stored and stored.status)]
    if permit.status in ("terbit", "kedaluwarsa"):
        expected = canonical_number(kind, permit.number)
        checks.append(FieldCheck(f"{label}.number", ("permit.number", *about), expected, stored and stored.number))
    if permit.status == "diurus":
        checks.append(
            FieldCheck(f"{label}.expected", ("permit.expected", *about), permit.expected, stored and stored.expected_on)
        )
    if kind == "bpom" and permit.status == "terbit":
        checks.append(
            FieldCheck(f"{label}.expires", ("permit.expiry", *about), permit.expires, stored and stored.expires_on)
        )
    return checks


def chatter_in(profile: Profile, report: Report, checks: Iterable[FieldCheck]) -> list[str]:
    """Stored values that are not a profile fact: wrong free text, and products the owner does not make."""
    found = [f"{c.field} = {c.stored!r}" for c in checks if c.text and c.stored not in (None, "") and not c.ok]
    matched = {p.key for p in match_products(profile, report).values()}
    found += [f"product {p.name!r} the owner does not make" for p in report.products if p.key not in matched]
    return found


# --- how owners type ------------------------------------------------------------------------------------------
_UNITS = ("", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")


def number_words(n: int) -> str:
    """An Indonesian number in words, below a thousand ("dua puluh lima", "sembilan ratus")."""
    if n == 0:
        return "nol"
    parts = []
    hundreds, rest = divmod(n, 100)
    if hundreds:
        parts.append("seratus" if hundreds == 1 else f"{_UNITS[hundreds]} ratus")
    if rest == 10:
        parts.append("sepuluh")
    elif rest == 11:
        parts.append("sebelas")
    elif 12 <= rest <= 19:
        parts.append(f"{_UNITS[rest - 10]} belas")
    elif rest >= 20:
        tens, units = divmod(rest, 10)
        parts.append(f"{_UNITS[tens]} puluh" + (f" {_UNITS[units]}" if units else ""))
    elif rest:
        parts.append(_UNITS[rest])
    return " ".join(parts)


def plain_money(amount: int) -> str:
    """Turnover as the bot's example writes it: "5 juta", "750rb", "2.500.000"."""
    if amount % 1_000_000 == 0:
        return f"{amount // 1_000_000} juta"
    if amount < 1_000_000:
        return f"{amount // 1000}rb"
    return f"{amount:,}".replace(",", ".")


def messy_money(rng: random.Random, amount: int) -> str:
    """Turnover the way owners type it: "1,5 jt", "kira2 3 jt", "sembilan ratus ribu"."""
    if amount >= 1_000_000:
        millions = amount / 1_000_000
        if millions == int(millions):
            whole = int(millions)
            return rng.choice([f"{whole} jt", f"{number_words(whole)} juta", f"kira2 {whole} jt"])
        return rng.choice([f"{millions:g} jt".replace(".", ","), f"{millions:g} juta an".replace(".", ",")])
    thousands = amount // 1000
    return rng.choice([f"{thousands}rb", f"{thousands} ribu", f"{number_words(thousands)} ribu"])


def messy_workers(rng: random.Random, workers: int) -> str:
    """A head count the way owners say it: "sy sendiri sm 2 anak" is 3, "berdua sama suami" is 2."""
    if workers == 1:
        return rng.choice(["sendiri aja", "cuma saya sendiri", "1 org"])
    if workers == 2:
        return rng.choice(["berdua sama suami", "2 org", "dua orang bu"])
    if workers == 3:
        return rng.choice(["sy sendiri sm 2 anak", "tiga orang", "3 org nak"])
    return rng.choice([f"{number_words(workers)} orang", f"{workers} org", f"ada {workers} orang bu"])


def spoken_date(day: date) -> str:
    """A date as the bot's example writes it: "15 Januari 2027"."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def typo(rng: random.Random, name: str) -> str:
    """A region name typed in a hurry: lower case, one letter of its longest word dropped."""
    words = name.lower().split()
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[longest]
    if len(word) >= 5:
        cut = rng.randrange(1, len(word) - 1)
        words[longest] = word[:cut] + word[cut + 1 :]
    return " ".join(words)


def wrong_name(name: str) -> str:
    """The business name with the last two letters of its last word swapped ("Bu Sri" -> "Bu Sir")."""
    head, _, last = name.rpartition(" ")
    swapped = last[:-2] + last[-1] + last[-2] if len(last) >= 3 else last + last[-1]
    return f"{head} {swapped}".strip()


def _status_words(status: str) -> str:
    return {
        "terbit": "sudah ada",
        "kedaluwarsa": "sudah ada",
        "diurus": "lagi diurus",
        "belum": "belum",
        "tidak_perlu": "gak perlu",
    }[status]


# --- the owner ---------------------------------------------------------------------------------------------
@dataclass
class SimulatedOwner:
    """One owner of a profile typing in one style; answers are chosen from the open question id."""

    profile: Profile
    style: Style
    regions: RegionDirectory
    told: set[Topic] = field(default_factory=set)  # facts volunteered before they were asked
    asked_back: str | None = None  # the question back already asked, if any
    correction: str = "none"  # none -> wrong (a wrong name was given) -> done
    closed: bool = False  # a closure phrase was used
    rng: random.Random = field(init=False)
    codes: dict[str, str] = field(init=False)  # the owner's kecamatan and kelurahan codes
    ask_about: str = field(init=False)  # what an owner of the asks-back style asks about
    unknown: list[str] = field(default_factory=list)  # question names this owner cannot answer (teach it)

    def __post_init__(self) -> None:
        self.rng = random.Random(f"{self.profile.id}:{self.style}")
        kecamatan = area_code(self.regions, self.profile.kecamatan, "kecamatan")
        self.codes = {"kecamatan": kecamatan}
        self.codes["kelurahan"] = area_code(self.regions, self.profile.kelurahan, "kelurahan", kecamatan)
        self.codes["regency"] = kecamatan.rsplit(".", 1)[0]  # Kemendagri: a kecamatan's code starts with its regency's
        food = [p for p in self.profile.products if p.is_food]
        topics = ["nib", "merek", "sentra"] + (["pirt", "halal", "bpom"] if food else [])
        self.ask_about = topics[sum(map(ord, self.profile.id)) % len(topics)]

    # -- what the owner knows
    def permit(self, kind: str, index: int | None) -> Permit:
        """The owner's permit of `kind` (for product permits, of profile product `index`)."""
        if kind in ("nib", "merek"):
            return self.profile.business_permit(kind)
        if index is None or index >= len(self.profile.products):
            return Permit("belum")
        return self.profile.products[index].permit(kind)

    def place(self, level: str) -> str:
        """The owner's regency or city (by its name), kecamatan or kelurahan, as they would name it."""
        if level == "regency":
            regency = self.regions.get(self.codes["regency"])
            return regency.name if regency is not None else ""
        return self.profile.kecamatan if level == "kecamatan" else self.profile.kelurahan

    def topic(self, question: str, report: Report) -> Topic | None:
        """What fact an open question asks for, in profile terms (None: not a fact of this owner)."""
        name, args = parse_question_id(question)
        if name in ("owner.name", "owner.phone", "biz.name", "biz.workers", "biz.revenue", "biz.sentra"):
            return (name,)
        if name in ("biz.commodity", "biz.commodity_other"):
            return ("biz.commodity",)
        if name == "biz.sentra_name":
            return (name,)
        if name in ("biz.area", "biz.area_confirm", "biz.area_pick"):
            return (f"biz.{args[0]}",)
        if name == "product.name" and args[0] == "new":
            index = next_product(self.profile, report)
            return None if index is None else ("product.name", index)
        if name in ("product.name", "product.category", "product.packaging"):
            index = product_index(self.profile, report, args[0])
            return None if index is None else (name, index)
        if name.startswith("permit.") and len(args) == 2:
            if not args[1]:
                return (name, args[0])
            index = product_index(self.profile, report, args[1])
            return None if index is None else (name, args[0], index)
        if name == "needs.pick":
            return ("needs",)
        if name == "needs.other":
            return ("needs.note",)
        return None

    # -- the first message
    def first_message(self) -> str:
        """What the owner types first."""
        if self.style is Style.MESSY:
            return self.rng.choice(["assalamualaikum", "assalamualaikum bu", "pagi min", "halo kak", "permisi pak"])
        if self.style is Style.LONG_FIRST:
            text, topics = self.everything()
            self.told |= topics
            return text
        return "halo"

    def everything(self) -> tuple[str, set[Topic]]:
        """One long message telling every fact, and the topics it covers."""
        p = self.profile
        topics: set[Topic] = {
            ("owner.name",),
            ("biz.name",),
            ("biz.kecamatan",),
            ("biz.kelurahan",),
            ("biz.commodity",),
            ("biz.workers",),
            ("biz.sentra",),
            ("needs",),
        }
        lines = ["Assalamualaikum bu.", f"Saya {p.name}" + (f", no hp {p.phone}" if p.phone else "") + "."]
        if p.phone:
            topics.add(("owner.phone",))
        lines.append(f"Usaha saya {p.business} di kelurahan {p.kelurahan}, kecamatan {p.kecamatan}.")
        trade = f"Kami bikin {p.trade}, yang kerja {p.workers} orang"
        if p.revenue is not None:
            trade += f", omzet sebulan kira2 {plain_money(p.revenue)}"
            topics.add(("biz.revenue",))
        lines.append(trade + ".")
        if p.sentra:
            lines.append(f"Ikut {p.sentra}.")
            topics.add(("biz.sentra_name",))
        else:
            lines.append("Tidak ikut sentra.")
        products = []
        for index, product in enumerate(p.products):
            products.append(
                f"{product.name} ({CATEGORY_WORDS[product.category]}, {PACKAGING_WORDS[product.packaging]})"
            )
            topics |= {("product.name", index), ("product.category", index), ("product.packaging", index)}
        lines.append("Produknya " + "; ".join(products) + ".")
        permits = [self.permit_phrase("nib", None, topics)]
        for index, product in enumerate(p.products):
            if product.is_food:
                permits += [self.permit_phrase(kind, index, topics, product.name) for kind in PRODUCT_PERMITS]
        permits.append(self.permit_phrase("merek", None, topics))
        lines.append("Izin: " + ", ".join(permits) + ".")
        lines.append(f"Butuhnya {self.need_words()}." if p.needs else "Bantuan belum perlu.")
        if p.needs_note:
            topics.add(("needs.note",))
        return " ".join(lines), topics

    def permit_phrase(
        self, kind: str, index: int | None, topics: set[Topic], product: str | None = None, details: bool = True
    ) -> str:
        """ "pirt Kue lapis lagi diurus (kira2 15 Januari 2027)", adding what it tells to `topics`."""
        permit = self.permit(kind, index)
        about: Topic = (kind,) if index is None else (kind, index)
        topics.add(("permit.status", *about))
        label = PERMIT_LABELS[kind] + (f" {product}" if product else "")
        phrase = f"{label} {_status_words(permit.status)}"
        if not details:
            return phrase
        if permit.number:
            phrase += f" {permit.number}"
            topics.add(("permit.number", *about))
        if permit.expected:
            phrase += f" (kira2 {spoken_date(permit.expected)})"
            topics.add(("permit.expected", *about))
        if permit.expires:
            phrase += f" (berlaku s/d {spoken_date(permit.expires)})"
            topics.add(("permit.expiry", *about))
        return phrase

    def need_words(self) -> str:
        """The owner's needs in their words: "modal sama kemasan"."""
        words = [NEED_WORDS[n] for n in self.profile.needs if n in NEED_WORDS]
        if self.profile.needs_note:
            words.append(self.profile.needs_note)
        return " sama ".join(words)

    # -- answers
    def knows_name(self, candidate: str) -> bool:
        """True when `candidate` is the owner's, the business's, the sentra's or a product's name."""
        p = self.profile
        names = (p.name, p.business, p.sentra or "", *(product.name for product in p.products))
        return norm_text(candidate) in {norm_text(name) for name in names}

    def agrees(self, target: str, said: str, report: Report) -> bool:
        """True when a fact the bot noted from a message (question id and the words kept) is this owner's."""
        p = self.profile
        name, args = parse_question_id(target)
        if name == "permit.status":
            kind, key = args
            index = product_index(p, report, key) if report.product(key) else int(key[1:]) - 1 if key else None
            status = self.permit(kind, index).status
            return read_status(said) == ("terbit" if status == "kedaluwarsa" else status)
        expected: dict[str, object] = {
            "owner.name": p.name,
            "owner.phone": p.phone,
            "biz.name": p.business,
            "biz.sentra_name": p.sentra,
            "biz.workers": str(p.workers),
        }
        if name in expected:
            return norm_text(said) == norm_text(expected[name])
        if name == "biz.area":
            return norm_text(said) == norm_text(self.place(args[0]))
        if name == "biz.sentra":
            return (norm_text(said) == "ya") == (p.sentra is not None)
        if name == "product.name":
            return any(norm_text(said) == norm_text(product.name) for product in p.products)
        return True  # details (category, packaging, permits, turnover, needs) are checked in the stored report

    def answer(self, question: str, report: Report, choices: Sequence[str], tries: int) -> str:
        """The message typed to the open `question`; `tries` counts how often it was answered just before."""
        name, args = parse_question_id(question)
        topic = self.topic(question, report)
        if topic is None and self._about_unknown_product(name, args, report):
            if tries == 0 and self.style is not Style.PLAIN:
                return self.rng.choice(["gak ada produk lain bu", "lho, gak ada lagi", "itu bukan produk saya"])
            return self.fallback(name, choices)
        if tries == 0 and (topic is None or topic not in self.told):
            styled = self.styled(name, args, report)
            if styled is not None:
                return styled
        return self.plain(name, args, report, choices)

    def _about_unknown_product(self, name: str, args: tuple[str, ...], report: Report) -> bool:
        if name == "product.name":
            return args[0] == "new" and next_product(self.profile, report) is None
        if name in ("product.category", "product.packaging"):
            return True
        return name.startswith("permit.") and len(args) == 2 and bool(args[1])

    def fallback(self, name: str, choices: Sequence[str]) -> str:
        """What an owner settles for about a product they do not make: not food, not packaged, no permit."""
        wanted = {"product.category": "nonpangan", "product.packaging": "belum", "permit.status": "belum"}.get(name)
        if wanted:
            return pick(choices, wanted)
        return "lewati" if name.startswith("permit.") else "tidak ada"

    def plain(self, name: str, args: tuple[str, ...], report: Report, choices: Sequence[str]) -> str:
        """The answer exactly as the bot suggests it: the number of a choice, or the value as asked."""
        p = self.profile
        if name == "consent.ask":
            return pick(choices, "setuju")
        if name == "owner.name":
            return p.name
        if name == "owner.phone":
            return p.phone or "lewati"
        if name == "biz.name":
            self.correction = "done" if self.correction == "wrong" else self.correction
            return p.business
        if name == "biz.area":
            return self.place(args[0])
        if name == "biz.area_confirm":  # the place asked about, or a narrower one of the owner's they typed
            return pick(choices, "yes" if args[1] in self.codes.values() else "no")
        if name == "biz.area_pick":
            code = next((c for c in self.codes.values() if c in choices), "none")
            return pick(choices, code)
        if name == "biz.commodity":
            return pick(choices, p.commodity)
        if name == "biz.commodity_other":
            return p.commodity_other or p.trade
        if name == "biz.workers":
            return str(p.workers)
        if name == "biz.revenue":
            return plain_money(p.revenue) if p.revenue is not None else "lewati"
        if name == "biz.sentra":
            return pick(choices, "yes" if p.sentra else "no")
        if name == "biz.sentra_name":
            return p.sentra or "tidak ada"
        if name == "product.name":
            return self.next_product_name(report) if args[0] == "new" else self.product_of(report, args[0]).name
        if name == "product.category":
            return pick(choices, self.product_of(report, args[0]).category)
        if name == "product.packaging":
            return pick(choices, self.product_of(report, args[0]).packaging)
        if name == "product.more":
            return pick(choices, "yes" if next_product(p, report) is not None else "no")
        if name.startswith("permit."):
            return self.plain_permit(name, args, report, choices)
        if name == "needs.pick":
            wanted = list(p.needs) or ["tidak_ada"]
            return ",".join(pick(choices, need) for need in wanted)
        if name == "needs.other":
            return p.needs_note or "tidak ada"
        if name == "menu":
            return pick(choices, "lanjut" if "lanjut" in choices else "daftar")
        if name in ("resume", "language"):
            return "1"
        if name not in self.unknown:
            self.unknown.append(name)
        return "lewati"

    def plain_permit(self, name: str, args: tuple[str, ...], report: Report, choices: Sequence[str]) -> str:
        """Plain answers to the permit questions: status by number, the number as printed, dates as in examples."""
        kind, key = args
        permit = self.permit(kind, product_index(self.profile, report, key) if key else None)
        if name == "permit.status":
            status = "terbit" if permit.status == "kedaluwarsa" else permit.status
            return pick(choices, status if status in choices else "belum")
        if name == "permit.number":
            return permit.number or "lewati"
        if name == "permit.expected":
            return spoken_date(permit.expected) if permit.expected else "lewati"
        if name == "permit.expiry":
            return permit.expires.strftime("%d-%m-%Y") if permit.expires else "lewati"
        return "lewati"

    def product_of(self, report: Report, key: str) -> Product:
        """The profile product behind stored product `key` (the last one if the bot invented it)."""
        index = product_index(self.profile, report, key)
        return self.profile.products[index if index is not None else -1]

    def next_product_name(self, report: Report) -> str:
        """The name of the next product the bot has not stored yet."""
        index = next_product(self.profile, report)
        return "tidak ada" if index is None else self.profile.products[index].name

    def styled(self, name: str, args: tuple[str, ...], report: Report) -> str | None:
        """The first answer to a question in the owner's style; None: the plain answer."""
        match self.style:
            case Style.MESSY:
                return self.messy(name, args, report)
            case Style.AHEAD:
                return self.ahead(name, args, report)
            case Style.ASKS_BACK:
                wanted = self.ask_about
                asked_here = (name == "biz.sentra" and wanted == "sentra") or (
                    name == "permit.status" and args[0] == wanted
                )
                if asked_here and self.asked_back is None:
                    self.asked_back = wanted
                    return ASKS_BACK[wanted][0]
            case Style.CORRECTS:
                if name == "biz.name" and self.correction == "none":
                    self.correction = "wrong"
                    return wrong_name(self.profile.business)
                if self.correction == "wrong":
                    self.correction = "done"
                    return self.rng.choice(CORRECTIONS).format(name=self.profile.business)
            case Style.CLOSURE:
                if name == "product.more" and next_product(self.profile, report) is None and not self.closed:
                    self.closed = True
                    return self.rng.choice(CLOSURES)
        return None

    def messy(self, name: str, args: tuple[str, ...], report: Report) -> str | None:
        """Informal, lower-case, with typos, particles and numbers in words."""
        p, rng = self.profile, self.rng
        match name:
            case "consent.ask":
                return rng.choice(["iya setuju", "setuju bu", "ok siap", "iya bu boleh", "y"])
            case "owner.name":
                return rng.choice(
                    [p.name.lower(), f"nama saya {p.name}", f"sy {p.name.lower()}, nak", f"{p.name}, pak"]
                )
            case "owner.phone":
                if p.phone is None:
                    return rng.choice(["gk ada hp bu", "skip aja", "gak usah"])
                digits = p.phone.replace(" ", "")
                return rng.choice([digits, f"hp sy {p.phone}", f"{p.phone.replace(' ', '-')} bu", f"wa {digits}"])
            case "biz.name":
                return rng.choice([p.business.lower(), f"usaha saya {p.business}", f"namanya {p.business.lower()}"])
            case "biz.area":
                place = self.place(args[0])
                prefix = {"regency": "", "kecamatan": "kec ", "kelurahan": "kel "}[args[0]]
                return rng.choice([typo(rng, place), f"{prefix}{place.lower()}", f"{place.lower()} bu"])
            case "biz.area_confirm":
                return "iya bu" if args[1] in self.codes.values() else "bukan"
            case "biz.commodity":
                return rng.choice([f"bikin {p.trade}", f"{p.trade} bu", f"usaha {p.trade}", f"jualan {p.trade}"])
            case "biz.workers":
                return messy_workers(rng, p.workers)
            case "biz.revenue":
                if p.revenue is None:
                    return rng.choice(["gk tau bu", "kurang tau nak"])
                return messy_money(rng, p.revenue)
            case "biz.sentra":
                if p.sentra:
                    return rng.choice(["iya ikut", "ikut bu", "iya bu ikut kelompok"])
                return rng.choice(["gk ikut", "tidak bu", "nggak", "ga ada"])
            case "biz.sentra_name":
                return rng.choice([(p.sentra or "").lower(), f"namanya {p.sentra}", f"{p.sentra} bu"])
            case "product.name" if args[0] == "new":
                product = self.next_product_name(report)
                return rng.choice([product.lower(), f"{product} bu", f"produknya {product.lower()}"])
            case "product.category":
                category = self.product_of(report, args[0]).category
                words = {
                    "makanan": ["makanan", "makanan bu", "mkanan"],
                    "minuman": ["minuman", "minuman nak", "minum"],
                    "nonpangan": ["bukan makanan", "bukan dua2nya", "bkn makanan"],
                }
                return rng.choice(words[category])
            case "product.packaging":
                packaging = self.product_of(report, args[0]).packaging
                words = {
                    "berlabel": ["udh pake label", "ada labelnya bu", "sdh ada merek sm label"],
                    "sederhana": ["plastik biasa", "plastik polos aja", "dibungkus plastik"],
                    "belum": ["blm dikemas", "curah aja", "gk pake kemasan"],
                }
                return rng.choice(words[packaging])
            case "product.more":
                if next_product(p, report) is not None:
                    return rng.choice(["ada lagi", "iya ada", "masih ada bu"])
                return rng.choice(["gk ada lg", "tidak", "ga ada"])
            case "permit.status":
                return self.messy_status(args, report)
            case "permit.number":
                kind, key = args
                permit = self.permit(kind, product_index(p, report, key) if key else None)
                if permit.number is None:
                    return rng.choice(["lupa bu", "gk inget", "nnt sy liat dulu"])
                variants = [permit.number.lower(), f"{PERMIT_LABELS[kind]} {permit.number}", f"no {permit.number}"]
                if kind == "nib":
                    variants += [permit.number.replace(" ", ""), permit.number.replace(" ", ".")]
                return rng.choice(variants)
            case "permit.expected":
                kind, key = args
                permit = self.permit(kind, product_index(p, report, key) if key else None)
                if permit.expected is None:
                    return rng.choice(["gk tau", "blm tau bu", "ntah"])
                when = spoken_date(permit.expected).lower()
                return rng.choice([f"kira2 {when}", f"katanya {when}"])
            case "permit.expiry":
                kind, key = args
                permit = self.permit(kind, product_index(p, report, key) if key else None)
                if permit.expires is None:
                    return "gk tau"
                return f"s/d {spoken_date(permit.expires).lower()}"
            case "needs.pick":
                if not p.needs:
                    return rng.choice(["blm ada bu", "gk ada dulu"])
                return self.need_words().replace(" sama ", rng.choice([" sm ", ", ", " dan "])) + " bu"
            case "needs.other":
                return (p.needs_note or "").lower()
        return None

    def messy_status(self, args: tuple[str, ...], report: Report) -> str:
        """ "sdh ada", "lg diurus", "blm", "gk perlu", sometimes with the permit's name first ("nib udh ada")."""
        kind, key = args
        permit = self.permit(kind, product_index(self.profile, report, key) if key else None)
        words = {
            "terbit": ["sdh ada", "udah punya bu", "sampun", "ada nak"],
            "kedaluwarsa": ["sdh ada", "udah punya bu"],
            "diurus": ["lg diurus", "masih proses", "sdg diurus bu", "lagi ngurus"],
            "belum": ["blm", "belum punya", "belom bu"],
            "tidak_perlu": ["gk perlu", "ga butuh", "tdk perlu bu"],
        }[permit.status]
        said = self.rng.choice(words)
        if self.rng.random() < 0.3:
            said = f"{PERMIT_LABELS[kind]} {said}"
        return said

    def ahead(self, name: str, args: tuple[str, ...], report: Report) -> str | None:
        """Answers that carry the next facts too (and the content instead of "ya")."""
        p = self.profile
        match name:
            case "owner.name" if p.phone:
                self.told.add(("owner.phone",))
                return f"{p.name}, hp {p.phone}"
            case "biz.name":
                self.told |= {("biz.kecamatan",), ("biz.kelurahan",)}
                return f"{p.business}, di {p.kelurahan} kec. {p.kecamatan}"
            case "biz.area" if args[0] == "kecamatan":
                self.told.add(("biz.kelurahan",))
                return f"{p.kecamatan}, kel. {p.kelurahan}"
            case "biz.commodity":
                self.told.add(("biz.workers",))
                said = f"{p.trade}, yg kerja {p.workers} orang"
                if p.revenue is not None:
                    self.told.add(("biz.revenue",))
                    said += f", omzet sebulan {plain_money(p.revenue)}"
                return said
            case "biz.sentra" if p.sentra:
                self.told.add(("biz.sentra_name",))
                return f"iya, ikut {p.sentra}"
            case "product.name" if args[0] == "new" and next_product(p, report) is not None:
                index = next_product(p, report) or 0
                product = p.products[index]
                self.told.add(("product.packaging", index))
                said = f"{product.name}, "
                if p.commodity not in ("batik_tenun", "konveksi", "kerajinan"):
                    self.told.add(("product.category", index))
                    said += f"{CATEGORY_WORDS[product.category]}, "
                return said + PACKAGING_WORDS[product.packaging]
            case "product.more" if next_product(p, report) is not None:
                index = next_product(p, report) or 0
                self.told.add(("product.name", index))
                return f"ada, {p.products[index].name}"
            case "permit.status" if args[0] == "nib":
                return self.all_permits()
        return None

    def all_permits(self) -> str:
        """ "nib sudah ada 0220 0098 61929, pirt lagi diurus, halal belum, merek belum" (at most 300 characters)."""
        food = next((i for i, product in enumerate(self.profile.products) if product.is_food), None)
        said, topics = self._permits_said(food, details=True)
        if len(said) > 300:  # the status question takes 300 characters: leave out the later numbers and dates
            said, topics = self._permits_said(food, details=False)
        self.told |= topics
        return said

    def _permits_said(self, food: int | None, details: bool) -> tuple[str, set[Topic]]:
        topics: set[Topic] = set()
        parts = [self.permit_phrase("nib", None, topics)]
        if food is not None:
            parts += [self.permit_phrase(kind, food, topics, details=details) for kind in PRODUCT_PERMITS]
        parts.append(self.permit_phrase("merek", None, topics, details=details))
        return ", ".join(parts), topics


def read_status(said: str) -> str | None:
    """The permit status in the words the bot kept ("sudah ada 0220...", "lagi diurus", "gak perlu")."""
    if re.search(r"\b(?:gak|ga|gk|tidak|tdk)\s+perlu\b", said):
        return "tidak_perlu"
    said_answer = classify_answer(said)
    return STATUS_OF_ANSWER.get(said_answer) if said_answer is not None else None


def pick(choices: Sequence[str], choice_id: str) -> str:
    """The number to type for the choice `choice_id` (its id as text if the bot did not offer it)."""
    return str(choices.index(choice_id) + 1) if choice_id in choices else choice_id


# --- the run ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Exchange:
    """One owner message: the question open when it was typed, the text, the next open question, the reply."""

    asked: str | None
    said: str
    next: str | None
    reply: str


@dataclass(frozen=True)
class QuestionBack:
    """A question the owner asked back, and whether the reply explained it."""

    about: str
    said: str
    answered: bool


@dataclass(frozen=True)
class RunResult:
    """What one owner's whole conversation in one style achieved."""

    profile_id: str
    style: Style
    completed: bool
    fields: tuple[FieldCheck, ...]
    chatter: tuple[str, ...]
    repeats: tuple[str, ...]
    already_told: tuple[str, ...]
    questions_back: tuple[QuestionBack, ...]
    messages: int
    baseline: int | None
    transcript: tuple[Exchange, ...]
    stopped: str | None = None
    after_end: str | None = None
    unknown_questions: tuple[str, ...] = ()  # questions the simulated owner has no answer for

    @property
    def not_understood(self) -> int:
        """Messages after which the bot asked the same question again (questions back not counted)."""
        again = sum(
            1
            for e in self.transcript
            if e.asked is not None and e.asked == e.next and read_correction(e.said) is None  # a correction: kept open
        )
        return max(0, again - len(self.questions_back))

    @property
    def fields_correct(self) -> int:
        """How many facts were stored correctly."""
        return sum(c.ok for c in self.fields)

    @property
    def wrong_fields(self) -> list[FieldCheck]:
        """The facts stored wrongly (or not at all)."""
        return [c for c in self.fields if not c.ok]

    @property
    def ratio(self) -> float | None:
        """Messages used against the plain replay of the same profile."""
        return self.messages / self.baseline if self.baseline else None

    def problems(self) -> list[str]:
        """Every way this run misses the targets, one line each (empty: it meets them all)."""
        found = [] if self.completed else [f"not completed: {self.stopped or 'registration did not end'}"]
        found += [
            f"the simulated owner does not know question {q} (teach tests/owners)" for q in self.unknown_questions
        ]
        found += [f"wrong {c.field}: stored {c.stored!r}, expected {c.expected!r}" for c in self.wrong_fields]
        found += [f"chatter stored: {c}" for c in self.chatter]
        found += [f"asked again after a correct answer: {q}" for q in self.repeats]
        found += [f"asked though already told: {'|'.join(map(str, t))}" for t in self.already_told]
        found += [f"question back not answered: {q.said!r}" for q in self.questions_back if not q.answered]
        if self.ratio is not None and self.ratio > MAX_RATIO:
            found.append(f"{self.messages} messages, {self.ratio:.2f}x the plain owner's {self.baseline}")
        return found

    @property
    def ok(self) -> bool:
        """The run meets every target."""
        return not self.problems()

    def show(self) -> str:
        """The transcript, one owner message per line, for reading a failure."""
        lines = [f"{self.profile_id} {self.style}: {self.messages} messages"]
        for exchange in self.transcript:
            lines.append(f"  [{exchange.asked}] {exchange.said!r} -> [{exchange.next}]")
        return "\n".join(lines)


def _canonical_question(question: str) -> str:
    name, args = parse_question_id(question)
    if name in ("biz.area_confirm", "biz.area_pick"):
        return f"biz.area|{args[0]}"
    if name == "biz.commodity_other":
        return "biz.commodity"
    return question


def _answered_correctly(topic: Topic, checks: list[FieldCheck]) -> bool:
    relevant = [c for c in checks if c.topic == topic]
    if topic[0] == "permit.status":  # an expired permit is "have it" until its number shows the year
        return bool(relevant) and all(c.ok or (c.expected, c.stored) == ("kedaluwarsa", "terbit") for c in relevant)
    return bool(relevant) and all(c.ok for c in relevant)


def run_owner(profile: Profile, style: Style, regions: RegionDirectory, baseline: int | None = None) -> RunResult:
    """Play one owner's whole registration in one style through the pure engine, and measure it."""
    owner = SimulatedOwner(profile, style, regions)
    chat = EngineChat(regions=regions)
    transcript: list[Exchange] = []
    answered: set[str] = set()
    repeats: list[str] = []
    told_counted: list[Topic] = []
    questions_back: list[QuestionBack] = []
    stopped: str | None = None

    def send(question: str | None, text: str) -> None:
        reply = chat.send(text)
        transcript.append(Exchange(question, text, chat.session.current, reply))

    send(None, owner.first_message())
    same = 0
    opened: dict[str, int] = {}
    while chat.report.registered_at is None:
        question = chat.session.current
        if question is None:
            stopped = "no open question"
            break
        if len(transcript) >= MAX_MESSAGES:
            stopped = f"{MAX_MESSAGES} messages"
            break
        opened[question] = opened.get(question, 0) + (same == 0)
        if same >= MAX_SAME_QUESTION or opened[question] >= MAX_OPENED:
            stopped = f"stuck at {question}"
            break
        topic = owner.topic(question, chat.report)
        if same == 0 and topic is not None and topic in owner.told and topic not in told_counted:
            told_counted.append(topic)
        choices = [c.id for c in chat.last[-1].choices] if chat.last else []
        asked_back = owner.asked_back
        before = chat.report
        if question == "confirm.name":  # "Maksudnya nama usahanya: X?": yes when X is one of the owner's names
            candidate = str((chat.session.data.get("candidate") or {}).get("value", ""))
            text = pick(choices, "yes" if owner.knows_name(candidate) else "no")
        elif question == "confirm.facts":  # "Saya catat: ... Benar?": yes when every line is true
            noted = chat.session.data.get("noted") or []
            agreed = all(owner.agrees(target, said, chat.report) for target, said, _ in noted)
            text = pick(choices, "yes" if agreed else "no")
        else:
            text = owner.answer(question, chat.report, choices, same)
        send(question, text)
        if owner.asked_back != asked_back and owner.asked_back is not None:
            reply = transcript[-1].reply.lower()
            keywords = ASKS_BACK[owner.asked_back][1]
            answered_back = any(re.search(rf"(?<!\w){re.escape(k)}(?!\w)", reply) for k in keywords)
            questions_back.append(QuestionBack(owner.asked_back, text, answered_back))
        after = chat.session.current
        same = same + 1 if after == question else 0
        if topic is not None and question not in _ASKED_PER_PRODUCT:
            if _answered_correctly(topic, compare(profile, chat.report, regions)) and (
                after != question or chat.report != before
            ):
                answered.add(_canonical_question(question))
        if after is not None and after in answered:
            repeats.append(after)
            answered.discard(after)

    checks = compare(profile, chat.report, regions)
    after_end = chat.session.current if chat.report.registered_at is not None else None
    return RunResult(
        profile_id=profile.id,
        style=style,
        completed=chat.report.registered_at is not None,
        fields=tuple(checks),
        chatter=tuple(chatter_in(profile, chat.report, checks)),
        repeats=tuple(repeats),
        already_told=tuple(told_counted),
        questions_back=tuple(questions_back),
        messages=len(transcript),
        baseline=baseline if style is not Style.PLAIN else len(transcript),
        transcript=tuple(transcript),
        stopped=stopped,
        after_end=None if after_end in (None, "menu") else after_end,
        unknown_questions=tuple(owner.unknown),
    )


def run_corpus(
    profiles: Sequence[Profile], styles: Sequence[Style] = STYLES, regions: RegionDirectory | None = None
) -> list[RunResult]:
    """Every profile in every style; plain runs first, as the baseline of each profile's message count."""
    regions = regions or load_regions()
    results = []
    for profile in profiles:
        plain = run_owner(profile, Style.PLAIN, regions)
        for style in styles:
            results.append(plain if style is Style.PLAIN else run_owner(profile, style, regions, plain.messages))
    return results
