"""Readers for the informal replies that owners type on WhatsApp/Telegram.

Every function here is pure (no I/O, no clock: `parse_date` takes `today`) and uses only the standard
library. The word tables are module constants so that they are easy to extend.

Choices made on ambiguous input (also pinned by tests/test_parsing.py):

* `classify_answer` decides on the *leading* phrase, after dropping greetings ("oh"), pronouns
  ("saya") and polite address words ("pak", "bu", ...). A leading "belum" always means NOT_YET
  ("belum, tapi lagi diurus" too), and so does any other "not having it" phrase ("tidak punya").
  "sudah diurus/diajukan/..." is IN_PROGRESS unless an un-negated "terbit/keluar/jadi/..." follows;
  "sudah, tapi belum terbit" is IN_PROGRESS. A yes/no word followed by a more specific answer takes
  the specific one ("iya sudah" -> DONE, "ya belum" -> NOT_YET); contradictions ("iya tidak",
  "sudah belum?") and replies that go on with a question word ("mau tanya", "ada apa?") give None.
* Numbers: a range ("5-7", "5 sampai 7", "dua tiga orang") or a bound ("lebih dari 10", "20 lebih")
  gives None; so do negative and fractional counts. Words follow the formal grammar ("dua juta lima
  ratus" = 2,000,500), but the chat short-hand "2jt500" (three bare digits after juta or more) is
  read as 2,500,000; other bare digits after juta ("1jt2", "2 jt 50") are too unclear and give None.
* Separators: several dots/commas are thousands; with both, the last one is the decimal mark. A
  single dot followed by exactly three digits is a thousands dot ("1.250" = 1250, "1.500 jt" =
  1.5 miliar); any other single dot is a decimal point ("1.5jt"). A single comma is a decimal comma
  ("2,5 juta"), except three digits after it with no scale word ("1,500" = 1500).
* Money: "m"/"M" is always miliar; amounts that are not a whole number of rupiah give None.
* Dates: numeric dates are day-first (so "03/25/2024" is None). A day+month without a year, and
  "tgl N", are the next such day on or after `today`. "minggu depan" is today + 7 days; a bare
  weekday is the next such day *after* today, "hari X" / "X ini" the next one *on or after* today,
  "X depan" that day in next (Monday-based) week, "X lalu" the last one before today. "Maret 2028"
  and "Mar 28" (a two-digit year) are the last day of that month. "3 hari" without "lagi"/"lalu"
  is None. An impossible date ("31 Februari 2024") is None.
* `parse_year`: two-digit years are always 20yy, as asked ("thn 98" is 2098).
* `parse_number_list` keeps the order typed and drops repeats; reversed or huge ranges give None.
"""

import calendar
import datetime
import enum
import re
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import Decimal


class Answer(enum.StrEnum):
    """The meaning of a short informal reply."""

    YES = "yes"
    NO = "no"
    DONE = "done"
    NOT_YET = "not_yet"
    IN_PROGRESS = "in_progress"
    SKIP = "skip"


# --------------------------------------------------------------------------------------------
# Text normalisation
# --------------------------------------------------------------------------------------------

_SPACE_RE = re.compile(r"\s+")
_EDGE_RE = re.compile(r"^[\W_]+|[\W_]+$")
_REPEAT3_RE = re.compile(r"([^\W\d_])\1{2,}")
_REPEAT2_RE = re.compile(r"([^\W\d_])\1+")
_WORD_RE = re.compile(r"[^\W_]+")


def normalize(text: str) -> str:
    """Lower-case, strip emoji/punctuation at the ends, collapse whitespace, squeeze letters repeated 3+ times ("yaaa" -> "ya", "sudahhh" -> "sudah")."""  # noqa: E501
    text = unicodedata.normalize("NFKC", text).lower()
    text = _EDGE_RE.sub("", _SPACE_RE.sub(" ", text))
    return _REPEAT3_RE.sub(r"\1", text)


def is_meaningless(text: str) -> bool:
    """True for input with no letters or digits at all (empty, whitespace, emoji only, punctuation only)."""
    return not any(char.isalnum() for char in text)


# --------------------------------------------------------------------------------------------
# classify_answer: word tables
# --------------------------------------------------------------------------------------------

_YES_EMOJI = ("👍", "👌", "✅", "✔", "🆗", "🙆")
_NO_EMOJI = ("👎", "❌", "✖", "🙅", "⛔")

_ADDRESS_WORDS = frozenset(
    "pak bu bapak ibu bpk buk kak kakak ka kk mas mbak mba min admin gan agan juragan bang abang "
    "om sis bro bos boss dik dek adik neng teh tante".split()
)
_PRONOUNS = frozenset("saya sy aku aq gue gw gua kami kita".split())
_INTERJECTIONS = frozenset("oh o oo eh ah hmm hm em emm um umm wah wa nah".split())
_PARTICLES = frozenset("ya yah sih dong deh nih kok lho loh kah toh kan lah kali".split())
# Skipped before the leading phrase, and after it.
_LEADING_IGNORED = _ADDRESS_WORDS | _PRONOUNS | _INTERJECTIONS
_TAIL_IGNORED = _ADDRESS_WORDS | _PRONOUNS | _PARTICLES

