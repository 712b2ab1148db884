"""An owner correcting an earlier answer: "eh salah, ...", "bukan, maksud saya ...", "ganti nama usaha jadi ..."."""

from __future__ import annotations

import re
from dataclasses import dataclass

_OOPS_WORD = r"(?:eh+|maaf|mf|oh+|ups|astaga|aduh|waduh|lho|loh)[\s,.!]+"
_MEANT = (
    r"(?:maksud(?:nya|\s+saya|\s+sy|\s+aku)?|harusnya|seharusnya|mestinya"
    r"|yang\s+benar|yg\s+benar|yg\s+bener|yang\s+betul)"
)
_WRONG = r"(?:salah(?:\s+(?:ketik|tulis|ngetik|tik))?|keliru)"
_NAMED = (
    r"(?:nama|hp|no|nomor|wa|kecamatan|kec|kelurahan|kel|desa|omzet|omset|pekerja|karyawan|sentra|kelompok|usaha)\b"
)
_CORRECTION = re.compile(
    rf"^(?:"
    rf"(?:{_OOPS_WORD})+{_WRONG}\b[\s,.:!-]*(?:{_MEANT}\b[\s,.:]*)?"  # "eh salah Keripik X"
    rf"|(?:{_WRONG}|ralat|koreksi)(?:\s*[,.:!-]+\s*|\s+(?={_MEANT}\b)|\s+(?={_NAMED}))(?:{_MEANT}\b[\s,.:]*)?"
    rf"|(?:{_OOPS_WORD})*(?:bukan|bkn)[\s,.!]+{_MEANT}\b[\s,.:]*"  # "bukan, maksudnya X"
    rf"|(?:{_OOPS_WORD})*{_MEANT}\b[\s,.:]*(?={_NAMED})"  # "maksud saya kecamatan Selebar"
    rf")(?P<rest>.+)$",
    re.IGNORECASE | re.DOTALL,
)
_LEADING_MEANT = re.compile(rf"^[\s,.:]*(?:{_MEANT}\b[\s,.:]*)?", re.IGNORECASE)
_CHANGE = re.compile(
    r"^(?:tolong\s+|mohon\s+|mau\s+|saya\s+mau\s+)?(?:ganti|ubah|koreksi|perbaiki|betulkan|benerin|ralat)\s+"
    r"(?P<what>.+?)\s+(?:jadi|menjadi|dengan|ke|=|:)\s+(?P<value>.+)$",
    re.IGNORECASE | re.DOTALL,
)
# What the owner names as the fact to change, and the question that asks for it (order matters: the business
# name before the owner's name).
FIELDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (question, re.compile(rf"^(?:{pattern})(?:\s*nya)?\b\s*(?:saya|sy|aku|kami)?\s*(?:adalah|yaitu|:)?\s*", re.I))
    for question, pattern in (
        ("biz.name", r"nama\s+(?:usaha|toko|warung)|usaha"),
        ("biz.sentra_name", r"(?:nama\s+)?(?:sentra|kelompok|komunitas|paguyuban|forum)"),
        ("owner.phone", r"(?:no(?:mor)?\.?\s*)?(?:hp|wa|whatsapp|telp|telepon)|nomor"),
        ("biz.area|kecamatan", r"kecamatan|kec\.?"),
        ("biz.area|kelurahan", r"kelurahan|kel\.?|desa"),
        ("biz.workers", r"(?:jumlah\s+)?(?:pekerja|karyawan|orang\s+yang\s+kerja|tenaga\s+kerja)"),
        ("biz.revenue", r"omzet|omset|penjualan"),
        ("owner.name", r"nama(?:\s+(?:saya|sy|lengkap|aku|ku))?"),
    )
)


@dataclass(frozen=True)
class Correction:
    """A correction: the question it names (None: the last answer) and the new words."""

    question: str | None
    text: str


def read_correction(text: str) -> Correction | None:
    """The correction `text` makes, or None when it is not one."""
    clean = " ".join(text.split())
    change = _CHANGE.match(clean)
    if change:
        question = _field(change.group("what"))
        if question is not None:
            return Correction(question, change.group("value").strip(" .,!"))
        return None
    match = _CORRECTION.match(clean)
    if match is None:
        return None
    rest = match.group("rest").strip(" .,!")
    for question, pattern in FIELDS:
        named = pattern.match(rest)
        value = _LEADING_MEANT.sub("", rest[named.end() :]) if named else ""
        if named and value.strip(" .,!:"):
            return Correction(question, value.strip(" .,!:"))
    return Correction(None, rest) if rest else None


def _field(words: str) -> str | None:
    """The question a few words name ("nama usaha", "no hp")."""
    for question, pattern in FIELDS:
        if pattern.match(words.strip()) and not pattern.sub("", words.strip(), count=1).strip():
            return question
    return None
