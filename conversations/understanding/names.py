"""Names owners type (their own, the business, a product, a sentra), told apart from chatter around them.

"lho kok dr awal lg" is not a name, "Tidak ada namanya nak, orang biasa sebut rotan pak haji sulaiman" holds one
("rotan pak haji sulaiman"), and "kan td udh sy tulis, komunitas kopi bengkulu" too ("komunitas kopi bengkulu").
`read_name` says which: a clean name, a name found inside a sentence (to be confirmed), or chatter only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from conversations.understanding.answers import classify_answer, says_no_more
from conversations.understanding.words import WORD_RE, normalize

# Words of talk, not of names: particles, "tadi", complaints, question words.
_CHATTER_WORDS = frozenset(
    "kok lho loh lha kan dong sih deh nih toh wong td tadi udh udah sudah sdh dah blm belum gimana gmn bagaimana "
    "kenapa knp mengapa apa apakah kapan dimana siapa emang memang bilang jawab dijawab maksudnya bingung ngerti "
    "paham tanya nanya tidak gak ga gk nggak enggak ndak nda tdk".split()
)
# Words that introduce the name inside a sentence: "namanya X", "orang biasa sebut X", "nama usahanya X".
_LEAD_IN = re.compile(
    r"(?:\bnama(?:\s*(?:usaha|toko|produk|sentra|kelompok|komunitas|forum|saya|sy|ku|lengkap))?\s*(?:nya|ny)?"
    r"|\b(?:biasa|bisa)\s+(?:di)?(?:sebut|panggil|kenal)(?:\s+(?:dengan|sbg|sebagai))?"
    r"|\b(?:orang|org)(?:\s+(?:biasa|sering|sini))?\s+(?:sebut|nyebut|manggil|panggil|bilang)(?:nya)?"
    r"|\bdikenal\s+(?:dengan|sbg|sebagai)"
    r"|^usaha(?:\s*nya|\s+(?:saya|sy|kami|ku)(?:\s*nya)?)"
    r"|^produk(?:\s*nya|\s+(?:saya|sy|kami)(?:\s*nya)?)"
    r"|^(?:saya|sy|aku))"
    r"\s*(?:adalah|yaitu|ialah|:|=)?\s+",
    re.IGNORECASE,
)
_TRAILING_FILLER = frozenset(
    "nak pak bu bapak ibu kak mas mbak dik dek ya yah sih dong deh nih kok lho loh kan".split()
)
_ALSO_IN_NAMES = frozenset({"mas", "dewi", "ayu"}) & _TRAILING_FILLER  # "mas" is also gold, as in "Kandang Mas"
MAX_NAME_WORDS = 8
# A part of a message that gives a detail, not a name: "di Yosomulyo", "hp 0812...", "kec. Metro Pusat".
_DETAIL = re.compile(r"\s*(?:di|dari|dr|hp|wa|no|nomor|telp|alamat|jl|jln|jalan|kec|kel|desa|rt|rw)\b", re.IGNORECASE)


class NameKind:
    """What `read_name` found."""

    NAME = "name"  # the text is a name as typed
    INSIDE = "inside"  # a name inside a sentence: confirm it with the owner before storing
    CHATTER = "chatter"  # talk, no name in it


@dataclass(frozen=True)
class ReadName:
    """The result of reading a typed name."""

    kind: str
    name: str | None = None


def _is_chatter(text: str) -> bool:
    """True for a sentence about something else: a question, a complaint, a yes/no, "that's all"."""
    if "?" in text or says_no_more(text) or classify_answer(text) is not None:
        return True
    words = WORD_RE.findall(normalize(text))
    if not words:
        return True
    if len(words) > MAX_NAME_WORDS:
        return True
    return any(word in _CHATTER_WORDS for word in words)


def _trim(candidate: str) -> str:
    """Drop the filler words an owner adds around a name ("... nak", "pak, ...")."""
    words = without_address(candidate).split()
    if len(words) == 1 and words[0].lower() in _TRAILING_FILLER:
        return ""
    while words and words[0].lower().strip(",.!") in _TRAILING_FILLER:
        words.pop(0)
    return " ".join(words).strip(" ,.;:!-\"'")


def without_address(name: str) -> str:
    """Drop the address words an owner adds after a name ("Sri Wahyuni, pak"), keeping one inside it ("Bu Sri")."""
    words = name.strip(" ,.;:!-\"'").split()
    while len(words) > 1 and words[-1].lower().strip(",.!") in _TRAILING_FILLER:
        after_comma = words[-2].endswith(",")
        if not after_comma and (not words[-1].islower() or words[-1] in _ALSO_IN_NAMES):
            break  # "Kelompok Tani Kandang Mas", "kandang mas": part of the name unless after a comma
        words.pop()
    return " ".join(words).strip(" ,.;:!-\"'")


def read_name(text: str) -> ReadName:
    """Tell a name from chatter, and find the name inside a sentence that holds one."""
    clean = " ".join(text.split())
    opening = _LEAD_IN.match(clean)
    if opening and not _is_chatter(_trim(clean[opening.end() :])):  # "nama saya Budi Santoso"
        return ReadName(NameKind.NAME, _trim(clean[opening.end() :]))
    if not _is_chatter(clean):
        return ReadName(NameKind.NAME, without_address(clean) or clean)  # "Sri Wahyuni, pak" is Sri Wahyuni
    candidates: list[str] = []
    lead_in = list(_LEAD_IN.finditer(clean))
    if lead_in:
        candidates.append(clean[lead_in[-1].end() :])
    if "," in clean:  # "kan td udh sy tulis, komunitas kopi" or "Keripik Bu Sri, di Yosomulyo": the part that is a name
        candidates += [part for part in (clean.rsplit(",", 1)[1], clean.split(",", 1)[0]) if not _DETAIL.match(part)]
    for candidate in candidates:
        name = _trim(candidate)
        if sum(ch.isalpha() for ch in name) >= 2 and not _is_chatter(name):
            return ReadName(NameKind.INSIDE, name)
    return ReadName(NameKind.CHATTER)