_BELUM = ("belum", "blm", "blom", "belom", "blum", "blon", "durung", "dereng")
_SUDAH = ("sudah", "sdh", "sudh", "sdah", "suda", "udah", "udh", "uda", "udeh", "dah", "sampun")
_NEGATORS = (
    "tidak",
    "tdk",
    "tak",
    "gak",
    "ga",
    "gk",
    "g",
    "nggak",
    "ngga",
    "ngak",
    "nga",
    "enggak",
    "engga",
    "ndak",
    "nda",
    "kagak",
    "ora",
    "mboten",
)
# Negators that are glued to the next word in chat: "gatau", "gapunya", "gamau".
_GLUED_NEGATORS = ("ga", "gak", "gk", "g", "nggak", "ngga", "ngak", "ndak", "nda", "tdk")

_YES_WORDS = (
    "iya",
    "ya",
    "y",
    "yes",
    "ok",
    "oke",
    "okay",
    "okey",
    "okeh",
    "oks",
    "siap",
    "sip",
    "betul",
    "btl",
    "benar",
    "bener",
    "bnr",
    "boleh",
    "bole",
    "mau",
    "setuju",
    "yoi",
    "yup",
    "yups",
    "yap",
    "iye",
    "iyo",
    "inggih",
    "nggih",
    "hooh",
    "sure",
)
_NO_WORDS = (*_NEGATORS, "no", "nope", "n", "bukan", "bkn", "ogah", "moh", "emoh")
_DONE_WORDS = (*_SUDAH, "ada", "punya", "memiliki", "terbit", "selesai", "beres", "done")
_IN_PROGRESS_WORDS = ("proses", "diproses", "diurus", "diajukan", "otw", "menunggu", "nunggu")
_SKIP_WORDS = (
    "lewati",
    "lewat",
    "lewatkan",
    "lompati",
    "skip",
    "next",
    "pass",
    "nanti",
    "ntar",
    "entar",
    "nnt",
    "ntr",
    "lupa",
    "entah",
    "entahlah",
)

_PROGRESS_PREFIXES = ("lagi", "lg", "lgi", "sedang", "sdg", "sedng", "masih", "msh")
_PROGRESS_VERBS = (
    "diurus",
    "urus",
    "ngurus",
    "mengurus",
    "proses",
    "diproses",
    "mengajukan",
    "diajukan",
    "ngajuin",
    "diajuin",
    "daftar",
    "mendaftar",
    "didaftarkan",
    "nunggu",
    "menunggu",
    "tunggu",
)
# Words that turn a leading "sudah" into "being processed": "sudah diurus" is not "issued".
_PROCESS_AFTER_SUDAH = frozenset(
    "diurus urus ngurus mengurus diproses proses ajukan mengajukan diajukan ngajuin diajuin".split()
)
_COMPLETION_WORDS = frozenset(
    "terbit diterbitkan keluar jadi selesai beres rampung disetujui acc approve approved ada".split()
)
_COMPLETION_NEGATORS = frozenset((*_BELUM, *_NEGATORS))
_QUESTION_WORDS = frozenset(
    "apa apakah gimana gmn gmana bagaimana kenapa knp mengapa maksud maksudnya siapa kapan dimana "
    "mana berapa brp tanya nanya bertanya atau ato".split()
)


def _build_phrases() -> dict[tuple[str, ...], Answer | None]:
    """Build the phrase table; a None value marks a phrase that is explicitly not an answer."""
    phrases: dict[tuple[str, ...], Answer | None] = {}
    for answer, words in (
        (Answer.YES, _YES_WORDS),
        (Answer.NO, _NO_WORDS),
        (Answer.DONE, _DONE_WORDS),
        (Answer.NOT_YET, _BELUM),
        (Answer.IN_PROGRESS, _IN_PROGRESS_WORDS),
        (Answer.SKIP, _SKIP_WORDS),
    ):
        phrases.update({(word,): answer for word in words})
    by_object = {
        Answer.NOT_YET: ("ada", "punya", "memiliki", "pernah"),
        Answer.NO: ("mau", "usah", "perlu", "bisa", "jadi"),
        Answer.SKIP: ("tahu", "tau", "tw", "ingat", "inget", "yakin"),
        Answer.YES: ("masalah", "papa", "apa"),
        None: ("paham", "ngerti", "mengerti", "jelas"),
    }
    for answer, objects in by_object.items():
        for negator in _NEGATORS:
            phrases.update({(negator, obj): answer for obj in objects})
        for negator in _GLUED_NEGATORS:
            phrases.update({(negator + obj,): answer for obj in objects})
    for negator in _NEGATORS:
        phrases[(negator, "apa", "apa")] = Answer.YES
    for prefix in _PROGRESS_PREFIXES:
        phrases.update({(prefix, verb): Answer.IN_PROGRESS for verb in _PROGRESS_VERBS})
        phrases[(prefix, "dalam", "proses")] = Answer.IN_PROGRESS
    for first, second in (
        ("on", "process"),
        ("on", "proses"),
        ("on", "progress"),
        ("in", "progress"),
        ("in", "process"),
        ("dalam", "proses"),
        ("sedang", "berjalan"),
    ):
        phrases[(first, second)] = Answer.IN_PROGRESS
    for word in ("tahu", "tau", "yakin", "ingat", "inget"):
        phrases[("kurang", word)] = Answer.SKIP
    phrases[("lain", "kali")] = Answer.SKIP
    phrases.update({("gpp",): Answer.YES, ("gtau",): Answer.SKIP, ("gatahu",): Answer.SKIP})
    for word in ("paham", "jelas", "ngerti", "mengerti"):
        phrases[("kurang", word)] = None
    return phrases


