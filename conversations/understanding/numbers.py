"""Counts and money as owners type them ("dua belas", "1,5 jt", "500rb", "Rp1.500.000").

* A range ("5-7", "5 sampai 7", "dua tiga orang") or a bound ("lebih dari 10", "20 lebih") gives None; so do
  negative and fractional counts. Words follow the formal grammar ("dua juta lima ratus" = 2,000,500), but the chat
  short-hand "2jt500" (three bare digits after juta or more) is read as 2,500,000; other bare digits after juta
  ("1jt2", "2 jt 50") are too unclear and give None.
* Separators: several dots/commas are thousands; with both, the last one is the decimal mark. A single dot followed
  by exactly three digits is a thousands dot ("1.250" = 1250, "1.500 jt" = 1.5 miliar); any other single dot is a
  decimal point ("1.5jt"). A single comma is a decimal comma ("2,5 juta"), except three digits after it with no scale
  word ("1,500" = 1500).
* Money: "m"/"M" is always miliar; amounts that are not a whole number of rupiah give None.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal

DIGIT_WORDS = {
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
    r"rata\s*-?\s*rata|rata2|rerata|sekitar|sekitaran|kisaran|approx)\b"
)
_NEGATIVE_RE = re.compile(r"(?<![\w.,])[-−–]\s*\d|\b(?:minus|negatif)\b")
_BOUND_RE = re.compile(
    r"[<>≤≥]|\b(?:lebih|kurang|atas|diatas|bawah|dibawah|minimal|maksimal|maks|max)\b|paling\s+(?:sedikit|banyak)"
)
_DASH_AN_RE = re.compile(r"(?<=\d)\s*-\s*(?=an\b)")
_WORD_HYPHEN_RE = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")
_DIGIT_LETTER_RE = re.compile(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)")
_QUANTITY_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+|[^\w\s]")
NUMERIC_RE = re.compile(r"\d+(?:[.,]\d+)*")


def item_at(items: list[str], i: int) -> str | None:
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
    token = item_at(run, i)
    if token is None or token == "nol":
        return None
    if token in DIGIT_WORDS:
        return DIGIT_WORDS[token]
    return int(token) if len(token) == 1 and token in "123456789" else None


def _small_words(run: list[str], i: int) -> tuple[int | None, int]:
    """Read 1-999 written as words ("dua ratus lima puluh tiga") from run[i]; return (value, next index)."""
    start, value = i, 0
    digit = _digit(run, i)
    if digit and item_at(run, i + 1) == "ratus":
        value, i = 100 * digit, i + 2
        digit = _digit(run, i)
    if digit and item_at(run, i + 1) == "puluh":
        value, i = value + 10 * digit, i + 2
        digit = _digit(run, i)
        if digit and item_at(run, i + 1) not in _MULTIPLIERS:
            value, i = value + digit, i + 1
    elif digit and item_at(run, i + 1) == "belas":
        value, i = value + 10 + digit, i + 2
    elif digit and item_at(run, i + 1) not in _MULTIPLIERS:
        value, i = value + digit, i + 1
    return (value if i > start else None), i


def _group(run: list[str], i: int, scales: Mapping[str, int]) -> tuple[Decimal | None, int]:
    """Read the number in front of a scale word (or the last one) from run[i]; return (value, next index)."""
    token, following = run[i], item_at(run, i + 1)
    value: Decimal | None
    if NUMERIC_RE.fullmatch(token) and not (_digit(run, i) and following in _MULTIPLIERS):
        value, i = _numeric_value(token, before_scale=following in scales), i + 1
    elif token == _HALF:
        value, i = Decimal("0.5"), i + 1
    else:
        small, i = _small_words(run, i)
        value = None if small is None else Decimal(small)
    if value is not None and item_at(run, i) == _HALF and item_at(run, i + 1) in scales:
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
        word = item_at(run, i)
        if word is not None and word in scales:
            scale, i = scales[word], i + 1
            if previous_scale and scale >= previous_scale:
                return None
            total += value * scale
            if item_at(run, i) == _HALF:  # "dua juta setengah"
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
        bool(NUMERIC_RE.fullmatch(part))
        or part in DIGIT_WORDS
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
# Head counts: the owner counts too ("sy sendiri sm 2 anak" = 3)
# --------------------------------------------------------------------------------------------

_SELF_RE = re.compile(r"\b(?:saya|sy|aku|aq|sendiri|sndiri|sndri)\b", re.IGNORECASE)
_WITH_RE = re.compile(r"(?:\b(?:sama|sm|ama|dan|dgn|dengan|plus|dibantu|bareng|ditambah|tambah)\b|\+|&)", re.IGNORECASE)
_WITH_COUNT_RE = re.compile(
    r"(?:\b(?:sama|sm|ama|dan|dgn|dengan|plus|dibantu|bareng|ditambah|tambah)\b|\+|&)\s*"
    r"(?:\d|(?:satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|sebelas|se)\w*)",
    re.IGNORECASE,
)
_INCLUDED_RE = re.compile(r"\btermasuk\b|\bsudah\s+(?:dengan|sama)\b", re.IGNORECASE)
_ALONE_RE = re.compile(
    r"^\W*(?:(?:saya|sy|aku)\s+)?(?:sendiri|sndiri|sendirian|seorang\s+diri)(?:\s+(?:aja|saja|sj|aj|kok))?\W*$",
    re.IGNORECASE,
)
_TOGETHER = {"berdua": 2, "bertiga": 3, "berempat": 4, "berlima": 5, "berenam": 6, "bertujuh": 7, "berdelapan": 8}


def parse_headcount(text: str) -> int | None:
    """Read how many people work, the owner included: "5", "lima orang", "sendiri", "berdua", "sy sm 2 anak" = 3."""
    if _ALONE_RE.match(text):
        return 1
    words = set(re.findall(r"[^\W\d_]+", text.lower()))
    together = [count for word, count in _TOGETHER.items() if word in words]
    if len(together) == 1:
        return together[0]
    count = parse_int(_SELF_RE.sub(" ", _WITH_RE.sub(" ", text)))
    if count is None:
        return parse_int(text)
    if _SELF_RE.search(text) and _WITH_COUNT_RE.search(text) and not _INCLUDED_RE.search(text):
        return count + 1  # "saya dibantu 2 orang": the owner and two helpers
    return count
