"""Words owners use for their trade and for what they need, mapped to the bot's keys."""

from __future__ import annotations

import re

# Words owners use for their trade, mapped to a commodity.
COMMODITY_WORDS = {
    "makanan": "keripik kripik kerupuk krupuk kue roti sambal sambel dodol tempe tahu makanan snack camilan "
    "cemilan peyek rempeyek rengginang abon bakso frozen manisan gula kacang opak emping lempok kemplang "
    "pempek empek bolu brownies donat pisang singkong ubi tape tapai lapis nastar kastengel rendang "
    "ikan asin teri terasi petis kecap selai madu bumbu catering katering nasi lauk",
    "minuman": "kopi jamu sirup teh minuman jus sari wedang susu",
    "batik_tenun": "batik tenun songket kain ikat",
    "konveksi": "baju jahit konveksi pakaian kaos hijab jilbab seragam bordir",
    "kerajinan": "rotan bambu kayu anyaman ukir ukiran kerajinan mebel furnitur gerabah keramik",
}
_WORD = re.compile(r"[^\W_]+")

NEED_WORDS = {
    "kemasan": "kemasan kemas packaging label stiker",
    "pemasaran": "pemasaran promosi jualan pasar marketing online",
    "modal": "modal kur pinjaman dana kredit uang",
    "peralatan": "alat peralatan mesin oven",
    "pelatihan": "pelatihan latihan training belajar kursus",
    "izin": "izin ijin nib pirt halal bpom perizinan",
}


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def guess_commodity(text: str) -> str | None:
    """The commodity named by a typed word like "keripik" or "rotan"."""
    words = _words(text)
    for key, vocabulary in COMMODITY_WORDS.items():
        if words & set(vocabulary.split()):
            return key
    return None


_NEED_ITEMS = re.compile(r"\s*(?:,|;|&|\+|\bdan\b|\bsama\b|\bsm\b|\bserta\b|\bjuga\b)\s*", re.IGNORECASE)
_NOT_A_NEED = re.compile(
    r"^(?:bu|pak|nak|kak|ya|sih|dong|aja|saja|dulu|bantuan|butuh|perlu|mungkin|apa|itu|yang|yg|lain|lainnya)$",
    re.IGNORECASE,
)


def read_needs(text: str) -> tuple[list[str], str | None]:
    """The needs a text names, and the part naming none of them ("mesin sm tungku hemat kayu bakar") as Other's note.

    The note is kept only beside a need the list knows: a text naming none is not read as a need at all.
    """
    kinds: list[str] = []
    other: list[str] = []
    for item in _NEED_ITEMS.split(text):
        found = need_kinds(item)
        kinds += [kind for kind in found if kind not in kinds]
        words = [w for w in _WORD.findall(item) if not _NOT_A_NEED.match(w)]
        if not found and sum(len(w) for w in words) >= 4:
            other.append(" ".join(words))
    if not other or not kinds:  # words alone, with no need named, are not trusted as a need
        return kinds, None
    return [*kinds, "lainnya"], ", ".join(other)


def need_kinds(text: str) -> list[str]:
    """The needs named by the words of a text ("modal sama kemasan" -> kemasan, modal)."""
    words = _words(text)
    return [kind for kind, vocabulary in NEED_WORDS.items() if words & set(vocabulary.split())]