_PHRASES = _build_phrases()
_MAX_PHRASE = max(len(key) for key in _PHRASES)
_VOCABULARY = (
    frozenset(word for key in _PHRASES for word in key)
    | _LEADING_IGNORED
    | _TAIL_IGNORED
    | _QUESTION_WORDS
    | _PROCESS_AFTER_SUDAH
    | _COMPLETION_WORDS
)


def _canonical(token: str) -> str:
    """Return the token, or its doubled-letter-free spelling when only that is known ("sipp" -> "sip")."""
    if token in _VOCABULARY:
        return token
    squeezed = _REPEAT2_RE.sub(r"\1", token)
    return squeezed if squeezed in _VOCABULARY else token


def _skip(tokens: list[str], i: int, ignored: frozenset[str]) -> int:
    """Return the index of the first token at or after i that is not in `ignored`."""
    while i < len(tokens) and tokens[i] in ignored:
        i += 1
    return i


def _match_phrase(tokens: list[str], i: int) -> tuple[Answer | None, int] | None:
    """Match the longest known phrase at tokens[i]; return (meaning, end index) or None."""
    for size in range(min(_MAX_PHRASE, len(tokens) - i), 0, -1):
        key = tuple(tokens[i : i + size])
        if key in _PHRASES:
            return _PHRASES[key], i + size
    return None


def _completions(tokens: list[str]) -> tuple[bool, bool]:
    """Tell whether tokens contain an affirmed and/or a negated completion word ("terbit", "belum keluar")."""
    affirmed = negated = False
    for k, token in enumerate(tokens):
        if token in _COMPLETION_WORDS:
            if _COMPLETION_NEGATORS.intersection(tokens[max(0, k - 2) : k]):
                negated = True
            else:
                affirmed = True
    return affirmed, negated


def _classify_from(tokens: list[str], i: int) -> Answer | None:
    """Classify the reply whose leading phrase starts at tokens[i]."""
    match = _match_phrase(tokens, i)
    if match is None:
        return None
    answer, end = match
    if answer is None or answer is Answer.NOT_YET or tokens[i] in _BELUM:
        return answer
    j = _skip(tokens, end, _TAIL_IGNORED)
    following = tokens[j] if j < len(tokens) else None
    if following in _QUESTION_WORDS:
        return None
    follow = _match_phrase(tokens, j)
    follow_answer = follow[0] if follow else None
    if answer in (Answer.YES, Answer.NO):
        if follow is None or follow_answer == answer:
            return answer
        if follow_answer in (None, Answer.YES, Answer.NO):
            return None  # "iya tidak", "ya kurang paham"
        return _classify_from(tokens, j)
    if answer is Answer.DONE:
        affirmed, negated = _completions(tokens[j:])
        if tokens[i] in _SUDAH and following in _PROCESS_AFTER_SUDAH:
            affirmed, _ = _completions(tokens[j + 1 :])
            return Answer.DONE if affirmed else Answer.IN_PROGRESS
        if follow is not None and follow_answer in (None, Answer.NO, Answer.NOT_YET):
            return None  # "sudah belum?", "sudah tidak ada"
        if follow_answer is Answer.IN_PROGRESS or negated:
            return Answer.IN_PROGRESS
    return answer


def classify_answer(text: str) -> Answer | None:
    """Map an informal reply to an Answer, or None when it is not one."""
    if is_meaningless(text):
        yes = any(emoji in text for emoji in _YES_EMOJI)
        no = any(emoji in text for emoji in _NO_EMOJI)
        return Answer.YES if yes and not no else Answer.NO if no and not yes else None
    tokens = [_canonical(token) for token in _WORD_RE.findall(normalize(text))]
    return _classify_from(tokens, _skip(tokens, 0, _LEADING_IGNORED))


# --------------------------------------------------------------------------------------------
# Numbers and money
# --------------------------------------------------------------------------------------------

