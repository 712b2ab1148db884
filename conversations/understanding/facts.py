"""Every fact the bot collects, read from one free message: "Saya Sri, hp 0812..., usaha saya X di kel. Y ...".

A message is cut into clauses (sentences, semicolons, commas outside brackets). A clause is read only when it
starts with, or holds, a cue that says what it is about: "saya"/"nama saya" (the owner's name), a mobile number,
"usaha saya" (the business name), "kec."/"kel."/"desa"/"di" with a place of the deployment, "bikin"/"jualan"
(the trade), "yang kerja"/"karyawan"/"orang" (workers), "omzet" (turnover), "ikut sentra"/"tidak ikut sentra",
"produknya" (products, with "(makanan, kemasan berlabel)" after each), a permit's name with what the owner says
of it (status, number, "kira2 <date>" when in progress, "berlaku s/d <date>"), "butuh" (needs). A clause without
a cue is left in `rest`: it is the answer to the open question, read by that question as usual.

Each fact names the question it answers (``biz.workers``, ``biz.area|kelurahan``, ``permit.status|pirt|#1``) and
the words to give that question, so the flows can confirm it and then answer their questions with it. Products
named in the message are numbered ``#1``, ``#2``...; ``#0`` is the product the open question is about.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from conversations.understanding.answers import classify_answer
from conversations.understanding.dates import parse_date
from conversations.understanding.names import NameKind, read_name
from conversations.understanding.numbers import parse_headcount, parse_money
from conversations.understanding.permit_mentions import (
    STATUS_OF_ANSWER,
    named_permits,
    read_permit_statuses,
    without_permit_name,
)
from conversations.understanding.permit_numbers import PermitNumber, PermitType, parse_permit_number
from conversations.understanding.phones import normalise_phone
from conversations.understanding.places import Area, MatchKind, RegionDirectory
from conversations.understanding.trades import guess_commodity, need_kinds

PER_PRODUCT_PERMITS = ("pirt", "halal", "bpom")


@dataclass(frozen=True)
class Fact:
    """One fact: the question it answers, the words to answer it with, and the value to show the owner."""

    question: str
    text: str
    value: object = None  # what the confirmation shows: a name, an Area, an int, a status word...


@dataclass
class Facts:
    """What a message tells, and the part of it that told nothing (the answer to the open question)."""

    facts: list[Fact] = field(default_factory=list)
    rest: str = ""

    def get(self, question: str) -> Fact | None:
        """The fact answering `question`, if the message holds one."""
        return next((f for f in self.facts if f.question == question), None)

    def add(self, question: str, text: str, value: object = None) -> None:
        """Keep the first fact for each question (the owner's first word on it)."""
        if self.get(question) is None and text.strip():
            self.facts.append(Fact(question, text.strip(), text.strip() if value is None else value))


# Abbreviations whose dot does not end a sentence.
_ABBREVIATION = re.compile(r"\b(kec|kel|ds|desa|jl|jln|no|kab|kp|rt|rw|dll|dsb|bpk|sdr|hj?|ir|dr|s/d|sd)\.", re.I)
# A question the owner asks back ("buat apa nama saya?") tells no fact: it is left out of the reading.
_QUESTION = re.compile(r"(?:^|(?<=[.!?\n;]))[^.!?\n;]*\?+")
_SENTENCE = re.compile(r"[.!?]+(?=\s+[^\W\d_]|\s*$)|\n+|;")
_GREETING = re.compile(
    r"^(?:assalamu\s*['‘’]?\s*alaikum(?:\s+wr\.?\s*wb\.?)?|salam|halo|hallo|hai|selamat\s+\w+|pagi|siang|sore|"
    r"malam|permisi|punten|mohon\s+maaf|maaf|terima\s*kasih|makasih)(?:\s+(?:bu|pak|kak|min|mas|mbak|ibu|bapak))?$",
    re.I,
)
_PHONE = re.compile(r"(?<!\d)(?:\+?62|0)\s?8[\d\s.\-]{7,16}\d(?!\d)")
_PHONE_WORDS = re.compile(
    r"\b(?:no(?:mor)?\.?\s*)?(?:hp|h\.p\.?|wa|whatsapp|telp|telepon|tlp|kontak|nomor|no)\b\.?\s*(?:saya|sy|nya)?"
    r"\s*:?\s*",
    re.I,
)
_OWNER = re.compile(
    r"^(?:nama\s+(?:saya|sy|lengkap|aku|ku)|saya|sy|aku|perkenalkan(?:\s+(?:nama\s+)?saya)?)\s+"
    r"(?:adalah\s+|bernama\s+|namanya\s+|:\s*)?(?P<v>.+)$",
    re.I,
)
_NOT_A_NAME_START = frozenset(
    "bikin buat membuat bkin produksi jualan jual usaha punya ikut gabung butuh perlu mau ingin pengen tinggal "
    "dari di sudah sdh udah udh belum blm sedang lagi lg masih mohon minta tanya bertanya ada tidak gak ga gk "
    "nggak kerja bekerja pedagang penjual pengusaha pemilik owner warga seorang ibu".split()
)
_BUSINESS = re.compile(
    r"^(?:nama\s+usaha(?:\s*nya|\s+(?:saya|sy|kami))?|usaha(?:\s*nya|\s+(?:saya|sy|kami|ku)(?:\s*nya)?)"
    r"|nama\s+toko(?:\s*nya)?|toko\s+(?:saya|sy|kami))\s*(?:bernama|namanya|adalah|yaitu|:)?\s+(?P<v>.+)$",
    re.I,
)
_AGE = re.compile(r"[\s,]*(?:umur|usia)\s+\d+(?:\s*(?:th|thn|tahun))?", re.I)
_TITLE = re.compile(r"^(?:pak|bapak|bpk|bu|ibu|mbak|mas|kak)\.?\s+(?=\w)", re.I)
_PLACE_AFTER = re.compile(r"\s+(?:di|dari|dr|tinggal\s+di)\s+", re.I)
_TRADE = re.compile(
    r"^(?:(?:kami|saya|sy|aku)\s+)?(?:bikin|buat|membuat|bkin|produksi|memproduksi|jualan|jual|menjual|usaha|"
    r"usahanya|dagang|berdagang)\s+(?P<v>.+)$",
    re.I,
)
_PLACE_MARK = re.compile(
    r"(?<!\w)(?P<mark>kecamatan|kec|kelurahan|kel|desa|ds|di|alamat(?:nya)?|alamat\s+di|lokasi(?:nya)?)\.?"
    r"(?:\s+|(?<=\.)(?=\w))",
    re.I,
)
_WORKERS = re.compile(r"\b(?:kerja|pekerja|karyawan|tenaga\s*kerja|pegawai|orang|org|anggota\s+keluarga)\b", re.I)
_WORKERS_LEAD = re.compile(r"^(?:(?:yang|yg)\s+)?(?:kerja|pekerja(?:nya)?|karyawan(?:nya)?|pegawai(?:nya)?)\s+", re.I)
_REVENUE = re.compile(r"\b(?:omzet|omset|omzetnya|omsetnya|penghasilan|pendapatan|penjualan)(?:nya)?\b", re.I)
_GROUP = r"(?:sentra|kelompok|komunitas|paguyuban|koperasi|kub|kwt|gapoktan|forum|klaster|cluster|asosiasi)"
_NO_GROUP = re.compile(
    rf"\b(?:tidak|tdk|gak|ga|gk|nggak|ngga|belum|blm|bukan)\s+(?:ikut\s+|gabung\s+|anggota\s+|masuk\s+)?(?:di\s+)?"
    rf"{_GROUP}\b",
    re.I,
)
_IN_GROUP = re.compile(
    rf"\b(?:ikut|anggota|gabung|masuk|tergabung)\s+(?:di\s+|ke\s+|dalam\s+)?(?P<v>{_GROUP}\b.*)$",
    re.I,
)
_PRODUCTS = re.compile(
    r"^(?:produk(?:\s*nya|\s+(?:saya|sy|kami)(?:\s*nya)?|\s+kami)?|hasil\s+produksi(?:nya)?)\s*"
    r"(?::|yaitu|yakni|ada|adalah|antara\s+lain)?\s+(?P<v>.+)$",
    re.I,
)
_LIST_SPLIT = re.compile(r"\s+(?:dan|sama|sm|serta)\s+|\s*&\s*|\s*,\s*", re.I)
_CATEGORY = (
    ("nonpangan", re.compile(r"\b(?:bukan|bkn|non)\s*-?\s*(?:makanan|mkanan|pangan|minuman)\b", re.I)),
    ("minuman", re.compile(r"\bminuman\b", re.I)),
    ("makanan", re.compile(r"\b(?:makanan|mkanan|pangan)\b", re.I)),
)
_PACKAGING = (
    ("belum", re.compile(r"\b(?:belum|blm|tidak|tanpa|gak|gk)\s+(?:di)?kemas|\bcurah\b", re.I)),
    ("berlabel", re.compile(r"\b(?:ber)?label(?!\w)(?<!tanpa label)|\bmer[e]?k\b|\bstiker\b|\bbrand\b", re.I)),
    ("sederhana", re.compile(r"\bplastik\b|\bsederhana\b|\bpolos\b|\btanpa\s+label\b", re.I)),
)
_PERMITS_LEAD = re.compile(r"^(?:izin(?:\s*nya)?|perizinan(?:nya)?|legalitas(?:nya)?)\s*:?\s*", re.I)
_EXPECTED = re.compile(r"\b(?:kira2|kira-kira|kirakira|perkiraan|estimasi|katanya|target)\b\s*(?P<v>[^()]+)", re.I)
_EXPIRES = re.compile(
    r"\b(?:berlaku\s+)?(?:s/d|sd|sampai|hingga|sampe)\s+(?:dengan\s+|tgl\s+|tanggal\s+)?(?P<v>[^()]+)", re.I
)
_NEEDS = re.compile(
    r"^(?:(?:saya|kami|sy)\s+)?(?:butuh(?:nya)?|perlu(?:nya)?|kebutuhan(?:nya)?|bantuan\s+(?:yang|yg)\s+"
    r"(?:dibutuhkan|diperlukan)|(?:pengen|ingin|mau|minta)\s+(?:dibantu|bantuan)?)\s*:?\s*(?P<v>.*)$",
    re.I,
)
_NO_NEEDS = re.compile(
    r"^(?:bantuan|kebutuhan)(?:nya)?\s+(?:belum|blm|tidak|gak|ga)\s+(?:perlu|ada|butuh)|^(?:belum|blm|tidak|gak)\s+"
    r"(?:butuh|perlu)\s+(?:apa|bantuan)",
    re.I,
)
_BRACKETED = re.compile(r"[(\[]([^)\]]*)[)\]]")
_BRACKETS = re.compile(r"[(\[][^)\]]*[)\]]")
_EMPTY_BRACKETS = re.compile(r"\(\s*\)")
_MAKES = re.compile(r"(?:kami|saya|sy|aku)?\s*(?:bikin|bkin|buat|membuat|produksi|memproduksi)\b", re.I)
_NOT_NEEDED = re.compile(r"\b(?:tidak|tdk|gak|ga|gk|nggak)\s+(?:perlu|butuh|wajib)\b", re.I)
_PACKAGING_WORDS = re.compile(r"\b(?:kemasan|dikemas|dibungkus|bungkus|pakai|pake|biasa|ada|nya|sudah|sdh|udah)\b")
_NUMBER_LABEL = re.compile(r"\b(?:no|nomor|nmr|nomer)\b\.?\s*:?\s*(?=[\w.-]*\d)", re.I)
_FILLER_WORDS = re.compile(r"\b(?:bu|pak|kak|nak|min|ya|sih|dong|deh|nih|juga|jg)\b", re.I)


def clauses(text: str) -> list[str]:
    """The clauses of a message: sentences, then parts between commas outside brackets."""
    protected = _ABBREVIATION.sub(lambda m: m.group(1) + " ", text)
    found: list[str] = []
    for sentence in _SENTENCE.split(_QUESTION.sub(" ", protected)):
        depth, start = 0, 0
        for index, char in enumerate(sentence):
            if char in "([":
                depth += 1
            elif char in ")]":
                depth = max(0, depth - 1)
            elif char == "," and depth == 0:
                found.append(sentence[start:index])
                start = index + 1
        found.append(sentence[start:])
    return [" ".join(part.split()) for part in found if part.strip(" ,.-:")]


def _clean(value: str) -> str:
    return value.strip(" ,.;:!-\"'")


def _area_fact(facts: Facts, level: str, area: Area) -> None:
    facts.add(f"biz.area|{level}", area.name, area)


def _read_places(facts: Facts, clause: str, regions: RegionDirectory, kecamatan: Area | None) -> bool:
    """Kecamatan and kelurahan named in a clause ("di Sukamaju kec. Selebar"); True when one was found."""
    marks = list(_PLACE_MARK.finditer(clause))
    if not marks:
        return False
    found = False
    for index, mark in enumerate(marks):
        end = marks[index + 1].start() if index + 1 < len(marks) else len(clause)
        name = _clean(clause[mark.end() : end])
        if not name or len(name) > 60:
            continue
        word = mark.group("mark").lower()
        level = "kecamatan" if word.startswith("kec") else "kelurahan" if word[0] in "kd" and word != "di" else None
        area = _find_area(regions, name, level, kecamatan or _stated_kecamatan(facts))
        if area is None:
            if level == "kelurahan":  # kept as typed: the kelurahan question reads it once the kecamatan is known
                facts.add("biz.area|kelurahan", name)
                found = True
            continue
        found = True
        if area.level == "kecamatan":
            _area_fact(facts, "kecamatan", area)
        else:
            _area_fact(facts, "kelurahan", area)
            parent = regions.get(area.parent_code)
            if parent is not None and kecamatan is None:
                _area_fact(facts, "kecamatan", parent)
    return found


def _stated_kecamatan(facts: Facts) -> Area | None:
    fact = facts.get("biz.area|kecamatan")
    return fact.value if fact and isinstance(fact.value, Area) else None


def _find_area(regions: RegionDirectory, name: str, level: str | None, kecamatan: Area | None) -> Area | None:
    """The one area `name` means (exact, or a clear typo), looking at kelurahan first unless told otherwise."""
    levels = [level] if level else ["kelurahan", "kecamatan"]
    for wanted in levels:
        within = kecamatan.code if wanted == "kelurahan" and kecamatan is not None else None
        match = regions.find(name, wanted, within)
        if match.kind in (MatchKind.EXACT, MatchKind.CLOSE):
            return match.areas[0]
    return None


def _product_details(text: str) -> tuple[str, str | None, str | None]:
    """A product item's name, category and packaging: "Kue lapis (makanan, plastik biasa)"."""
    inside = " ".join(_BRACKETED.findall(text))
    name = _BRACKETS.sub(" ", text)
    category = next((key for key, pattern in _CATEGORY if pattern.search(inside or "")), None)
    packaging = next((key for key, pattern in _PACKAGING if pattern.search(inside or "")), None)
    return _clean(" ".join(name.split())), category, packaging


def _detail_only(clause: str) -> tuple[str | None, str | None]:
    """Category and packaging of a clause that holds only those ("makanan", "kemasan berlabel")."""
    category = next((key for key, pattern in _CATEGORY if pattern.search(clause)), None)
    packaging = next((key for key, pattern in _PACKAGING if pattern.search(clause)), None)
    leftover = clause
    for _key, pattern in (*_CATEGORY, *_PACKAGING):
        leftover = pattern.sub(" ", leftover)
    leftover = _PACKAGING_WORDS.sub(" ", leftover)
    if sum(ch.isalpha() for ch in _FILLER_WORDS.sub(" ", leftover)) > 2:
        return None, None
    return category, packaging


@dataclass
class _Reader:
    """One message's reading: the facts found so far, and which list a clause without a cue continues."""

    regions: RegionDirectory
    today: datetime.date
    kecamatan: Area | None
    products: dict[str, str]  # stored products by key, to tell which product a permit clause is about
    product_key: str | None  # the product the open question is about
    facts: Facts = field(default_factory=Facts)
    named: list[str] = field(default_factory=list)  # products named in this message
    mode: str = ""  # what cue-less clauses continue: "products", "needs"
    rest: list[str] = field(default_factory=list)

    def read(self, text: str) -> Facts:
        for clause in clauses(text):
            mode = self.mode
            self.mode = ""  # a clause with its own cue ends a list; continuing clauses set it again
            if not self._clause(clause, mode):
                self.rest.append(clause)
        self.facts.rest = ", ".join(self.rest)
        return self.facts

    def _clause(self, clause: str, mode: str) -> bool:  # noqa: C901 - one cue after another, in order
        if _GREETING.match(clause):
            return True
        phone = _PHONE.search(clause)
        if phone and normalise_phone(phone.group()):
            self.facts.add("owner.phone", phone.group(), normalise_phone(phone.group()))
            clause = _PHONE_WORDS.sub(" ", clause[: phone.start()]) + " " + clause[phone.end() :]
            clause = _clean(" ".join(clause.split()))
            if not clause:
                return True
        if permits := self._permits(clause):
            return permits
        if match := _OWNER.match(clause):
            value = match.group("v")
            place = _PLACE_AFTER.search(value)  # "saya Darmo dari kel. Yosomulyo": the place is read too
            if place:
                _read_places(self.facts, value[place.start() :], self.regions, self.kecamatan)
                value = value[: place.start()]
            value = _TITLE.sub("", _clean(_AGE.sub(" ", value)))  # "pak Sulaiman umur 67" is Sulaiman
            first = value.split()[0].lower() if value.split() else ""
            read = read_name(value)
            if first not in _NOT_A_NAME_START and read.kind == NameKind.NAME and read.name:
                if value.replace(" ", "").isalpha() or read.name.replace(" ", "").replace(".", "").isalpha():
                    self.facts.add("owner.name", read.name)
                    return True
        if match := _BUSINESS.match(clause):
            value = match.group("v")
            place = _PLACE_AFTER.search(value)
            name = _clean(value[: place.start()] if place else value)
            read = read_name(name)
            if read.kind == NameKind.NAME and read.name:
                self.facts.add("biz.name", read.name)
                if place:
                    _read_places(self.facts, value[place.start() :], self.regions, self.kecamatan)
                return True
        if _NO_GROUP.search(clause):
            self.facts.add("biz.sentra", "tidak", False)
            return True
        if match := _IN_GROUP.search(clause):
            name = _clean(match.group("v"))
            self.facts.add("biz.sentra", "ya", True)
            if len(name.split()) >= 2:
                self.facts.add("biz.sentra_name", name)
            return True
        if match := _PRODUCTS.match(clause):
            self.mode = "products"
            self._product_items(match.group("v"))
            return True
        if _NO_NEEDS.match(clause):
            self.facts.add("needs.pick", "tidak_ada", ())
            return True
        if match := _NEEDS.match(clause):
            kinds = need_kinds(match.group("v"))
            if kinds:
                self.mode = "needs"
                self.facts.add("needs.pick", match.group("v"), tuple(kinds))
                return True
        if _REVENUE.search(clause):
            amount = parse_money(_REVENUE.split(clause, 1)[-1])
            if amount is not None and amount >= 1000:
                self.facts.add("biz.revenue", clause, amount)
                return True
        if _WORKERS.search(clause) and not _PHONE.search(clause):
            count = parse_headcount(_WORKERS_LEAD.sub("", clause))
            if count is not None and 0 < count <= 10_000:
                self.facts.add("biz.workers", str(count), count)
                return True
        if match := _TRADE.match(clause):
            value = match.group("v")
            place = _PLACE_AFTER.search(value)  # "usaha rotan di desa Yosorejo"
            if place and _read_places(self.facts, value[place.start() :], self.regions, self.kecamatan):
                value = value[: place.start()]
            value = _clean(_FILLER_WORDS.sub(" ", value))
            made = _MAKES.match(clause)
            other_trade = made is not None and 0 < len(value.split()) <= 4 and value.replace(" ", "").isalpha()
            if guess_commodity(value) or other_trade:
                self.facts.add("biz.commodity", " ".join(value.split()))  # "sabun herbal": another trade
                return True
        if _read_places(self.facts, clause, self.regions, self.kecamatan):
            return True
        if mode == "products":
            self.mode = mode
            category, packaging = _detail_only(clause)
            if category or packaging:
                self._details(len(self.named), category, packaging)
            else:
                self._product_items(clause)
            return True
        if mode == "needs" and (kinds := need_kinds(clause)):
            self.mode = mode
            fact = self.facts.get("needs.pick")
            if fact is not None:
                merged = tuple(dict.fromkeys((*fact.value, *kinds)))  # type: ignore[misc]
                self.facts.facts[self.facts.facts.index(fact)] = Fact(fact.question, f"{fact.text}, {clause}", merged)
            return True
        category, packaging = _detail_only(clause)
        if category or packaging:  # "Kue lapis, makanan, plastik biasa": details of the product being named
            self._details(len(self.named), category, packaging)
            return True
        return False

    def _product_items(self, text: str) -> None:
        for item in _split_items(text):
            name, category, packaging = _product_details(item)
            if sum(ch.isalpha() for ch in name) < 2:
                self._details(len(self.named), category, packaging)
                continue
            self.named.append(name)
            self.facts.add(f"product.name|#{len(self.named)}", name)
            self._details(len(self.named), category, packaging)

    def _details(self, number: int, category: str | None, packaging: str | None) -> None:
        if category:  # in the words the category question reads
            words = {"nonpangan": "bukan makanan"}.get(category, category)
            self.facts.add(f"product.category|#{number}", words, category)
        if packaging:
            self.facts.add(f"product.packaging|#{number}", packaging, packaging)

    def _permits(self, clause: str) -> bool:
        """A clause about permits: "nib sudah ada 0220 0098 61929", "pirt Kue lapis lagi diurus (kira2 ...)"."""
        text = _PERMITS_LEAD.sub("", clause)
        kinds = named_permits(text)
        if not kinds:
            return False
        targets = self._product_targets(text)
        plain = text
        for name in (*self.named, *self.products.values()):  # "pirt Kue lapis sudah ada": the product is no answer
            plain = _without(plain, name)
        plain = _NUMBER_LABEL.sub(" ", plain)  # "No. 2061..." is a number's label, not a "no"
        statuses = read_permit_statuses(_EXPECTED.sub(" ", _EXPIRES.sub(" ", plain)))
        if not statuses:
            return False
        for kind, (said, words) in statuses.items():
            status = STATUS_OF_ANSWER.get(said)
            if _NOT_NEEDED.search(words):
                status = "tidak_perlu"
            if status is None:
                continue
            for product in targets if kind in PER_PRODUCT_PERMITS else [""]:
                suffix = f"{kind}|{product}"
                said_words = " ".join(_EMPTY_BRACKETS.sub(" ", without_permit_name(words, kind) or words).split())
                self.facts.add(f"permit.status|{suffix}", said_words, status)
                single = len(statuses) == 1 and len(targets) == 1  # a number belongs to one permit of one product
                number = parse_permit_number(PermitType(kind), text) if single else None
                if isinstance(number, PermitNumber):
                    self.facts.add(f"permit.number|{suffix}", number.value, number.display)
                if status == "diurus" and (expected := _EXPECTED.search(text)):
                    day = parse_date(expected.group("v"), self.today)
                    if day is not None and day >= self.today:
                        self.facts.add(f"permit.expected|{suffix}", expected.group("v").strip(), day)
                if status == "terbit" and (expires := _EXPIRES.search(text)):
                    day = parse_date(expires.group("v"), self.today)
                    if day is not None:
                        self.facts.add(f"permit.expiry|{suffix}", expires.group("v").strip(), day)
        return True

    def _product_targets(self, text: str) -> list[str]:
        """Which products a permit clause is about: one named in it, the one asked about, else every one."""
        lowered = text.lower()
        for number, name in enumerate(self.named, start=1):
            if name.lower() in lowered:
                return [f"#{number}"]
        for key, name in self.products.items():
            if name and name.lower() in lowered:
                return [key]
        if self.product_key:  # "bpom ga butuh" to a product's question: that product
            return [self.product_key]
        # "pirt sudah ada" from an owner with two food products: noted for both, and shown so the owner can say no.
        return [f"#{number}" for number in range(1, len(self.named) + 1)] or list(self.products) or ["#0"]


def _without(text: str, name: str) -> str:
    """`text` with every occurrence of `name` (any case) replaced by a space."""
    if not name:
        return text
    lowered, wanted, start, parts = text.lower(), name.lower(), 0, []
    while (found := lowered.find(wanted, start)) >= 0:
        parts.append(text[start:found])
        start = found + len(wanted)
    parts.append(text[start:])
    return " ".join(parts)


def _split_items(text: str) -> list[str]:
    """Product items split at commas, "dan", "sama" outside brackets."""
    items, depth = [], 0
    masked = list(text)
    for index, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        elif depth:
            masked[index] = "\0" if char == "," else char
    flat = "".join(masked)
    for part in _LIST_SPLIT.split(flat):
        items.append(part.replace("\0", ","))
    return [item for item in items if item.strip()]


def read_facts(
    text: str,
    regions: RegionDirectory,
    today: datetime.date,
    kecamatan: Area | None = None,
    products: dict[str, str] | None = None,
    product_key: str | None = None,
) -> Facts:
    """Every fact in `text`; `kecamatan` is the stored one (to find a kelurahan), `products` the stored names.

    `product_key` is the product the open question is about: a permit named without a product is that one's.
    """
    if classify_answer(text) is not None and len(text) < 40:  # "sudah", "iya bu": an answer, not a report
        return Facts(rest=text)
    return _Reader(regions, today, kecamatan, dict(products or {}), product_key).read(text)
