"""Lists of choice numbers ("1,3,5", "1 3 dan 5", "1-3"): kept in the order typed, repeats dropped; reversed or huge
ranges give None."""

from __future__ import annotations

import re
import unicodedata

from conversations.understanding.numbers import DIGIT_WORDS, item_at

_LIST_TOKEN_RE = re.compile(r"\d+|s/d|[^\W\d_]+|\S")
_LIST_SEPARATORS = frozenset((",", ";", "/", "&", "+", ".", "dan", "and", "serta", "sama"))
_LIST_RANGES = frozenset(("-", "–", "—", "~", "s/d", "sd", "sampai", "sampe", "hingga", "to"))
_LIST_IGNORED = frozenset(("nomor", "nomer", "nmr", "pilihan", "pilih", "opsi", "yang", "yg", "saja", "aja"))
_LIST_WORDS = {**DIGIT_WORDS, "sepuluh": 10, "sebelas": 11}
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
        if item_at(tokens, i + 1) in _LIST_RANGES:
            end_token = item_at(tokens, i + 2) or ""
            end = int(end_token) if end_token.isdigit() else _LIST_WORDS.get(end_token)
            if end is None or end < value or end - value >= _MAX_RANGE:
                return None
            numbers.extend(range(value, end + 1))
            i += 3
        else:
            numbers.append(value)
            i += 1
    return list(dict.fromkeys(numbers)) or None