_DIGIT_WORDS = {
    "nol": 0,
    "satu": 1,
    "dua": 2,
    "tiga": 3,
    "empat": 4,
    "lima": 5,
    "enam": 6,
    "tujuh": 7,
    "delapan": 8,
    "sembilan": 9,
}
_SE_WORDS = {
    "sepuluh": ("satu", "puluh"),
    "sebelas": ("satu", "belas"),
    "seratus": ("satu", "ratus"),
    "seribu": ("satu", "ribu"),
    "sejuta": ("satu", "juta"),
    "semiliar": ("satu", "miliar"),
    "semilyar": ("satu", "milyar"),
    "setriliun": ("satu", "triliun"),
}
_MULTIPLIERS = frozenset(("belas", "puluh", "ratus"))
_HALF = "setengah"
_SCALE_WORDS: dict[str, int] = {
    "ribu": 10**3,
    "rebu": 10**3,
    "rb": 10**3,
    "rbu": 10**3,
    "juta": 10**6,
    "jt": 10**6,
    "jta": 10**6,
    "miliar": 10**9,
    "milyar": 10**9,
    "milyard": 10**9,
    "miliyar": 10**9,
    "triliun": 10**12,
    "trilyun": 10**12,
}
# Single-letter scales, for money only ("M" is miliar in Indonesian, never million).
_MONEY_SCALES: dict[str, int] = {**_SCALE_WORDS, "k": 10**3, "m": 10**9, "t": 10**12}

_APPROX_RE = re.compile(
    r"±|\+\s*/?\s*-|\b(?:kurang\s*-?\s*lebih|lebih\s*-?\s*kurang|kurleb|kira\s*-?\s*kira|kira2|"
    r"sekitar|sekitaran|kisaran|approx)\b"
)
_NEGATIVE_RE = re.compile(r"(?<![\w.,])[-−–]\s*\d|\b(?:minus|negatif)\b")
_BOUND_RE = re.compile(
    r"[<>≤≥]|\b(?:lebih|kurang|atas|diatas|bawah|dibawah|minimal|maksimal|maks|max)\b|paling\s+(?:sedikit|banyak)"
)
_DASH_AN_RE = re.compile(r"(?<=\d)\s*-\s*(?=an\b)")
_WORD_HYPHEN_RE = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")
_DIGIT_LETTER_RE = re.compile(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)")
_QUANTITY_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+|[^\w\s]")
_NUMERIC_RE = re.compile(r"\d+(?:[.,]\d+)*")


def _at(items: list[str], i: int) -> str | None:
    """Return items[i], or None past the end."""
    return items[i] if i < len(items) else None


def _ungroup(text: str, separator: str) -> str | None:
    """Remove thousands separators from "1.500.000", or None when the groups are not of three digits."""
    parts = text.split(separator)
    if not 1 <= len(parts[0]) <= 3 or any(len(part) != 3 for part in parts[1:]):
        return None
    return "".join(parts)


def _numeric_value(token: str, before_scale: bool) -> Decimal | None:
    """Read a digit token with Indonesian (or English) separators; see the module notes."""
    if token.isdigit():
        return Decimal(token)
    last_dot, last_comma = token.rfind("."), token.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        decimal_mark = "." if last_dot > last_comma else ","
        whole, _, fraction = token.rpartition(decimal_mark)
        digits = None if decimal_mark in whole else _ungroup(whole, "," if decimal_mark == "." else ".")
        return None if digits is None else Decimal(f"{digits}.{fraction}")
    separator = "." if last_dot >= 0 else ","
    parts = token.split(separator)
    if len(parts) > 2:
        digits = _ungroup(token, separator)
        return None if digits is None else Decimal(digits)
    whole, fraction = parts
    thousands = len(fraction) == 3 and whole != "0" and (separator == "." or not before_scale)
    return Decimal(whole + fraction) if thousands else Decimal(f"{whole}.{fraction}")


def _digit(run: list[str], i: int) -> int | None:
    """Return the value 1-9 of a digit word or single digit at run[i], else None."""
    token = _at(run, i)
    if token is None or token == "nol":
        return None
    if token in _DIGIT_WORDS:
        return _DIGIT_WORDS[token]
    return int(token) if len(token) == 1 and token in "123456789" else None


def _small_words(run: list[str], i: int) -> tuple[int | None, int]:
    """Read 1-999 written as words ("dua ratus lima puluh tiga") from run[i]; return (value, next index)."""
    start, value = i, 0
    digit = _digit(run, i)
    if digit and _at(run, i + 1) == "ratus":
        value, i = 100 * digit, i + 2
        digit = _digit(run, i)
    if digit and _at(run, i + 1) == "puluh":
        value, i = value + 10 * digit, i + 2
        digit = _digit(run, i)
        if digit and _at(run, i + 1) not in _MULTIPLIERS:
            value, i = value + digit, i + 1
    elif digit and _at(run, i + 1) == "belas":
        value, i = value + 10 + digit, i + 2
    elif digit and _at(run, i + 1) not in _MULTIPLIERS:
        value, i = value + digit, i + 1
    return (value if i > start else None), i


def _group(run: list[str], i: int, scales: Mapping[str, int]) -> tuple[Decimal | None, int]:
    """Read the number in front of a scale word (or the last one) from run[i]; return (value, next index)."""
    token, following = run[i], _at(run, i + 1)
    value: Decimal | None
    if _NUMERIC_RE.fullmatch(token) and not (_digit(run, i) and following in _MULTIPLIERS):
        value, i = _numeric_value(token, before_scale=following in scales), i + 1
    elif token == _HALF:
        value, i = Decimal("0.5"), i + 1
    else:
        small, i = _small_words(run, i)
        value = None if small is None else Decimal(small)
    if value is not None and _at(run, i) == _HALF and _at(run, i + 1) in scales:
        value, i = value + Decimal("0.5"), i + 1  # "satu setengah juta"
    return value, i


