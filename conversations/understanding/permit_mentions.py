"""Permits named in a message with what the owner says of each: "sdh ada nib, pirt lg diurus, halal blm"."""

from __future__ import annotations

import re

from conversations.understanding.answers import Answer, classify_answer

# How owners name each permit; longest forms first so "spp-irt" is not read as a bare "irt".
PERMIT_NAMES: dict[str, str] = {
    "nib": r"nib|n\.i\.b\.?|nomor\s+induk\s+berusaha|izin\s+usaha|oss",
    "pirt": r"spp\s*-?\s*irt|p\s*-?\s*irt|pirt|sppirt|izin\s+(?:p\s*-?\s*)?irt|irt",
    "halal": r"(?:sertifikat|serifikat|sertif|label|logo)\s+halal|halal",
    "bpom": r"izin\s+edar|b\s*\.?\s*pom|badan\s+pom|pom|md|ml",
    "merek": r"(?:hak\s+)?merek|merk|haki|hki|djki|brand",
}
_NAME_RE = {
    permit: re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])", re.IGNORECASE) for permit, pattern in PERMIT_NAMES.items()
}
_CLAUSE_SPLIT = re.compile(
    r"[,;\n]+|\.\s+|\s+(?:dan|tapi|tp|sedangkan|sdgkn|trus|terus|lalu|kalau|klo|kalo|kl)\s+", re.I
)
_FILLER = re.compile(
    r"(?<!\w)(?:izin(?:nya)?|sertifikat(?:nya)?|nomor(?:nya)?|nya|yg|yang|untuk|utk|buat|sama|sm|ama|dan|&)(?!\w)",
    re.IGNORECASE,
)


# The permit status a short answer gives ("sdh" -> issued, "lg diurus" -> in progress, "blm"/"gak" -> not yet).
STATUS_OF_ANSWER: dict[Answer, str] = {
    Answer.DONE: "terbit",
    Answer.YES: "terbit",
    Answer.IN_PROGRESS: "diurus",
    Answer.NOT_YET: "belum",
    Answer.NO: "belum",
}


def named_permits(text: str) -> list[str]:
    """The permits a text names, in the order of the table."""
    return [permit for permit, pattern in _NAME_RE.items() if pattern.search(text)]


def without_permit_name(text: str, permit: str) -> str:
    """The text with the permit's name taken out: "nib udh ada" -> "udh ada"."""
    return " ".join(_NAME_RE[permit].sub(" ", text).split())


def read_permit_statuses(text: str) -> dict[str, tuple[Answer, str]]:
    """Each permit named in the text, with the answer given for it and that answer's words.

    A permit named without an answer shares its neighbour's: "nib dan pirt sudah ada", "sdh ada nib dan pirt".
    """
    found: dict[str, tuple[Answer, str]] = {}
    waiting: list[str] = []
    last: tuple[Answer, str] | None = None
    for clause in _CLAUSE_SPLIT.split(text):
        permits = named_permits(clause)
        if not permits:
            continue
        rest = clause
        for permit in permits:
            rest = without_permit_name(rest, permit)
        rest = " ".join(_FILLER.sub(" ", rest).split())
        said = classify_answer(rest) if rest else None
        if said is None:
            if last is not None and not rest:
                for permit in permits:
                    found.setdefault(permit, last)
            else:
                waiting += permits
            continue
        last = (said, rest)
        for permit in (*waiting, *permits):
            found.setdefault(permit, last)
        waiting = []
    return found