def _parse_run(run: list[str], scales: Mapping[str, int]) -> Decimal | None:
    """Read one contiguous run of number tokens ("dua", "juta", "500", "rb") as a single amount."""
    if run == ["nol"]:
        return Decimal(0)
    total, previous_scale, i = Decimal(0), 0, 0
    while i < len(run):
        value, i = _group(run, i, scales)
        if value is None:
            return None
        word = _at(run, i)
        if word is not None and word in scales:
            scale, i = scales[word], i + 1
            if previous_scale and scale >= previous_scale:
                return None
            total += value * scale
            if _at(run, i) == _HALF:  # "dua juta setengah"
                total, i = total + Decimal(scale) / 2, i + 1
            previous_scale = scale
            continue
        if i != len(run):
            return None
        if previous_scale >= 10**6 and run[i - 1].isdigit():
            if len(run[i - 1]) != 3:
                return None  # "1jt2", "2 jt 50": short-hand of unclear size
            value *= previous_scale // 1000  # chat short-hand: "2jt500" = 2,5 juta
        elif previous_scale and value >= previous_scale:
            return None
        total += value
    return total


def _number_parts(token: str, scales: Mapping[str, int]) -> tuple[str, ...]:
    """Split "sebelas" into ("satu", "belas"), and drop "-an" from "jutaan"/"10an"-style scale words."""
    if token in _SE_WORDS:
        return _SE_WORDS[token]
    if token.endswith("an") and len(token) > 3 and (token[:-2] in scales or token[:-2] in _MULTIPLIERS):
        return (token[:-2],)
    return (token,)


def _is_number_part(part: str, scales: Mapping[str, int]) -> bool:
    """Tell whether a token belongs to a written number."""
    return (
        bool(_NUMERIC_RE.fullmatch(part))
        or part in _DIGIT_WORDS
        or part in _MULTIPLIERS
        or part in scales
        or part == _HALF
    )


def _number_runs(text: str, scales: Mapping[str, int]) -> list[list[str]]:
    """Cut text into runs of adjacent number tokens; any other word or punctuation ends a run."""
    runs: list[list[str]] = []
    current: list[str] = []
    for token in _QUANTITY_TOKEN_RE.findall(text):
        for part in _number_parts(token, scales):
            if _is_number_part(part, scales):
                current.append(part)
            elif current:
                runs.append(current)
                current = []
    if current:
        runs.append(current)
    return runs


def _read_quantity(text: str, scales: Mapping[str, int]) -> Decimal | None:
    """Read the one amount in a free text, or None when there is none, several, a range or a bound."""
    text = _APPROX_RE.sub(" ", unicodedata.normalize("NFKC", text).lower())
    if _NEGATIVE_RE.search(text) or _BOUND_RE.search(text):
        return None
    text = _DASH_AN_RE.sub(" ", text)
    text = _DIGIT_LETTER_RE.sub(" ", _WORD_HYPHEN_RE.sub(" ", text))
    values = {_parse_run(run, scales) for run in _number_runs(text, scales)}
    if len(values) != 1:
        return None  # no number, or several different ones ("5-7", "5 atau 6")
    return values.pop()  # the same number twice ("5 (lima)") is fine; None stays None


def _whole(value: Decimal | None) -> int | None:
    """Return value as an int when it is a whole number, else None."""
    if value is None or value != value.to_integral_value():
        return None
    return int(value)


def parse_int(text: str) -> int | None:
    """Read a whole number from digits or Indonesian words ("20", "20 orang", "dua puluh", "seratus lima", "1.250", "sebelas", "tiga belas", "dua ratus lima puluh")."""  # noqa: E501
    return _whole(_read_quantity(text, _SCALE_WORDS))


def parse_money(text: str) -> int | None:
    """Read an amount of rupiah ("Rp1.500.000", "1,5 jt", "2 jt", "500rb", "2,5 juta", "dua juta", "1.5jt", "750 ribu", "1 M" = 1 miliar)."""  # noqa: E501
    return _whole(_read_quantity(text, _MONEY_SCALES))


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------

_MONTHS = {
    "januari": 1,
    "jan": 1,
    "februari": 2,
    "pebruari": 2,
    "feb": 2,
    "peb": 2,
    "maret": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "mei": 5,
    "may": 5,
    "juni": 6,
    "jun": 6,
    "juli": 7,
    "jul": 7,
    "agustus": 8,
    "agust": 8,
    "agu": 8,
    "agt": 8,
    "ags": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "oktober": 10,
    "okt": 10,
    "oct": 10,
    "november": 11,
    "nopember": 11,
    "nov": 11,
    "nop": 11,
    "desember": 12,
    "des": 12,
    "dec": 12,
}
_WEEKDAYS = {
    "senin": 0,
    "senen": 0,
    "selasa": 1,
    "rabu": 2,
    "kamis": 3,
    "jumat": 4,
    "jum'at": 4,
    "jumaat": 4,
    "sabtu": 5,
    "minggu": 6,
    "ahad": 6,
}
_DAY_OFFSETS = {
    "kemarin lusa": -2,
    "kemaren lusa": -2,
    "hari ini": 0,
    "hr ini": 0,
    "saat ini": 0,
    "sekarang": 0,
    "skrg": 0,
    "skrang": 0,
    "tadi": 0,
    "besok": 1,
    "besuk": 1,
    "bsk": 1,
    "esok": 1,
    "lusa": 2,
    "kemarin": -1,
    "kemaren": -1,
    "kmrn": -1,
    "kmarin": -1,
    "kmren": -1,
}
_UNITS = {
    "hari": "day",
    "hr": "day",
    "minggu": "week",
    "mgg": "week",
    "pekan": "week",
    "bulan": "month",
    "bln": "month",
    "tahun": "year",
    "thn": "year",
    "th": "year",
}
_BACKWARD = frozenset(("lalu", "kemarin", "kemaren", "kmrn"))
_NUMBER_WORDS = "satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|sebelas|seratus|belas|puluh|ratus"


def _alternation(words: Iterable[str]) -> str:
    """Build a regex alternation of words, longest first."""
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_MONTH_ALT = _alternation(_MONTHS)
_UNIT_ALT = _alternation(_UNITS)
_FORWARD_ALT = r"lagi|lg|ke\s*depan|mendatang|kemudian"
_BACKWARD_ALT = r"(?:yang|yg)\s+lalu|lalu|sebelumnya"

_ISO_DATE_RE = re.compile(r"(?<![\d.,])(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?!\d)")
_NUMERIC_DATE_RE = re.compile(r"(?<![\d.,])(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})(?![\d.:])")
_TEXT_DATE_RE = re.compile(
    rf"(?<![\d.,])(\d{{1,2}})\s*[-/.]?\s*({_MONTH_ALT})(?![a-z])\.?"
    rf"(?:\s*[-/.,]?\s*'?(\d{{4}}|\d{{2}})(?![\d.:]))?"
)
_MONTH_YEAR_RE = re.compile(rf"(?<![a-z])({_MONTH_ALT})(?![a-z])\.?\s*[-/.,]?\s*'?(\d{{4}}|\d{{2}})(?![\d.:/])")
_NUMERIC_MONTH_YEAR_RE = re.compile(r"(?<![\d/.-])(\d{1,2})[/-](\d{4})(?![\d/.-])")
_DAY_MONTH_RE = re.compile(r"(?<![\d/.,-])(\d{1,2})/(\d{1,2})(?![\d/])")
# A unit of time ("hari", "seminggu") and its direction; the count is read from the few characters before.
_UNIT_RE = re.compile(rf"(?<![a-z])(se)?({_UNIT_ALT})(?![a-z])(?:\s+({_FORWARD_ALT}|{_BACKWARD_ALT})(?![a-z]))?")
_COUNT_BEFORE_RE = re.compile(
    rf"(?:(?<![a-z])(dalam)\s+)?(?<![\w.,])(\d+|(?:{_NUMBER_WORDS})(?:\s+(?:{_NUMBER_WORDS}))*)\s*$"
)
_WITHIN_BEFORE_RE = re.compile(r"(?<![a-z])dalam\s*$")
_LOOK_BEHIND = 60  # characters searched for a count before a unit; keeps long input linear
_DAY_OF_MONTH_RE = re.compile(
    r"(?<![a-z])(?:(?:bulan|bln)\s+(depan|dpn|ini)\s+)?(?:tanggal|tgl|tg)\.?\s*(\d{1,2})(?!\d)"
    r"(?:\s+(?:bulan|bln)\s+(depan|dpn|ini)(?![a-z]))?"
)
_PERIOD_EDGE_RE = re.compile(r"(?<![a-z])(akhir|awal)\s+(bulan|bln|tahun|thn)(?:\s+(ini|depan|dpn)(?![a-z]))?")
_PERIOD_RE = re.compile(
    r"(?<![a-z])(?<!hari )(?<!hr )(minggu|mgg|pekan|bulan|bln|tahun|thn)\s+"
    r"(depan|dpn|mendatang|besok|lalu|kemarin|kemaren|kmrn)(?![a-z])"
)
_DAY_OFFSET_RE = re.compile(rf"(?<![a-z])({_alternation(_DAY_OFFSETS)})(?![a-z])")
_WEEKDAY_RE = re.compile(
    rf"(?<![\w'])(hari\s+|hr\s+)?({_alternation(_WEEKDAYS)})(?![a-z])"
    r"(?:\s+(depan|dpn|ini|lalu|kemarin|kemaren)(?![a-z]))?"
)
_COUNTED_BEFORE_RE = re.compile(rf"(?:\d|\b(?:{_NUMBER_WORDS}))\s*$")
_APOSTROPHES_RE = re.compile(r"[’‘`´]")


def _full_year(text: str) -> int:
    """Turn "24" into 2024; leave four-digit years alone."""
    return 2000 + int(text) if len(text) == 2 else int(text)


def _make_date(year: int, month: int, day: int) -> datetime.date | None:
    """Build a date, or None when it does not exist."""
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _month_end(year: int, month: int) -> datetime.date | None:
    """Return the last day of a month, or None for an impossible month."""
    if not 1 <= month <= 12 or not 1 <= year <= 9999:
        return None
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: datetime.date, months: int) -> datetime.date:
    """Move by whole months, clamping the day to the end of the target month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return datetime.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _next_day_month(day: int, month: int, today: datetime.date) -> datetime.date | None:
    """Return the first day/month on or after today (looking a few years ahead for 29 February)."""
    for year in range(today.year, today.year + 5):
        candidate = _make_date(year, month, day)
        if candidate is not None and candidate >= today:
            return candidate
    return None


def _next_day_of_month(day: int, today: datetime.date) -> datetime.date | None:
    """Return the next "tanggal N" on or after today, skipping months that are too short."""
    for months in range(13):
        first = _add_months(today.replace(day=1), months)
        candidate = _make_date(first.year, first.month, day)
        if candidate is not None and candidate >= today:
            return candidate
    return None


def _shift(today: datetime.date, unit: str, amount: int) -> datetime.date:
    """Move today by an amount of days, weeks, months or years."""
    if unit == "day":
        return today + datetime.timedelta(days=amount)
    if unit == "week":
        return today + datetime.timedelta(weeks=amount)
    return _add_months(today, amount * (12 if unit == "year" else 1))


def _absolute_date(text: str, today: datetime.date) -> tuple[bool, datetime.date | None]:
    """Read a written-out date: (found, date), the date being None when it does not exist."""
    if match := _ISO_DATE_RE.search(text):
        return True, _make_date(int(match[1]), int(match[3]), int(match[4]))
    if match := _NUMERIC_DATE_RE.search(text):
        return True, _make_date(_full_year(match[4]), int(match[3]), int(match[1]))
    if match := _TEXT_DATE_RE.search(text):
        day, month = int(match[1]), _MONTHS[match[2]]
        if match[3]:
            return True, _make_date(_full_year(match[3]), month, day)
        return True, _next_day_month(day, month, today)
    if match := _MONTH_YEAR_RE.search(text):
        return True, _month_end(_full_year(match[2]), _MONTHS[match[1]])
    if match := _NUMERIC_MONTH_YEAR_RE.search(text):
        return True, _month_end(int(match[2]), int(match[1]))
    if match := _DAY_MONTH_RE.search(text):
        return True, _next_day_month(int(match[1]), int(match[2]), today)
    return False, None


def _relative_amount(text: str, today: datetime.date) -> datetime.date | None:
    """Read "3 hari lagi", "dua minggu lagi", "sebulan lagi", "dalam 5 hari", "2 hari yang lalu"."""
    for match in _UNIT_RE.finditer(text):
        start, direction = match.start(), match[3]
        window = max(0, start - _LOOK_BEHIND)
        amount: int | None
        if match[1]:  # "seminggu"
            amount, within = 1, bool(_WITHIN_BEFORE_RE.search(text, window, start))
        elif counted := _COUNT_BEFORE_RE.search(text, window, start):
            amount, within = parse_int(counted[2]), bool(counted[1])
        else:
            continue
        if amount is None or not (within or direction):
            continue  # "3 hari" alone has no direction
        sign = -1 if direction and re.fullmatch(_BACKWARD_ALT, direction) else 1
        return _shift(today, _UNITS[match[2]], sign * amount)
    return None


def _day_of_month(text: str, today: datetime.date) -> tuple[bool, datetime.date | None]:
    """Read "tgl 5", "tanggal 5 bulan depan": (found, date), the date being None when it does not exist."""
    match = _DAY_OF_MONTH_RE.search(text)
    if match is None:
        return False, None
    day, which = int(match[2]), match[1] or match[3]
    if which is None:
        return True, _next_day_of_month(day, today)
    month = _add_months(today.replace(day=1), 0 if which == "ini" else 1)
    return True, _make_date(month.year, month.month, day)


def _period_edge(match: re.Match[str], today: datetime.date) -> datetime.date:
    """Read "akhir bulan", "awal bulan depan", "akhir tahun"."""
    edge, unit, which = match[1], match[2], match[3]
    ahead = 1 if which in ("depan", "dpn") else 0
    if unit in ("tahun", "thn"):
        year = today.year + ahead
        return datetime.date(year, 12, 31) if edge == "akhir" else datetime.date(year, 1, 1)
    first = _add_months(today.replace(day=1), ahead)
    return _add_months(first, 1) - datetime.timedelta(days=1) if edge == "akhir" else first


def _weekday(text: str, today: datetime.date, *, modified_only: bool = False) -> datetime.date | None:
    """Read "senin", "hari minggu", "jumat ini", "senin depan", "sabtu lalu" (or only the last two)."""
    for match in _WEEKDAY_RE.finditer(text):
        if modified_only and not match[3]:
            continue
        if _COUNTED_BEFORE_RE.search(text, max(0, match.start() - _LOOK_BEHIND), match.start()):
            continue  # "2 minggu" is a number of weeks
        has_hari, target, modifier = bool(match[1]), _WEEKDAYS[match[2]], match[3]
        ahead = (target - today.weekday()) % 7
        if modifier in ("depan", "dpn"):
            return today + datetime.timedelta(days=7 - today.weekday() + target)
        if modifier in ("lalu", "kemarin", "kemaren"):
            return today - datetime.timedelta(days=(today.weekday() - target) % 7 or 7)
        if modifier == "ini" or has_hari:
            return today + datetime.timedelta(days=ahead)
        return today + datetime.timedelta(days=ahead or 7)
    return None


def _read_date(text: str, today: datetime.date) -> datetime.date | None:
    """Try the date readers from the most to the least explicit; see parse_date."""
    text = _SPACE_RE.sub(" ", _APOSTROPHES_RE.sub("'", unicodedata.normalize("NFKC", text).lower())).strip()
    text = text.replace("jum at", "jumat")
    found, day = _absolute_date(text, today)
    if found:
        return day
    if day := _relative_amount(text, today):
        return day
    found, day = _day_of_month(text, today)
    if found:
        return day
    if match := _PERIOD_EDGE_RE.search(text):
        return _period_edge(match, today)
    if match := _PERIOD_RE.search(text):
        sign = -1 if match[2] in _BACKWARD else 1
        return _shift(today, _UNITS[match[1]], sign)
    if day := _weekday(text, today, modified_only=True):  # "senin kemarin" is not "kemarin"
        return day
    if match := _DAY_OFFSET_RE.search(text):
        return today + datetime.timedelta(days=_DAY_OFFSETS[match[1]])
    return _weekday(text, today)


def parse_date(text: str, today: datetime.date) -> datetime.date | None:
    """Read a date: relative words (hari ini, besok, lusa, kemarin, minggu depan, bulan depan, tahun depan, "3 hari lagi", "2 minggu lagi") or absolute ("25 Maret 2024", "25 mar 24", "25/3/2024", "25-03-2024", "2024-03-25", "tgl 5" = the 5th of this month, or next month if past)."""  # noqa: E501
    try:
        return _read_date(text, today)
    except (OverflowError, ValueError):
        return None  # beyond the calendar: "99999 tahun lagi"


# --------------------------------------------------------------------------------------------
# Years and choice lists
# --------------------------------------------------------------------------------------------

_MIN_YEAR, _MAX_YEAR = 1950, 2100


def parse_year(text: str) -> int | None:
    """Read a 4-digit year 1950-2100, or a 2-digit year as 20yy ("2029", "thn 29")."""
    tokens = _NUMERIC_RE.findall(unicodedata.normalize("NFKC", text))
    if not tokens:
        year = parse_int(text)
        return year if year is not None and _MIN_YEAR <= year <= _MAX_YEAR else None
    four = {int(token) for token in tokens if token.isdigit() and len(token) == 4}
    if four:
        year = four.pop()
        return year if not four and _MIN_YEAR <= year <= _MAX_YEAR else None
    if len(tokens) == 1 and tokens[0].isdigit() and len(tokens[0]) == 2:
        return 2000 + int(tokens[0])
    return None


_LIST_TOKEN_RE = re.compile(r"\d+|s/d|[^\W\d_]+|\S")
_LIST_SEPARATORS = frozenset((",", ";", "/", "&", "+", ".", "dan", "and", "serta", "sama"))
_LIST_RANGES = frozenset(("-", "–", "—", "~", "s/d", "sd", "sampai", "sampe", "hingga", "to"))
_LIST_IGNORED = frozenset(("nomor", "nomer", "nmr", "pilihan", "pilih", "opsi", "yang", "yg", "saja", "aja"))
_LIST_WORDS = {**_DIGIT_WORDS, "sepuluh": 10, "sebelas": 11}
_LIST_EDGE_RE = re.compile(r"^[\s,.;!]+|[\s,.;!]+$")
_KEYCAP_RE = re.compile("[\ufe0f\u20e3]")
_MAX_RANGE = 100


def parse_number_list(text: str) -> list[int] | None:
    """Read a list of choice numbers: "1,3,5", "1 3 5", "1, 3 dan 5", "1-3" (-> 1,2,3), "2 & 4"; None if anything else is in the text."""  # noqa: E501
    text = _LIST_EDGE_RE.sub("", _KEYCAP_RE.sub(" ", unicodedata.normalize("NFKC", text).lower()))
    tokens = [token for token in _LIST_TOKEN_RE.findall(text) if token not in _LIST_IGNORED]
    numbers: list[int] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in _LIST_SEPARATORS:
            i += 1
            continue
        value = int(token) if token.isdigit() else _LIST_WORDS.get(token)
        if value is None:
            return None
        if _at(tokens, i + 1) in _LIST_RANGES:
            end_token = _at(tokens, i + 2) or ""
            end = int(end_token) if end_token.isdigit() else _LIST_WORDS.get(end_token)
            if end is None or end < value or end - value >= _MAX_RANGE:
                return None
            numbers.extend(range(value, end + 1))
            i += 3
        else:
            numbers.append(value)
            i += 1
    return list(dict.fromkeys(numbers)) or None
